//! The path template reader: a declared template and the parameters'
//! values to the URL's path segments and query pairs.

use super::field::Val;
use crate::schema::client::PathWords;
#[cfg(test)]
use crate::schema::param::Location;
use crate::schema::percent::encode;

/// A path word a [`PathWords`] field overrides.
pub(crate) type Word = (&'static str, fn(&PathWords) -> &str);

type Rendered = (Vec<String>, Vec<(String, String)>);

/// Reads `template` with the parameters' values: the path segments after
/// the token (a word may hold several, `MANUAL/depo`) and the query pairs
/// (values not yet encoded). Total: a malformed template renders what it
/// can (the unit tests check every declared template reads whole).
pub(crate) fn render<'a>(
    template: &str,
    words: &[Word],
    path_words: &'a PathWords,
    value: &dyn Fn(&str) -> Option<Val<'a>>,
) -> Rendered {
    let word = |w: &str| -> String {
        match words.iter().find(|(default, _)| *default == w) {
            Some((_, get)) => get(path_words).to_owned(),
            None => w.to_owned(),
        }
    };
    let mut out: Rendered = (Vec::new(), Vec::new());
    let rest = template.strip_prefix("/{token}").unwrap_or(template);
    for (optional, group) in groups(rest) {
        let mut part: Rendered = (Vec::new(), Vec::new());
        let mut complete = true;
        for (sep, piece) in pieces(group) {
            let filled = if sep == '/' {
                segment(piece, &word, value).map(|s| part.0.push(s))
            } else {
                query(piece, &word, value).map(|q| part.1.push(q))
            };
            complete &= filled.is_some();
        }
        if complete || !optional {
            out.0.append(&mut part.0);
            out.1.append(&mut part.1);
        }
    }
    out
}

/// `/word`, `/{name}` or `/{name:a|b}`: `None` when the parameter is absent.
fn segment<'a>(
    piece: &str,
    word: &dyn Fn(&str) -> String,
    value: &dyn Fn(&str) -> Option<Val<'a>>,
) -> Option<String> {
    let Some(inner) = piece.strip_prefix('{').and_then(|p| p.strip_suffix('}')) else {
        return Some(word(piece));
    };
    let (name, alternatives) = match inner.split_once(':') {
        Some((name, alts)) => (name, Some(alts)),
        None => (inner, None),
    };
    let v = value(name)?;
    let picked = alternatives
        .zip(v.pick)
        .and_then(|(alts, i)| alts.split('|').nth(i));
    Some(match picked {
        Some(w) => word(w),
        None => encode(&v.text),
    })
}

/// `key={name}`: the key (a word) and the value's text.
fn query<'a>(
    piece: &str,
    word: &dyn Fn(&str) -> String,
    value: &dyn Fn(&str) -> Option<Val<'a>>,
) -> Option<(String, String)> {
    let (key, placeholder) = piece.split_once('=')?;
    let name = placeholder.strip_prefix('{')?.strip_suffix('}')?;
    Some((word(key), value(name)?.text.into_owned()))
}

/// The template split at `[`/`]`: `(optional, text)` in order.
fn groups(template: &str) -> Vec<(bool, &str)> {
    let mut out = Vec::new();
    let mut rest = template;
    while !rest.is_empty() {
        match rest.find('[') {
            Some(0) => {
                let end = rest.find(']').unwrap_or(rest.len());
                out.push((true, rest.get(1..end).unwrap_or("")));
                rest = rest.get(end + 1..).unwrap_or("");
            }
            Some(i) => {
                out.push((false, &rest[..i]));
                rest = &rest[i..];
            }
            None => {
                out.push((false, rest));
                rest = "";
            }
        }
    }
    out
}

/// A group split into `(separator, piece)`: `/` a path segment, `?` or `&`
/// a query pair. A separator inside `{...}` belongs to the placeholder
/// (`{type:push_dps|MANUAL/depo}`).
fn pieces(group: &str) -> Vec<(char, &str)> {
    let mut out = Vec::new();
    let mut depth = 0u32;
    let mut start: Option<(char, usize)> = None;
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            '/' | '?' | '&' if depth == 0 => {
                if let Some((sep, s)) = start {
                    out.push((sep, &group[s..i]));
                }
                start = Some((c, i + 1));
            }
            _ => {}
        }
    }
    if let Some((sep, s)) = start {
        out.push((sep, &group[s..]));
    }
    out
}

/// The placeholder names of a template, in order, each with where it is
/// (for the declarations' checks).
#[cfg(test)]
pub(crate) fn placeholders(template: &str) -> Vec<(&str, Location)> {
    let mut out = Vec::new();
    let rest = template.strip_prefix("/{token}").unwrap_or(template);
    for (_, group) in groups(rest) {
        for (sep, piece) in pieces(group) {
            let (text, location) = if sep == '/' {
                (piece, Location::Path)
            } else {
                (
                    piece.split_once('=').map_or("", |(_, v)| v),
                    Location::Query,
                )
            };
            if let Some(inner) = text.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                out.push((inner.split(':').next().unwrap_or(inner), location));
            }
        }
    }
    out
}
