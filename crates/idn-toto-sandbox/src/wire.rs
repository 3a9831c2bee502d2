//! A tiny ordered JSON writer.
//!
//! The sandbox writes every body by hand (not with the core crate's types, and not
//! through `serde_json::Value`) so that key order is the spec's, amounts never pass
//! through floats, and `--quirks spec` can emit the spec's literal oddities (a bare
//! unquoted date, a duplicate key, a missing outer brace pair).

/// Writes `text` as a JSON string literal (quotes and escapes included).
pub(crate) fn string(text: &str) -> String {
    // Serialising a `&str` cannot fail.
    serde_json::to_string(text).unwrap_or_else(|_| String::from("\"\""))
}

/// An object being written; keys appear in insertion order, duplicates allowed.
#[derive(Debug)]
pub(crate) struct Obj {
    buf: String,
    empty: bool,
}

impl Obj {
    /// Starts `{`.
    pub(crate) fn new() -> Obj {
        Obj {
            buf: String::from("{"),
            empty: true,
        }
    }

    /// Adds `"key":<raw>` where `raw` is already JSON text (or a deliberate quirk).
    pub(crate) fn raw(mut self, key: &str, raw: &str) -> Obj {
        if !self.empty {
            self.buf.push(',');
        }
        self.empty = false;
        self.buf.push_str(&string(key));
        self.buf.push(':');
        self.buf.push_str(raw);
        self
    }

    /// Adds a string value.
    pub(crate) fn str(self, key: &str, value: &str) -> Obj {
        let value = string(value);
        self.raw(key, &value)
    }

    /// Adds a boolean value.
    pub(crate) fn bool(self, key: &str, value: bool) -> Obj {
        self.raw(key, if value { "true" } else { "false" })
    }

    /// Adds an unsigned integer value.
    pub(crate) fn uint(self, key: &str, value: u64) -> Obj {
        self.raw(key, &value.to_string())
    }

    /// Closes the object.
    pub(crate) fn finish(mut self) -> String {
        self.buf.push('}');
        self.buf
    }
}

/// Writes a JSON array from already-written JSON values.
pub(crate) fn array<I>(items: I) -> String
where
    I: IntoIterator<Item = String>,
{
    let mut out = String::from("[");
    for (index, item) in items.into_iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        out.push_str(&item);
    }
    out.push(']');
    out
}

/// Writes the spec's keyed list: `{"1":..., "2":...}`, or `[]` when there is nothing.
pub(crate) fn keyed<I>(items: I) -> String
where
    I: IntoIterator<Item = String>,
{
    let mut obj = Obj::new();
    let mut any = false;
    for (index, item) in items.into_iter().enumerate() {
        obj = obj.raw(&(index + 1).to_string(), &item);
        any = true;
    }
    if any {
        obj.finish()
    } else {
        String::from("[]")
    }
}

/// `{"success":<success>,"message":<message>}`.
pub(crate) fn status(success: bool, message: &str) -> String {
    Obj::new()
        .bool("success", success)
        .str("message", message)
        .finish()
}

/// `{"success":false,"message":<message>}`.
pub(crate) fn failure(message: &str) -> String {
    status(false, message)
}

#[cfg(test)]
mod tests {
    use super::{array, keyed, string, Obj};

    #[test]
    fn writes_ordered_objects() {
        let text = Obj::new()
            .bool("success", true)
            .str("message", "a \"quoted\" é\n")
            .uint("n", 3)
            .raw("data", &array([String::from("1"), String::from("2")]))
            .finish();
        assert_eq!(
            text,
            r#"{"success":true,"message":"a \"quoted\" é\n","n":3,"data":[1,2]}"#
        );
        assert_eq!(keyed(Vec::new()), "[]");
        assert_eq!(keyed([string("a")]), r#"{"1":"a"}"#);
    }
}
