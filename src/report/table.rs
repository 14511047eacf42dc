//! Aligned plain-text tables for the terminal.

/// How a column is aligned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Text columns.
    Left,
    /// Number columns.
    Right,
}

/// A table with a header row; columns are padded to their widest cell.
#[derive(Debug, Clone, Default)]
pub struct Table {
    headers: Vec<(String, Align)>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these columns.
    pub fn new(columns: &[(&str, Align)]) -> Table {
        Table {
            headers: columns.iter().map(|(h, a)| (h.to_string(), *a)).collect(),
            rows: Vec::new(),
        }
    }

    /// Add a row (missing cells are blank).
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// The table as text, two spaces between columns, a rule under the header.
    pub fn render(&self) -> String {
        let width = |c: usize| {
            let cells = self
                .rows
                .iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count());
            cells
                .chain([self.headers[c].0.chars().count()])
                .max()
                .unwrap_or(0)
        };
        let widths: Vec<usize> = (0..self.headers.len()).map(width).collect();
        let line = |cells: &mut dyn Iterator<Item = &str>| -> String {
            let padded: Vec<String> = cells
                .zip(&self.headers)
                .zip(&widths)
                .map(|((s, (_, align)), &w)| match align {
                    Align::Left => format!("{s:<w$}"),
                    Align::Right => format!("{s:>w$}"),
                })
                .collect();
            padded.join("  ").trim_end().to_string() + "\n"
        };
        let mut out = line(&mut self.headers.iter().map(|h| h.0.as_str()));
        out += &line(
            &mut widths
                .iter()
                .map(|&w| "─".repeat(w))
                .collect::<Vec<_>>()
                .iter()
                .map(String::as_str),
        );
        for r in &self.rows {
            let cells = (0..self.headers.len()).map(|i| r.get(i).map_or("", String::as_str));
            out += &line(&mut cells.collect::<Vec<_>>().into_iter());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_aligned() {
        let mut t = Table::new(&[("model", Align::Left), ("CL (L/h)", Align::Right)]);
        t.row(vec!["kamp-2020".into(), "84".into()]);
        t.row(vec!["herd-2007".into(), "90.5".into()]);
        insta::assert_snapshot!(t.render(), @r"
        model      CL (L/h)
        ─────────  ────────
        kamp-2020        84
        herd-2007      90.5
        ");
    }
}
