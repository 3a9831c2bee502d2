//! Exit codes, errors and the three output shapes (table, JSON, CSV).

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use comfy_table::{presets, ContentArrangement, Table};
use idn_toto::{EndpointId, Error};
use serde_json::{Map, Value};

/// The exit codes, one per error kind (documented in the README and
/// `--help`).
pub(crate) mod code {
    /// Writing the output failed, or an error kind this build doesn't know.
    pub(crate) const OTHER: u8 = 1;
    /// Usage: bad arguments, a token on the command line, or a money move
    /// with no terminal to confirm on and no `--yes` (nothing sent).
    pub(crate) const USAGE: u8 = 2;
    /// `invalid_request`: a parameter or setting was refused before any
    /// request existed.
    pub(crate) const INVALID_REQUEST: u8 = 3;
    /// `api`: the server answered `success: false`.
    pub(crate) const API: u8 = 4;
    /// `http`: an HTTP status outside 2xx.
    pub(crate) const HTTP: u8 = 5;
    /// `decode`: the body is not the documented shape.
    pub(crate) const DECODE: u8 = 6;
    /// `transport`: network failure or timeout on a read.
    pub(crate) const TRANSPORT: u8 = 7;
    /// `outcome_unknown`: a money move may or may not have happened (also:
    /// a batch with unknown items, a settlement left undetermined).
    pub(crate) const OUTCOME_UNKNOWN: u8 = 8;
    /// A batch in which some items failed or were not sent (none unknown).
    pub(crate) const PARTIAL: u8 = 9;
    /// The operator answered no at the confirmation prompt (nothing sent).
    pub(crate) const DECLINED: u8 = 10;
    /// `key_in_use` or `key_conflict`: a keyed call its operation key
    /// stopped (nothing sent).
    pub(crate) const KEY: u8 = 11;
}

/// The exit code of an error, by its kind.
pub(crate) fn exit_code(e: &Error) -> u8 {
    match e {
        Error::InvalidRequest { .. } => code::INVALID_REQUEST,
        Error::Api { .. } => code::API,
        Error::Http { .. } => code::HTTP,
        Error::Decode { .. } => code::DECODE,
        Error::Transport { .. } => code::TRANSPORT,
        Error::OutcomeUnknown { .. } => code::OUTCOME_UNKNOWN,
        Error::KeyInUse { .. } | Error::KeyConflict { .. } => code::KEY,
        _ => code::OTHER,
    }
}

/// A usage error: one line on stderr, exit 2.
pub(crate) fn usage(message: &str) -> ExitCode {
    eprintln!("idn-toto: {message}");
    ExitCode::from(code::USAGE)
}

/// Pretty JSON on stdout.
pub(crate) fn print_json(v: &Value) -> ExitCode {
    let text = serde_json::to_string_pretty(v).unwrap_or_else(|_| "null".into());
    print_line(&text)
}

/// One line on stdout; a closed stdout is exit 1.
pub(crate) fn print_line(text: &str) -> ExitCode {
    let mut out = std::io::stdout().lock();
    if writeln!(out, "{text}").is_err() {
        return ExitCode::from(code::OTHER);
    }
    ExitCode::SUCCESS
}

/// CSV text on stdout, or the usage error that it could not be written.
pub(crate) fn print_csv(text: Result<String, csv::Error>) -> ExitCode {
    match text {
        Ok(text) => print_line(text.trim_end()),
        Err(e) => usage(&format!("cannot write CSV: {e}")),
    }
}

/// An error from the core: its JSON on stdout when stdout is piped, a
/// readable line on stderr on a terminal; the exit code of its kind. The
/// core's errors never hold the token.
pub(crate) fn refused(e: &Error) -> ExitCode {
    if std::io::stdout().is_terminal() {
        eprintln!("idn-toto: {e}");
        if let Some(u) = e.unsettled() {
            eprintln!(
                "idn-toto: the {} may or may not have happened: do not send it again before \
                 checking (with --journal FILE, `idn-toto journal settle FILE` checks for you); \
                 its parameters: {}",
                u.endpoint,
                Value::Object(u.params.as_object().cloned().unwrap_or_default())
            );
        }
        ExitCode::from(exit_code(e))
    } else {
        let code = print_json(&e.to_json());
        if code == ExitCode::SUCCESS {
            ExitCode::from(exit_code(e))
        } else {
            code
        }
    }
}

/// An endpoint id, or a usage error.
pub(crate) fn endpoint_id(s: &str) -> Result<EndpointId, ExitCode> {
    s.parse::<EndpointId>().map_err(|e| usage(&e.to_string()))
}

/// The shape of the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Output {
    /// A table for people (the default on a terminal).
    Table,
    /// The canonical JSON (the default when stdout is piped); JSON Lines
    /// for `--all-pages` and settlements.
    Json,
    /// CSV: the rows, a header line first.
    Csv,
}

impl Output {
    /// The chosen output, or table on a terminal and JSON when piped.
    pub(crate) fn or_default(chosen: Option<Output>) -> Output {
        chosen.unwrap_or(if std::io::stdout().is_terminal() {
            Output::Table
        } else {
            Output::Json
        })
    }
}

/// A cell's text: strings as they are, `null` empty, the rest as JSON.
pub(crate) fn cell(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Columns (in first-seen order) and rows of a list of values: objects
/// give one column per key; anything else one column `value`.
pub(crate) fn rows_of(list: &[Value]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut columns: Vec<String> = Vec::new();
    for item in list {
        match item {
            Value::Object(map) => {
                for k in map.keys() {
                    if !columns.contains(k) {
                        columns.push(k.clone());
                    }
                }
            }
            _ if !columns.iter().any(|c| c == "value") => columns.push("value".into()),
            _ => {}
        }
    }
    let rows = list
        .iter()
        .map(|item| {
            columns
                .iter()
                .map(|c| match item {
                    Value::Object(map) => map.get(c).map(cell).unwrap_or_default(),
                    other if c == "value" => cell(other),
                    _ => String::new(),
                })
                .collect()
        })
        .collect();
    (columns, rows)
}

/// A table for people.
pub(crate) fn table(columns: &[String], rows: &[Vec<String>]) -> String {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED)
        .set_header(columns);
    // Wrap to the terminal's width when it has a usable one (a pseudo
    // terminal may say 0 columns).
    if t.width().is_some_and(|w| w >= 40) {
        t.set_content_arrangement(ContentArrangement::Dynamic);
    }
    for row in rows {
        t.add_row(row);
    }
    t.to_string()
}

/// CSV text of columns and rows, every cell made safe for spreadsheets
/// ([`csv_safe`]).
pub(crate) fn csv_text(columns: &[String], rows: &[Vec<String>]) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(columns.iter().map(|c| csv_safe(c).into_owned()))?;
    for row in rows {
        w.write_record(row.iter().map(|c| csv_safe(c).into_owned()))?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// One CSV record (its line break included), cells made safe for
/// spreadsheets ([`csv_safe`]).
pub(crate) fn csv_line<S: AsRef<str>>(cells: &[S]) -> std::io::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(cells.iter().map(|c| csv_safe(c.as_ref()).into_owned()))?;
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// A cell a spreadsheet will not run as a formula (OWASP "CSV injection"):
/// a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets
/// a single quote in front, unless it is a plain decimal number (an
/// optional sign, digits, an optional fraction: `-500.00`, `+5`), which a
/// spreadsheet reads as that number and nothing else, so amounts stay
/// numbers.
pub(crate) fn csv_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && !plain_decimal(cell) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// `[+-]digits[.digits]`, nothing else.
fn plain_decimal(cell: &str) -> bool {
    let unsigned = cell.strip_prefix(['+', '-']).unwrap_or(cell);
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (unsigned, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(whole) && fraction.is_none_or(digits)
}

/// A canonical answer's list (`data` when it is a list), and its other
/// fields.
pub(crate) fn split_answer(answer: &Value) -> (Map<String, Value>, Option<Vec<Value>>) {
    let mut fields = answer.as_object().cloned().unwrap_or_default();
    let list = match fields.get("data") {
        Some(Value::Array(list)) => {
            let list = list.clone();
            fields.remove("data");
            Some(list)
        }
        Some(Value::Object(_)) => {
            // One record (`user_last_transaction`): its fields as rows.
            if let Some(Value::Object(record)) = fields.remove("data") {
                for (k, v) in record {
                    fields.insert(format!("data.{k}"), v);
                }
            }
            None
        }
        _ => None,
    };
    (fields, list)
}

/// A canonical answer as a table: its fields, then its list.
pub(crate) fn answer_table(answer: &Value) -> String {
    let (fields, list) = split_answer(answer);
    let mut text = table(
        &["field".into(), "value".into()],
        &fields
            .iter()
            .map(|(k, v)| vec![k.clone(), cell(v)])
            .collect::<Vec<_>>(),
    );
    if let Some(list) = list {
        let (columns, rows) = rows_of(&list);
        text.push('\n');
        if rows.is_empty() {
            text.push_str("(no rows)");
        } else {
            text.push_str(&table(&columns, &rows));
        }
    }
    text
}

/// A canonical answer as CSV: its list's rows, or its fields as
/// `field,value` rows.
pub(crate) fn answer_csv(answer: &Value) -> Result<String, csv::Error> {
    match split_answer(answer) {
        (_, Some(list)) => {
            let (columns, rows) = rows_of(&list);
            csv_text(&columns, &rows)
        }
        (fields, None) => csv_text(
            &["field".into(), "value".into()],
            &fields
                .iter()
                .map(|(k, v)| vec![k.clone(), cell(v)])
                .collect::<Vec<_>>(),
        ),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lists_become_rows_with_every_column() {
        let (columns, rows) = rows_of(&[json!({"a": "1", "b": 2}), json!({"b": null, "c": true})]);
        assert_eq!(columns, ["a", "b", "c"]);
        assert_eq!(rows, [["1", "2", ""], ["", "", "true"]]);
        let (columns, rows) = rows_of(&[json!("bca"), json!("bni")]);
        assert_eq!(
            (columns, rows),
            (
                vec!["value".to_owned()],
                vec![vec!["bca".to_owned()], vec!["bni".to_owned()]]
            )
        );
    }

    #[test]
    fn answers_split_into_fields_and_rows() {
        let answer = json!({"success": true, "data": [{"id": "1", "amount": "2.50"}]});
        assert_eq!(answer_csv(&answer).unwrap(), "amount,id\n2.50,1\n");
        let one = json!({"success": true, "data": {"amount": "5"}});
        assert_eq!(
            answer_csv(&one).unwrap(),
            "field,value\ndata.amount,5\nsuccess,true\n"
        );
        let t = answer_table(&answer);
        assert!(t.contains("2.50") && t.contains("success"), "{t}");
    }

    #[test]
    fn csv_cells_never_start_a_formula_but_numbers_stay_numbers() {
        for (cell, want) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("-", "'-"),
            ("-.5", "'-.5"),
            ("-1e3", "'-1e3"),
            ("-500.00", "-500.00"),
            ("+5", "+5"),
            ("-2000", "-2000"),
            ("8900.00", "8900.00"),
            ("LOREM", "LOREM"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(csv_safe(cell), want, "{cell:?}");
        }
        let answer = json!({"data": [{"user": "=1+1", "winlose": "-2000.00"}]});
        assert_eq!(
            answer_csv(&answer).unwrap(),
            "user,winlose\n'=1+1,-2000.00\n"
        );
        let keyed = json!({"data": [{"@x": "1"}]});
        assert_eq!(answer_csv(&keyed).unwrap(), "'@x\n1\n");
        assert_eq!(csv_line(&["-1", "=A1"]).unwrap(), "-1,'=A1\n");
    }

    #[test]
    fn every_error_kind_has_its_own_code() {
        let errors = [
            Error::InvalidRequest {
                field: "f".into(),
                reason: "r".into(),
            },
            Error::Api {
                kind: idn_toto::ApiErrorKind::Other,
                message: "m".into(),
            },
            Error::Http {
                status: 500,
                excerpt: String::new(),
            },
            Error::Decode {
                path: "$".into(),
                reason: "r".into(),
            },
            Error::Transport { reason: "r".into() },
            Error::OutcomeUnknown {
                cause: Box::new(Error::Transport { reason: "r".into() }),
                unsettled: None,
            },
        ];
        let mut codes: Vec<u8> = errors.iter().map(exit_code).collect();
        assert_eq!(codes, [3, 4, 5, 6, 7, 8]);
        codes.extend([0, code::OTHER, code::USAGE, code::PARTIAL, code::DECLINED]);
        let mut unique = codes.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), codes.len());
    }
}
