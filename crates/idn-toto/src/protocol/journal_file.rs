//! The journal *file*: what a host must do to it, decided once for every
//! host (spec-notes 140-147).
//!
//! The core makes every line ([`crate::Driver`]'s `Journal` steps) and
//! reads them back ([`crate::Journal`]); a host only opens the file (never
//! through a symbolic link, a regular file, created `0600`), reads it,
//! truncates it to an offset given here, appends and syncs. What those
//! steps mean is decided here, by [`JournalAppender`]:
//!
//! - **Before the first append** the host reads the whole file and feeds it
//!   ([`JournalAppender::feed`], [`JournalAppender::end`]). A file that can't
//!   be read back whole (a byte-order mark, a torn line in the middle,
//!   another file given by mistake) refuses every append with the number of
//!   the line at fault, so nothing is sent that could never be settled.
//! - **A torn last line** (no newline: a write cut by a crash or a full
//!   disk) is cut, never completed, and only when it is the start of a line
//!   the core writes (or a whole record whose newline never made it, or
//!   blank): `end` hands the host the offset to truncate to. Anything else
//!   there refuses, like a bad line in the middle.
//! - **After a failed append** (the write or the sync failed, or a step
//!   before it) the file may end in a fragment: the host says so
//!   ([`JournalAppender::append_failed`]) and the next append checks the
//!   file again first, so a line is never glued onto a fragment.
//!
//! ```
//! use idn_toto::JournalAppender;
//!
//! let line = r#"{"id":"a","event":"intent","endpoint":"accept_reject","params":{"action":"ACCEPT","comment":"c","operator":"o","trans_id":"1","type":"deposit","user":"u"},"at":"t"}"#;
//! let file = format!("{line}\n{}", &line[..40]); // a crash cut the second line
//!
//! let mut appender = JournalAppender::new();
//! assert!(appender.must_check());
//! appender.feed(file.as_bytes())?; // in chunks of any size, from the start
//! let cut = appender.end()?; // Some(offset): truncate the file to it
//! assert_eq!(cut, Some(line.len() as u64 + 1));
//! appender.check_line(&format!("{line}\n"))?; // then write it, and sync
//! appender.appended();
//! # Ok::<(), idn_toto::Error>(())
//! ```

use crate::protocol::journal::{Journal, JournalRecord};
use crate::schema::error::Error;

/// What a host must do before and after each append to a journal file
/// (see the module docs): check the file first when [`must_check`] says
/// so, truncate it where [`end`] says, and report how each append went.
///
/// [`must_check`]: JournalAppender::must_check
/// [`end`]: JournalAppender::end
#[derive(Debug, Clone, Default)]
pub struct JournalAppender {
    state: State,
}

#[derive(Debug, Clone, Default)]
enum State {
    /// Nothing is known of the file (new, or an append failed): check it
    /// before the next append.
    #[default]
    Unchecked,
    /// A check in progress: the bytes fed so far.
    Checking(Scan),
    /// The last check refused the file (this error).
    Refused(Error),
    /// Checked (and cut where it had to be): append.
    Ready,
}

impl JournalAppender {
    /// An appender for a file not checked yet.
    pub fn new() -> JournalAppender {
        JournalAppender::default()
    }

    /// Whether the host must read the whole file, from its first byte, into
    /// [`JournalAppender::feed`] and call [`JournalAppender::end`] before
    /// it appends: before the first append, after a check that refused the
    /// file, and after any append that failed.
    pub fn must_check(&self) -> bool {
        !matches!(self.state, State::Ready)
    }

    /// The next bytes of the file. Outside a check in progress this starts
    /// one, at the file's first byte. An error names the line that can't be
    /// read; it ends the check ([`JournalAppender::end`] gives it again).
    pub fn feed(&mut self, bytes: &[u8]) -> Result<(), Error> {
        if !matches!(self.state, State::Checking(_)) {
            self.state = State::Checking(Scan::default());
        }
        let State::Checking(scan) = &mut self.state else {
            return Ok(());
        };
        let result = scan.feed(bytes, &mut |_| {});
        if let Err(e) = &result {
            self.state = State::Refused(e.clone());
        }
        result
    }

    /// The file ended (every byte was fed; an empty or missing file is fed
    /// nothing). `Ok(None)`: append at its end. `Ok(Some(offset))`: its last
    /// line is torn; truncate the file to `offset` bytes (and sync) before
    /// appending. An error refuses the append: a line (named) can't be read,
    /// so the file can't say what was sent. On `Ok` the appender is ready;
    /// if the truncation then fails, call
    /// [`JournalAppender::append_failed`].
    pub fn end(&mut self) -> Result<Option<u64>, Error> {
        let scan = match std::mem::take(&mut self.state) {
            State::Checking(scan) => scan,
            State::Refused(e) => {
                self.state = State::Refused(e.clone());
                return Err(e);
            }
            // Nothing fed: an empty file.
            State::Unchecked | State::Ready => Scan::default(),
        };
        match scan.end() {
            Ok(tail) => {
                self.state = State::Ready;
                Ok(tail.map(|torn| torn.start))
            }
            Err(e) => {
                self.state = State::Refused(e.clone());
                Err(e)
            }
        }
    }

    /// Checks one line before it is written: one journal record (as the
    /// driver's `Journal` steps make them) and its newline, nothing else.
    /// A line that would make the file unreadable is an `invalid_request`
    /// error at `journal`.
    pub fn check_line(&self, line: &str) -> Result<(), Error> {
        let Some(record) = line.strip_suffix('\n') else {
            return Err(Error::invalid(
                "journal",
                "a journal line ends in a newline",
            ));
        };
        if record.contains('\n') {
            return Err(Error::invalid(
                "journal",
                "a journal line is one line (one newline, at its end)",
            ));
        }
        serde_json::from_str::<JournalRecord>(record)
            .map(|_| ())
            .map_err(|e| Error::invalid("journal", format!("not a journal record: {e}")))
    }

    /// The append (write and sync) succeeded.
    pub fn appended(&mut self) {
        // Only a checked file stays checked: an append made without a check
        // (or in the middle of one) proves nothing about the file.
        if !matches!(self.state, State::Ready) {
            self.state = State::Unchecked;
        }
    }

    /// Something failed on the way to a synced line (opening, reading,
    /// truncating, writing or syncing the file): the file may end in a
    /// fragment, so it is checked again before the next append.
    pub fn append_failed(&mut self) {
        self.state = State::Unchecked;
    }
}

/// Checks a whole journal file at once: [`JournalAppender::feed`] then
/// [`JournalAppender::end`] on a fresh appender (`None`: nothing to cut;
/// `Some(offset)`: truncate to `offset` bytes; an error names the line).
/// What the shared vectors run in every language.
pub fn check_journal_file(bytes: &[u8]) -> Result<Option<u64>, Error> {
    let mut appender = JournalAppender::new();
    appender.feed(bytes)?;
    appender.end()
}

/// A last line without its newline, to be cut off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Torn {
    /// The offset of its first byte (what the file is truncated to).
    pub(crate) start: u64,
}

/// The line-by-line reading both the appender's check and
/// [`crate::Journal::read`] use: one rule for what a journal file holds.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scan {
    /// Bytes fed so far.
    offset: u64,
    /// Where the current line starts.
    line_start: u64,
    /// The current line's number, from 0 (shown from 1).
    line_index: u64,
    /// The current line's bytes so far (no newline yet).
    line: Vec<u8>,
}

impl Scan {
    /// Reads the next bytes; each complete line's record goes to
    /// `on_record` (blank lines are skipped). The first bad line is an
    /// error naming it.
    pub(crate) fn feed(
        &mut self,
        bytes: &[u8],
        on_record: &mut dyn FnMut(JournalRecord),
    ) -> Result<(), Error> {
        let mut rest = bytes;
        while let Some(i) = rest.iter().position(|b| *b == b'\n') {
            self.line.extend_from_slice(&rest[..i]);
            if let Some(record) = whole_line(&self.line, self.line_index)? {
                on_record(record);
            }
            self.offset += i as u64 + 1;
            self.line_start = self.offset;
            self.line_index += 1;
            self.line.clear();
            rest = &rest[i + 1..];
        }
        self.line.extend_from_slice(rest);
        self.offset += rest.len() as u64;
        Ok(())
    }

    /// The end of the file: `None` when it ends with a newline (or is
    /// empty), `Some` for a torn last line that may be cut, an error for a
    /// last line that is neither a record nor the start of one.
    pub(crate) fn end(self) -> Result<Option<Torn>, Error> {
        if self.line.is_empty() {
            return Ok(None);
        }
        let torn = Some(Torn {
            start: self.line_start,
        });
        let line = &self.line;
        if is_blank(line) || is_fragment(line) {
            return Ok(torn);
        }
        // A whole record whose newline was never written: its write did not
        // complete, so its sync never returned and nothing it announced was
        // sent. Cut like any fragment (never completed: spec-notes 141).
        if std::str::from_utf8(line)
            .is_ok_and(|text| serde_json::from_str::<JournalRecord>(text).is_ok())
        {
            return Ok(torn);
        }
        Err(Error::decode(
            line_name(self.line_index),
            "the last line (no newline) is neither a journal record nor the start of one: \
             not a journal a tool wrote",
        ))
    }
}

/// `line N` (from 1), the path of an error about that line.
fn line_name(index: u64) -> String {
    format!("line {}", index.saturating_add(1))
}

/// One complete line (without its newline): its record, `None` when blank.
fn whole_line(line: &[u8], index: u64) -> Result<Option<JournalRecord>, Error> {
    if is_blank(line) {
        return Ok(None);
    }
    let text = std::str::from_utf8(line)
        .map_err(|e| Error::decode(line_name(index), format!("not UTF-8 text: {e}")))?;
    serde_json::from_str::<JournalRecord>(text)
        .map(Some)
        .map_err(|e| Error::decode(line_name(index), format!("not a journal record: {e}")))
}

/// Only JSON whitespace (a `\r` of a CRLF line ending included).
fn is_blank(line: &[u8]) -> bool {
    line.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r'))
}

/// Whether `tail` is the start of a line the core writes: it opens with
/// `{"id":"` (every record's first key) and is a proper prefix of compact
/// JSON (a cut multi-byte character at its very end allowed).
fn is_fragment(tail: &[u8]) -> bool {
    const START: &[u8] = b"{\"id\":\"";
    let n = tail.len().min(START.len());
    if tail[..n] != START[..n] {
        return false;
    }
    let text = match std::str::from_utf8(tail) {
        Ok(text) => text,
        // Cut inside the last character.
        Err(e) if e.error_len().is_none() => match std::str::from_utf8(&tail[..e.valid_up_to()]) {
            Ok(text) => text,
            Err(_) => return false,
        },
        Err(_) => return false,
    };
    json_prefix(text)
}

/// What the prefix scanner expects next outside strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    Value,
    /// After `[`: a value or `]`.
    ValueOrClose,
    /// After `{`: a key or `}`.
    KeyOrClose,
    /// After `,` in an object.
    Key,
    Colon,
    /// After a value: `,` or the container's closer.
    CommaOrClose,
}

/// Whether `text` is a proper prefix of one compact JSON value: no syntax
/// error so far and the outermost value still open.
fn json_prefix(text: &str) -> bool {
    let mut stack: Vec<char> = Vec::new();
    let mut want = Want::Value;
    let mut in_string = false;
    let mut key = false;
    let mut escape = false;
    let mut hex_left = 0u8;
    let mut literal: &[u8] = b"";
    let mut in_number = false;
    let mut closed = false;
    for c in text.chars() {
        if closed {
            return false;
        }
        if in_string {
            if hex_left > 0 {
                if !c.is_ascii_hexdigit() {
                    return false;
                }
                hex_left -= 1;
            } else if escape {
                escape = false;
                match c {
                    '"' | '\\' | '/' | 'b' | 'f' | 'n' | 'r' | 't' => {}
                    'u' => hex_left = 4,
                    _ => return false,
                }
            } else if c == '\\' {
                escape = true;
            } else if c == '"' {
                in_string = false;
                want = if key { Want::Colon } else { Want::CommaOrClose };
            } else if u32::from(c) < 0x20 {
                return false;
            }
            continue;
        }
        if let Some((first, rest)) = literal.split_first() {
            if c != char::from(*first) {
                return false;
            }
            literal = rest;
            if literal.is_empty() {
                want = Want::CommaOrClose;
            }
            continue;
        }
        if in_number {
            if matches!(c, '0'..='9' | '.' | 'e' | 'E' | '+' | '-') {
                continue;
            }
            in_number = false;
            want = Want::CommaOrClose;
        }
        let top = stack.last().copied();
        match (want, c) {
            (Want::Value | Want::ValueOrClose, '{') => {
                stack.push('{');
                want = Want::KeyOrClose;
            }
            (Want::Value | Want::ValueOrClose, '[') => {
                stack.push('[');
                want = Want::ValueOrClose;
            }
            (Want::Value | Want::ValueOrClose, '"') => {
                in_string = true;
                key = false;
            }
            (Want::Value | Want::ValueOrClose, 't') => literal = b"rue",
            (Want::Value | Want::ValueOrClose, 'f') => literal = b"alse",
            (Want::Value | Want::ValueOrClose, 'n') => literal = b"ull",
            (Want::Value | Want::ValueOrClose, '-' | '0'..='9') => in_number = true,
            (Want::KeyOrClose | Want::Key, '"') => {
                in_string = true;
                key = true;
            }
            (Want::Colon, ':') => want = Want::Value,
            (Want::CommaOrClose, ',') => {
                want = if top == Some('{') {
                    Want::Key
                } else {
                    Want::Value
                };
            }
            (Want::KeyOrClose | Want::CommaOrClose, '}') if top == Some('{') => {
                stack.pop();
                want = Want::CommaOrClose;
                closed = stack.is_empty();
            }
            (Want::ValueOrClose | Want::CommaOrClose, ']') if top == Some('[') => {
                stack.pop();
                want = Want::CommaOrClose;
                closed = stack.is_empty();
            }
            _ => return false,
        }
    }
    !closed
}

impl Journal {
    /// Reads a journal file's bytes with the rule the appender checks a
    /// file by ([`crate::JournalAppender`]): a last line without its
    /// newline that is the start of a record, a whole record or blank (a
    /// write cut by a crash) is ignored (`torn_tail`); any other line that
    /// is not a record (or not UTF-8) is an error naming its number
    /// (`line N`), since a journal that can't be read whole can't say what
    /// is settled. Blank lines are skipped.
    pub fn read_bytes(bytes: &[u8]) -> Result<Journal, Error> {
        let mut records = Vec::new();
        let mut scan = Scan::default();
        scan.feed(bytes, &mut |record| records.push(record))?;
        let torn_tail = scan.end()?.is_some();
        Ok(Journal { records, torn_tail })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE: &str = r#"{"id":"a","event":"intent","endpoint":"accept_reject","params":{"action":"ACCEPT","comment":"c\u00e9 \"q\"","operator":"o","trans_id":"1","type":"deposit","user":"ü"},"at":"t"}"#;

    #[test]
    fn every_proper_prefix_of_a_line_is_a_fragment_and_cut() {
        let head = format!("{LINE}\n");
        let bytes = LINE.as_bytes();
        for n in 1..bytes.len() {
            let file = [head.as_bytes(), &bytes[..n]].concat();
            assert_eq!(
                check_journal_file(&file),
                Ok(Some(head.len() as u64)),
                "prefix of {n} bytes"
            );
        }
        // The whole record without its newline: cut too, never completed.
        let file = format!("{head}{LINE}");
        assert_eq!(
            check_journal_file(file.as_bytes()),
            Ok(Some(head.len() as u64))
        );
        assert_eq!(check_journal_file(head.as_bytes()), Ok(None));
    }

    #[test]
    fn chunks_of_any_size_give_the_same_answer() {
        let files: Vec<Vec<u8>> = vec![
            format!("{LINE}\n{LINE}\n{}", &LINE[..30]).into_bytes(),
            format!("{LINE}\n\n{LINE}\n").into_bytes(),
            format!("{LINE}\n{}\n{LINE}\n", &LINE[..30]).into_bytes(),
            b"user,amount\nLOREM,100\n".to_vec(),
        ];
        for file in &files {
            let whole = check_journal_file(file);
            for size in [1, 2, 3, 7, 64] {
                let mut appender = JournalAppender::new();
                let fed = file.chunks(size).try_for_each(|chunk| appender.feed(chunk));
                let chunked = fed.and_then(|()| appender.end());
                assert_eq!(chunked, whole, "chunks of {size}");
            }
        }
    }

    #[test]
    fn what_is_not_a_fragment_refuses() {
        let head = format!("{LINE}\n");
        for tail in [
            "user,amount",
            "{\"event\":\"intent\"",
            "{\"id\":\"a\"}",
            "{\"id\":\"a\",\"x\":1}}",
            "{\"id\":\"a\"} ",
            "{\"id\": \"a\"",
            "{\"id\":\"a\\q",
            "{\"id\":\"a\\u00zz",
            "\u{feff}{\"id\":\"a\"",
            "{\"id\":\"a\",\"b\":tru3",
        ] {
            let file = format!("{head}{tail}");
            let e = check_journal_file(file.as_bytes()).unwrap_err();
            assert_eq!(e.path(), Some("line 2"), "{tail:?}");
        }
        // Invalid UTF-8 that is not a cut character.
        let file = [head.as_bytes(), b"{\"id\":\"\xff"].concat();
        assert!(check_journal_file(&file).is_err());
    }

    #[test]
    fn a_failed_append_means_check_again() {
        let mut appender = JournalAppender::new();
        assert!(appender.must_check());
        assert_eq!(appender.end(), Ok(None));
        assert!(!appender.must_check());
        appender.appended();
        assert!(!appender.must_check());
        appender.append_failed();
        assert!(appender.must_check());
        // The half line the failed write left is cut before the next one.
        let half = &LINE[..LINE.len() / 2];
        appender.feed(format!("{LINE}\n{half}").as_bytes()).unwrap();
        assert_eq!(appender.end(), Ok(Some(LINE.len() as u64 + 1)));
        // A refused file stays refused: every append checks it again.
        let mut refused = JournalAppender::new();
        assert!(refused.feed(b"a,b\n").is_err());
        assert!(refused.must_check());
        assert!(refused.end().is_err(), "end says it again");
        assert!(refused.must_check());
        // The file was mended: a new check starts at its first byte.
        refused.feed(format!("{LINE}\n").as_bytes()).unwrap();
        assert_eq!(refused.end(), Ok(None));
        assert!(!refused.must_check());
    }

    #[test]
    fn lines_to_append_are_one_record_each() {
        let a = JournalAppender::new();
        assert!(a.check_line(&format!("{LINE}\n")).is_ok());
        for bad in [
            LINE.to_owned(),
            format!("{LINE}\n{LINE}\n"),
            "{}\n".into(),
            "x\n".into(),
        ] {
            assert_eq!(a.check_line(&bad).unwrap_err().field(), Some("journal"));
        }
    }

    #[test]
    fn the_prefix_scanner_knows_json() {
        for ok in [
            "{",
            "{\"",
            "{\"a\":[1,-2.5e+3,true,null,{\"b\":\"\\u00e9\"}",
            "{\"a\":fa",
            "{\"a\":\"x\\",
        ] {
            assert!(json_prefix(ok), "{ok}");
        }
        for bad in [
            "{}",
            "{\"a\"}",
            "{,",
            "{\"a\":1]",
            "[1}",
            "{\"a\":\"\u{1}\"",
            "{\"a\"::",
        ] {
            assert!(!json_prefix(bad), "{bad}");
        }
    }
}
