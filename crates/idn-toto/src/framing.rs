//! Whether an answer a host hands over can be taken as whole: the framing
//! rules every host (and a user's own transport) gets from the core, so that
//! no transport reads a cut answer as complete (spec-notes 91-94).
//!
//! The host hands over the final status, every response header as received
//! (a repeated header as separate pairs, or joined with `, ` as fetch's
//! `Headers` joins them) and the body after transfer decoding. A host that
//! content-decodes the body keeps the `content-encoding` header in what it
//! hands over.

/// Why an answer can't be taken as whole; `None` when nothing is in doubt.
///
/// `money` says the request moves money (its answer must also not be
/// content-encoded); `max_body_size` is the client's limit: a body over it
/// keeps the size error the parser gives it, so its length is not compared.
pub(crate) fn doubt(
    status: u16,
    headers: &[(&str, &str)],
    body: &[u8],
    money: bool,
    max_body_size: usize,
) -> Option<String> {
    if (100..200).contains(&status) {
        return Some(format!(
            "an interim status {status} was handed over as the final answer"
        ));
    }
    let mut lengths = Vec::new();
    let mut transfer_encoded = false;
    let mut content_encoding: Option<&str> = None;
    for (name, value) in headers {
        let name = name.trim();
        if name.eq_ignore_ascii_case("content-length") {
            lengths.extend(value.split(',').map(str::trim));
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            transfer_encoded = true;
        } else if name.eq_ignore_ascii_case("content-encoding") {
            for coding in value.split(',').map(str::trim).filter(|c| !c.is_empty()) {
                if !coding.eq_ignore_ascii_case("identity") {
                    content_encoding = Some(coding);
                }
            }
        }
    }
    if lengths.len() > 1 {
        return Some(format!(
            "content-length is given {} times ({})",
            lengths.len(),
            lengths.join(", ")
        ));
    }
    let length = match lengths.first() {
        None => None,
        Some(text) => match parse_length(text) {
            Some(n) => Some(n),
            None => return Some(format!("content-length {text:?} is not a length")),
        },
    };
    if transfer_encoded && length.is_some() {
        return Some("transfer-encoding and content-length are both given".into());
    }
    if let Some(coding) = content_encoding {
        if money {
            return Some(format!(
                "a money move's answer is content-encoded ({coding}): whether it was whole can't be checked"
            ));
        }
        // The host decoded it: the length on the wire is not the body's.
        return None;
    }
    if body.len() > max_body_size {
        return None;
    }
    let expected = match (status, length) {
        (204 | 304, _) => Some(0),
        (_, n) => n,
    };
    match expected {
        Some(n) if u64::try_from(body.len()).ok() != Some(n) => Some(format!(
            "content-length is {n} but {} bytes of body arrived",
            body.len()
        )),
        _ => None,
    }
}

/// A `content-length` value: one or more ASCII digits, nothing else.
fn parse_length(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::doubt;

    const MAX: usize = 1 << 20;

    fn check(status: u16, headers: &[(&str, &str)], body: &str, money: bool) -> Option<String> {
        doubt(status, headers, body.as_bytes(), money, MAX)
    }

    #[test]
    fn whole_answers_pass() {
        assert_eq!(check(200, &[("Content-Length", "2")], "{}", true), None);
        assert_eq!(check(200, &[], "{}", true), None);
        assert_eq!(
            check(200, &[("transfer-encoding", "chunked")], "{}", true),
            None
        );
        assert_eq!(
            check(200, &[("content-encoding", "identity")], "{}", true),
            None
        );
        assert_eq!(check(204, &[], "", true), None);
        // A read the host decoded: the wire length is not the body's.
        let decoded = [("content-encoding", "gzip"), ("content-length", "9")];
        assert_eq!(check(200, &decoded, "{}", false), None);
    }

    /// Status, headers, body, whether it moves money, what the doubt says.
    type Case<'a> = (u16, &'a [(&'a str, &'a str)], &'a str, bool, &'a str);

    #[test]
    fn doubts_are_named() {
        let cases: &[Case<'_>] = &[
            (103, &[], "", false, "interim status 103"),
            (
                200,
                &[("content-length", "10")],
                "{}",
                false,
                "content-length is 10 but 2",
            ),
            (
                200,
                &[("content-length", "1")],
                "{}",
                true,
                "content-length is 1 but 2",
            ),
            (
                200,
                &[("content-length", "2"), ("Content-Length", "2")],
                "{}",
                true,
                "given 2 times",
            ),
            (
                200,
                &[("content-length", "2, 12")],
                "{}",
                true,
                "given 2 times",
            ),
            (200, &[("content-length", "+2")], "{}", true, "not a length"),
            (200, &[("content-length", "")], "{}", true, "not a length"),
            (
                200,
                &[("content-length", "2"), ("transfer-encoding", "chunked")],
                "{}",
                true,
                "both given",
            ),
            (
                200,
                &[("content-encoding", "gzip")],
                "{}",
                true,
                "content-encoded (gzip)",
            ),
            (
                200,
                &[("content-encoding", "identity, br")],
                "{}",
                true,
                "content-encoded (br)",
            ),
            (204, &[], "{}", true, "content-length is 0 but 2"),
        ];
        for (status, headers, body, money, want) in cases {
            let got = check(*status, headers, body, *money);
            assert!(
                got.as_deref().is_some_and(|g| g.contains(want)),
                "{status} {headers:?} {body:?}: {got:?}"
            );
        }
    }

    #[test]
    fn a_body_over_the_limit_keeps_its_size_error() {
        let body = vec![b'x'; 11];
        assert_eq!(
            doubt(200, &[("content-length", "50")], &body, false, 10),
            None
        );
        assert!(doubt(200, &[("content-length", "50")], &body, false, 11).is_some());
    }

    #[test]
    fn huge_lengths_never_panic() {
        let long = "9".repeat(40);
        assert!(check(200, &[("content-length", &long)], "{}", true).is_some());
        assert!(check(
            200,
            &[("content-length", "18446744073709551615")],
            "{}",
            true
        )
        .is_some());
    }
}
