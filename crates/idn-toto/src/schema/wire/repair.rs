//! Rewrites almost-JSON into strict, compact JSON in one pass, and says what
//! it had to assume.
//!
//! Only bodies that the fast path refuses come here. No JSON library reads the
//! spec's own examples, so this scanner restores what a quirky server
//! obviously meant, and nothing else. Every repair is one that cannot drop,
//! shorten or alter a value:
//! - a bare value that is not a JSON number or literal is quoted, running to
//!   the next `,`, `}`, `]` or line break (`"date":23-02-2021 15:38:48,`);
//! - a raw line break inside a string, with the whitespace around it, becomes
//!   one space (none at the string's ends); other control characters are
//!   escaped; an invalid escape keeps its backslash;
//! - a missing comma is inserted where the next member or element starts
//!   with `"`, `{` or `[` (never between two bare tokens: `1000<newline>000`
//!   is an error, not `1000`); a trailing comma is dropped;
//! - a closer of the wrong kind closes the innermost open container
//!   ([`Damage::mismatched`]);
//! - a body that starts with `"key":` gets its missing outer braces
//!   ([`Damage::unframed`]);
//! - a key given twice with the same value is kept once; with different
//!   values the first is kept and the conflict recorded
//!   ([`Damage::conflict`]).
//!
//! Everything else is an error: bare or single-quoted keys, a missing `:`, a
//! missing value, an empty element (`[1,,2]`), a body that does not start
//! like JSON. A body that ends before its value is complete is closed (the
//! last incomplete member dropped) and marked [`Damage::truncated`]; content
//! after the top value is marked [`Damage::trailing`]. Reads refuse both;
//! money-moving answers read them as unknown outcomes.
//!
//! The scanner works on bytes, keeps one output buffer (the size of the
//! input, roughly) and per open object the keys it has seen; it is iterative
//! and bounded in depth.

use std::collections::HashMap;

const MAX_DEPTH: usize = 256;

/// What the reader had to assume about a body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[allow(unreachable_pub)]
pub struct Damage {
    /// The body ended before its JSON value was complete.
    pub(crate) truncated: bool,
    /// The body had no outer `{ }`.
    pub(crate) unframed: bool,
    /// A closer of the wrong kind closed a container.
    pub(crate) mismatched: bool,
    /// Something other than whitespace followed the top value (byte offset).
    pub(crate) trailing: Option<usize>,
    /// The first key given twice with different values (its path).
    pub(crate) conflict: Option<String>,
    /// With `truncated`: the steps from the top value to the innermost
    /// container the body left open (`data`, `[0]`).
    pub(crate) open: Vec<Step>,
}

/// One step into a container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// An object member.
    Key(String),
    /// An array element.
    Index(usize),
}

impl Damage {
    /// Nothing that could make the reading uncertain.
    pub(crate) fn is_none(&self) -> bool {
        !self.truncated
            && !self.unframed
            && !self.mismatched
            && self.trailing.is_none()
            && self.conflict.is_none()
    }

    /// The error a read reports for damage that could change content
    /// (truncation, trailing content, conflicting duplicates). A wrong closer
    /// and missing outer braces are the spec's own quirks and are read.
    pub(crate) fn read_error(&self) -> Option<(String, String)> {
        if self.truncated {
            return Some((
                "$".into(),
                "the body ends before its JSON value is complete (truncated?)".into(),
            ));
        }
        if let Some(at) = self.trailing {
            return Some((
                "$".into(),
                format!("unexpected content after the JSON value (at byte {at})"),
            ));
        }
        if let Some(path) = &self.conflict {
            return Some((
                path.clone(),
                "the key is given twice with different values".into(),
            ));
        }
        None
    }

    /// Why a money-moving answer with this damage can't be read as a definite
    /// outcome (`None`: it can).
    pub(crate) fn uncertainty(&self) -> Option<String> {
        if let Some((path, reason)) = self.read_error() {
            return Some(if path == "$" {
                reason
            } else {
                format!("{path}: {reason}")
            });
        }
        if self.mismatched {
            return Some("a container is closed by a bracket of the wrong kind: the answer may be incomplete".into());
        }
        if self.unframed {
            return Some("the body has no outer braces: the answer may be incomplete".into());
        }
        None
    }
}

/// The strict JSON text, and what was assumed to make it.
#[derive(Debug)]
pub(crate) struct Repaired {
    pub(crate) text: String,
    pub(crate) damage: Damage,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Object,
    Array,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Expect {
    /// Right after `{` or `[` (a closer is fine here).
    First,
    /// After a comma: a key (objects) or a value (arrays).
    Next,
    Colon,
    Value,
    CommaOrEnd,
}

struct Frame {
    kind: Kind,
    /// Objects: key -> where its value is in the output.
    keys: HashMap<Box<str>, (usize, usize)>,
    /// The current member's key (objects).
    key: Option<Box<str>>,
    /// Where the current member starts in the output (before its comma).
    member_start: usize,
    /// Where the current member's value starts in the output.
    value_start: usize,
    /// Members or elements written so far.
    count: usize,
}

impl Frame {
    fn new(kind: Kind) -> Frame {
        Frame {
            kind,
            keys: HashMap::new(),
            key: None,
            member_start: 0,
            value_start: 0,
            count: 0,
        }
    }
}

struct Scanner<'a> {
    s: &'a [u8],
    i: usize,
    out: Vec<u8>,
    stack: Vec<Frame>,
    damage: Damage,
    /// The last value completed was an object or an array.
    last_was_container: bool,
}

/// Returns the strict JSON text and the damage, or why no reading exists.
pub(crate) fn repair(text: &str) -> Result<Repaired, String> {
    let text = text.trim_start_matches('\u{feff}').trim();
    if text.is_empty() {
        return Err("body is empty".into());
    }
    let mut sc = Scanner {
        s: text.as_bytes(),
        i: 0,
        out: Vec::with_capacity(text.len() + 16),
        stack: Vec::new(),
        damage: Damage::default(),
        last_was_container: false,
    };
    sc.run()?;
    // Every byte written is either copied from valid UTF-8 at character
    // boundaries or ASCII; this cannot fail, and an error is still an error.
    let text = String::from_utf8(sc.out).map_err(|_| "body is not valid UTF-8".to_owned())?;
    Ok(Repaired {
        text,
        damage: sc.damage,
    })
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(is_ws) {
            self.i += 1;
        }
    }

    fn err<T>(&self, what: &str) -> Result<T, String> {
        Err(format!("body is not JSON: {what} at byte {}", self.i))
    }

    /// Writes the comma before a new member or element, and marks where the
    /// member starts.
    fn begin_item(&mut self) {
        let at = self.out.len();
        if let Some(f) = self.stack.last_mut() {
            f.member_start = at;
            if f.count > 0 {
                self.out.push(b',');
            }
            f.value_start = self.out.len();
        }
    }

    fn open(&mut self, kind: Kind) -> Result<(), String> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(format!("nesting deeper than {MAX_DEPTH} levels"));
        }
        self.out
            .push(if kind == Kind::Object { b'{' } else { b'[' });
        self.stack.push(Frame::new(kind));
        self.i += 1;
        Ok(())
    }

    /// Closes the innermost container; the closer read (if any) decides
    /// whether it was of the right kind.
    fn close(&mut self, closer: Option<u8>) {
        let Some(frame) = self.stack.pop() else {
            return;
        };
        let right = if frame.kind == Kind::Object {
            b'}'
        } else {
            b']'
        };
        if closer.is_some_and(|c| c != right) {
            self.damage.mismatched = true;
        }
        self.out.push(right);
        self.value_done();
        self.last_was_container = true;
    }

    /// A value was completed in the innermost container: count it and, in
    /// an object, check its key against the keys seen.
    fn value_done(&mut self) {
        let end = self.out.len();
        let Some(f) = self.stack.last_mut() else {
            return;
        };
        if f.kind == Kind::Array {
            f.count += 1;
            return;
        }
        let Some(key) = f.key.take() else {
            return;
        };
        match f.keys.get(&key) {
            Some(&(start, stop)) => {
                let same = self.out[start..stop] == self.out[f.value_start..end];
                let member_start = f.member_start;
                if !same && self.damage.conflict.is_none() {
                    self.damage.conflict = Some(self.path_to(&key));
                }
                // Keep the first; drop this one (it is the last thing written).
                self.out.truncate(member_start);
            }
            None => {
                f.keys.insert(key, (f.value_start, end));
                f.count += 1;
            }
        }
    }

    /// The path of member `key` of the innermost object.
    fn path_to(&self, key: &str) -> String {
        let mut out = String::new();
        let n = self.stack.len();
        for (depth, f) in self.stack.iter().enumerate() {
            let step = if depth + 1 == n {
                Some(Step::Key(key.to_owned()))
            } else {
                self.step_of(f)
            };
            match step {
                Some(Step::Key(k)) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(&k);
                }
                Some(Step::Index(i)) => {
                    out.push('[');
                    out.push_str(&i.to_string());
                    out.push(']');
                }
                None => {}
            }
        }
        if out.is_empty() {
            out.push('$');
        }
        out
    }

    fn step_of(&self, f: &Frame) -> Option<Step> {
        match f.kind {
            Kind::Object => f.key.as_deref().map(|k| Step::Key(k.to_owned())),
            Kind::Array => Some(Step::Index(f.count)),
        }
    }

    fn run(&mut self) -> Result<(), String> {
        self.skip_ws();
        let mut expect = Expect::Value;
        let mut unframed = false;
        match self.peek() {
            Some(b'"') if self.string_then_colon() => {
                self.out.push(b'{');
                self.stack.push(Frame::new(Kind::Object));
                self.damage.unframed = true;
                unframed = true;
                expect = Expect::First;
            }
            Some(b'{' | b'[') => {}
            _ => return self.err("it does not start with '{' or '['"),
        }
        let mut started = unframed;
        loop {
            self.skip_ws();
            if started && self.stack.is_empty() {
                if self.i < self.s.len() {
                    self.damage.trailing = Some(self.i);
                }
                return Ok(());
            }
            let Some(c) = self.peek() else {
                return self.end(expect, unframed);
            };
            let in_object = self.stack.last().is_some_and(|f| f.kind == Kind::Object);
            match expect {
                Expect::First | Expect::Next if in_object => match c {
                    b'}' | b']' => {
                        self.i += 1;
                        self.close(Some(c));
                        expect = Expect::CommaOrEnd;
                    }
                    b'"' => {
                        self.begin_item();
                        let key = self.string(true)?;
                        if let Some(f) = self.stack.last_mut() {
                            f.key = Some(key.into_boxed_str());
                        }
                        expect = Expect::Colon;
                    }
                    b',' => return self.err("an empty member"),
                    _ => return self.err("expected a quoted key"),
                },
                Expect::Colon => {
                    if c != b':' {
                        return self.err("expected ':' after a key");
                    }
                    self.i += 1;
                    self.out.push(b':');
                    if let Some(f) = self.stack.last_mut() {
                        f.value_start = self.out.len();
                    }
                    expect = Expect::Value;
                }
                Expect::First | Expect::Next | Expect::Value => {
                    let in_array = !in_object && !self.stack.is_empty();
                    if in_array && matches!(c, b']' | b'}') {
                        self.i += 1;
                        self.close(Some(c));
                        expect = Expect::CommaOrEnd;
                        continue;
                    }
                    if in_array {
                        self.begin_item();
                    }
                    match c {
                        b'{' => {
                            self.open(Kind::Object)?;
                            expect = Expect::First;
                        }
                        b'[' => {
                            self.open(Kind::Array)?;
                            expect = Expect::First;
                        }
                        b'"' => {
                            self.string(false)?;
                            self.value_done();
                            self.last_was_container = false;
                            expect = Expect::CommaOrEnd;
                        }
                        b',' | b'}' | b']' | b':' => {
                            return self.err(if in_array {
                                "an empty element"
                            } else {
                                "a missing value"
                            })
                        }
                        _ => {
                            self.bare();
                            if self.i >= self.s.len() {
                                // The bare value runs to the end: it may be cut.
                                return self.end_inside_value();
                            }
                            self.value_done();
                            self.last_was_container = false;
                            expect = Expect::CommaOrEnd;
                        }
                    }
                    started = true;
                }
                Expect::CommaOrEnd => match c {
                    b',' => {
                        self.i += 1;
                        self.skip_ws();
                        match self.peek() {
                            Some(b'}' | b']') => {} // a trailing comma
                            _ => expect = Expect::Next,
                        }
                    }
                    b'}' | b']' => {
                        self.i += 1;
                        self.close(Some(c));
                    }
                    b'"' | b'{' | b'[' => expect = Expect::Next, // a missing comma
                    _ => return self.err("expected ',' or a closing bracket"),
                },
            }
        }
    }

    /// The input ended with `expect` pending.
    fn end(&mut self, expect: Expect, unframed: bool) -> Result<(), String> {
        let only_outer = self.stack.len() == 1 && unframed;
        // `"key": [...]` to the end: the braces were never there (the spec's
        // bank list). A body without braces that ends after a string or a
        // bare value may as well have been cut between two members.
        if only_outer && expect == Expect::CommaOrEnd && self.last_was_container {
            self.close(None);
            return Ok(());
        }
        if matches!(expect, Expect::Colon | Expect::Value) {
            // A key without its value: drop the member.
            if let Some(f) = self.stack.last_mut() {
                if f.kind == Kind::Object {
                    f.key = None;
                    let at = f.member_start;
                    self.out.truncate(at);
                }
            }
        }
        self.truncated();
        Ok(())
    }

    /// The input ended inside a value (a string or a bare token).
    fn end_inside_value(&mut self) -> Result<(), String> {
        self.value_done();
        self.truncated();
        Ok(())
    }

    /// Marks the body truncated, records where, and closes what is open.
    fn truncated(&mut self) {
        self.damage.truncated = true;
        let open: Vec<Step> = self
            .stack
            .iter()
            .take(self.stack.len().saturating_sub(1))
            .filter_map(|f| self.step_of(f))
            .collect();
        self.damage.open = open;
        while !self.stack.is_empty() {
            self.close(None);
        }
    }

    /// Looks ahead: is the string at `i` followed by a colon?
    fn string_then_colon(&self) -> bool {
        let mut j = self.i + 1;
        while let Some(&c) = self.s.get(j) {
            match c {
                b'\\' => j += 2,
                b'"' => break,
                _ => j += 1,
            }
        }
        j += 1;
        while self.s.get(j).copied().is_some_and(is_ws) {
            j += 1;
        }
        self.s.get(j) == Some(&b':')
    }

    /// Copies a quoted string, repairing line breaks, control characters and
    /// invalid escapes; returns its text (unescaped only as far as keys
    /// need: the raw text between the quotes). A string cut by the end of
    /// the body is closed and the body marked truncated.
    fn string(&mut self, want_text: bool) -> Result<String, String> {
        self.out.push(b'"');
        self.i += 1;
        let content_start = self.out.len();
        loop {
            let Some(c) = self.peek() else {
                // Cut inside the string.
                self.out.push(b'"');
                self.damage.truncated = true;
                return Ok(self.key_text(content_start, want_text));
            };
            self.i += 1;
            match c {
                b'"' => {
                    let key = self.key_text(content_start, want_text);
                    self.out.push(b'"');
                    return Ok(key);
                }
                b'\\' => match self.peek() {
                    Some(e @ (b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't')) => {
                        self.i += 1;
                        self.out.push(b'\\');
                        self.out.push(e);
                    }
                    Some(b'u')
                        if self.s.len() >= self.i + 5
                            && self.s[self.i + 1..self.i + 5]
                                .iter()
                                .all(u8::is_ascii_hexdigit) =>
                    {
                        self.out.push(b'\\');
                    }
                    _ => self.out.extend_from_slice(b"\\\\"),
                },
                b'\n' | b'\r' => {
                    while self.out.last().is_some_and(|b| matches!(b, b' ' | b'\t')) {
                        self.out.pop();
                    }
                    while self.peek().is_some_and(is_ws) {
                        self.i += 1;
                    }
                    let at_start = self.out.len() == content_start;
                    if self.peek() != Some(b'"') && !at_start {
                        self.out.push(b' ');
                    }
                }
                c if c < 0x20 || c == 0x7f => {
                    self.out
                        .extend_from_slice(format!("\\u{:04x}", u32::from(c)).as_bytes());
                }
                c => self.out.push(c),
            }
        }
    }

    /// The text of the string written from `start`, unescaped when it has
    /// escapes (keys compare by their text).
    fn key_text(&self, start: usize, want_text: bool) -> String {
        if !want_text {
            return String::new();
        }
        let raw = &self.out[start..];
        if !raw.contains(&b'\\') {
            return String::from_utf8_lossy(raw).into_owned();
        }
        let mut quoted = Vec::with_capacity(raw.len() + 2);
        quoted.push(b'"');
        quoted.extend_from_slice(raw);
        quoted.push(b'"');
        serde_json::from_slice::<String>(&quoted)
            .unwrap_or_else(|_| String::from_utf8_lossy(raw).into_owned())
    }

    /// A bare value: written raw if it is a JSON number or literal, quoted
    /// otherwise. It runs to `,`, `}`, `]` or a line break.
    fn bare(&mut self) {
        let start = self.i;
        while let Some(c) = self.peek() {
            if matches!(c, b',' | b'}' | b']' | b'\n' | b'\r') {
                break;
            }
            self.i += 1;
        }
        let token = String::from_utf8_lossy(&self.s[start..self.i]);
        let token = token.trim_matches(|c: char| c == ' ' || c == '\t');
        let literal = matches!(token, "true" | "false" | "null")
            || serde_json::from_str::<serde_json::Number>(token).is_ok();
        if literal {
            self.out.extend_from_slice(token.as_bytes());
        } else {
            let quoted = serde_json::Value::from(token).to_string();
            self.out.extend_from_slice(quoted.as_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(s: &str) -> String {
        let r = repair(s).unwrap();
        assert!(!r.damage.truncated && r.damage.trailing.is_none(), "{s}");
        r.text
    }

    fn damage(s: &str) -> Damage {
        repair(s).unwrap().damage
    }

    #[test]
    fn spec_bodies_become_json() {
        assert_eq!(
            fix(r#"{"date":23-02-2021 15:38:48, "x":1}"#),
            r#"{"date":"23-02-2021 15:38:48","x":1}"#
        );
        assert_eq!(fix("{\"a\":\"535-288-9976\n\"}"), r#"{"a":"535-288-9976"}"#);
        assert_eq!(
            fix("{\"m\":\"modified\n  before\"}"),
            r#"{"m":"modified before"}"#
        );
        assert_eq!(fix("{\"a\": \"1\"\n\"b\": 2}"), r#"{"a":"1","b":2}"#);
        assert_eq!(
            fix(r#"{"data": [ {"a": 1} ], "z": {}}"#),
            r#"{"data":[{"a":1}],"z":{}}"#
        );
        assert_eq!(
            fix("\"success\": true,\n\"data\": [\"BCA\", \"BNI\"]"),
            r#"{"success":true,"data":["BCA","BNI"]}"#
        );
        assert_eq!(
            fix(r#"{"a": -2000.00, "b": [1,2,],}"#),
            r#"{"a":-2000.00,"b":[1,2]}"#
        );
        assert_eq!(
            fix(r#"{"m":"Success","m":"Success","x":1}"#),
            r#"{"m":"Success","x":1}"#
        );
        assert_eq!(fix("[{\"a\":1}\n{\"a\":2}]"), r#"[{"a":1},{"a":2}]"#);
    }

    #[test]
    fn damage_is_reported() {
        let d = damage(r#"{"data": [ {"a": 1} }"#);
        assert!(d.mismatched && d.truncated);
        assert!(damage("\"success\": true").unframed);
        let d = damage(r#"{"success":true}{"success":false}"#);
        assert_eq!(d.trailing, Some(16));
        let d = damage(r#"{"success":true,"success":false}"#);
        assert_eq!(d.conflict.as_deref(), Some("success"));
        let r = repair(r#"{"a":[{"b":1,"b":2}]}"#).unwrap();
        assert_eq!(r.damage.conflict.as_deref(), Some("a[0].b"));
        assert_eq!(r.text, r#"{"a":[{"b":1}]}"#);
        let r =
            repair(r#"{"success":true,"data":[{"trans_id":"1","m":"x"},{"trans_id":"00"#).unwrap();
        assert!(r.damage.truncated);
        assert_eq!(
            r.damage.open,
            vec![Step::Key("data".into()), Step::Index(1)]
        );
        assert_eq!(
            r.text,
            r#"{"success":true,"data":[{"trans_id":"1","m":"x"},{"trans_id":"00"}]}"#
        );
        let r = repair(r#"{"success":true,"message":"#).unwrap();
        assert!(r.damage.truncated);
        assert_eq!(r.text, r#"{"success":true}"#);
        let r = repair(r#"{"success":true,"data":["#).unwrap();
        assert!(r.damage.truncated);
        assert_eq!(r.damage.open, vec![Step::Key("data".into())]);
        let r = repair(r#"{"balance":12"#).unwrap();
        assert!(r.damage.truncated);
    }

    #[test]
    fn repairs_that_would_change_content_are_errors() {
        for bad in [
            "{\"balance\":1000\n000}",
            r#"{"amount":12.500,00}"#,
            r#"{a: 1}"#,
            r#"{'success':false,'message':'x'}"#,
            r#"{"a" 1}"#,
            r#"{"a": }"#,
            r#"{"a":1,,"b":2}"#,
            "[1,,2]",
            "<html>",
        ] {
            assert!(repair(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bounded_and_total() {
        assert!(repair("").is_err());
        assert!(repair(&"[".repeat(MAX_DEPTH + 1)).is_err());
        for junk in [
            "}",
            "]]]",
            ":",
            ",",
            "\"",
            "\\",
            "{\"a",
            "{\"a\":",
            "[\"x\\u12",
            "{\"a\":\"\\",
        ] {
            let _ = repair(junk);
        }
    }
}
