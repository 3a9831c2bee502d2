//! Tests only: the tolerant path's text read through `serde_path_to_error`
//! (the straightforward way to get an error's path), to check that
//! `canonical::locate` places every error where it gives the same path and
//! message.

use super::{Reader, Strict, Wire};
use crate::schema::error::Error;

/// The reference reader, with or without the fast path.
pub(crate) struct Reference<const FAST: bool>;

impl<const FAST: bool> Reader for Reference<FAST> {
    const FAST: bool = FAST;

    fn read<W: Wire>(json: &str) -> Result<W, Error> {
        deserialize(json)
    }
}

/// The production reader without its fast path.
pub(crate) struct TolerantOnly;

impl Reader for TolerantOnly {
    const FAST: bool = false;

    fn read<W: Wire>(json: &str) -> Result<W, Error> {
        Strict::read(json)
    }
}

pub(crate) fn deserialize<W: Wire>(json: &str) -> Result<W, Error> {
    let mut de = serde_json::Deserializer::from_str(json);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = render_path(e.path());
        let inner = e.into_inner();
        if inner.classify() != serde_json::error::Category::Data {
            // A struct read from a longer array: serde_json stops with
            // "trailing characters"; `locate` says how long the array was
            // (the message a reader of the value gives).
            return Error::decode(path, "(stopped before the end of a container)");
        }
        let full = inner.to_string();
        let suffix = format!(" at line {} column {}", inner.line(), inner.column());
        let message = full.strip_suffix(&suffix).unwrap_or(&full);
        Error::decode(path, super::split_at_marker(message).0)
    })
}

fn render_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for seg in path.iter() {
        match seg {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Enum { variant } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(variant);
            }
            Segment::Unknown => out.push_str(".?"),
        }
    }
    if out.is_empty() {
        out.push('$');
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::schema::id::EndpointId;
    use crate::schema::table::{AnyEndpoint, Visitor};
    use serde_json::Value;

    /// One endpoint's parse through reader `R`, as canonical JSON text.
    struct Through<'a, R>(&'a [u8], std::marker::PhantomData<R>);

    impl<R: Reader> Visitor for Through<'_, R> {
        type Output = Result<String, Error>;
        fn visit<E: AnyEndpoint>(self) -> Self::Output {
            E::parse_with::<R>(200, self.0).map(|r| serde_json::to_string(&r).unwrap())
        }
    }

    fn run(id: EndpointId, body: &[u8], reference: bool, skip_fast: bool) -> String {
        let out = match (reference, skip_fast) {
            (false, false) => id.visit(Through::<Strict>(body, Default::default())),
            (false, true) => id.visit(Through::<TolerantOnly>(body, Default::default())),
            (true, false) => id.visit(Through::<Reference<true>>(body, Default::default())),
            (true, true) => id.visit(Through::<Reference<false>>(body, Default::default())),
        };
        match out {
            Ok(text) => text,
            Err(e) => {
                // Compare where, not how it is worded, for a container
                // stopped early (see `deserialize`).
                strip_length_message(&e.to_json().to_string())
            }
        }
    }

    /// The error JSON with a stopped-container message replaced by one
    /// marker, so the two readings compare by kind and path.
    fn strip_length_message(text: &str) -> String {
        let mut v: Value = serde_json::from_str(text).unwrap();
        fn walk(v: &mut Value) {
            if let Some(m) = v.as_object_mut() {
                let stopped = m.get("reason").and_then(Value::as_str).is_some_and(|r| {
                    r.contains("expected fewer elements in") || r.contains("stopped before the end")
                });
                if stopped {
                    m.insert("reason".into(), "stopped".into());
                }
                m.remove("message");
                if let Some(cause) = m.get_mut("cause") {
                    walk(cause);
                }
                if let Some(inner) = m.get_mut("error") {
                    walk(inner);
                }
            }
        }
        walk(&mut v);
        v.to_string()
    }

    /// Every subvalue's place, as a JSON pointer.
    fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
        out.push(at.clone());
        match v {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    pointers(item, format!("{at}/{i}"), out);
                }
            }
            Value::Object(map) => {
                for (k, item) in map {
                    let k = k.replace('~', "~0").replace('/', "~1");
                    pointers(item, format!("{at}/{k}"), out);
                }
            }
            _ => {}
        }
    }

    /// The canonical-text reading agrees with the value reading (results,
    /// error paths and messages) on every vector body and on each body with
    /// every subvalue replaced by values of every shape.
    #[test]
    fn canonical_text_reads_as_the_value_does() {
        let replacements: Vec<Value> = [
            "null", "true", "false", "0", "1", "-1", "1.5", "-0.0", "1e21", "2.5e-8",
            "123456789012345678901234567890", "0.30000000000000004", "18446744073709551615",
            "-9223372036854775808", "\"\"", "\" \"", "\"x\"", "\"0\"", "\"1\"", "\"false\"",
            "\"2021-02-30 00:00:00\"", "\"23-02-2021 15:38:48\"", "\"3 Rows\"", "[]", "{}",
            "[1]", "[[1]]", "[{}]", "[{\"a\":1}]", "{\"a\":1}", "{\"1\":{}}", "{\"x\":[]}",
            "[null,null,null,null,null,null,null,null,null,null,null,null,null,null]",
            "[\"1\",\"u\",\"23-02-2021 15:38:48\",\"deposit\",\"g\",\"n\",\"b\",\"1\",\"5\",\"d\",\"2\",\"extra\"]",
            "[\"1\",\"u\",\"23-02-2021 15:38:48\"]",
        ]
        .iter()
        .map(|t| serde_json::from_str(t).unwrap())
        .collect();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors");
        let mut checked = 0usize;
        let mut failures = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().and_then(|e| e.to_str()) != Some("json") {
                continue;
            }
            let file: Value =
                serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
            let Some(id) = file
                .get("endpoint")
                .and_then(Value::as_str)
                .and_then(|s| s.parse::<EndpointId>().ok())
            else {
                continue;
            };
            for case in file["responses"].as_array().into_iter().flatten() {
                let Some(body) = case.get("body").and_then(Value::as_str) else {
                    continue;
                };
                let mut bodies = vec![body.to_owned()];
                let trimmed = body.trim();
                let value = super::super::repair::repair(trimmed)
                    .ok()
                    .filter(|r| r.damage.read_error().is_none())
                    .and_then(|r| serde_json::from_str::<Value>(&r.text).ok());
                if let Some(value) = value {
                    let mut at = Vec::new();
                    pointers(&value, String::new(), &mut at);
                    if let Value::Object(map) = &value {
                        let t = value.to_string();
                        for k in map.keys() {
                            for r in replacements.iter().step_by(3) {
                                let member = format!("{}:{r}", Value::from(k.as_str()));
                                bodies.push(format!("{{{member},{}", &t[1..]));
                                bodies.push(format!("{},{member}}}", &t[..t.len() - 1]));
                            }
                        }
                    }
                    for p in at.iter().take(60) {
                        for r in &replacements {
                            let mut v = value.clone();
                            if p.is_empty() {
                                v = r.clone();
                            } else if let Some(slot) = v.pointer_mut(p) {
                                *slot = r.clone();
                            }
                            bodies.push(v.to_string());
                        }
                    }
                }
                for b in &bodies {
                    for skip_fast in [true, false] {
                        let new = run(id, b.as_bytes(), false, skip_fast);
                        let old = run(id, b.as_bytes(), true, skip_fast);
                        checked += 1;
                        if new != old && failures.len() < 20 {
                            failures.push(format!("{id} {b}\n  new: {new}\n  old: {old}"));
                        }
                    }
                }
            }
        }
        assert!(checked > 50_000, "only {checked} bodies");
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}
