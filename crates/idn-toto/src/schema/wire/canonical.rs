//! Error positions to paths: a decode error raised while reading strict
//! compact JSON (the repaired text, see `repair.rs`) is placed by its byte
//! position; [`locate`] turns that into the path `serde_path_to_error` gives
//! for the same error (`data.2.amount`, `[1].date`, `$`), with the same
//! message.

use serde_json::error::Category;

use crate::schema::error::Error;

/// Reads JSON text that `serde_json` has accepted (anything else gives some
/// output, never a panic).
struct Reader<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> u8 {
        self.text.as_bytes().get(self.at).copied().unwrap_or(0)
    }

    fn space(&mut self) {
        while matches!(self.peek(), b' ' | b'\t' | b'\n' | b'\r') {
            self.at += 1;
        }
    }

    /// A string literal, its quotes included.
    fn string(&mut self) -> &'a str {
        let start = self.at;
        self.at += 1;
        loop {
            match self.peek() {
                0 if self.at >= self.text.len() => break,
                b'\\' => self.at += 2,
                b'"' => {
                    self.at += 1;
                    break;
                }
                _ => self.at += 1,
            }
        }
        self.slice(start)
    }

    fn slice(&self, start: usize) -> &'a str {
        let end = self.at.min(self.text.len());
        self.text.get(start..end).unwrap_or("")
    }

    /// Skips one value without building it (constant memory).
    fn skip(&mut self) {
        let mut depth = 0usize;
        loop {
            self.space();
            match self.peek() {
                b'{' | b'[' => {
                    depth += 1;
                    self.at += 1;
                }
                b'}' | b']' => {
                    self.at += 1;
                    depth = depth.saturating_sub(1);
                }
                b'"' => {
                    self.string();
                }
                b',' | b':' => self.at += 1,
                0 if self.at >= self.text.len() => return,
                _ => {
                    while !matches!(
                        self.peek(),
                        0 | b',' | b']' | b'}' | b':' | b' ' | b'\t' | b'\n' | b'\r'
                    ) {
                        self.at += 1;
                    }
                }
            }
            if depth == 0 {
                return;
            }
        }
    }

    /// The number of members or elements of the container at `at`, and its
    /// kind, counted without building it.
    fn count(&mut self) -> (usize, &'static str) {
        let kind = if self.peek() == b'{' { "map" } else { "array" };
        if !matches!(self.peek(), b'{' | b'[') {
            return (0, "array");
        }
        self.at += 1;
        let mut n = 0;
        loop {
            self.space();
            match self.peek() {
                b'}' | b']' => return (n, kind),
                0 if self.at >= self.text.len() => return (n, kind),
                b',' => self.at += 1,
                _ => {
                    n += 1;
                    self.skip(); // the key, or the element
                    self.space();
                    if self.peek() == b':' {
                        self.at += 1;
                        self.skip(); // the member's value
                    }
                }
            }
        }
    }
}

/// One open container while scanning the canonical text.
struct Frame {
    object: bool,
    /// Where its `{` or `[` is.
    start: usize,
    /// Objects: the current member's key, once read.
    key: Option<String>,
    /// Objects: the current member's `:` was passed.
    in_value: bool,
    /// Arrays: the current element's index.
    index: usize,
}

/// The containers open at byte `end` of `text` (compact JSON).
fn open_frames(text: &str, end: usize) -> Vec<Frame> {
    let mut frames: Vec<Frame> = Vec::new();
    let mut r = Reader { text, at: 0 };
    while r.at < end {
        match r.peek() {
            c @ (b'{' | b'[') => {
                frames.push(Frame {
                    object: c == b'{',
                    start: r.at,
                    key: None,
                    in_value: false,
                    index: 0,
                });
                r.at += 1;
            }
            b'}' | b']' => {
                frames.pop();
                r.at += 1;
            }
            b':' => {
                if let Some(f) = frames.last_mut() {
                    f.in_value = true;
                }
                r.at += 1;
            }
            b',' => {
                if let Some(f) = frames.last_mut() {
                    f.key = None;
                    f.in_value = false;
                    f.index += 1;
                }
                r.at += 1;
            }
            b'"' => {
                let raw = r.string();
                if let Some(f) = frames.last_mut() {
                    if f.object && !f.in_value {
                        f.key = Some(serde_json::from_str::<String>(raw).unwrap_or_default());
                    }
                }
            }
            0 => break,
            _ => r.at += 1,
        }
    }
    frames
}

fn render(frames: &[Frame], include_last: bool) -> String {
    let mut out = String::new();
    let n = frames.len();
    for (i, f) in frames.iter().enumerate() {
        if i + 1 == n && !include_last {
            break;
        }
        if f.object {
            if let Some(key) = &f.key {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
        } else {
            out.push('[');
            out.push_str(&f.index.to_string());
            out.push(']');
        }
    }
    if out.is_empty() {
        out.push('$');
    }
    out
}

/// The decode error for `e`, an error reading the canonical `text`: its path
/// and message as reading the value gives them.
///
/// `read` reads a text as the wire type does, giving its error's text (one
/// copy of this function serves every wire type).
pub(crate) fn locate(
    text: &str,
    e: &serde_json::Error,
    read: &dyn Fn(&str) -> Option<String>,
) -> Error {
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let message = full.strip_suffix(&suffix).unwrap_or(&full);
    // A field read as its source text (amounts, text) says where the value
    // it refused ends: serde_json's own position may be past the next `,`
    // or closer by then.
    let (message, end) = super::de::split_at_marker(message);
    if e.classify() != Category::Data {
        // A visitor stopped before the end of a container (a struct read
        // from a longer array): the value reports the container's length.
        // The error is at the byte after the last one read.
        let at = e.column().saturating_sub(1);
        let frames = open_frames(text, at);
        let Some(last) = frames.last() else {
            return Error::decode("$", message);
        };
        let (len, kind) = Reader {
            text,
            at: last.start,
        }
        .count();
        return Error::decode(
            render(&frames, false),
            format!("invalid length {len}, expected fewer elements in {kind}"),
        );
    }
    // A data error is placed after the last byte read: after the scalar
    // refused, or after the `}`/`]` of the container refused once read,
    // after a container's `{`/`[` when its visitor refused its kind, or at
    // a container's `{`/`[` refused before reading it.
    let at = end
        .and_then(|end| end.checked_sub(text.as_ptr() as usize))
        .filter(|at| *at <= text.len())
        .unwrap_or_else(|| e.column());
    let frames = open_frames(text, at);
    let include_last = match frames.last() {
        None => false,
        // A member's path starts at its `:`; right after `{` (or a key) the
        // object itself was refused.
        // A key refused as such (a keyed list's key) names its member.
        Some(f) if f.object => f.in_value || f.key.is_some(),
        // Right after `[`: the array refused as a whole, unless its first
        // element is an object refused as such (the message says which).
        Some(f) if at == f.start + 1 => match text.as_bytes().get(at) {
            Some(b'{') => message.starts_with("invalid type: map"),
            Some(b'[') => !refused_before(text, at, e, read),
            _ => false,
        },
        Some(_) => true,
    };
    Error::decode(render(&frames, include_last), message)
}

/// Whether the error `e` was raised before the value at `at` was looked at:
/// the same error comes with `null` in its place.
fn refused_before(
    text: &str,
    at: usize,
    e: &serde_json::Error,
    read: &dyn Fn(&str) -> Option<String>,
) -> bool {
    let mut r = Reader { text, at };
    r.skip();
    let (Some(before), Some(after)) = (text.get(..at), text.get(r.at..)) else {
        return false;
    };
    let trial = format!("{before}null{after}");
    read(&trial) == Some(e.to_string())
}
