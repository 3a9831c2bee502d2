//! Property tests: the tolerant reader reads back what a (quirky) server
//! writes, never panics, path segments and amounts are exact on the wire,
//! and a batch accounts for every item exactly once.
#![allow(clippy::unwrap_used)]

use std::sync::OnceLock;

use idn_toto::{
    dynamic, Client, Decimal, EndpointId, ItemStatus, NaiveDate, NaiveDateTime, ENDPOINTS,
};
use percent_encoding::percent_decode_str;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{json, Map, Value};

const BASE: &str = "https://agent.example.com/home.php";
const TOKEN: &str = "PROP-TOKEN-0001";

fn client() -> &'static Client {
    static CLIENT: OnceLock<Client> = OnceLock::new();
    CLIENT.get_or_init(|| Client::new(BASE, TOKEN).unwrap())
}

fn id(s: &str) -> EndpointId {
    s.parse().unwrap()
}

// =====================================================================
// 1. Generated values, written the way a quirky server writes them, read
//    back to the same canonical JSON.
// =====================================================================

/// One field of a wire object: how it is written and what it must read as.
#[derive(Debug, Clone)]
struct Field {
    wire: String,
    canonical: Value,
    /// Written as a bare, unquoted value: the body is not strict JSON.
    bare: bool,
}

fn text_value() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 _.\\-\"\\\\/üß€漢]{0,10}"
}

fn text_field() -> impl Strategy<Value = Field> {
    text_value().prop_map(|s| Field {
        wire: Value::from(s.clone()).to_string(),
        canonical: Value::from(s),
        bare: false,
    })
}

/// An identifier that may arrive as a JSON number (`"25"` or `25`).
fn numeric_text_field() -> impl Strategy<Value = Field> {
    (0u32..1_000_000, any::<bool>()).prop_map(|(n, as_number)| Field {
        wire: if as_number {
            n.to_string()
        } else {
            format!("\"{n}\"")
        },
        canonical: Value::from(n.to_string()),
        bare: false,
    })
}

/// Money: a string keeping its scale (maybe padded with spaces), or a JSON
/// number (at most 13 significant digits, so the shortest float text is the
/// literal; the canonical value is then the normalised decimal).
fn amount_field(negative: bool) -> impl Strategy<Value = Field> {
    let lo = if negative { -1_000_000_000_000i64 } else { 0 };
    (lo..1_000_000_000_000i64, 0u32..=4, 0u8..3).prop_map(|(mantissa, scale, how)| {
        let d = Decimal::new(mantissa, scale);
        match how {
            0 => Field {
                wire: format!("\"{d}\""),
                canonical: Value::from(d.to_string()),
                bare: false,
            },
            1 => Field {
                wire: format!("\" {d} \""),
                canonical: Value::from(d.to_string()),
                bare: false,
            },
            _ => {
                let n = d.normalize();
                Field {
                    wire: n.to_string(),
                    canonical: Value::from(n.to_string()),
                    bare: false,
                }
            }
        }
    })
}

fn datetime() -> impl Strategy<Value = NaiveDateTime> {
    (
        1990i32..2100,
        1u32..=12,
        1u32..=28,
        0u32..24,
        0u32..60,
        0u32..60,
        prop_oneof![Just(0u32), 0u32..1000],
    )
        .prop_map(|(y, mo, d, h, mi, s, ms)| {
            NaiveDate::from_ymd_opt(y, mo, d)
                .unwrap()
                .and_hms_milli_opt(h, mi, s, ms)
                .unwrap()
        })
}

/// Every timestamp format the spec shows, quoted or bare.
fn datetime_field() -> impl Strategy<Value = Field> {
    (datetime(), 0u8..6, any::<bool>()).prop_map(|(dt, fmt, bare)| {
        let whole = dt.and_utc().timestamp_subsec_millis() == 0;
        let text = match fmt {
            // `23-02-2021 15:38:48`
            0 if whole => dt.format("%d-%m-%Y %H:%M:%S").to_string(),
            // `2024-03-01 11:54:56` (no fraction)
            1 if whole => dt.format("%Y-%m-%d %H:%M:%S").to_string(),
            // `2017-04-27 13:27:05.5570000`
            2 => dt.format("%Y-%m-%d %H:%M:%S%.3f0000").to_string(),
            // ISO `T`
            3 => dt.format("%Y-%m-%dT%H:%M:%S%.3f").to_string(),
            // `2021-04-19 04:36:47.760`, `2024-03-01 11:54:56.000`
            _ => dt.format("%Y-%m-%d %H:%M:%S%.3f").to_string(),
        };
        Field {
            wire: if bare { text } else { format!("\"{text}\"") },
            canonical: serde_json::to_value(dt).unwrap(),
            bare,
        }
    })
}

/// An optional timestamp: null, `""`, the zero date, or a timestamp.
fn opt_datetime_field() -> impl Strategy<Value = Field> {
    prop_oneof![
        select(vec!["null", "\"\"", "\"0000-00-00 00:00:00\""]).prop_map(|w| Field {
            wire: w.to_owned(),
            canonical: Value::Null,
            bare: false,
        }),
        datetime_field(),
    ]
}

fn date_field() -> impl Strategy<Value = Field> {
    (datetime(), any::<bool>()).prop_map(|(dt, dmy)| {
        let d = dt.date();
        let text = if dmy {
            d.format("%d-%m-%Y").to_string()
        } else {
            d.format("%Y-%m-%d").to_string()
        };
        Field {
            wire: format!("\"{text}\""),
            canonical: serde_json::to_value(d).unwrap(),
            bare: false,
        }
    })
}

/// `3`, `"3"`, `"3 Rows"`, `"3 Page(s)"`.
fn count_field() -> impl Strategy<Value = Field> {
    (0u64..100_000, 0u8..4).prop_map(|(n, how)| Field {
        wire: match how {
            0 => n.to_string(),
            1 => format!("\"{n}\""),
            2 => format!("\"{n} Rows\""),
            _ => format!("\"{n} Page(s)\""),
        },
        canonical: Value::from(n),
        bare: false,
    })
}

/// An open enum: known words in any case read as the spec's spelling,
/// unknown words are kept verbatim.
fn enum_field(cases: &'static [(&'static str, &'static str)]) -> impl Strategy<Value = Field> {
    select(cases).prop_map(|(wire, canonical)| Field {
        wire: format!("\"{wire}\""),
        canonical: Value::from(canonical),
        bare: false,
    })
}

fn flag_true() -> impl Strategy<Value = String> {
    select(vec!["true", "\"true\"", "1", "\"1\""]).prop_map(str::to_owned)
}

/// Small arbitrary JSON for extra fields.
fn junk_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        "[a-z \"]{0,6}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 12, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z]{1,4}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// How an object is written: key order, duplicated keys (a decoy first,
/// the real value last), extra fields, a trailing comma.
#[derive(Debug, Clone)]
struct ObjectQuirks {
    order: Vec<usize>,
    duplicate: Vec<bool>,
    extras: Vec<(String, Value)>,
    trailing_comma: bool,
}

fn object_quirks(fields: usize) -> impl Strategy<Value = ObjectQuirks> {
    (
        Just((0..fields).collect::<Vec<_>>()).prop_shuffle(),
        prop::collection::vec(prop::bool::weighted(0.1), fields),
        prop::collection::vec(("x_[a-z]{1,5}", junk_json()), 0..3),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(order, duplicate, extras, trailing_comma)| ObjectQuirks {
            order,
            duplicate,
            extras,
            trailing_comma,
        })
}

/// Writes `fields` as an object with `quirks`; returns the text and the
/// canonical object.
fn render_object(
    fields: &[(&str, Field)],
    quirks: &ObjectQuirks,
) -> (String, Map<String, Value>, bool) {
    let mut parts = Vec::new();
    let mut canonical = Map::new();
    let mut bare = false;
    for &i in &quirks.order {
        let (key, field) = &fields[i];
        if quirks.duplicate[i] {
            // A key given twice with the same value reads once (with a
            // different value it is a conflict: see the damage tests).
            parts.push(format!("\"{key}\":{}", field.wire));
        }
        parts.push(format!("\"{key}\":{}", field.wire));
        canonical.insert((*key).to_owned(), field.canonical.clone());
        bare |= field.bare;
    }
    // Distinct keys: two extras under one key with different values would
    // be a conflict, not an extra.
    for (n, (k, v)) in quirks.extras.iter().enumerate() {
        parts.push(format!("\"{k}_{n}\":{v}"));
    }
    let comma = if quirks.trailing_comma { "," } else { "" };
    (format!("{{{}{comma}}}", parts.join(",")), canonical, bare)
}

/// A list written as an array or as an object keyed by increasing numbers
/// (with gaps, so `"10"` comes after `"9"`) in shuffled order.
#[derive(Debug, Clone)]
struct ListQuirks {
    keyed: bool,
    gaps: Vec<u64>,
    order: Vec<usize>,
}

fn list_quirks(len: usize) -> impl Strategy<Value = ListQuirks> {
    (
        any::<bool>(),
        prop::collection::vec(1u64..4, len),
        Just((0..len).collect::<Vec<_>>()).prop_shuffle(),
    )
        .prop_map(|(keyed, gaps, order)| ListQuirks { keyed, gaps, order })
}

fn render_list(items: &[String], q: &ListQuirks) -> String {
    if !q.keyed {
        return format!("[{}]", items.join(","));
    }
    let mut keys = Vec::with_capacity(items.len());
    let mut k = 0;
    for g in &q.gaps {
        k += g;
        keys.push(k);
    }
    let parts: Vec<String> = q
        .order
        .iter()
        .map(|&i| format!("\"{}\":{}", keys[i], items[i]))
        .collect();
    format!("{{{}}}", parts.join(","))
}

/// A list of generated rows, written with quirks: `(text, canonical rows)`.
fn rows<S>(row: S, max: usize) -> impl Strategy<Value = (String, Vec<Value>, bool)>
where
    S: Strategy<Value = (String, Map<String, Value>, bool)>,
{
    prop::collection::vec(row, 0..max)
        .prop_flat_map(|rows| {
            let n = rows.len();
            (Just(rows), list_quirks(n))
        })
        .prop_map(|(rows, q)| {
            let texts: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
            let bare = rows.iter().any(|r| r.2);
            let canonical = rows.into_iter().map(|r| Value::Object(r.1)).collect();
            (render_list(&texts, &q), canonical, bare)
        })
}

/// One object type: its fields' strategies (in declaration order) rendered
/// with quirks.
macro_rules! object {
    ($($key:literal => $field:expr),+ $(,)?) => {{
        let keys: Vec<&'static str> = vec![$($key),+];
        let n = keys.len();
        (($($field,)+), object_quirks(n)).prop_map(move |(fields, quirks)| {
            let fields = object!(@vec fields keys; $($key),+);
            render_object(&fields, &quirks)
        })
    }};
    (@vec $t:ident $keys:ident; $a:literal) => {{ let ($t,) = $t; vec![($keys[0], $t)] }};
    (@vec $t:ident $keys:ident; $a:literal, $b:literal) => {{ let (a, b) = $t; vec![($keys[0], a), ($keys[1], b)] }};
    (@vec $t:ident $keys:ident; $a:literal, $b:literal, $c:literal) => {{ let (a, b, c) = $t; vec![($keys[0], a), ($keys[1], b), ($keys[2], c)] }};
    (@vec $t:ident $keys:ident; $a:literal, $b:literal, $c:literal, $d:literal) => {{ let (a, b, c, d) = $t; vec![($keys[0], a), ($keys[1], b), ($keys[2], c), ($keys[3], d)] }};
    (@vec $t:ident $keys:ident; $a:literal, $b:literal, $c:literal, $d:literal, $e:literal) => {{ let (a, b, c, d, e) = $t; vec![($keys[0], a), ($keys[1], b), ($keys[2], c), ($keys[3], d), ($keys[4], e)] }};
    (@vec $t:ident $keys:ident; $a:literal, $b:literal, $c:literal, $d:literal, $e:literal, $f:literal) => {{ let (a, b, c, d, e, f) = $t; vec![($keys[0], a), ($keys[1], b), ($keys[2], c), ($keys[3], d), ($keys[4], e), ($keys[5], f)] }};
    (@vec $t:ident $keys:ident; $a:literal, $b:literal, $c:literal, $d:literal, $e:literal, $f:literal, $g:literal) => {{ let (a, b, c, d, e, f, g) = $t; vec![($keys[0], a), ($keys[1], b), ($keys[2], c), ($keys[3], d), ($keys[4], e), ($keys[5], f), ($keys[6], g)] }};
    (@vec $t:ident $keys:ident; $a:literal, $b:literal, $c:literal, $d:literal, $e:literal, $f:literal, $g:literal, $h:literal) => {{ let (a, b, c, d, e, f, g, h) = $t; vec![($keys[0], a), ($keys[1], b), ($keys[2], c), ($keys[3], d), ($keys[4], e), ($keys[5], f), ($keys[6], g), ($keys[7], h)] }};
    (@vec $t:ident $keys:ident; $a:literal, $b:literal, $c:literal, $d:literal, $e:literal, $f:literal, $g:literal, $h:literal, $i:literal) => {{ let (a, b, c, d, e, f, g, h, i) = $t; vec![($keys[0], a), ($keys[1], b), ($keys[2], c), ($keys[3], d), ($keys[4], e), ($keys[5], f), ($keys[6], g), ($keys[7], h), ($keys[8], i)] }};
    (@vec $t:ident $keys:ident; $a:literal, $b:literal, $c:literal, $d:literal, $e:literal, $f:literal, $g:literal, $h:literal, $i:literal, $j:literal, $k:literal) => {{ let (a, b, c, d, e, f, g, h, i, j, k) = $t; vec![($keys[0], a), ($keys[1], b), ($keys[2], c), ($keys[3], d), ($keys[4], e), ($keys[5], f), ($keys[6], g), ($keys[7], h), ($keys[8], i), ($keys[9], j), ($keys[10], k)] }};
}

fn raw(wire: String, canonical: Value, bare: bool) -> Field {
    Field {
        wire,
        canonical,
        bare,
    }
}

/// The body text with an optional BOM and surrounding whitespace.
fn framing() -> impl Strategy<Value = (bool, String, String)> {
    (any::<bool>(), "[ \t\r\n]{0,3}", "[ \t\r\n]{0,3}")
}

fn frame(body: &str, (bom, pre, post): &(bool, String, String)) -> Vec<u8> {
    let bom = if *bom { "\u{feff}" } else { "" };
    format!("{bom}{pre}{body}{post}").into_bytes()
}

const TX_TYPES: &[(&str, &str)] = &[
    ("deposit", "deposit"),
    ("DEPOSIT", "deposit"),
    ("Withdraw", "withdraw"),
    ("koreksi", "koreksi"),
];
const HISTORY_STATUS: &[(&str, &str)] = &[
    ("ACCEPT", "ACCEPT"),
    ("reject", "REJECT"),
    ("PENDING", "PENDING"),
];
const PGA_STATUS: &[(&str, &str)] = &[
    ("Accepted", "Accepted"),
    ("UNPAID", "Unpaid"),
    ("Expired", "Expired"),
    ("Refunded", "Refunded"),
];
const PGA_BY: &[(&str, &str)] = &[
    ("PGA", "PGA"),
    ("operator", "OPERATOR"),
    ("SYSTEM", "SYSTEM"),
];

fn pending_transaction() -> impl Strategy<Value = (String, Map<String, Value>, bool)> {
    object! {
        "id" => numeric_text_field(),
        "user" => text_field(),
        "date" => datetime_field(),
        "type" => enum_field(TX_TYPES),
        "game" => text_field(),
        "bank_acc_name" => text_field(),
        "bank_name" => text_field(),
        "bank_acc_number" => text_field(),
        "amount" => amount_field(false),
        "destination_bank" => text_field(),
        "destination_acc_number" => text_field(),
    }
}

fn history_entry() -> impl Strategy<Value = (String, Map<String, Value>, bool)> {
    object! {
        "date" => datetime_field(),
        "amount" => amount_field(false),
        "status" => enum_field(HISTORY_STATUS),
    }
}

fn pga_invoice() -> impl Strategy<Value = (String, Map<String, Value>, bool)> {
    object! {
        "id_invoice" => numeric_text_field(),
        "ref_no" => text_field(),
        "status" => enum_field(PGA_STATUS),
        "by" => enum_field(PGA_BY),
        "user" => text_field(),
        "request_date" => datetime_field(),
        "processed_date" => opt_datetime_field(),
        "amount" => amount_field(false),
        "destination_bank" => text_field(),
    }
}

fn turnover_row() -> impl Strategy<Value = (String, Map<String, Value>, bool)> {
    object! {
        "user" => text_field(),
        "date" => date_field(),
        "periode" => numeric_text_field(),
        "gamecode" => text_field(),
        "pasar" => text_field(),
        "turnover" => amount_field(false),
        "winlose" => amount_field(true),
    }
}

fn referral() -> impl Strategy<Value = (String, Map<String, Value>, bool)> {
    object! {
        "user" => text_field(),
        "joindate" => datetime_field(),
    }
}

fn draw() -> impl Strategy<Value = (String, Map<String, Value>, bool)> {
    object! {
        "periode" => numeric_text_field(),
        "tanggal" => datetime_field(),
        "angka" => numeric_text_field(),
    }
}

/// Parses `body` for `endpoint` and compares with the expected canonical
/// JSON. The strict path and the repair path must agree.
fn check_reads_back(endpoint: &str, body: &[u8], want: &Value) -> Result<(), TestCaseError> {
    let got = dynamic::parse_with(client(), id(endpoint), 200, body);
    match got {
        Ok(v) => prop_assert_eq!(&v, want, "body: {}", String::from_utf8_lossy(body)),
        Err(e) => prop_assert!(
            false,
            "{} did not read back: {}\nbody: {}",
            endpoint,
            e.to_json(),
            String::from_utf8_lossy(body)
        ),
    }
    Ok(())
}

fn message_field() -> impl Strategy<Value = Field> {
    text_field()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn transaction_list_reads_back(
        (list, rows, _) in rows(pending_transaction(), 6),
        envelope in any::<bool>(),
        message in message_field(),
        flag in flag_true(),
        fr in framing(),
    ) {
        let body = if envelope {
            format!("{{\"success\":{flag},\"message\":{},\"data\":{list}}}", message.wire)
        } else {
            list
        };
        check_reads_back("transaction_list", &frame(&body, &fr), &json!({"data": rows}))?;
    }

    #[test]
    fn user_history_reads_back(
        (list, rows, bare) in rows(history_entry(), 6),
        message in message_field(),
        user in text_field(),
        flag in flag_true(),
        q in object_quirks(4),
        fr in framing(),
    ) {
        let success = raw(flag, Value::Null, false);
        let data = raw(list, Value::Array(rows), bare);
        let (body, mut want, _) = render_object(
            &[("success", success), ("message", message), ("user", user), ("data", data)],
            &q,
        );
        want.remove("success");
        check_reads_back("user_history", &frame(&body, &fr), &Value::Object(want))?;
    }

    #[test]
    fn user_last_transaction_reads_back(
        entry in history_entry(),
        message in message_field(),
        user in text_field(),
        q in object_quirks(4),
        fr in framing(),
    ) {
        let (text, canonical, bare) = entry;
        let (body, mut want, _) = render_object(
            &[
                ("success", raw("true".into(), Value::Null, false)),
                ("message", message),
                ("user", user),
                ("data", raw(text, Value::Object(canonical), bare)),
            ],
            &q,
        );
        want.remove("success");
        check_reads_back("user_last_transaction", &frame(&body, &fr), &Value::Object(want))?;
    }

    #[test]
    fn pga_transaction_reads_back(
        (list, rows, bare) in rows(pga_invoice(), 5),
        counts in (count_field(), count_field(), count_field(), count_field(), count_field()),
        totals in (amount_field(false), amount_field(false)),
        with_success in any::<bool>(),
        q in object_quirks(9),
        fr in framing(),
    ) {
        let (row, total_row, page, per_page, total_page) = counts;
        let success = if with_success {
            raw("true".into(), Value::Null, false)
        } else {
            // No `success` field at all, like the spec's example: a harmless
            // extra field stands in its place.
            raw("\"ignored\"".into(), Value::Null, false)
        };
        let success_key = if with_success { "success" } else { "x_note" };
        let (body, mut want, _) = render_object(
            &[
                (success_key, success),
                ("row", row),
                ("total_row", total_row),
                ("page", page),
                ("per_page", per_page),
                ("total_page", total_page),
                ("total_amount_page", totals.0),
                ("total_amount_all", totals.1),
                ("data", raw(list, Value::Array(rows), bare)),
            ],
            &q,
        );
        want.remove(success_key);
        check_reads_back("pga_transaction", &frame(&body, &fr), &Value::Object(want))?;
    }

    #[test]
    fn full_transaction_reads_back(
        (list, rows, bare) in rows(turnover_row(), 5),
        counts in (count_field(), count_field()),
        message in message_field(),
        q in object_quirks(5),
        fr in framing(),
    ) {
        let (body, mut want, _) = render_object(
            &[
                ("success", raw("true".into(), Value::Null, false)),
                ("message", message),
                ("total_data", counts.0),
                ("total_page", counts.1),
                ("data", raw(list, Value::Array(rows), bare)),
            ],
            &q,
        );
        want.remove("success");
        check_reads_back("full_transaction", &frame(&body, &fr), &Value::Object(want))?;
    }

    #[test]
    fn referral_and_number_history_read_back(
        (rlist, rrows, rbare) in rows(referral(), 5),
        (dlist, drows, dbare) in rows(draw(), 5),
        header in (text_field(), text_field(), text_field()),
        message in message_field(),
        fr in framing(),
    ) {
        let body = format!("{{\"success\":true,\"message\":{},\"data\":{rlist}}}", message.wire);
        let _ = rbare;
        check_reads_back(
            "referral_list",
            &frame(&body, &fr),
            &json!({"message": message.canonical.clone(), "data": rrows}),
        )?;
        let (gamecode, pasar, kind) = header;
        let body = format!(
            "{{\"success\":true,\"message\":{},\"gamecode\":{},\"pasar\":{},\"type\":{},\"data\":{dlist}}}",
            message.wire, gamecode.wire, pasar.wire, kind.wire
        );
        let _ = dbare;
        check_reads_back(
            "number_history",
            &frame(&body, &fr),
            &json!({
                "message": message.canonical, "gamecode": gamecode.canonical,
                "pasar": pasar.canonical, "type": kind.canonical, "data": drows,
            }),
        )?;
    }

    #[test]
    fn bank_list_reads_back(
        banks in prop::collection::vec(text_field(), 0..6),
        q in list_quirks(6),
        braces in any::<bool>(),
        fr in framing(),
    ) {
        let q = ListQuirks {
            keyed: q.keyed,
            gaps: q.gaps[..banks.len()].to_vec(),
            order: q.order.iter().copied().filter(|&i| i < banks.len()).collect(),
        };
        let texts: Vec<String> = banks.iter().map(|b| b.wire.clone()).collect();
        let inner = format!("\"success\": true, \"data\": {}", render_list(&texts, &q));
        // The spec's example has no outer braces.
        let body = if braces { format!("{{{inner}}}") } else { inner };
        let want: Vec<Value> = banks.into_iter().map(|b| b.canonical).collect();
        check_reads_back("bank_list", &frame(&body, &fr), &json!({"data": want}))?;
    }
}

// =====================================================================
// 2. Nothing panics; every failure is an error of a known kind.
// =====================================================================

fn check_total(endpoint: EndpointId, status: u16, body: &[u8]) -> Result<(), TestCaseError> {
    let money = !endpoint.info().idempotent;
    let result = dynamic::parse(endpoint, status, body);
    let text = dynamic::parse_to_string(endpoint, status, body);
    prop_assert_eq!(result.is_ok(), text.is_ok());
    prop_assert!(result.is_err() || (200..300).contains(&status));
    let Err(e) = result else { return Ok(()) };
    let kind = e.kind();
    prop_assert!(
        ["api", "http", "decode", "outcome_unknown"].contains(&kind),
        "unexpected kind {} for {}",
        kind,
        endpoint
    );
    let json = e.to_json();
    if money {
        // Money-moving: an unreadable 2xx or a 5xx is never a plain decode
        // or http error.
        prop_assert!(kind != "decode", "{}: {}", endpoint, json);
        if kind == "http" {
            prop_assert!(status < 500, "{}: {}", endpoint, json);
        }
        if kind == "outcome_unknown" {
            let cause = json["error"]["cause"]["kind"].as_str().unwrap_or_default();
            // A multiple answer's refusal that names some items leaves the
            // others open: unknown, caused by that refusal (`api`).
            let partial_refusal = cause == "api" && endpoint == EndpointId::MultipleTransaction;
            prop_assert!(
                cause == "decode" || cause == "http" || partial_refusal,
                "{}",
                json
            );
        }
    } else {
        prop_assert!(kind != "outcome_unknown", "{}: {}", endpoint, json);
    }
    if !(200..300).contains(&status) {
        prop_assert_eq!(e.status(), Some(status));
    }
    Ok(())
}

/// JSON-ish text: valid JSON made of the fields the endpoints read, with
/// huge and odd numbers, and random damage.
fn jsonish() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        select(vec![
            "null",
            "true",
            "false",
            "0",
            "-0",
            "1e400",
            "-1e400",
            "1.5e-400",
            "123456789012345678901234567890",
            "18446744073709551616",
            "-9223372036854775809",
            "0.30000000000000004",
            "\"\"",
            "\"1 Rows\"",
            "\"2021-04-19 04:36:47.760\"",
            "23-02-2021 15:38:48",
            "\"abc\"",
            "\"-\"",
            "{}",
            "[]",
            "\"\\ud800\"",
        ])
        .prop_map(str::to_owned),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|f| f.to_string()),
        "[a-z0-9 .:\\-]{0,8}".prop_map(|s| format!("\"{s}\"")),
    ];
    let keys = select(vec![
        "success",
        "message",
        "data",
        "amount",
        "date",
        "user",
        "balance",
        "id",
        "type",
        "status",
        "total_page",
        "total_data",
        "row",
        "page",
        "trans_id",
        "index",
        "joindate",
        "tanggal",
        "request_date",
        "processed_date",
        "1",
        "2",
        "10",
        "9",
    ]);
    leaf.prop_recursive(6, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(|v| format!("[{}]", v.join(","))),
            prop::collection::vec((keys.clone(), inner), 0..6).prop_map(|v| {
                let parts: Vec<String> =
                    v.into_iter().map(|(k, x)| format!("\"{k}\":{x}")).collect();
                format!("{{{}}}", parts.join(","))
            }),
        ]
    })
}

/// Cuts, duplicates or replaces a few bytes.
fn damage(text: String, edits: &[(usize, u8, u8)]) -> Vec<u8> {
    let mut b = text.into_bytes();
    for &(pos, op, byte) in edits {
        if b.is_empty() {
            break;
        }
        let p = pos % b.len();
        match op % 4 {
            0 => {
                b.remove(p);
            }
            1 => b.insert(p, byte),
            2 => b[p] = byte,
            _ => b.truncate(p),
        }
    }
    b
}

/// The bodies of every vector file, to damage.
fn vector_bodies() -> &'static [String] {
    static BODIES: OnceLock<Vec<String>> = OnceLock::new();
    BODIES.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors");
        let mut out = Vec::new();
        for info in &ENDPOINTS {
            let path = dir.join(format!("{}.json", info.id));
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            let doc: Value = serde_json::from_str(&text).unwrap();
            for case in doc["responses"].as_array().into_iter().flatten() {
                if let Some(b) = case["body"].as_str() {
                    out.push(b.to_owned());
                }
            }
        }
        out.push("{}".to_owned());
        out
    })
}

fn status() -> impl Strategy<Value = u16> {
    prop_oneof![4 => Just(200u16), 1 => select(vec![0u16, 199, 204, 299, 301, 404, 429, 500, 502, 999])]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..256), status in status()) {
        for info in &ENDPOINTS {
            check_total(info.id, status, &body)?;
        }
    }

    #[test]
    fn arbitrary_json_never_panics(text in jsonish(), wrap in 0u8..4, status in status()) {
        let text = match wrap {
            0 => text,
            1 => format!("{{\"success\":true,\"message\":\"Success\",\"data\":{text}}}"),
            2 => format!("{{\"data\":{{\"1\":{text},\"2\":{text}}}}}"),
            _ => format!("\"success\": true, \"data\": {text}"),
        };
        for info in &ENDPOINTS {
            check_total(info.id, status, text.as_bytes())?;
        }
    }

    #[test]
    fn damaged_vector_bodies_never_panic(
        which in any::<prop::sample::Index>(),
        edits in prop::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..6),
    ) {
        let bodies = vector_bodies();
        let body = damage(bodies[which.index(bodies.len())].clone(), &edits);
        for info in &ENDPOINTS {
            check_total(info.id, 200, &body)?;
        }
    }

    #[test]
    fn deep_nesting_never_panics(depth in 0usize..4000, style in 0u8..4, closed in any::<bool>()) {
        let (open, close) = match style {
            0 => ("[", "]"),
            1 => ("{\"data\":", "}"),
            2 => ("{\"1\":", "}"),
            _ => ("{\"success\":true,\"data\":[", "]}"),
        };
        let mut body = open.repeat(depth);
        body.push('1');
        if closed {
            body.push_str(&close.repeat(depth));
        }
        for info in &ENDPOINTS {
            check_total(info.id, 200, body.as_bytes())?;
        }
    }
}

// =====================================================================
// 3. Path segments: refused naming the field, or exactly one segment that
//    decodes to exactly the input.
// =====================================================================

/// Strings biased towards what breaks URLs.
fn nasty_string() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        prop::collection::vec(
            select(vec![
                '.', '/', '\\', ' ', '?', '#', '%', '&', '=', '+', ';', ':', '@', 'a', 'Z', '0',
                'ü', '€', '😀', '\u{0}', '\n', '\t', '\u{7f}', '\u{85}', '\u{200b}', '~', '-', '_',
            ]),
            0..6,
        )
        .prop_map(|v| v.into_iter().collect()),
        select(vec!["", ".", "..", "...", "%2F", "%", "a/b", "*", "***"]).prop_map(str::to_owned),
    ]
}

fn refused_as_segment(s: &str) -> bool {
    s.is_empty()
        || s == "."
        || s == ".."
        || s.contains(['/', '\\'])
        || s.chars().any(char::is_control)
}

/// `(endpoint, valid params, field, position of its segment after the token,
/// number of segments)`.
fn segment_targets() -> Vec<(&'static str, Value, &'static str, usize, usize)> {
    let ar = json!({"type": "deposit", "trans_id": "1", "user": "u", "action": "accept", "comment": "c", "operator": "o"});
    let mt =
        json!({"type": "withdraw", "user": "u", "comment": "c", "amount": "5", "operator": "o"});
    vec![
        ("user_balance", json!({"user": "u"}), "user", 1, 2),
        ("accept_reject", ar.clone(), "trans_id", 1, 6),
        ("accept_reject", ar.clone(), "user", 2, 6),
        ("accept_reject", ar.clone(), "comment", 4, 6),
        ("accept_reject", ar, "operator", 5, 6),
        ("manual_transaction", mt.clone(), "user", 2, 6),
        ("manual_transaction", mt.clone(), "comment", 3, 6),
        ("manual_transaction", mt, "operator", 5, 6),
        (
            "user_history",
            json!({"type": "deposit", "user": "u"}),
            "user",
            2,
            3,
        ),
        (
            "user_last_transaction",
            json!({"type": "withdraw", "user": "u"}),
            "user",
            2,
            3,
        ),
        ("number_history", json!({"gamecode": "g"}), "gamecode", 1, 2),
        ("referral_list", json!({"user": "u"}), "user", 1, 2),
        (
            "full_transaction",
            json!({"user": "u", "page": 2, "date": "2024-05-17"}),
            "user",
            1,
            3,
        ),
        (
            "transaction_list",
            json!({"type": "deposit", "bank": "b"}),
            "bank",
            1,
            2,
        ),
    ]
}

/// The path segments after the token and the query, of a real URL.
fn split_url(url: &str) -> (Vec<String>, Option<String>) {
    let prefix = format!("{BASE}/{TOKEN}/");
    let tail = url
        .strip_prefix(&prefix)
        .expect("URL starts with base and token");
    let (path, query) = match tail.split_once('?') {
        Some((p, q)) => (p, Some(q.to_owned())),
        None => (tail, None),
    };
    (path.split('/').map(str::to_owned).collect(), query)
}

fn decode(s: &str) -> String {
    percent_decode_str(s)
        .decode_utf8()
        .expect("UTF-8")
        .into_owned()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn path_segments_are_exact_or_refused(value in nasty_string(), which in any::<prop::sample::Index>()) {
        let targets = segment_targets();
        let (endpoint, mut params, field, pos, count) = targets[which.index(targets.len())].clone();
        params[field] = Value::from(value.clone());
        match dynamic::build(client(), id(endpoint), &params) {
            Ok(request) => {
                prop_assert!(!refused_as_segment(&value), "{:?} should be refused", value);
                let (segments, _) = split_url(request.url());
                prop_assert_eq!(segments.len(), count, "url {}", request.url());
                prop_assert_eq!(decode(&segments[pos]), value.clone());
                // Only RFC 3986 unreserved characters and escapes are written.
                prop_assert!(segments[pos].bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)));
                prop_assert_eq!(request.redacted_url().replacen("***", TOKEN, 1), request.url());
            }
            Err(e) => {
                prop_assert!(refused_as_segment(&value), "{:?} refused: {}", value, e);
                prop_assert_eq!(e.kind(), "invalid_request");
                prop_assert_eq!(e.field(), Some(field));
            }
        }
    }

    #[test]
    fn name_query_value_is_exact_or_refused(value in nasty_string()) {
        let params = json!({"type": "deposit", "name": value});
        match dynamic::build(client(), id("transaction_list"), &params) {
            Ok(request) => {
                prop_assert!(!value.is_empty() && !value.chars().any(char::is_control));
                let (segments, query) = split_url(request.url());
                prop_assert_eq!(segments, vec!["dps".to_owned()]);
                let query = query.expect("a query");
                let v = query.strip_prefix("name=").expect("name=");
                prop_assert!(!v.contains(['&', '=', '#', '?', '+', ' ']));
                prop_assert_eq!(decode(v), value);
            }
            Err(e) => {
                prop_assert!(value.is_empty() || value.chars().any(char::is_control));
                prop_assert_eq!(e.field(), Some("name"));
            }
        }
    }
}

// =====================================================================
// 4. Amounts: refused, or written exactly (plain digits, same value, same
//    scale).
// =====================================================================

fn amount_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{1,32}",
        "[0-9]{0,20}\\.[0-9]{0,32}",
        "0{0,5}[1-9][0-9]{0,5}(\\.[0-9]{1,4})?",
        " {0,2}[0-9]{1,6}\\.[0-9]{1,2} {0,2}",
        "[-+0-9.eE, _]{0,10}",
        any::<String>(),
    ]
}

/// Plain digits with at most one '.', as the core accepts them.
fn plain(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && s.bytes().filter(|&b| b == b'.').count() <= 1
        && s.bytes().any(|b| b.is_ascii_digit())
}

/// `(significant integer digits, fraction digits without trailing zeros)`.
fn normalized(s: &str) -> (String, String) {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    (
        int.trim_start_matches('0').to_owned(),
        frac.trim_end_matches('0').to_owned(),
    )
}

fn fraction_digits(s: &str) -> usize {
    s.split_once('.').map_or(0, |(_, f)| f.len())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn amounts_are_exact_or_refused(input in amount_text()) {
        let t = input.trim();
        let params = json!({"type": "deposit", "user": "u", "comment": "c", "amount": input, "operator": "o"});
        let built = dynamic::build(client(), id("manual_transaction"), &params);
        let bulk = dynamic::build(
            client(),
            id("multiple_transaction"),
            &json!({"type": "deposit", "transaction": [{"user": "u", "amount": input, "comment": "c", "operator": "o"}]}),
        );
        prop_assert_eq!(built.is_ok(), bulk.is_ok());
        match built {
            Ok(request) => {
                prop_assert!(plain(t), "{:?} accepted", input);
                let (segments, _) = split_url(request.url());
                let wire = &segments[4];
                prop_assert!(plain(wire) && !wire.starts_with('.') && !wire.ends_with('.'), "wire {}", wire);
                prop_assert_eq!(normalized(wire), normalized(t), "value changed: {} -> {}", t, wire);
                prop_assert_eq!(fraction_digits(wire), fraction_digits(t), "scale changed: {} -> {}", t, wire);
                prop_assert!(normalized(wire) != (String::new(), String::new()), "zero accepted");
                let body = String::from_utf8(bulk.unwrap().body().unwrap().to_vec()).unwrap();
                let needle = format!("\"amount\":{wire},");
                prop_assert!(body.contains(&needle), "{}", body);
                let d: Decimal = wire.parse().unwrap();
                prop_assert!(d > Decimal::ZERO);
            }
            Err(e) => {
                prop_assert_eq!(e.field(), Some("amount"));
                let (int, frac) = normalized(t);
                let fits = int.len() + t.split_once('.').map_or(0, |(_, f)| f.len()) <= 28;
                let zero = int.is_empty() && frac.is_empty();
                prop_assert!(!plain(t) || zero || !fits, "{:?} refused: {}", input, e);
            }
        }
    }
}

// =====================================================================
// 5. Batch: every item exactly once, in order, in requests of <= 25;
//    nothing sent after an unknown outcome.
// =====================================================================

#[derive(Debug, Clone)]
enum Answer {
    AllOk,
    /// The items at these positions (of the request) failed.
    Partial(Vec<bool>),
    Refusal,
    Http500,
    Http404,
    Transport,
    Html,
}

fn answer() -> impl Strategy<Value = Answer> {
    prop_oneof![
        4 => Just(Answer::AllOk),
        4 => prop::collection::vec(any::<bool>(), 25).prop_map(Answer::Partial),
        1 => Just(Answer::Refusal),
        1 => Just(Answer::Http500),
        1 => Just(Answer::Http404),
        1 => Just(Answer::Transport),
        1 => Just(Answer::Html),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn batch_accounts_for_every_item(
        n in prop_oneof![0usize..60, 0usize..200],
        manual in any::<bool>(),
        answers in prop::collection::vec(answer(), 1..10),
    ) {
        let c = client();
        let items: Vec<Value> = (0..n)
            .map(|i| if manual {
                json!({"user": format!("U{}", i % 7), "amount": format!("{}.{:02}", i + 1, i % 100), "comment": format!("item {i}"), "operator": "OP"})
            } else {
                json!({"trans_id": format!("T{i}"), "user": format!("U{}", i % 7), "action": "accept", "comment": format!("item {i}"), "operator": "OP"})
            })
            .collect();
        let batch = dynamic::batch(&json!({"type": "deposit", "transaction": items}));
        if n == 0 {
            let e = batch.expect_err("no items is refused");
            prop_assert_eq!(e.field(), Some("transaction"));
            return Ok(());
        }
        let mut batch = batch.unwrap();
        prop_assert_eq!(batch.request_count(), n.div_ceil(25));
        let mut want: Vec<ItemStatus> = vec![ItemStatus::NotSent; n];
        // Failed items the server refused (not HTTP 4xx) carry an api_kind.
        let mut refused = vec![false; n];
        let mut sent = vec![0u32; n];
        let mut next = 0usize;
        let mut stopped = false;
        let mut k = 0usize;
        while let Some(request) = batch.next_request(c) {
            prop_assert!(!stopped, "a request was sent after an unknown outcome");
            prop_assert!(!request.is_idempotent());
            let body: Value = serde_json::from_slice(request.body().unwrap()).unwrap();
            let chunk = body["transaction"].as_array().unwrap();
            prop_assert!(!chunk.is_empty() && chunk.len() <= 25);
            prop_assert_eq!(chunk.len(), (n - next).min(25));
            for (j, item) in chunk.iter().enumerate() {
                let i = next + j;
                prop_assert_eq!(&item["comment"], &json!(format!("item {i}")), "items out of order");
                sent[i] += 1;
            }
            let range = next..next + chunk.len();
            let answer = &answers[k % answers.len()];
            k += 1;
            let ok = br#"{"success":true,"message":"All transactions has been successfully processed.","data":[]}"#;
            match answer {
                Answer::AllOk => {
                    batch.record_response(c, 200, ok);
                    for i in range.clone() { want[i] = ItemStatus::Succeeded; }
                }
                Answer::Partial(flags) => {
                    let mut data = Vec::new();
                    for (j, i) in range.clone().enumerate() {
                        if flags[j] {
                            want[i] = ItemStatus::Failed;
                            refused[i] = true;
                            data.push(if manual {
                                json!({"success": false, "index": j, "user": format!("U{}", i % 7), "message": "User tidak terdaftar!!"})
                            } else {
                                json!({"success": false, "trans_id": format!("T{i}"), "message": "The transaction couldnt be found or has been modified before"})
                            });
                        } else {
                            want[i] = ItemStatus::Succeeded;
                        }
                    }
                    if data.is_empty() {
                        // "partial" naming no failure: some item failed,
                        // which one is not said (spec-notes 55).
                        for i in range.clone() { want[i] = ItemStatus::Unknown; }
                    }
                    let body = json!({"success": true, "message": "partial transactions has been successfully processed.", "data": data});
                    batch.record_response(c, 200, body.to_string().as_bytes());
                }
                Answer::Refusal => {
                    batch.record_response(c, 200, br#"{"success":false,"message":"Oops something wrong! Please contact operator!","data":[]}"#);
                    for i in range.clone() {
                        want[i] = ItemStatus::Failed;
                        refused[i] = true;
                    }
                }
                Answer::Http404 => {
                    batch.record_response(c, 404, b"Not Found");
                    for i in range.clone() { want[i] = ItemStatus::Failed; }
                }
                Answer::Http500 | Answer::Transport | Answer::Html => {
                    match answer {
                        Answer::Http500 => batch.record_response(c, 500, b"oops"),
                        Answer::Html => batch.record_response(c, 200, b"<html>maintenance</html>"),
                        _ => batch.record_transport_failure(c, "timed out"),
                    }
                    for i in range.clone() { want[i] = ItemStatus::Unknown; }
                    stopped = true;
                }
            }
            next = range.end;
        }
        if !stopped {
            prop_assert_eq!(next, n, "the batch stopped early");
        }
        let outcomes = batch.finish();
        prop_assert_eq!(outcomes.len(), n);
        for (i, o) in outcomes.iter().enumerate() {
            prop_assert_eq!(o.index, i);
            prop_assert_eq!(o.status, want[i], "item {}", i);
            let expected_sends = u32::from(want[i] != ItemStatus::NotSent);
            prop_assert_eq!(sent[i], expected_sends, "item {} sent {} times", i, sent[i]);
            prop_assert_eq!(&o.user, &format!("U{}", i % 7));
            prop_assert_eq!(o.trans_id.clone(), (!manual).then(|| format!("T{i}")));
            prop_assert_eq!(o.api_kind.is_some(), refused[i], "item {} api_kind {:?}", i, o.api_kind);
        }
    }
}
