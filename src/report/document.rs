//! A small document — title, headings, paragraphs, bullet lists, tables, an image — that
//! renders as terminal text or as Markdown, so a text view and a Markdown handout say the
//! same thing.

use super::table::{Align, Table};

/// Text lines are wrapped to this many characters: fits an 100-column terminal and a
/// projected slide without horizontal scrolling.
const WIDTH: usize = 90;

/// One block of a document.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// The document's title.
    Title(String),
    /// A section heading.
    Heading(String),
    /// Prose: paragraphs separated by blank lines, reflowed to the text width.
    Paragraph(String),
    /// A bullet list; each item is wrapped.
    Bullets(Vec<String>),
    /// A table with aligned columns.
    Table {
        /// Column headers and alignment.
        columns: Vec<(String, Align)>,
        /// The rows, one cell per column.
        rows: Vec<Vec<String>>,
    },
    /// An image (Markdown only; text leaves it out).
    Image {
        /// Alternative text.
        alt: String,
        /// Path relative to the document.
        path: String,
    },
}

/// `text` wrapped to [`WIDTH`], the first line after `first`, the rest after `rest`.
fn wrap(text: &str, first: &str, rest: &str) -> String {
    let mut out = String::new();
    let mut line = first.to_string();
    let mut words = 0;
    for word in text.split_whitespace() {
        if words > 0 && line.chars().count() + 1 + word.chars().count() > WIDTH {
            out += line.trim_end();
            out.push('\n');
            line = rest.to_string();
            words = 0;
        }
        if words > 0 {
            line.push(' ');
        }
        line += word;
        words += 1;
    }
    out + line.trim_end() + "\n"
}

/// Paragraphs (separated by blank lines) each joined into one line and wrapped.
fn reflow(text: &str) -> String {
    let paragraphs: Vec<String> = text
        .split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(|p| wrap(p, "", ""))
        .collect();
    paragraphs.join("\n")
}

fn table(columns: &[(String, Align)], rows: &[Vec<String>]) -> Table {
    let refs: Vec<(&str, Align)> = columns.iter().map(|(h, a)| (h.as_str(), *a)).collect();
    let mut t = Table::new(&refs);
    for r in rows {
        t.row(r.clone());
    }
    t
}

/// The document as terminal text: blocks separated by blank lines.
pub fn text(blocks: &[Block]) -> String {
    let mut parts: Vec<String> = Vec::new();
    for b in blocks {
        parts.push(match b {
            Block::Title(t) => format!("{t}\n{}\n", "═".repeat(t.chars().count())),
            Block::Heading(h) => format!("{h}\n{}\n", "─".repeat(h.chars().count())),
            Block::Paragraph(p) => reflow(p),
            Block::Bullets(items) => items.iter().map(|i| wrap(i, "  • ", "    ")).collect(),
            Block::Table { columns, rows } => table(columns, rows)
                .render()
                .lines()
                .map(|l| format!("  {l}\n"))
                .collect(),
            Block::Image { .. } => continue,
        });
    }
    parts.join("\n")
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}

/// The document as Markdown.
pub fn markdown(blocks: &[Block]) -> String {
    let mut parts: Vec<String> = Vec::new();
    for b in blocks {
        parts.push(match b {
            Block::Title(t) => format!("# {t}\n"),
            Block::Heading(h) => format!("## {h}\n"),
            Block::Paragraph(p) => format!("{}\n", p.trim_end()),
            Block::Bullets(items) => items.iter().map(|i| format!("- {i}\n")).collect(),
            Block::Table { columns, rows } => {
                let head: Vec<String> = columns.iter().map(|c| cell(&c.0)).collect();
                let rule: Vec<&str> = columns
                    .iter()
                    .map(|c| match c.1 {
                        Align::Left => "---",
                        Align::Right => "---:",
                    })
                    .collect();
                let mut t = format!("| {} |\n| {} |\n", head.join(" | "), rule.join(" | "));
                for r in rows {
                    let cells: Vec<String> = r.iter().map(|c| cell(c)).collect();
                    t += &format!("| {} |\n", cells.join(" | "));
                }
                t
            }
            Block::Image { alt, path } => format!("![{alt}]({path})\n"),
        });
    }
    parts.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Vec<Block> {
        vec![
            Block::Title("Half-life".into()),
            Block::Paragraph("Look at the\ncurve.\n\nChange CL.".into()),
            Block::Heading("Numbers".into()),
            Block::Bullets(vec!["CL 79 L/h".into()]),
            Block::Table {
                columns: vec![("route".into(), Align::Left), ("F".into(), Align::Right)],
                rows: vec![vec!["oral".into(), "0.2".into()]],
            },
            Block::Image {
                alt: "plot".into(),
                path: "a.png".into(),
            },
        ]
    }

    #[test]
    fn text_and_markdown_say_the_same() {
        insta::assert_snapshot!(text(&doc()), @r"
        Half-life
        ═════════

        Look at the curve.

        Change CL.

        Numbers
        ───────

          • CL 79 L/h

          route    F
          ─────  ───
          oral   0.2
        ");
        insta::assert_snapshot!(markdown(&doc()), @r"
        # Half-life

        Look at the
        curve.

        Change CL.

        ## Numbers

        - CL 79 L/h

        | route | F |
        | --- | ---: |
        | oral | 0.2 |

        ![plot](a.png)
        ");
    }

    #[test]
    fn long_bullets_wrap_with_a_hanging_indent() {
        let long = "word ".repeat(40);
        let out = wrap(&long, "  • ", "    ");
        assert!(out.lines().all(|l| l.chars().count() <= WIDTH));
        assert!(out.lines().skip(1).all(|l| l.starts_with("    word")));
    }
}
