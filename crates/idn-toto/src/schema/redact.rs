//! Finding the token in text, in every form a server, proxy or log may echo
//! it: raw, percent-encoded (any hex case, or every byte `%XX`), JSON-escaped
//! (`\/`, `\uXXXX`, surrogate pairs), HTML-escaped (`&#47;`, `&#x2F;`,
//! `&amp;`, ...), case-folded, and these nested up to [`LAYERS`] deep.
//!
//! One normalising matcher instead of a list of `replace` calls: the text is
//! decoded into a stream of bytes, each remembering the span of source text
//! it came from; the token is searched (ASCII case-insensitively) in the raw
//! bytes and in each decoded layer, and every span a match covers is
//! replaced by `***`.

/// How many decoding layers are searched (e.g. the token percent-encoded,
/// then JSON-escaped, then HTML-escaped).
const LAYERS: usize = 3;

/// Text is searched in windows of this many bytes (plus an overlap that
/// holds any encoded token), so memory stays bounded on long texts.
const WINDOW: usize = 64 * 1024;

/// A fragment of the token at least this long (in decoded bytes) left at
/// the edge of a cut excerpt is scrubbed too.
pub(crate) const MIN_FRAGMENT: usize = 8;

/// The marker excerpts end with when they were cut.
pub(crate) const CUT_MARK: &str = "...";

const MASK: &str = "***";

/// One decoded byte and the source span `[start, end)` it came from.
#[derive(Clone, Copy)]
struct Unit {
    byte: u8,
    start: usize,
    end: usize,
}

/// Finds and scrubs one token.
#[derive(Clone)]
pub(crate) struct Scrubber {
    /// The token's bytes, ASCII lower case.
    folded: Vec<u8>,
    /// Whole-token encodings also searched as they are (ASCII lower case):
    /// the decoder reads escapes left to right, so text just before an
    /// encoded token (a stray `\`, `&#x41` followed by a digit) can take
    /// its first escape apart; these catch it there.
    literal_forms: Vec<Vec<u8>>,
}

impl Scrubber {
    pub(crate) fn new(token: &str) -> Scrubber {
        let fold = |s: String| s.to_ascii_lowercase().into_bytes();
        let percent_all: String = token.bytes().map(|b| format!("%{b:02x}")).collect();
        let json_all: String = token
            .encode_utf16()
            .map(|u| format!("\\u{u:04x}"))
            .collect();
        let html_dec: String = token
            .chars()
            .map(|c| format!("&#{};", u32::from(c)))
            .collect();
        let html_hex: String = token
            .chars()
            .map(|c| format!("&#x{:x};", u32::from(c)))
            .collect();
        Scrubber {
            folded: token.bytes().map(|b| b.to_ascii_lowercase()).collect(),
            literal_forms: [
                crate::schema::percent::encode(token),
                percent_all,
                json_all,
                html_dec,
                html_hex,
            ]
            .into_iter()
            .map(fold)
            .collect(),
        }
    }

    /// The longest source text one occurrence of the token can take: each
    /// byte as a numeric entity or escape (at most 12 source bytes), with
    /// room for nesting.
    fn overlap(&self) -> usize {
        self.folded.len() * 12 * LAYERS + 64
    }

    /// `text` with every occurrence of the token (in every form) replaced by
    /// `***`, and every fragment of at least [`MIN_FRAGMENT`] bytes of it
    /// that ends right before a cut mark (`...`) too.
    pub(crate) fn scrub(&self, text: &str) -> String {
        let mut ranges = self.find(text);
        let mut from = 0;
        while let Some(at) = text[from..].find(CUT_MARK) {
            let end = from + at;
            if let Some(start) = self.fragment_before(text, end) {
                ranges.push((start, end));
            }
            from = end + CUT_MARK.len();
        }
        replace(text, ranges)
    }

    /// `text` cut to at most `max` characters after scrubbing, with a cut
    /// mark when anything was cut and any fragment of the token left at the
    /// cut edge scrubbed. `cut_before` says the text was already cut at its
    /// end (it is a prefix of something longer).
    pub(crate) fn scrub_and_cut(&self, text: &str, max: usize, cut_before: bool) -> String {
        let scrubbed = self.scrub(text);
        let (kept, cut) = match scrubbed.char_indices().nth(max) {
            Some((at, _)) => (&scrubbed[..at], true),
            None => (scrubbed.as_str(), cut_before),
        };
        if !cut {
            return kept.to_owned();
        }
        let mut out = match self.fragment_before(kept, kept.len()) {
            Some(start) => format!("{}{MASK}", &kept[..start]),
            None => kept.to_owned(),
        };
        out.push_str(CUT_MARK);
        out
    }

    /// Source ranges of every occurrence of the token in `text`.
    fn find(&self, text: &str) -> Vec<(usize, usize)> {
        let mut ranges = Vec::new();
        if self.folded.is_empty() {
            return ranges;
        }
        let overlap = self.overlap();
        let mut start: usize = 0;
        loop {
            let end = floor_boundary(text, start.saturating_add(WINDOW + overlap));
            let window = &text[start..end];
            let all = layers(window);
            for layer in &all {
                for (s, e) in matches(layer, &self.folded) {
                    ranges.push((start + s, start + e));
                }
            }
            if let Some(raw) = all.last() {
                for form in &self.literal_forms {
                    for (s, e) in matches(raw, form) {
                        ranges.push((start + s, start + e));
                    }
                }
            }
            if end >= text.len() {
                return ranges;
            }
            // The next window overlaps this one by `overlap` bytes, so an
            // occurrence cut by this window's end lies whole in the next.
            start = floor_boundary(text, end - overlap).max(start + 1);
            start = ceil_boundary(text, start);
        }
    }

    /// Where a fragment of the token (a prefix of it, at least
    /// [`MIN_FRAGMENT`] decoded bytes, in any form) that ends at `end` starts;
    /// a partial escape at the very end (`%2`, `\u00`, `&#4`) is included.
    fn fragment_before(&self, text: &str, end: usize) -> Option<usize> {
        if self.folded.len() < MIN_FRAGMENT {
            return None;
        }
        let from = ceil_boundary(text, end.saturating_sub(self.overlap()));
        let window = &text[from..end];
        let mut ends = vec![window.len()];
        // A cut inside an escape leaves its first characters raw: try
        // ending before each escape start near the end (the cut one may be
        // any of them: `%5` after `%46%5`).
        let tail_from = window.len().saturating_sub(12);
        ends.extend(
            window
                .bytes()
                .enumerate()
                .skip(tail_from)
                .filter(|(_, b)| matches!(b, b'%' | b'\\' | b'&'))
                .map(|(i, _)| i),
        );
        let mut best: Option<usize> = None;
        for e in ends {
            for layer in layers(&window[..e]) {
                let n = layer.len();
                for k in (MIN_FRAGMENT..=n.min(self.folded.len())).rev() {
                    let tail = &layer[n - k..];
                    if tail
                        .iter()
                        .zip(&self.folded)
                        .all(|(u, t)| u.byte.to_ascii_lowercase() == *t)
                    {
                        let s = from + tail[0].start;
                        best = Some(best.map_or(s, |b| b.min(s)));
                        break;
                    }
                }
            }
        }
        best
    }
}

/// `text` with its percent, JSON and HTML escapes decoded (nested up to
/// [`LAYERS`] deep), as bytes: for looking for a word in any spelling.
pub(crate) fn decoded(text: &str) -> Vec<u8> {
    let mut units = raw_units(text);
    for _ in 0..LAYERS {
        match decode(&units, Family::All) {
            Some(next) => units = next,
            None => break,
        }
    }
    units.into_iter().map(|u| u.byte).collect()
}

/// Each byte of `text` as a unit spanning itself.
fn raw_units(text: &str) -> Vec<Unit> {
    text.bytes()
        .enumerate()
        .map(|(i, byte)| Unit {
            byte,
            start: i,
            end: i + 1,
        })
        .collect()
}

/// Which escapes one decoding step reads.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Family {
    Percent,
    Json,
    Html,
    All,
}

/// The raw bytes of `text` and its decoded layers: the first step reads
/// each escape family alone and all together (a token may itself contain
/// `%41` or `&`, which one family must leave as they are), the deeper steps
/// read all families (until nothing decodes).
fn layers(text: &str) -> Vec<Vec<Unit>> {
    let raw = raw_units(text);
    if !text.bytes().any(|b| matches!(b, b'%' | b'\\' | b'&')) {
        return vec![raw];
    }
    let mut out = Vec::new();
    for family in [Family::All, Family::Percent, Family::Json, Family::Html] {
        let mut current = decode(&raw, family);
        let mut depth = 1;
        while let Some(layer) = current {
            current = (depth < LAYERS)
                .then(|| decode(&layer, Family::All))
                .flatten();
            out.push(layer);
            depth += 1;
        }
    }
    out.push(raw);
    out
}

/// One decoding step over a stream; `None` when nothing decoded.
fn decode(units: &[Unit], family: Family) -> Option<Vec<Unit>> {
    let reads = |f: Family| family == Family::All || family == f;
    let mut out = Vec::with_capacity(units.len());
    let mut changed = false;
    let mut i = 0;
    while i < units.len() {
        let decoded = match units[i].byte {
            b'%' if reads(Family::Percent) => percent(units, i),
            b'\\' if reads(Family::Json) => json_escape(units, i),
            b'&' if reads(Family::Html) => entity(units, i),
            _ => None,
        };
        match decoded {
            Some((bytes, len)) => {
                let (start, end) = (units[i].start, units[i + len - 1].end);
                out.extend(bytes.iter().map(|&byte| Unit { byte, start, end }));
                changed = true;
                i += len;
            }
            None => {
                out.push(units[i]);
                i += 1;
            }
        }
    }
    changed.then_some(out)
}

/// Decoded bytes, and how many units they took.
type Decoded = (Vec<u8>, usize);

fn hex_value(units: &[Unit], at: usize, digits: usize) -> Option<u32> {
    let slice = units.get(at..at + digits)?;
    slice.iter().try_fold(0u32, |acc, u| {
        Some(acc * 16 + char::from(u.byte).to_digit(16)?)
    })
}

fn utf8(c: char) -> Vec<u8> {
    let mut buf = [0u8; 4];
    c.encode_utf8(&mut buf).as_bytes().to_vec()
}

/// `%HH` in either hex case.
fn percent(units: &[Unit], i: usize) -> Option<Decoded> {
    let v = hex_value(units, i + 1, 2)?;
    Some((vec![u8::try_from(v).ok()?], 3))
}

/// JSON (and PHP) string escapes: `\/`, `\\`, `\"`, `\'`, `\n`..., and
/// `\uXXXX` including surrogate pairs.
fn json_escape(units: &[Unit], i: usize) -> Option<Decoded> {
    let next = units.get(i + 1)?.byte;
    let simple = match next {
        b'/' => Some(b'/'),
        b'\\' => Some(b'\\'),
        b'"' => Some(b'"'),
        b'\'' => Some(b'\''),
        b'b' => Some(0x08),
        b'f' => Some(0x0c),
        b'n' => Some(b'\n'),
        b'r' => Some(b'\r'),
        b't' => Some(b'\t'),
        _ => None,
    };
    if let Some(b) = simple {
        return Some((vec![b], 2));
    }
    if next != b'u' && next != b'U' {
        return None;
    }
    let first = hex_value(units, i + 2, 4)?;
    if (0xD800..0xDC00).contains(&first) {
        let is_escape = units.get(i + 6).map(|u| u.byte) == Some(b'\\')
            && matches!(units.get(i + 7).map(|u| u.byte), Some(b'u' | b'U'));
        if !is_escape {
            return None;
        }
        let second = hex_value(units, i + 8, 4)?;
        if !(0xDC00..0xE000).contains(&second) {
            return None;
        }
        let c = char::from_u32(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))?;
        return Some((utf8(c), 12));
    }
    Some((utf8(char::from_u32(first)?), 6))
}

/// HTML character references: `&#47;`, `&#x2f;` (the `;` optional, as
/// browsers read them) and the named ones for ASCII punctuation.
fn entity(units: &[Unit], i: usize) -> Option<Decoded> {
    if units.get(i + 1)?.byte == b'#' {
        let hex = matches!(units.get(i + 2).map(|u| u.byte), Some(b'x' | b'X'));
        let radix = if hex { 16 } else { 10 };
        let first = i + if hex { 3 } else { 2 };
        let mut j = first;
        let mut value: u32 = 0;
        while let Some(d) = units
            .get(j)
            .and_then(|u| char::from(u.byte).to_digit(radix))
        {
            if j - first >= 8 {
                return None;
            }
            value = value * radix + d;
            j += 1;
        }
        if j == first {
            return None;
        }
        if units.get(j).map(|u| u.byte) == Some(b';') {
            j += 1;
        }
        return Some((utf8(char::from_u32(value)?), j - i));
    }
    let mut name = String::new();
    let mut j = i + 1;
    while let Some(u) = units.get(j) {
        if u.byte == b';' {
            break;
        }
        if !u.byte.is_ascii_alphabetic() || name.len() >= 8 {
            return None;
        }
        name.push(char::from(u.byte));
        j += 1;
    }
    units.get(j)?;
    let b = named(&name)?;
    Some((vec![b], j + 1 - i))
}

fn named(name: &str) -> Option<u8> {
    Some(match name {
        "amp" | "AMP" => b'&',
        "lt" | "LT" => b'<',
        "gt" | "GT" => b'>',
        "quot" | "QUOT" => b'"',
        "apos" => b'\'',
        "sol" => b'/',
        "bsol" => b'\\',
        "percnt" => b'%',
        "quest" => b'?',
        "equals" => b'=',
        "num" => b'#',
        "plus" => b'+',
        "excl" => b'!',
        "colon" => b':',
        "semi" => b';',
        "comma" => b',',
        "period" => b'.',
        "lowbar" | "UnderBar" => b'_',
        "dollar" => b'$',
        "commat" => b'@',
        "lpar" => b'(',
        "rpar" => b')',
        "ast" | "midast" => b'*',
        "lsqb" | "lbrack" => b'[',
        "rsqb" | "rbrack" => b']',
        "lcub" | "lbrace" => b'{',
        "rcub" | "rbrace" => b'}',
        "verbar" | "vert" => b'|',
        "grave" => b'`',
        "Hat" => b'^',
        "NewLine" => b'\n',
        "Tab" => b'\t',
        _ => return None,
    })
}

/// Source spans of every occurrence of `needle` (ASCII lower case) in the
/// stream, compared ASCII case-insensitively, where each needle byte may
/// also come from one more escape read at that point (so a match may start
/// anywhere, whatever the escapes before it).
fn matches(units: &[Unit], needle: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    if needle.is_empty() {
        return out;
    }
    for i in 0..units.len() {
        let mut budget = STEP_BUDGET;
        if let Some(end) = match_from(units, i, needle, 0, &mut budget) {
            out.push((units[i].start, units[end - 1].end));
        }
    }
    out
}

/// Steps one match attempt may take (a bound on the branching between a
/// raw `%`, `&` or `\\` and the escape it starts).
const STEP_BUDGET: u32 = 4096;

/// The end (exclusive unit index) of a match of `needle[k..]` starting at
/// unit `j`.
fn match_from(
    units: &[Unit],
    j: usize,
    needle: &[u8],
    k: usize,
    budget: &mut u32,
) -> Option<usize> {
    if k == needle.len() {
        return Some(j);
    }
    if *budget == 0 {
        return None;
    }
    *budget -= 1;
    let u = units.get(j)?;
    if u.byte.to_ascii_lowercase() == needle[k] {
        if let Some(end) = match_from(units, j + 1, needle, k + 1, budget) {
            return Some(end);
        }
    }
    let decoded = match u.byte {
        b'%' => percent(units, j),
        b'\\' => json_escape(units, j),
        b'&' => entity(units, j),
        _ => None,
    };
    let (bytes, len) = decoded?;
    let rest = needle.get(k..k + bytes.len())?;
    if bytes
        .iter()
        .zip(rest)
        .all(|(b, n)| b.to_ascii_lowercase() == *n)
    {
        return match_from(units, j + len, needle, k + bytes.len(), budget);
    }
    None
}

/// `text` with the (possibly overlapping) byte ranges replaced by `***`,
/// touching ranges merged.
fn replace(text: &str, mut ranges: Vec<(usize, usize)>) -> String {
    if ranges.is_empty() {
        return text.to_owned();
    }
    // `sort`, not `sort_unstable`: the same order (equal ranges are the
    // same pair), and its instance for pairs is 4.3 KB smaller in the
    // `.wasm` (the size ledger, crates/idn-toto-bench/analysis.md).
    ranges.sort();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    let mut current: Option<(usize, usize)> = None;
    for (s, e) in ranges {
        let (s, e) = (floor_boundary(text, s), ceil_boundary(text, e));
        match current {
            Some((cs, ce)) if s <= ce => current = Some((cs, ce.max(e))),
            Some((cs, ce)) => {
                out.push_str(&text[at..cs]);
                out.push_str(MASK);
                at = ce;
                current = Some((s, e));
            }
            None => current = Some((s, e)),
        }
    }
    if let Some((cs, ce)) = current {
        out.push_str(&text[at..cs]);
        out.push_str(MASK);
        at = ce;
    }
    out.push_str(&text[at..]);
    out
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &str = "PWM6P4HRFR2VXBD1320EJWZ8A0EJK";

    fn s(text: &str) -> String {
        Scrubber::new(T).scrub(text)
    }

    #[test]
    fn every_form_is_scrubbed() {
        let percent_all: String = T.bytes().map(|b| format!("%{b:02x}")).collect();
        let json_all: String = T.chars().map(|c| format!("\\u{:04X}", c as u32)).collect();
        let html_dec: String = T.chars().map(|c| format!("&#{};", c as u32)).collect();
        let html_hex: String = T.chars().map(|c| format!("&#x{:x}", c as u32)).collect();
        for form in [
            T.to_owned(),
            T.to_lowercase(),
            percent_all.clone(),
            percent_all.to_uppercase(),
            json_all,
            html_dec,
            html_hex,
            percent_all.replace('%', "&#37;"),
            percent_all.replace('%', "&amp;#37;"),
        ] {
            assert_eq!(s(&format!("a/{form}/b")), "a/***/b", "{form}");
        }
    }

    #[test]
    fn punctuation_in_the_token() {
        let sc = Scrubber::new("s3cr/3t%?&");
        for form in [
            "s3cr/3t%?&",
            "s3cr%2F3t%25%3F%26",
            "s3cr%2f3t%25%3f%26",
            "s3cr\\/3t%?&",
            "s3cr&#47;3t&percnt;&quest;&amp;",
            "s3cr\\u002f3t\\u0025\\u003F\\u0026",
        ] {
            assert_eq!(sc.scrub(&format!("<{form}>")), "<***>", "{form}");
        }
    }

    #[test]
    fn surrogate_pairs_and_non_ascii() {
        let sc = Scrubber::new("ab😀cdéf");
        assert_eq!(sc.scrub("x ab\\ud83d\\ude00cd\\u00e9f y"), "x *** y");
        assert_eq!(sc.scrub("x ab%F0%9F%98%80cd%C3%A9f y"), "x *** y");
        assert_eq!(sc.scrub("x ab😀cdéf y"), "x *** y");
    }

    #[test]
    fn fragments_at_a_cut_are_scrubbed() {
        let cut = format!("home.php/{}...", &T[..12]);
        assert_eq!(s(&cut), "home.php/***...");
        let short = format!("home.php/{}...", &T[..7]);
        assert_eq!(s(&short), short);
        let partial_escape = format!("home.php/{}%4", &T[..10]);
        assert_eq!(
            Scrubber::new(T).scrub_and_cut(&partial_escape, 1000, true),
            "home.php/***..."
        );
        let long = format!("{}{T}{}", "x".repeat(190), "y".repeat(50));
        let out = Scrubber::new(T).scrub_and_cut(&long, 200, false);
        assert!(!out.contains(&T[..8]), "{out}");
        assert_eq!(out, format!("{}***{}...", "x".repeat(190), "y".repeat(7)));
        // Fully percent-encoded, cut inside the 5th escape: every escape
        // start near the edge is tried.
        let encoded: String = T.bytes().map(|b| format!("%{b:02X}")).collect();
        for cut in 24..40 {
            let text = format!("home.php/{}", &encoded[..cut]);
            let out = Scrubber::new(T).scrub_and_cut(&text, 1000, true);
            assert_eq!(out, "home.php/***...", "cut at {cut}");
        }
        // Cut first (as a server or proxy may have done): the edge is caught.
        let pre_cut = format!("{}{}", "x".repeat(190), &T[..10]);
        assert_eq!(
            Scrubber::new(T).scrub_and_cut(&pre_cut, 200, true),
            format!("{}***...", "x".repeat(190))
        );
    }

    #[test]
    fn text_without_the_token_is_unchanged() {
        for text in [
            "",
            "plain text",
            "%zz %4 \\u12 &#; &amp; &bogus; \\/ ...",
            "PWM6P4H...",
            "caf\u{e9} \u{1F600}",
        ] {
            assert_eq!(s(text), text);
        }
    }

    #[test]
    fn long_texts_are_searched_in_windows() {
        let mut text = "z".repeat(WINDOW - 5);
        text.push_str(T);
        text.push_str(&"z".repeat(3 * WINDOW));
        text.push_str(&T.to_lowercase());
        let out = s(&text);
        assert_eq!(out.matches("***").count(), 2);
        assert!(!out.to_lowercase().contains(&T.to_lowercase()));
    }
}
