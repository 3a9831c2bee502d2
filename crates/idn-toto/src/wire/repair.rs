//! Rewrites almost-JSON into strict JSON.
//!
//! Only bodies that strict JSON refuses come here. No JSON library reads the
//! spec's own examples (bare `23-02-2021 15:38:48` values, line breaks inside
//! strings, a missing comma, an array closed with `}`, a body without its
//! outer braces), so this small scanner turns them into strict JSON and
//! `serde_json` does the rest. It is iterative (no recursion) and bounded.
//!
//! Rules:
//! - a UTF-8 BOM is dropped first (the caller refuses invalid UTF-8);
//! - a body that starts with `"key":` gets the missing outer `{ }`;
//! - a bare value that is not a JSON number or literal is quoted, running to
//!   the next `,`, `}`, `]` or line break (`"date":23-02-2021 15:38:48,`);
//! - bare keys are quoted; a missing `:` is inserted;
//! - a raw line break inside a string, with the whitespace around it, becomes
//!   one space (none before the closing quote); other control characters are
//!   escaped;
//! - a missing comma between members or elements is inserted, a trailing one
//!   dropped;
//! - a closer of the wrong kind closes the innermost open container; missing
//!   closers are added at the end; anything after the top value is ignored.

const MAX_DEPTH: usize = 256;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Object,
    Array,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// A key (objects) or a value (arrays, top level), or the closer.
    First,
    Key,
    Colon,
    Value,
    CommaOrEnd,
}

struct Scanner<'a> {
    s: &'a [char],
    i: usize,
    out: String,
    stack: Vec<Kind>,
}

/// Returns the strict JSON text, or why it could not be made.
pub(crate) fn repair(body: &[u8]) -> Result<String, String> {
    let text = String::from_utf8_lossy(body);
    let text = text.trim_start_matches('\u{feff}').trim();
    if text.is_empty() {
        return Err("body is empty".into());
    }
    let chars: Vec<char> = text.chars().collect();
    let mut sc = Scanner {
        s: &chars,
        i: 0,
        out: String::with_capacity(text.len() + 16),
        stack: Vec::new(),
    };
    sc.run()?;
    Ok(sc.out)
}

impl Scanner<'_> {
    fn peek(&self) -> Option<char> {
        self.s.get(self.i).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.i += 1;
        }
    }

    fn open(&mut self, kind: Kind) -> Result<(), String> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(format!("nesting deeper than {MAX_DEPTH} levels"));
        }
        self.stack.push(kind);
        self.out.push(match kind {
            Kind::Object => '{',
            Kind::Array => '[',
        });
        self.i += 1;
        Ok(())
    }

    fn close(&mut self) {
        if let Some(kind) = self.stack.pop() {
            self.out.push(match kind {
                Kind::Object => '}',
                Kind::Array => ']',
            });
        }
    }

    fn run(&mut self) -> Result<(), String> {
        self.skip_ws();
        // A body that starts with `"key":` lost its outer braces.
        let mut expect = Expect::Value;
        let mut started = false;
        if self.peek() == Some('"') && self.string_then_colon() {
            self.stack.push(Kind::Object);
            self.out.push('{');
            expect = Expect::First;
            started = true;
        } else if !matches!(self.peek(), Some('{' | '[')) {
            return Err("body is not JSON: it does not start with '{' or '['".into());
        }
        loop {
            self.skip_ws();
            if started && self.stack.is_empty() {
                return Ok(()); // the top value is complete; ignore the rest
            }
            let Some(c) = self.peek() else { break };
            let in_object = self.stack.last() == Some(&Kind::Object);
            match expect {
                Expect::First | Expect::Key if in_object => match c {
                    '}' | ']' => {
                        self.i += 1;
                        self.close();
                        expect = Expect::CommaOrEnd;
                    }
                    ',' => self.i += 1,
                    '"' => {
                        self.string();
                        expect = Expect::Colon;
                    }
                    '{' | '[' => return Err(format!("expected a key, found {c:?}")),
                    _ => {
                        self.bare(true);
                        expect = Expect::Colon;
                    }
                },
                Expect::Colon => {
                    if c == ':' {
                        self.i += 1;
                    }
                    self.out.push(':');
                    expect = Expect::Value;
                }
                Expect::First | Expect::Key | Expect::Value => match c {
                    '{' => {
                        self.open(Kind::Object)?;
                        started = true;
                        expect = Expect::First;
                    }
                    '[' => {
                        self.open(Kind::Array)?;
                        started = true;
                        expect = Expect::First;
                    }
                    '"' => {
                        self.string();
                        started = true;
                        expect = Expect::CommaOrEnd;
                    }
                    '}' | ']' => {
                        if in_object {
                            self.out.push_str("null"); // `"key": }`
                        }
                        self.i += 1;
                        self.close();
                        expect = Expect::CommaOrEnd;
                    }
                    ',' => {
                        if in_object {
                            self.out.push_str("null");
                            expect = Expect::CommaOrEnd;
                        } else {
                            self.i += 1; // `[,` or `,,`
                        }
                    }
                    _ => {
                        self.bare(false);
                        started = true;
                        expect = Expect::CommaOrEnd;
                    }
                },
                Expect::CommaOrEnd => match c {
                    ',' => {
                        self.i += 1;
                        self.skip_ws();
                        match self.peek() {
                            Some('}' | ']') | None => {} // trailing comma
                            _ => {
                                self.out.push(',');
                                expect = Expect::Key;
                            }
                        }
                    }
                    '}' | ']' => {
                        self.i += 1;
                        self.close();
                    }
                    ':' if in_object => {
                        // `"a" "b": 1`-style damage: skip the stray colon.
                        self.i += 1;
                    }
                    _ => {
                        self.out.push(','); // missing comma
                        expect = Expect::Key;
                    }
                },
            }
        }
        if expect == Expect::Colon {
            self.out.push_str(":null");
        } else if expect == Expect::Value && self.stack.last() == Some(&Kind::Object) {
            self.out.push_str("null");
        }
        while !self.stack.is_empty() {
            self.close();
        }
        if self.out.is_empty() {
            return Err("body has no JSON value".into());
        }
        Ok(())
    }

    /// Looks ahead: is the string at `i` followed by a colon?
    fn string_then_colon(&self) -> bool {
        let mut j = self.i + 1;
        while let Some(&c) = self.s.get(j) {
            match c {
                '\\' => j += 2,
                '"' => break,
                _ => j += 1,
            }
        }
        j += 1;
        while self.s.get(j).is_some_and(|c| c.is_whitespace()) {
            j += 1;
        }
        self.s.get(j) == Some(&':')
    }

    /// Copies a quoted string, repairing line breaks and control characters.
    fn string(&mut self) {
        self.out.push('"');
        self.i += 1;
        while let Some(c) = self.peek() {
            self.i += 1;
            match c {
                '"' => {
                    self.out.push('"');
                    return;
                }
                '\\' => match self.peek() {
                    Some(e @ ('"' | '\\' | '/' | 'b' | 'f' | 'n' | 'r' | 't')) => {
                        self.i += 1;
                        self.out.push('\\');
                        self.out.push(e);
                    }
                    Some('u')
                        if self.s.len() >= self.i + 5
                            && self.s[self.i + 1..self.i + 5]
                                .iter()
                                .all(char::is_ascii_hexdigit) =>
                    {
                        self.out.push('\\');
                    }
                    _ => self.out.push_str("\\\\"),
                },
                '\n' | '\r' => {
                    while self.out.ends_with([' ', '\t']) {
                        self.out.pop();
                    }
                    while self.peek().is_some_and(char::is_whitespace) {
                        self.i += 1;
                    }
                    if self.peek() != Some('"') && !self.out.ends_with('"') {
                        self.out.push(' ');
                    }
                }
                c if c.is_control() => self.out.push_str(&format!("\\u{:04x}", c as u32)),
                c => self.out.push(c),
            }
        }
        self.out.push('"'); // unterminated at the end of the body
    }

    /// A bare token: emitted raw if it is a JSON number or literal, quoted
    /// otherwise. Keys stop at `:`; values at `,`, `}`, `]` or a line break.
    fn bare(&mut self, key: bool) {
        let start = self.i;
        while let Some(c) = self.peek() {
            let stop = if key {
                c == ':' || c == '}' || c == ',' || c == '\n'
            } else {
                matches!(c, ',' | '}' | ']' | '\n' | '\r')
            };
            if stop {
                break;
            }
            self.i += 1;
        }
        let token: String = self.s[start..self.i].iter().collect();
        let token = token.trim();
        let literal = !key
            && (matches!(token, "true" | "false" | "null")
                || serde_json::from_str::<serde_json::Number>(token).is_ok());
        if literal {
            self.out.push_str(token);
        } else {
            self.out
                .push_str(&serde_json::Value::from(token).to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(s: &str) -> String {
        repair(s.as_bytes()).unwrap()
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
        assert_eq!(fix(r#"{"data": [ {"a": 1} }"#), r#"{"data":[{"a":1}]}"#);
        assert_eq!(
            fix("\"success\": true,\n\"data\": [\"BCA\", \"BNI\"]"),
            r#"{"success":true,"data":["BCA","BNI"]}"#
        );
        assert_eq!(
            fix(r#"{"a": -2000.00, "b": [1,2,],}"#),
            r#"{"a":-2000.00,"b":[1,2]}"#
        );
        assert_eq!(fix(r#"{a: 1}"#), r#"{"a":1}"#);
        assert_eq!(fix(r#"{"a": }"#), r#"{"a":null}"#);
        assert_eq!(fix(r#"{"a" 1}"#), r#"{"a":1}"#);
        assert_eq!(fix("[1\n2]"), r#"[1,2]"#);
    }

    #[test]
    fn bounded_and_total() {
        assert!(repair(b"").is_err());
        assert!(repair("[".repeat(MAX_DEPTH + 1).as_bytes()).is_err());
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
            "<html>",
        ] {
            let _ = repair(junk.as_bytes());
        }
    }
}
