//! What the page's controls show: the values of a scenario file *as written* ("0.5
//! mg/kg", "40 min"), read from the TOML document rather than from the validated
//! scenario, which has expanded repeats and turned mg/kg into mg. A control the file
//! leaves out shows as `null` (the default applies).

use serde_json::{json, Map, Value};
use toml_edit::{DocumentMut, Item};

/// The keys of one dose that have controls: amount, route, time, infusion length and
/// repeats (`every`, `times`).
pub const DOSE_KEYS: [&str; 7] = ["route", "amount", "rate", "at", "over", "every", "times"];

/// The controls' values for the scenario `text`, or the TOML syntax error.
pub fn read(text: &str) -> Result<Value, toml_edit::TomlError> {
    let doc: DocumentMut = text.parse()?;
    let root = doc.as_item();
    let schedules: Vec<Value> = items(root.get("schedule"))
        .map(|s| {
            json!({
                "name": scalar(s.get("name")),
                "weight": scalar(s.get("weight")),
                "doses": items(s.get("doses")).map(dose).collect::<Vec<_>>(),
                "targets": items(s.get("targets")).map(target).collect::<Vec<_>>(),
                "max_rate": scalar(s.get("pump").and_then(|p| p.get("max_rate"))),
            })
        })
        .collect();
    let model = root.get("model");
    // Only a bare `pk = "id"` is a choice from the built-in list; overrides or a custom
    // model show as "as in the file" and stay untouched until another model is chosen.
    let built_in = model
        .and_then(Item::as_table_like)
        .filter(|t| t.len() == 1)
        .and_then(|t| t.get("pk"))
        .and_then(Item::as_str);
    let plot = root.get("plot");
    Ok(json!({
        "model": built_in,
        "weight": scalar(root.get("patient").and_then(|p| p.get("weight"))),
        "solver": scalar(root.get("simulation").and_then(|s| s.get("solver"))),
        "bands": plot.and_then(|p| p.get("bands")).and_then(Item::as_array).map(|a| {
            a.iter().filter_map(|b| b.as_str().map(String::from)).collect::<Vec<_>>()
        }),
        "log_y": plot.and_then(|p| p.get("log_y")).and_then(Item::as_bool).unwrap_or(false),
        "population_size": root.get("population").and_then(|p| p.get("size")).and_then(Item::as_integer),
        "schedules": schedules,
    }))
}

/// The elements of an array or array of tables (none for anything else).
fn items(item: Option<&Item>) -> impl Iterator<Item = &Item> {
    let len = item.map_or(0, |i| match i {
        Item::ArrayOfTables(a) => a.len(),
        Item::Value(v) => v.as_array().map_or(0, toml_edit::Array::len),
        _ => 0,
    });
    (0..len).filter_map(move |k| item.and_then(|i| i.get(k)))
}

fn dose(d: &Item) -> Value {
    let mut m = Map::new();
    for k in DOSE_KEYS {
        m.insert(k.into(), scalar(d.get(k)));
    }
    // Keys without a control (ka, lag, steady_state, ...) are kept in the file; the page
    // names them so nobody wonders why a curve differs from the controls.
    let others: Vec<String> = d
        .as_table_like()
        .map(|t| {
            t.iter()
                .map(|(k, _)| k.to_string())
                .filter(|k| !DOSE_KEYS.contains(&k.as_str()))
                .collect()
        })
        .unwrap_or_default();
    m.insert("other_keys".into(), json!(others));
    Value::Object(m)
}

/// One TCI target: its time, whether it is a plasma or an effect-site target (the key
/// the file uses; plasma when neither is there yet) and the concentration as written.
fn target(t: &Item) -> Value {
    let mode = if t.get("effect").is_some() {
        "effect"
    } else {
        "plasma"
    };
    json!({ "at": scalar(t.get("at")), "mode": mode, "value": scalar(t.get(mode)) })
}

/// A string, integer, float or boolean value as JSON; `null` when absent or a table.
fn scalar(item: Option<&Item>) -> Value {
    let Some(v) = item.and_then(Item::as_value) else {
        return Value::Null;
    };
    if let Some(s) = v.as_str() {
        json!(s)
    } else if let Some(i) = v.as_integer() {
        json!(i)
    } else if let Some(f) = v.as_float() {
        json!(f)
    } else if let Some(b) = v.as_bool() {
        json!(b)
    } else {
        Value::Null
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_show_values_as_written() {
        let text = std::fs::read_to_string("scenarios/lessons/05-loading-dose.toml").unwrap();
        let f = read(&text).unwrap();
        assert_eq!(
            f["model"],
            Value::Null,
            "a custom model is not a built-in choice"
        );
        assert_eq!(f["weight"], "70 kg");
        assert_eq!(f["bands"], json!(["analgesia"]));
        let s = &f["schedules"][1];
        assert_eq!(s["name"], "33.5 mg loading dose + 10.5 mg/h");
        assert_eq!(s["doses"][0]["amount"], "33.5 mg");
        assert_eq!(s["doses"][1]["rate"], "10.5 mg/h");
        assert_eq!(s["doses"][1]["over"], "12 h");
        assert_eq!(s["doses"][1]["amount"], Value::Null);
    }

    #[test]
    fn a_bare_built_in_model_is_a_choice_and_arrays_of_tables_are_read() {
        let text = "name = \"x\"\n[model]\npk = \"kamp-2020\"\n[simulation]\nduration = \"1 h\"\n[[schedule]]\nname = \"a\"\n[[schedule.doses]]\nroute = \"iv\"\namount = \"1 mg\"\nka = \"1 /h\"\n";
        let f = read(text).unwrap();
        assert_eq!(f["model"], "kamp-2020");
        assert_eq!(f["schedules"][0]["doses"][0]["amount"], "1 mg");
        assert_eq!(f["schedules"][0]["doses"][0]["other_keys"], json!(["ka"]));
        assert_eq!(f["schedules"][0]["targets"], json!([]));
        assert_eq!(f["schedules"][0]["max_rate"], Value::Null);
    }

    #[test]
    fn tci_targets_and_the_pumps_max_rate_are_read_as_written() {
        let text = std::fs::read_to_string("scenarios/tci-kamp.toml").unwrap();
        let f = read(&text).unwrap();
        let plasma = &f["schedules"][0];
        assert_eq!(
            plasma["targets"][1],
            json!({ "at": "30 min", "mode": "plasma", "value": "0.5 µg/mL" })
        );
        assert_eq!(plasma["max_rate"], "1200 mL/h");
        assert_eq!(
            f["schedules"][1]["targets"][0],
            json!({ "at": "0 min", "mode": "effect", "value": "1 µg/mL" })
        );
    }
}
