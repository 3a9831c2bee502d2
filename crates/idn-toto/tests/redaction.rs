//! Property tests for token scrubbing: for random tokens and random text
//! around them, in every encoding a server, proxy or log may use, no output
//! of the core contains the token in any of those encodings; text without
//! the token comes back unchanged.
#![allow(clippy::unwrap_used)]

use idn_toto::{AcceptRejectParams, Client, UserBalanceParams};
use proptest::prelude::*;

/// Every form the scrubber must catch.
fn encodings(token: &str) -> Vec<String> {
    let percent_some: String = token
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let percent_all_lower: String = token.bytes().map(|b| format!("%{b:02x}")).collect();
    let json_u: String = token
        .encode_utf16()
        .map(|u| format!("\\u{u:04x}"))
        .collect();
    let json_serde = serde_json::to_string(token).unwrap();
    let json_serde = json_serde[1..json_serde.len() - 1].replace('/', "\\/");
    let html_dec: String = token.chars().map(|c| format!("&#{};", c as u32)).collect();
    let html_hex: String = token
        .chars()
        .map(|c| format!("&#X{:X};", c as u32))
        .collect();
    let html_named = token
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;");
    vec![
        token.to_owned(),
        token.to_ascii_lowercase(),
        token.to_ascii_uppercase(),
        percent_some.clone(),
        percent_some.to_ascii_lowercase(),
        percent_all_lower.clone(),
        percent_all_lower.to_ascii_uppercase(),
        json_u.clone(),
        json_u.to_ascii_uppercase().replace("\\U", "\\u"),
        json_serde,
        html_dec,
        html_hex,
        html_named,
        // Nested: percent-encoded, then HTML-escaped (a proxy's error page).
        percent_some.replace('%', "&#37;"),
        // Percent-encoded, then JSON-escaped.
        percent_all_lower.replace('%', "\\u0025"),
    ]
}

fn contains_any_form(haystack: &str, token: &str) -> Option<String> {
    let folded = haystack.to_ascii_lowercase();
    encodings(token)
        .into_iter()
        .find(|form| folded.contains(&form.to_ascii_lowercase()))
}

/// Tokens a client accepts: letters, digits, punctuation (including the
/// escape starters `%`, `&`, `#`, `;`) and some non-ASCII.
fn token() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[A-Za-z0-9%&#;?=+:@!$'()*,.~_-]{8,24}[éß😀]?[A-Z0-9]{0,4}")
        .unwrap()
        .prop_filter("not a dot segment", |t| t != "." && t != "..")
}

/// Surrounding text: anything printable, including escape starters.
fn noise() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[ -~é😀\n]{0,60}").unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn no_encoding_of_the_token_survives(
        token in token(),
        before in noise(),
        after in noise(),
        which in 0usize..15,
    ) {
        let client = Client::new("https://agent.example.com/home.php", &token).unwrap();
        let form = encodings(&token)[which].clone();
        let text = format!("{before}{form}{after}");
        let out = client.redact(&text);
        prop_assert!(contains_any_form(&out, &token).is_none(), "{text:?} -> {out:?}");
    }

    #[test]
    fn error_excerpts_never_hold_the_token_or_a_cut_piece_of_it(
        token in "[A-Z0-9]{12,30}",
        pad in 0usize..400,
        which in 0usize..15,
        status in prop::sample::select(vec![200u16, 403, 404, 500, 502]),
    ) {
        let client = Client::new("https://agent.example.com/home.php", &token).unwrap();
        let form = encodings(&token)[which].clone();
        let body = format!("{}/home.php/{form}/player_info/X {}", "x".repeat(pad), "y".repeat(pad));
        for e in [
            client.parse::<UserBalanceParams>(status, body.as_bytes()).unwrap_err(),
            client.parse::<AcceptRejectParams>(status, body.as_bytes()).unwrap_err(),
        ] {
            let text = format!("{e} {} {e:?}", e.to_json());
            prop_assert!(contains_any_form(&text, &token).is_none(), "{text}");
            for n in 0..=token.len() - 8 {
                let piece = &token[n..n + 8];
                prop_assert!(!text.contains(piece), "{piece} in {text}");
            }
        }
    }

    /// `Client::holds_token` searches plain text directly (one percent
    /// decoding, no JSON or HTML layer) and asks the scrubber otherwise: it
    /// agrees with the scrubber on every text, with or without a form of
    /// the token, near misses included.
    #[test]
    fn holds_token_agrees_with_the_scrubber(
        token in token(),
        before in noise(),
        after in noise(),
        which in 0usize..16,
        cut in 1usize..4,
    ) {
        let client = Client::new("https://agent.example.com/home.php", &token).unwrap();
        let forms = encodings(&token);
        let middle = match forms.get(which) {
            Some(form) => form.clone(),
            // A near miss: the token with its last characters cut.
            None => token.chars().take(token.chars().count().saturating_sub(cut)).collect(),
        };
        for text in [format!("{before}{middle}{after}"), before.clone(), format!("{before}{after}")] {
            let scrubbed = client.redact(&text) != text;
            prop_assert_eq!(client.holds_token(&text), scrubbed, "{:?}", text);
        }
    }

    #[test]
    fn text_without_the_token_is_unchanged(
        token in "[G-Z]{8,30}",
        text in "([ -~]|%[0-9a-fA-F]{2}|&#[0-9]{2,3};|\\\\u00[0-9a-f]{2}|\\.\\.\\.){0,40}",
    ) {
        let client = Client::new("https://agent.example.com/home.php", &token).unwrap();
        prop_assume!(contains_any_form(&text, &token).is_none());
        prop_assert_eq!(client.redact(&text), text);
    }
}

#[test]
fn transport_failures_and_redacted_errors_are_scrubbed() {
    let token = "PWM6P4HRFR2VXBD1320EJWZ8A0EJK";
    let client = Client::new("https://agent.example.com/home.php", token).unwrap();
    let request = client.request(&UserBalanceParams {
        user: idn_toto::Segment::new("user", "X").unwrap(),
    });
    for form in encodings(token) {
        let e =
            client.transport_failure(&request, &format!("connect to /home.php/{form}/x failed"));
        assert!(contains_any_form(&e.to_string(), token).is_none(), "{e}");
        let api = idn_toto::Error::Api {
            kind: idn_toto::ApiErrorKind::Other,
            message: format!("bad token {form}"),
        }
        .redacted(&client);
        assert!(
            contains_any_form(&api.to_string(), token).is_none(),
            "{api}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn batch_outcomes_never_hold_the_token_or_a_cut_piece_of_it(
        token in "[A-Z0-9]{12,30}",
        pad in 0usize..260,
        which in 0usize..15,
        status in prop::sample::select(vec![200u16, 404, 500]),
    ) {
        let client = Client::new("https://agent.example.com/home.php", &token).unwrap();
        let form = encodings(&token)[which].clone();
        let mut batch = idn_toto::dynamic::batch(&serde_json::json!({
            "type": "deposit",
            "transaction": [{"trans_id": "1", "user": "u", "action": "accept", "comment": "c", "operator": "o"}],
        }))
        .unwrap();
        let request = batch.next_request(&client).unwrap();
        prop_assert!(!request.redacted_url().contains(&token));
        let body = format!("{}/home.php/{form}/push_dps {}", "x".repeat(pad), "y".repeat(pad));
        batch.record_response(&client, status, body.as_bytes());
        let text = batch
            .finish()
            .iter()
            .map(|o| o.to_json().to_string())
            .collect::<String>();
        prop_assert!(contains_any_form(&text, &token).is_none(), "{}", text);
        for n in 0..=token.len() - 8 {
            prop_assert!(!text.contains(&token[n..n + 8]), "{}", text);
        }
    }
}
