//! The sans-IO client: configuration, request assembly, scrubbed parsing.

use std::fmt;

use crate::schema::error::Error;
use crate::schema::id::{EndpointId, Method};
use crate::schema::moves::MoveParams;
use crate::schema::operation_key::OperationKey;
use crate::schema::percent::encode;
use crate::schema::redact::{Scrubber, MIN_FRAGMENT};
use crate::schema::request::Request;

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
        let key = &self.name_query_key;
        let safe_key = !key.is_empty()
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~'));
        if !safe_key {
            return Err(Error::invalid(
                "path_words.name_query_key",
                format!(
                    "must be one query key of letters, digits, '-', '_', '.', '~' \
                     (no '&', '=', '?' or '#'), got {key:?}"
                ),
            ));
        }
        Ok(())
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

/// The largest body [`Client::parse`] reads by default: 64 MiB.
pub const DEFAULT_MAX_BODY_SIZE: usize = 64 * 1024 * 1024;

/// How many characters of a non-2xx body an [`Error::Http`] keeps.
const HTTP_EXCERPT: usize = 200;

/// The sans-IO client: where the API lives and the token that opens it.
///
/// `Debug` never shows the token.
#[derive(Clone)]
pub struct Client {
    base_url: String,
    token: String,
    encoded_token: String,
    scrubber: Scrubber,
    words: PathWords,
    allow_insecure_http: bool,
    max_body_size: usize,
    /// [`Client::fingerprint`], computed once.
    fingerprint: String,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url)
            .field("token", &"***")
            .field("path_words", &self.words)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("max_body_size", &self.max_body_size)
            .field("fingerprint", &self.fingerprint)
            .finish()
    }
}

/// Configures a [`Client`]: [`Client::builder`], then the optional settings,
/// then [`ClientBuilder::build`], which checks everything.
///
/// `Debug` never shows the token.
#[derive(Clone)]
pub struct ClientBuilder {
    base_url: String,
    token: String,
    words: PathWords,
    allow_insecure_http: bool,
    max_body_size: usize,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("token", &"***")
            .field("path_words", &self.words)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("max_body_size", &self.max_body_size)
            .finish()
    }
}

impl ClientBuilder {
    /// Replaces the ambiguous path words (default: [`PathWords::default`]).
    pub fn path_words(mut self, words: PathWords) -> ClientBuilder {
        self.words = words;
        self
    }

    /// Allows a plain `http://` base URL to a host that is not loopback.
    /// Off by default: the token travels in the URL path, so anyone on the
    /// network path could read it.
    pub fn allow_insecure_http(mut self, allow: bool) -> ClientBuilder {
        self.allow_insecure_http = allow;
        self
    }

    /// The largest body [`Client::parse`] reads, in bytes (default
    /// [`DEFAULT_MAX_BODY_SIZE`], 64 MiB); a larger one is a `decode` error
    /// at `$` before any parsing work. Must be at least 1.
    pub fn max_body_size(mut self, bytes: usize) -> ClientBuilder {
        self.max_body_size = bytes;
        self
    }

    /// Checks the configuration (see [`Client::new`] for the rules).
    pub fn build(self) -> Result<Client, Error> {
        // The whole URL pasted as the base URL, token included: every URL
        // shown (events, errors, `Debug`) starts with the base URL, so it
        // must not hold the token (spec-notes 222). (A token under 8 bytes
        // is in ordinary words: see `Client::holds_token`.)
        if self.token.len() >= MIN_FRAGMENT
            && Scrubber::new(&self.token).scrub(&self.base_url) != self.base_url
        {
            return Err(Error::invalid(
                "base_url",
                "must not contain the token: give the URL up to the path the token follows \
                 (https://agent.example.com/home.php) and the token on its own",
            ));
        }
        let base_url = check_base_url(&self.base_url, self.allow_insecure_http)?;
        check_token(&self.token)?;
        self.words.check()?;
        if self.max_body_size == 0 {
            return Err(Error::invalid("max_body_size", "must be at least 1 byte"));
        }
        Ok(Client {
            fingerprint: fingerprint(&base_url, &self.token),
            base_url,
            encoded_token: encode(&self.token),
            scrubber: Scrubber::new(&self.token),
            token: self.token,
            words: self.words,
            allow_insecure_http: self.allow_insecure_http,
            max_body_size: self.max_body_size,
        })
    }
}

impl Client {
    /// A client with the default settings; see [`Client::builder`] for the
    /// others.
    ///
    /// `base_url`: `https://` (or `http://` to a loopback host: `127.0.0.0/8`,
    /// `[::1]`, `localhost`), a host, an optional port and path (such as
    /// `/home.php`); no query, fragment, credentials, whitespace or
    /// backslash. It is read with the WHATWG URL rules (the `url` crate, as
    /// Node's `URL`) and used in its normalised form without a trailing
    /// slash. `token`: exactly one safe path segment: not empty, not `.` or
    /// `..`, no `/` or `\`, no whitespace or control characters.
    pub fn new(base_url: &str, token: &str) -> Result<Client, Error> {
        Client::builder(base_url, token).build()
    }

    /// Starts configuring a client: path words, `allow_insecure_http`,
    /// `max_body_size`.
    ///
    /// ```
    /// let client = idn_toto::Client::builder("http://10.0.0.5/home.php", "T0KEN")
    ///     .allow_insecure_http(true)
    ///     .max_body_size(1 << 20)
    ///     .build()?;
    /// assert_eq!(client.max_body_size(), 1 << 20);
    /// # Ok::<(), idn_toto::Error>(())
    /// ```
    pub fn builder(base_url: &str, token: &str) -> ClientBuilder {
        ClientBuilder {
            base_url: base_url.to_owned(),
            token: token.to_owned(),
            words: PathWords::default(),
            allow_insecure_http: false,
            max_body_size: DEFAULT_MAX_BODY_SIZE,
        }
    }

    /// A client from canonical JSON configuration: `base_url` and `token`
    /// (strings, required), `path_words` (see [`PathWords::from_json`]),
    /// `allow_insecure_http` (boolean) and `max_body_size` (a positive
    /// integer); null means the default. Other keys are refused, so every
    /// host (CLI, bindings, test runners) reads a configuration one way.
    pub fn from_json(config: &serde_json::Value) -> Result<Client, Error> {
        use serde_json::Value;
        let Value::Object(map) = config else {
            return Err(Error::invalid("config", "must be a JSON object"));
        };
        for key in map.keys() {
            if !Client::CONFIG_KEYS.contains(&key.as_str()) {
                return Err(Error::invalid(key.as_str(), "is not a client setting"));
            }
        }
        let present = |k: &str| map.get(k).filter(|v| !v.is_null());
        let text = |k: &str| match present(k) {
            Some(Value::String(s)) => Ok(s.as_str()),
            Some(_) => Err(Error::invalid(k, "must be a string")),
            None => Err(Error::invalid(k, "is required")),
        };
        let mut builder = Client::builder(text("base_url")?, text("token")?);
        if let Some(words) = present("path_words") {
            builder = builder.path_words(PathWords::from_json(words)?);
        }
        match present("allow_insecure_http") {
            Some(Value::Bool(b)) => builder = builder.allow_insecure_http(*b),
            Some(_) => {
                return Err(Error::invalid(
                    "allow_insecure_http",
                    "must be true or false",
                ))
            }
            None => {}
        }
        if let Some(v) = present("max_body_size") {
            let n = v
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .filter(|n| *n > 0)
                .ok_or_else(|| {
                    Error::invalid("max_body_size", "must be a positive integer (bytes)")
                })?;
            builder = builder.max_body_size(n);
        }
        builder.build()
    }

    /// The keys [`Client::from_json`] reads.
    pub const CONFIG_KEYS: [&'static str; 5] = [
        "base_url",
        "token",
        "path_words",
        "allow_insecure_http",
        "max_body_size",
    ];

    /// Replaces the ambiguous path words.
    pub fn with_path_words(mut self, words: PathWords) -> Result<Client, Error> {
        words.check()?;
        self.words = words;
        Ok(self)
    }

    /// The base URL, normalised, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The server this client talks to, as 16 lowercase hex digits: the
    /// first 64 bits of SHA-256 over `idn-toto server v1`, the normalised
    /// base URL and the token (each followed by a NUL byte). Every journal
    /// line and every [`crate::Unsettled`] carries it, and settling with a
    /// client of another server is refused (`docs/spec-notes.md` 122). It is
    /// a one-way hash: the token can't be read back from it (for a token of
    /// the IDN format, 32 random letters and digits, not even by guessing),
    /// and it never contains the token.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The path words in use.
    pub fn path_words(&self) -> &PathWords {
        &self.words
    }

    /// Whether a plain `http://` base URL to a non-loopback host was allowed.
    pub fn allows_insecure_http(&self) -> bool {
        self.allow_insecure_http
    }

    /// The largest body [`Client::parse`] reads, in bytes. Transports should
    /// stop reading after `max_body_size() + 1` bytes and hand those over:
    /// the parse then reports the body as too large.
    pub fn max_body_size(&self) -> usize {
        self.max_body_size
    }

    /// `error` (from parsing `body`) with the token scrubbed: an HTTP
    /// error's excerpt is taken again from the scrubbed body (scrub first,
    /// then cut), every other text is scrubbed as it is.
    pub fn scrub_error(&self, error: Error, body: &[u8]) -> Error {
        match error {
            Error::Http { status, .. } => Error::Http {
                status,
                excerpt: self.excerpt(body, HTTP_EXCERPT),
            },
            Error::OutcomeUnknown { cause, unsettled } => Error::OutcomeUnknown {
                cause: Box::new(self.scrub_error(*cause, body)),
                unsettled,
            },
            other => other.redacted(self),
        }
    }

    /// The first `max` characters of `body` (whitespace collapsed), the
    /// token scrubbed before cutting, and any fragment of the token
    /// (8 characters or more) left at the cut scrubbed too.
    pub fn excerpt(&self, body: &[u8], max: usize) -> String {
        let window = max
            .saturating_mul(4)
            .saturating_add(self.token.len().saturating_mul(40));
        let cut = body.len() > window;
        let text = String::from_utf8_lossy(&body[..body.len().min(window)]);
        let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
        self.scrubber.scrub_and_cut(&collapsed, max, cut)
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
            Error::unknown(cause)
                .settleable(request, None)
                .sent_to(self)
        }
    }

    /// `text` with every occurrence of the token replaced by `***`: raw,
    /// percent-encoded (either hex case, or every byte), JSON-escaped
    /// (`\/`, `\uXXXX`), HTML-escaped (`&#47;`, `&#x2F;`, `&amp;`, ...),
    /// in any ASCII letter case, and these nested; plus any fragment of 8 or
    /// more characters of it that ends right before `...` (the mark of a cut
    /// excerpt).
    pub fn redact(&self, text: &str) -> String {
        self.scrubber.scrub(text)
    }

    /// Whether a caller's `text` (a parameter, an operation key) holds the
    /// token in any form [`Client::redact`] finds. Only a token of 8 bytes
    /// or more is looked for: a shorter one (a test's `"T"`) is found in
    /// ordinary words, so a value holding it is coincidence, not a pasted
    /// secret (`docs/spec-notes.md` 218).
    pub fn holds_token(&self, text: &str) -> bool {
        if self.token.len() < MIN_FRAGMENT {
            return false;
        }
        match self.plain_search(text) {
            Some(found) => found,
            None => self.redact(text) != text,
        }
    }

    /// [`Client::holds_token`] without the scrubber's decoding layers, when
    /// the text can only hold the token raw or percent-encoded once: after
    /// one percent-decoding it has no `%`, `\` or `&` (no JSON or HTML
    /// escape, nothing encoded twice), and the token has none of them, so an
    /// ASCII case-insensitive search of the decoded bytes finds what the
    /// scrubber would. `None`: ask the scrubber. (Every request's URL is
    /// checked, so this is on the request path: spec-notes 218.)
    fn plain_search(&self, text: &str) -> Option<bool> {
        let escape = |b: &u8| matches!(b, b'%' | b'\\' | b'&');
        let token = self.token.as_bytes();
        if token.iter().any(escape) {
            return None;
        }
        let decoded: std::borrow::Cow<'_, [u8]> =
            percent_encoding::percent_decode(text.as_bytes()).into();
        if decoded.iter().any(escape) {
            return None;
        }
        Some(
            decoded
                .windows(token.len())
                .any(|w| w.eq_ignore_ascii_case(token)),
        )
    }

    /// `invalid_request` naming the first parameter of a money move that
    /// holds the token (`prefix` then its name: `comment`,
    /// `transaction[3].comment`): its parameters are kept in the journal and
    /// in what settling it needs, where the token never is. The driver
    /// refuses such a move before anything happens; a tool that checks its
    /// input before sending any of it (the CLI's batch) asks first
    /// (`docs/spec-notes.md` 218).
    pub fn refuse_token_in_move(&self, prefix: &str, params: &MoveParams) -> Result<(), Error> {
        let held = params.json().as_object().and_then(|fields| {
            fields
                .iter()
                .find(|(_, value)| value.as_str().is_some_and(|text| self.holds_token(text)))
        });
        match held {
            Some((name, _)) => Err(Error::invalid(format!("{prefix}{name}"), HOLDS_TOKEN)),
            None => Ok(()),
        }
    }

    /// `invalid_request` at `field` when an operation key holds the token
    /// (the journal keeps keys).
    pub fn refuse_token_in_key(&self, field: &str, key: &OperationKey) -> Result<(), Error> {
        if self.holds_token(key.as_str()) {
            Err(Error::invalid(field, HOLDS_TOKEN))
        } else {
            Ok(())
        }
    }

    /// Assembles a request for `endpoint`: `segments` are already percent-encoded path
    /// pieces after the token; `query` pairs are encoded here.
    pub(crate) fn assemble_for(
        &self,
        endpoint: EndpointId,
        method: Method,
        idempotent: bool,
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
        // A parameter may hold the token too (a read's `user`, say): it is
        // masked in the shown URL as well, not only the token's own segment.
        let shown = if self.holds_token(&tail) {
            self.redact(&tail)
        } else {
            tail
        };
        let redacted_url = format!("{}/***{}", self.base_url, shown);
        Request::new(endpoint, method, url, redacted_url, body, idempotent)
    }
}

/// Why a caller's value is refused when it holds the token.
const HOLDS_TOKEN: &str = "must not contain the API token: a money move's parameters and its operation key are kept in the journal and in what settling it needs, where the token never is";

/// See [`Client::fingerprint`].
fn fingerprint(base_url: &str, token: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    for part in ["idn-toto server v1", base_url, token] {
        hash.update(part.as_bytes());
        hash.update([0u8]);
    }
    hash.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn check_token(token: &str) -> Result<(), Error> {
    let bad = |reason: &str| Err(Error::invalid("token", reason.to_owned()));
    if token.is_empty() {
        return bad("must not be empty");
    }
    if token == "." || token == ".." {
        return bad(
            "must not be \".\" or \"..\": the token is one path segment, and a dot segment \
             would be removed from the URL (the request would reach another path without it)",
        );
    }
    if token.contains(['/', '\\']) {
        return bad("must be exactly one path segment: no '/' or '\\'");
    }
    if token.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad("must not contain whitespace or control characters");
    }
    Ok(())
}

const INSECURE_HTTP: &str = "uses plain http:// to a host that is not loopback: the token travels \
     in the URL path, readable by anyone on the way; use https://, or opt in with \
     allow_insecure_http (Rust: Client::builder(..).allow_insecure_http(true); Python: \
     allow_insecure_http=True; Node: allowInsecureHttp: true; JSON config: \
     \"allow_insecure_http\": true)";

/// Reads the base URL with the WHATWG rules and refuses what HTTP clients
/// would read differently, or what would expose the token.
fn check_base_url(raw: &str, allow_insecure_http: bool) -> Result<String, Error> {
    let bad = |reason: &str| Error::invalid("base_url", reason.to_owned());
    let rest = match raw
        .strip_prefix("https://")
        .or_else(|| raw.strip_prefix("http://"))
    {
        Some(rest) => rest,
        None => return Err(bad("must start with http:// or https://")),
    };
    if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad("must not contain whitespace or control characters"));
    }
    if raw.contains('\\') {
        return Err(bad(
            "must not contain '\\': URL parsers disagree on it (WHATWG parsers such as \
             Node's read it as '/', others as part of the host)",
        ));
    }
    if raw.contains(['?', '#']) {
        return Err(bad("must not have a query or fragment"));
    }
    if rest.starts_with('/') || rest.is_empty() {
        return Err(bad("must name a host"));
    }
    let authority = rest.split('/').next().unwrap_or("");
    if authority.contains('@') {
        return Err(bad("must not contain credentials"));
    }
    // Hosts are read ASCII-only (the npm package pins the `url` crate's
    // ASCII IDNA adapter to stay small): international names in punycode.
    if !authority.is_ascii() || authority.contains('%') {
        return Err(bad(
            "must give the host in ASCII: an international domain name in its punycode \
             form (xn--...), no percent-encoding",
        ));
    }
    let url = url::Url::parse(raw).map_err(|e| bad(&format!("is not a valid URL: {e}")))?;
    let host = match url.host() {
        Some(host) => host,
        None => return Err(bad("must name a host")),
    };
    if url.scheme() == "http" && !allow_insecure_http && !is_loopback(&host) {
        return Err(bad(INSECURE_HTTP));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

fn is_loopback(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
    }
}

/// A body over `max_body_size` bytes: a `decode` error at `$` naming the
/// size and the limit, inside `outcome_unknown` when the request moved money
/// (`idempotent` false), before any parsing work.
pub(crate) fn check_size(body: &[u8], max_body_size: usize, idempotent: bool) -> Result<(), Error> {
    if body.len() <= max_body_size {
        return Ok(());
    }
    let e = Error::decode(
        "$",
        format!(
            "body is at least {} bytes, over the limit of {max_body_size} bytes \
             (max_body_size); nothing was parsed",
            body.len()
        ),
    );
    if idempotent {
        Err(e)
    } else {
        Err(Error::unknown(e))
    }
}

impl Error {
    /// This error with the server `client` talks to named on what settling
    /// it needs (see [`Client::fingerprint`]).
    pub(crate) fn sent_to(mut self, client: &Client) -> Error {
        if let Some(u) = self.unsettled_mut() {
            u.server = Some(client.fingerprint().to_owned());
        }
        self
    }

    /// This error with every occurrence of the client's token (raw or
    /// percent-encoded) replaced by `***`.
    pub fn redacted(self, client: &Client) -> Error {
        self.map_text(&|s| client.redact(&s))
    }

    /// A refusal of a caller's value with the token scrubbed from the texts
    /// that hold it ([`Client::holds_token`]): a refusal may quote the value
    /// it refuses. Unlike [`Error::redacted`], a text without the token
    /// (or any text, for a token under 8 bytes) is kept as it is.
    pub(crate) fn quoting(self, client: &Client) -> Error {
        self.map_text(&|s| {
            if client.holds_token(&s) {
                client.redact(&s)
            } else {
                s
            }
        })
    }
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
            "https://evil.example\\.127.0.0.1/home.php",
            "https://a.example\\home.php",
            "https://a.example:99999/",
            "https://a.example:-1/",
            "https://[::1/",
            "https://[zz::1]/",
            "https://[::1]x/",
            "https://a.example@b.example/",
            "https://a.example\t/home.php",
            "http://example.com/home.php",
            "http://10.0.0.1/home.php",
            "http://localhost.evil.example/",
            "http://127.0.0.1.evil.example/",
            "https:/a.example",
            "HTTPS://a.example",
            "https://bücher.example/",
            "https://BÜCHER.example/",
            "https://b%C3%BCcher.example/",
            "https://a%2Eexample/",
        ] {
            assert_eq!(
                Client::new(bad, "T").unwrap_err().field(),
                Some("base_url"),
                "{bad}"
            );
        }
    }

    #[test]
    fn plain_http_needs_loopback_or_the_opt_in() {
        for loopback in [
            "http://127.0.0.1:8080/home.php",
            "http://127.8.9.10/home.php",
            "http://[::1]/home.php",
            "http://localhost:3000/home.php",
            "http://LOCALHOST/home.php",
        ] {
            assert!(Client::new(loopback, "T").is_ok(), "{loopback}");
        }
        let refused = Client::new("http://agent.example.com/home.php", "T").unwrap_err();
        assert_eq!(refused.field(), Some("base_url"));
        let message = refused.to_string();
        assert!(message.contains("token travels"), "{message}");
        assert!(message.contains("allow_insecure_http"), "{message}");
        let allowed = Client::builder("http://agent.example.com/home.php", "T")
            .allow_insecure_http(true)
            .build()
            .unwrap();
        assert!(allowed.allows_insecure_http());
        assert_eq!(allowed.base_url(), "http://agent.example.com/home.php");
    }

    #[test]
    fn base_urls_are_normalised_as_whatwg_parsers_do() {
        for (raw, expect) in [
            (
                "https://Agent.Example.COM/home.php",
                "https://agent.example.com/home.php",
            ),
            (
                "https://a.example:443/home.php",
                "https://a.example/home.php",
            ),
            (
                "https://a.example/x/../home.php",
                "https://a.example/home.php",
            ),
            ("https://a.example/home.php//", "https://a.example/home.php"),
            ("http://[0:0::1]:80/", "http://[::1]"),
            (
                "https://XN--BCHER-KVA.Example/",
                "https://xn--bcher-kva.example",
            ),
        ] {
            assert_eq!(Client::new(raw, "T").unwrap().base_url(), expect, "{raw}");
        }
    }

    #[test]
    fn from_json_reads_every_setting() {
        let c = Client::from_json(&serde_json::json!({
            "base_url": "http://10.1.2.3/home.php",
            "token": "T",
            "allow_insecure_http": true,
            "max_body_size": 10,
            "path_words": {"manual_deposit": "dps"},
        }))
        .unwrap();
        assert_eq!(c.max_body_size(), 10);
        assert_eq!(c.path_words().manual_deposit, "dps");
        for (config, field) in [
            (serde_json::json!({"token": "T"}), "base_url"),
            (
                serde_json::json!({"base_url": "https://a.example"}),
                "token",
            ),
            (
                serde_json::json!({"base_url": "https://a.example", "token": "T", "allow_insecure_http": "yes"}),
                "allow_insecure_http",
            ),
            (
                serde_json::json!({"base_url": "https://a.example", "token": "T", "max_body_size": 0}),
                "max_body_size",
            ),
            (
                serde_json::json!({"base_url": "https://a.example", "token": "T", "max_body_size": 1.5}),
                "max_body_size",
            ),
            (
                serde_json::json!({"base_url": "https://a.example", "token": "T", "nope": 1}),
                "nope",
            ),
        ] {
            assert_eq!(
                Client::from_json(&config).unwrap_err().field(),
                Some(field),
                "{config}"
            );
        }
    }

    #[test]
    fn bodies_over_the_limit_are_refused_before_parsing() {
        use crate::schema::endpoints::accept_reject::AcceptRejectParams;
        use crate::schema::endpoints::user_balance::UserBalanceParams;
        let c = Client::builder("https://a.example", "T")
            .max_body_size(8)
            .build()
            .unwrap();
        let e = c
            .parse::<UserBalanceParams>(200, b"{\"a\":\"bc\"}")
            .unwrap_err();
        assert_eq!((e.kind(), e.path()), ("decode", Some("$")));
        assert!(e.to_string().contains("over the limit of 8 bytes"), "{e}");
        let e = c
            .parse::<AcceptRejectParams>(200, b"{\"a\":\"bc\"}")
            .unwrap_err();
        assert_eq!((e.kind(), e.path()), ("outcome_unknown", Some("$")));
        // At the limit: parsed (and refused for its shape, not its size).
        let e = c.parse::<UserBalanceParams>(200, b"{\"a\":1}").unwrap_err();
        assert!(!e.to_string().contains("limit"), "{e}");
    }

    #[test]
    fn http_excerpts_are_scrubbed_before_they_are_cut() {
        const TOKEN: &str = "PWM6P4HRFR2VXBD1320EJWZ8A0EJK";
        let c = Client::new("https://a.example/home.php", TOKEN).unwrap();
        for offset in 150..260 {
            let body = format!(
                "{}/home.php/{TOKEN}/player_info/X {}",
                "x".repeat(offset),
                "y".repeat(300)
            );
            let e = c
                .parse::<crate::schema::endpoints::user_balance::UserBalanceParams>(
                    404,
                    body.as_bytes(),
                )
                .unwrap_err();
            let text = e.to_json().to_string();
            for n in 0..=TOKEN.len() - 8 {
                assert!(!text.contains(&TOKEN[n..n + 8]), "{offset}: {text}");
            }
        }
    }

    #[test]
    fn a_token_is_looked_for_in_callers_values_only_when_it_is_8_bytes_or_more() {
        let long = Client::new("https://a.example/home.php", "S3CR3T-T0KEN").unwrap();
        for held in [
            "x S3CR3T-T0KEN",
            "s3cr3t-t0ken",
            "S3CR3T%2DT0KEN y",
            r"S3CR3T\u002dT0KEN",
        ] {
            assert!(long.holds_token(held), "{held}");
        }
        assert!(!long.holds_token("S3CR3T-T0KE"));
        // A one-letter token is in ordinary words: never looked for there,
        // and the shown URL keeps its words (only the token's segment masked).
        let short = Client::new("https://a.example/home.php", "T").unwrap();
        assert!(!short.holds_token("deposit accept LOREM t"));
        let r = short.assemble_for(
            EndpointId::UserHistory,
            Method::Get,
            true,
            &["latest", "dps", "tom"],
            &[],
            None,
        );
        assert_eq!(
            r.redacted_url(),
            "https://a.example/home.php/***/latest/dps/tom"
        );
        let r = long.assemble_for(
            EndpointId::UserHistory,
            Method::Get,
            true,
            &["latest", "dps", "uS3CR3T-T0KEN"],
            &[],
            None,
        );
        assert_eq!(
            r.redacted_url(),
            "https://a.example/home.php/***/latest/dps/u***"
        );
    }

    #[test]
    fn token_rules_and_redaction() {
        for bad in ["", ".", "..", "a/b", "a\\b", "a b", "a\tb", "a\u{0}b"] {
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
    fn name_query_key_is_one_safe_key() {
        let c = Client::new("https://a.example", "T").unwrap();
        for bad in ["a&b=c", "", "a=b", "a?b", "a#b", "a b", "a%26b", "n/ame"] {
            let words = PathWords {
                name_query_key: bad.into(),
                ..PathWords::default()
            };
            assert_eq!(
                c.clone().with_path_words(words).unwrap_err().field(),
                Some("path_words.name_query_key"),
                "{bad:?}"
            );
        }
        let ok = PathWords {
            name_query_key: "NAME".into(),
            ..PathWords::default()
        };
        assert!(c.with_path_words(ok).is_ok());
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
