//! A control's change → new scenario text. Each [`Edit`] sets, removes or appends one
//! value at a path such as `["schedule", 0, "doses", 1, "amount"]`, in the TOML
//! document itself: comments, the lesson text, key order and every key without a
//! control stay as the author wrote them. Whether the result is a valid scenario is
//! for the scenario validator to say, as for any text typed by hand.

use serde::Deserialize;
use serde_json::Value as Json;
use toml_edit::{DocumentMut, InlineTable, Item, Table, Value};

/// One change.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Edit {
    /// Keys (strings) and array indices (numbers) from the top of the document.
    pub at: Vec<Json>,
    /// The new value; `null` removes the key or array element. A JSON object becomes a
    /// table (`{"pk": "kamp-2020"}` at `["model"]` replaces the whole `[model]` table).
    pub value: Json,
    /// Append `value` to the array at `at` instead of replacing it.
    #[serde(default)]
    pub push: bool,
}

/// `text` with `edits` applied in order, or what is wrong with an edit.
pub fn apply(text: &str, edits: &[Edit]) -> Result<String, String> {
    let mut doc: DocumentMut = text.parse().map_err(|e| {
        format!(
            "the scenario is not valid TOML, so controls cannot change it; fix the text first: {e}"
        )
    })?;
    for (n, e) in edits.iter().enumerate() {
        one(doc.as_item_mut(), e)
            .map_err(|m| format!("edit {} at {}: {m}", n + 1, Json::from(e.at.clone())))?;
    }
    Ok(doc.to_string())
}

fn one(root: &mut Item, e: &Edit) -> Result<(), String> {
    let (last, parents) = e.at.split_last().ok_or("the path is empty")?;
    let mut item = root;
    for step in parents {
        item = child(item, step)?;
    }
    if e.push {
        let target = child(item, last)?;
        return push(target, &e.value);
    }
    match last {
        Json::String(key) => set_key(item, key, &e.value),
        Json::Number(i) => set_index(item, index(i)?, &e.value),
        other => Err(format!("expected a key or an index, found {other}")),
    }
}

fn index(i: &serde_json::Number) -> Result<usize, String> {
    i.as_u64()
        .and_then(|i| usize::try_from(i).ok())
        .ok_or_else(|| format!("expected an array index, found {i}"))
}

/// The child at `step`; a missing table is created (a `[plot]` for `log_y`).
fn child<'a>(item: &'a mut Item, step: &Json) -> Result<&'a mut Item, String> {
    match step {
        Json::String(key) => {
            let standard = item.is_table();
            let t = item
                .as_table_like_mut()
                .ok_or_else(|| format!("`{key}` is looked up in something that is not a table"))?;
            if t.get(key).is_none() {
                let empty = if standard {
                    Item::Table(Table::new())
                } else {
                    Item::Value(Value::InlineTable(InlineTable::new()))
                };
                t.insert(key, empty);
            }
            t.get_mut(key).ok_or_else(|| format!("no key `{key}`"))
        }
        Json::Number(i) => {
            let i = index(i)?;
            item.get_mut(i).ok_or_else(|| format!("no element {i}"))
        }
        other => Err(format!("expected a key or an index, found {other}")),
    }
}

fn set_key(parent: &mut Item, key: &str, value: &Json) -> Result<(), String> {
    if value.is_null() {
        return remove_key(parent, key);
    }
    let standard = parent.is_table();
    let t = parent
        .as_table_like_mut()
        .ok_or_else(|| format!("`{key}` is set in something that is not a table"))?;
    let mut new = to_toml(value)?;
    let old = t.get(key);
    let item = match (new, standard, old) {
        // A table replaces a table in place: same position, same comment above it.
        (Value::InlineTable(inline), true, Some(Item::Table(old))) => {
            let mut table = inline.into_table();
            if let Some(p) = old.position() {
                table.set_position(p);
            }
            *table.decor_mut() = old.decor().clone();
            Item::Table(table)
        }
        (Value::InlineTable(inline), true, None) => Item::Table(inline.into_table()),
        (v, _, old) => {
            new = v;
            if let Some(old) = old.and_then(Item::as_value) {
                *new.decor_mut() = old.decor().clone();
            }
            Item::Value(new)
        }
    };
    t.insert(key, item);
    Ok(())
}

/// Remove `key`; in an inline table the last value's spacing (`"12 h" }`) moves to the
/// value that becomes last, so `{ a = 1, b = 2 }` becomes `{ a = 1 }`, not `{ a = 1}`.
fn remove_key(parent: &mut Item, key: &str) -> Result<(), String> {
    if let Some(t) = parent.as_inline_table_mut() {
        let was_last = t.iter().last().is_some_and(|(k, _)| k == key);
        let removed = t.remove(key);
        if let (true, Some(removed), Some((_, last))) = (was_last, removed, t.iter_mut().last()) {
            let suffix = removed.decor().suffix().cloned();
            last.decor_mut().set_suffix(suffix.unwrap_or_default());
        }
        return Ok(());
    }
    parent
        .as_table_like_mut()
        .ok_or_else(|| format!("`{key}` is removed from something that is not a table"))?
        .remove(key);
    Ok(())
}

fn set_index(parent: &mut Item, i: usize, value: &Json) -> Result<(), String> {
    match parent {
        Item::ArrayOfTables(a) if i < a.len() => {
            if value.is_null() {
                a.remove(i);
                return Ok(());
            }
            match to_toml(value)? {
                Value::InlineTable(t) => {
                    if let Some(old) = a.get_mut(i) {
                        *old = t.into_table();
                    }
                    Ok(())
                }
                _ => Err("an element of an array of tables must be a table".into()),
            }
        }
        Item::Value(Value::Array(a)) if i < a.len() => {
            if value.is_null() {
                a.remove(i);
            } else {
                a.replace(i, to_toml(value)?);
            }
            Ok(())
        }
        _ => Err(format!("no element {i}")),
    }
}

fn push(target: &mut Item, value: &Json) -> Result<(), String> {
    match (target, to_toml(value)?) {
        (Item::ArrayOfTables(a), Value::InlineTable(t)) => {
            a.push(t.into_table());
            Ok(())
        }
        (Item::Value(Value::Array(a)), v) => {
            a.push(v);
            Ok(())
        }
        _ => Err("only an array can be appended to".into()),
    }
}

/// A JSON value as a TOML value: strings, integers, floats, booleans, arrays, tables.
fn to_toml(v: &Json) -> Result<Value, String> {
    Ok(match v {
        Json::String(s) => Value::from(s.as_str()),
        Json::Bool(b) => Value::from(*b),
        Json::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Value::from(i),
            (None, Some(f)) => Value::from(f),
            _ => return Err(format!("{n} is not a TOML number")),
        },
        Json::Array(a) => Value::Array(a.iter().map(to_toml).collect::<Result<_, _>>()?),
        Json::Object(m) => {
            let mut t = InlineTable::new();
            for (k, v) in m {
                t.insert(k, to_toml(v)?);
            }
            Value::InlineTable(t)
        }
        Json::Null => return Err("null is only allowed as a whole value (it removes it)".into()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn edit(at: Json, value: Json) -> Edit {
        Edit {
            at: at.as_array().cloned().unwrap_or_default(),
            value,
            push: false,
        }
    }

    const LESSON: &str = "scenarios/lessons/05-loading-dose.toml";

    #[test]
    fn a_dose_change_touches_that_value_only() {
        let text = std::fs::read_to_string(LESSON).unwrap();
        let new = apply(
            &text,
            &[edit(
                json!(["schedule", 1, "doses", 0, "amount"]),
                json!("40 mg"),
            )],
        )
        .unwrap();
        assert_eq!(
            new,
            text.replace("amount = \"33.5 mg\"", "amount = \"40 mg\"")
        );
    }

    #[test]
    fn a_model_choice_replaces_the_table_in_place_and_keys_come_and_go() {
        let text = std::fs::read_to_string(LESSON).unwrap();
        let new = apply(
            &text,
            &[
                edit(json!(["model"]), json!({"pk": "kamp-2020"})),
                edit(json!(["plot", "log_y"]), json!(true)),
                edit(json!(["simulation", "solver"]), json!("ode")),
            ],
        )
        .unwrap();
        let s = crate::scenario::parse(std::path::Path::new("x.toml"), &new).unwrap();
        assert_eq!(s.model.id, "kamp-2020");
        assert!(s.log_y);
        assert!(
            new.find("[model]") < new.find("[simulation]"),
            "model table stays where it was"
        );
        assert!(new.contains("duration = \"12 h\"\noutput_every = \"2 min\"\nsolver = \"ode\""));
    }

    #[test]
    fn null_removes_a_key() {
        let text = std::fs::read_to_string(LESSON).unwrap();
        let new = apply(
            &text,
            &[edit(json!(["schedule", 0, "doses", 0, "over"]), Json::Null)],
        )
        .unwrap();
        assert_eq!(new, text.replacen(", over = \"12 h\"", "", 1));
    }

    #[test]
    fn doses_are_appended_and_removed() {
        let text = std::fs::read_to_string(LESSON).unwrap();
        let dose = json!({"route": "intranasal", "amount": "50 mg", "at": "2 h"});
        let mut push = edit(json!(["schedule", 0, "doses"]), dose);
        push.push = true;
        let new = apply(
            &text,
            &[push, edit(json!(["schedule", 2, "doses", 0]), Json::Null)],
        )
        .unwrap();
        let s = crate::scenario::parse(std::path::Path::new("x.toml"), &new).unwrap();
        assert_eq!(s.schedules[0].regimen.doses().len(), 2);
        assert_eq!(s.schedules[2].regimen.doses().len(), 1);
    }

    #[test]
    fn bad_edits_say_which_and_why() {
        let text = std::fs::read_to_string(LESSON).unwrap();
        let e = apply(&text, &[edit(json!(["schedule", 9, "name"]), json!("x"))]).unwrap_err();
        assert_eq!(e, "edit 1 at [\"schedule\",9,\"name\"]: no element 9");
        let e = apply(&text, &[edit(json!([]), json!("x"))]).unwrap_err();
        assert!(e.contains("the path is empty"), "{e}");
        let e = apply("name = ", &[]).unwrap_err();
        assert!(e.starts_with("the scenario is not valid TOML"), "{e}");
        let e = apply(&text, &[edit(json!(["name", "x"]), json!(1))]).unwrap_err();
        assert!(e.contains("not a table"), "{e}");
    }
}
