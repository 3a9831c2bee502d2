//! The sans-IO client: configuration, request assembly, scrubbed parsing.

use std::fmt;

use crate::params::encode;
use crate::request::Request;
use crate::{Endpoint, Error, Method, TxType};

/// The path words the spec contradicts itself about. Defaults follow the
/// spec's parameter tables; see `docs/spec-notes.md`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathWords {
    /// Manual deposit type word: the table says `depo`, the example URL uses
    /// `dps`. Default `depo`.
    pub manual_deposit: String,
    /// Manual withdraw type word. Default `wd`.
    pub manual_withdraw: String,
    /// Full transaction word: the template says `full_transction`, the
    /// example URL `full_transaction`. Default `full_transaction`.
    pub full_transaction: String,
    /// The path (after the token) for bulk manual deposits, which the spec
    /// does not list. Default `MANUAL/depo` (the single manual path's
    /// prefix).
    pub bulk_manual_deposit: String,
    /// The path for bulk manual withdrawals. Default `MANUAL/wd`.
    pub bulk_manual_withdraw: String,
    /// The query key for the transaction list's account-name filter: the
    /// template writes `?NAME=`, where upper case marks placeholders
    /// elsewhere (`?date={date}` is lower case). Default `name`.
    pub name_query_key: String,
}

impl Default for PathWords {
    fn default() -> PathWords {
        PathWords {
            manual_deposit: "depo".into(),
            manual_withdraw: "wd".into(),
            full_transaction: "full_transaction".into(),
            bulk_manual_deposit: "MANUAL/depo".into(),
            bulk_manual_withdraw: "MANUAL/wd".into(),
            name_query_key: "name".into(),
        }
    }
}

impl PathWords {
    fn check(&self) -> Result<(), Error> {
        let words = [
            ("path_words.manual_deposit", &self.manual_deposit, false),
            ("path_words.manual_withdraw", &self.manual_withdraw, false),
            ("path_words.full_transaction", &self.full_transaction, false),
            (
                "path_words.bulk_manual_deposit",
                &self.bulk_manual_deposit,
                true,
            ),
            (
                "path_words.bulk_manual_withdraw",
                &self.bulk_manual_withdraw,
                true,
            ),
        ];
        for (field, word, slashes) in words {
            let ok = !word.is_empty()
                && word.split('/').all(|part| {
                    !part.is_empty()
                        && part != "."
                        && part != ".."
                        && part.bytes().all(|b| {
                            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
                        })
                })
                && (slashes || !word.contains('/'));
            if !ok {
                let shape = if slashes { "segments" } else { "one segment" };
                return Err(Error::invalid(
                    field,
                    format!("must be {shape} of letters, digits, '-', '_', '.', '~', got {word:?}"),
                ));
            }
        }
        Ok(())
    }

    pub(crate) fn manual(&self, t: TxType) -> &str {
        match t {
            TxType::Deposit => &self.manual_deposit,
            TxType::Withdraw => &self.manual_withdraw,
        }
    }

    pub(crate) fn bulk_manual(&self, t: TxType) -> &str {
        match t {
            TxType::Deposit => &self.bulk_manual_deposit,
            TxType::Withdraw => &self.bulk_manual_withdraw,
        }
    }
}

impl PathWords {
    /// Reads path words from canonical JSON: an object whose keys are field
    /// names of [`PathWords`] (`manual_deposit`, ...); absent keys keep
    /// their defaults. Unknown keys and non-string values are refused, so
    /// every host (CLI, bindings, test runners) shares one reading. The words
    /// themselves are checked by [`Client::with_path_words`].
    pub fn from_json(value: &serde_json::Value) -> Result<PathWords, Error> {
        let mut words = PathWords::default();
        let map = match value {
            serde_json::Value::Null => return Ok(words),
            serde_json::Value::Object(map) => map,
            _ => return Err(Error::invalid("path_words", "must be a JSON object")),
        };
        for (key, value) in map {
            let field = format!("path_words.{key}");
            let slot = match key.as_str() {
                "manual_deposit" => &mut words.manual_deposit,
                "manual_withdraw" => &mut words.manual_withdraw,
                "full_transaction" => &mut words.full_transaction,
                "bulk_manual_deposit" => &mut words.bulk_manual_deposit,
                "bulk_manual_withdraw" => &mut words.bulk_manual_withdraw,
                "name_query_key" => &mut words.name_query_key,
                _ => return Err(Error::invalid(field, "is not a path word")),
            };
            match value.as_str() {
                Some(v) => *slot = v.to_owned(),
                None => return Err(Error::invalid(field, "must be a string")),
            }
        }
        Ok(words)
    }
}

/// The sans-IO client: where the API lives and the token that opens it.
///
/// `Debug` never shows the token.
#[derive(Clone)]
pub struct Client {
    base_url: String,
    token: String,
    encoded_token: String,
    words: PathWords,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url)
            .field("token", &"***")
            .field("path_words", &self.words)
            .finish()
    }
}

impl Client {
    /// Checks the configuration.
    ///
    /// `base_url`: `http://` or `https://`, a host, an optional path (such as
    /// `/home.php`), no query, fragment, credentials or whitespace; a
    /// trailing slash is dropped. `token`: not empty, no `/`, no whitespace
    /// or control characters.
    pub fn new(base_url: &str, token: &str) -> Result<Client, Error> {
        let base_url = check_base_url(base_url)?;
        if token.is_empty() {
            return Err(Error::invalid("token", "must not be empty"));
        }
        if token.contains('/') {
            return Err(Error::invalid("token", "must not contain '/'"));
        }
        if token.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(Error::invalid(
                "token",
                "must not contain whitespace or control characters",
            ));
        }
        Ok(Client {
            base_url,
            token: token.to_owned(),
            encoded_token: encode(token),
            words: PathWords::default(),
        })
    }

    /// Replaces the ambiguous path words.
    pub fn with_path_words(mut self, words: PathWords) -> Result<Client, Error> {
        words.check()?;
        self.words = words;
        Ok(self)
    }

    /// The base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The path words in use.
    pub fn path_words(&self) -> &PathWords {
        &self.words
    }

    /// The request for an endpoint's parameters.
    pub fn request<E: Endpoint>(&self, params: &E) -> Request {
        params.request(self)
    }

    /// Parses an answer to a request for `E`, with the token scrubbed from
    /// every error.
    pub fn parse<E: Endpoint>(&self, status: u16, body: &[u8]) -> Result<E::Response, Error> {
        E::parse(status, body).map_err(|e| e.redacted(self))
    }

    /// The error to report when the transport failed (network error or
    /// timeout) on `request`: [`Error::OutcomeUnknown`] when the request
    /// moves money, [`Error::Transport`] otherwise. The token is scrubbed
    /// from `reason`.
    pub fn transport_failure(&self, request: &Request, reason: &str) -> Error {
        let cause = Error::Transport {
            reason: self.redact(reason),
        };
        if request.is_idempotent() {
            cause
        } else {
            Error::OutcomeUnknown {
                cause: Box::new(cause),
            }
        }
    }

    /// `text` with every occurrence of the token, raw or percent-encoded,
    /// replaced by `***`.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.replace(&self.token, "***");
        if self.encoded_token != self.token {
            out = out.replace(&self.encoded_token, "***");
        }
        out
    }

    /// Assembles a request: `segments` are already percent-encoded path
    /// pieces after the token; `query` pairs are encoded here.
    pub(crate) fn assemble(
        &self,
        endpoint: crate::EndpointId,
        method: Method,
        segments: &[&str],
        query: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Request {
        let mut tail = String::new();
        for s in segments {
            tail.push('/');
            tail.push_str(s);
        }
        let mut sep = '?';
        for (k, v) in query {
            tail.push(sep);
            tail.push_str(k);
            tail.push('=');
            tail.push_str(&encode(v));
            sep = '&';
        }
        let url = format!("{}/{}{}", self.base_url, self.encoded_token, tail);
        let redacted_url = format!("{}/***{}", self.base_url, tail);
        Request::new(
            endpoint,
            method,
            url,
            redacted_url,
            body,
            endpoint.info().idempotent,
        )
    }
}

fn check_base_url(raw: &str) -> Result<String, Error> {
    let bad = |reason: &str| Error::invalid("base_url", reason.to_owned());
    let rest = if let Some(r) = raw.strip_prefix("https://") {
        r
    } else if let Some(r) = raw.strip_prefix("http://") {
        r
    } else {
        return Err(bad("must start with http:// or https://"));
    };
    if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad("must not contain whitespace or control characters"));
    }
    if raw.contains(['?', '#']) {
        return Err(bad("must not have a query or fragment"));
    }
    let authority = rest.split('/').next().unwrap_or("");
    if authority.contains('@') {
        return Err(bad("must not contain credentials"));
    }
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((h, after)) => (h, after.strip_prefix(':')),
            None => return Err(bad("has an unclosed '[' in the host")),
        },
        None => match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        },
    };
    if port.is_some_and(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
        return Err(bad("has an invalid port"));
    }
    if host.is_empty() {
        return Err(bad("must name a host"));
    }
    Ok(raw.trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_rules() {
        for good in [
            "https://agent.example.com/home.php",
            "https://agent.example.com/home.php/",
            "http://127.0.0.1:8080/home.php",
            "http://[::1]:8080/home.php",
            "https://agent.example.com",
        ] {
            assert!(Client::new(good, "T").is_ok(), "{good}");
        }
        assert_eq!(
            Client::new("https://a.example/home.php/", "T")
                .unwrap()
                .base_url(),
            "https://a.example/home.php"
        );
        for bad in [
            "ftp://a.example",
            "a.example/home.php",
            "https://",
            "https:///home.php",
            "https://a.example/home.php?x=1",
            "https://a.example/#x",
            "https://user:pw@a.example/",
            "https://a.example:port/",
            "https://a.example/ home.php",
        ] {
            assert_eq!(
                Client::new(bad, "T").unwrap_err().field(),
                Some("base_url"),
                "{bad}"
            );
        }
    }

    #[test]
    fn token_rules_and_redaction() {
        for bad in ["", "a/b", "a b", "a\tb", "a\u{0}b"] {
            assert_eq!(
                Client::new("https://a.example", bad).unwrap_err().field(),
                Some("token")
            );
        }
        let c = Client::new("https://a.example", "s3cr3t%?").unwrap();
        assert!(!format!("{c:?}").contains("s3cr3t"));
        assert_eq!(c.redact("x s3cr3t%? y s3cr3t%25%3F z"), "x *** y *** z");
    }

    #[test]
    fn path_words_are_checked() {
        let c = Client::new("https://a.example", "T").unwrap();
        let words = PathWords {
            full_transaction: "full_transction".into(),
            ..PathWords::default()
        };
        assert!(c.clone().with_path_words(words).is_ok());
        let bad = PathWords {
            manual_deposit: "a/b".into(),
            ..PathWords::default()
        };
        assert_eq!(
            c.with_path_words(bad).unwrap_err().field(),
            Some("path_words.manual_deposit")
        );
    }

    #[test]
    fn path_words_from_json() {
        let w = PathWords::from_json(&serde_json::json!({"manual_deposit": "dps"})).unwrap();
        assert_eq!(w.manual_deposit, "dps");
        assert_eq!(w.manual_withdraw, PathWords::default().manual_withdraw);
        assert_eq!(
            PathWords::from_json(&serde_json::Value::Null).unwrap(),
            PathWords::default()
        );
        let unknown = PathWords::from_json(&serde_json::json!({"nope": "x"})).unwrap_err();
        assert_eq!(unknown.field(), Some("path_words.nope"));
        let not_text =
            PathWords::from_json(&serde_json::json!({"full_transaction": 1})).unwrap_err();
        assert_eq!(not_text.field(), Some("path_words.full_transaction"));
    }
}
