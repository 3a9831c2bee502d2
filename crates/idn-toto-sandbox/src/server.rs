//! The HTTP layer: one axum fallback handler, request logging, faults, start/stop.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State as Shared};
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::Response;
use axum::Router;

use crate::api::{self, Reply};
use crate::config::{Config, HistoryView, Quirks};
use crate::faults::{self, Fault, Faults};
use crate::routes::{self, RouteError};
use crate::seed::Seed;
use crate::state::State;
use crate::{admin, bank, wire};

/// The largest request body used (1 MiB); a larger one is answered as malformed.
const MAX_BODY: usize = 1 << 20;

/// How much of an oversized body is read and discarded (so the client, still
/// sending, gets the answer rather than a reset) before the connection is cut.
const DRAIN_LIMIT: usize = 64 << 20;

/// Everything the handler shares between requests.
#[derive(Debug)]
pub(crate) struct App {
    token: String,
    quirks: Quirks,
    history: HistoryView,
    delay_ms: u64,
    fail_rate: f64,
    fail_seed: u64,
    log: bool,
    seed: Arc<Seed>,
    state: Mutex<State>,
    fail_rng: Mutex<fastrand::Rng>,
    /// API requests seen (admin requests excluded).
    pub(crate) requests: AtomicU64,
    /// How long a request body may take to arrive (the header timeout).
    body_timeout: Duration,
}

/// Locks a mutex, recovering the data if a previous holder panicked (the state is
/// only changed by operations that complete or leave it untouched).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl admin::Admin for App {
    fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    fn reset(&self) {
        App::reset(self);
    }

    fn with_state(&self, f: &mut dyn FnMut(&State) -> Reply) -> Reply {
        f(&self.lock())
    }
}

impl App {
    fn new(config: Config) -> App {
        let seed = Arc::new(config.seed);
        App {
            state: Mutex::new(State::new(Arc::clone(&seed))),
            fail_rng: Mutex::new(fastrand::Rng::with_seed(config.fail_seed)),
            token: config.token,
            quirks: config.quirks,
            history: config.history,
            delay_ms: config.delay_ms,
            fail_rate: config.fail_rate,
            fail_seed: config.fail_seed,
            log: config.log,
            seed,
            requests: AtomicU64::new(0),
            body_timeout: Duration::from_millis(config.header_timeout_ms.max(1)),
        }
    }

    /// The state, locked.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    /// Back to the seed; the `--fail-rate` generator restarts too.
    pub(crate) fn reset(&self) {
        *self.lock() = State::new(Arc::clone(&self.seed));
        *lock(&self.fail_rng) = fastrand::Rng::with_seed(self.fail_seed);
    }

    fn should_fail(&self) -> bool {
        self.fail_rate > 0.0 && lock(&self.fail_rng).f64() < self.fail_rate
    }
}

fn respond_with(status: StatusCode, content_type: &'static str, body: String) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

fn json(quirks: Quirks, reply: Reply) -> Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let content_type = match quirks {
        Quirks::None => "application/json",
        Quirks::Spec => "text/html; charset=UTF-8",
    };
    respond_with(status, content_type, reply.body)
}

fn html(status: StatusCode) -> Response {
    respond_with(
        status,
        "text/html; charset=UTF-8",
        faults::html_page(status),
    )
}

/// A `status` answer asking the client to come back in `secs` seconds.
fn retry_after(status: StatusCode, secs: u64) -> Response {
    let mut response = json(
        Quirks::None,
        Reply {
            status: status.as_u16(),
            body: wire::failure("Too many requests, try again later"),
        },
    );
    if let Ok(value) = axum::http::HeaderValue::from_str(&secs.to_string()) {
        response
            .headers_mut()
            .insert(axum::http::header::RETRY_AFTER, value);
    }
    response
}

fn error_500(message: &str) -> Response {
    respond_with(
        StatusCode::INTERNAL_SERVER_ERROR,
        "application/json",
        wire::failure(message),
    )
}

/// The path and query for the log, percent-decoded, with the token replaced
/// by `***` wherever it appears (ASCII case-insensitively): after
/// `/home.php/`, after an empty segment, under another prefix, in the query,
/// percent-encoded. Control characters are escaped.
fn redacted(uri: &Uri, token: &str) -> String {
    let raw = match uri.query() {
        Some(query) => format!("{}?{query}", uri.path()),
        None => uri.path().to_owned(),
    };
    // Decoded until nothing changes (a token percent-encoded twice is still
    // the token), then scrubbed.
    let mut decoded = raw;
    for _ in 0..4 {
        let next = percent_encoding::percent_decode_str(&decoded)
            .decode_utf8_lossy()
            .into_owned();
        if next == decoded {
            break;
        }
        decoded = next;
    }
    let scrubbed = scrub(&decoded, token);
    scrubbed
        .chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect()
}

/// `text` with every ASCII-case-insensitive occurrence of `token` replaced
/// by `***`.
fn scrub(text: &str, token: &str) -> String {
    if token.is_empty() {
        return text.to_owned();
    }
    let folded_text = text.to_ascii_lowercase();
    let folded_token = token.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    while let Some(found) = folded_text[at..].find(&folded_token) {
        let start = at + found;
        out.push_str(&text[at..start]);
        out.push_str("***");
        at = start + folded_token.len();
    }
    out.push_str(&text[at..]);
    out
}

/// One log line on stderr. A closed or broken stderr is ignored: logging
/// never costs an answer (`eprintln!` would panic the connection's task).
fn log_line(line: &str) {
    use std::io::Write as _;
    let _ = writeln!(io::stderr().lock(), "{line}");
}

async fn handle(Shared(app): Shared<Arc<App>>, request: Request) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let logged = app.log.then(|| redacted(request.uri(), &app.token));
    let response = respond(&app, request).await;
    if let Some(logged) = logged {
        let outcome = if response.extensions().get::<DroppedMarker>().is_some() {
            String::from("dropped")
        } else {
            response.status().as_u16().to_string()
        };
        log_line(&format!(
            "{method} {logged} {outcome} {:.1}ms",
            started.elapsed().as_secs_f64() * 1000.0
        ));
    }
    response
}

/// Marks a response built by [`faults::dropped`], for the log.
#[derive(Debug, Clone, Copy)]
struct DroppedMarker;

fn dropped() -> Response {
    let mut response = faults::dropped();
    response.extensions_mut().insert(DroppedMarker);
    response
}

async fn respond(app: &Arc<App>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path();
    if path == bank::PATH && parts.method == axum::http::Method::GET {
        return bank::credits(&app.seed.bank, parts.uri.query());
    }
    if path == admin::PREFIX || path.starts_with("/__sandbox/") {
        return json(
            Quirks::None,
            admin::handle(app.as_ref(), &parts.method, path),
        );
    }
    app.requests.fetch_add(1, Ordering::Relaxed);
    if app.delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(app.delay_ms)).await;
    }

    let requested = match parts.headers.get(faults::HEADER) {
        None => Some(Faults::default()),
        Some(value) => value.to_str().ok().and_then(Faults::parse),
    };
    let Some(requested) = requested else {
        let reply = Reply {
            status: 400,
            body: wire::failure("Invalid X-Sandbox-Fault header"),
        };
        return json(Quirks::None, reply);
    };
    if requested.delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(requested.delay_ms)).await;
    }
    match requested.fault {
        Some(Fault::Error500) => return error_500("Internal Server Error"),
        Some(Fault::Html) => return html(StatusCode::OK),
        Some(Fault::Html500) => return html(StatusCode::INTERNAL_SERVER_ERROR),
        Some(Fault::Drop) => return dropped(),
        Some(Fault::EchoToken) => {
            return error_500(&format!("Internal Server Error at {}", parts.uri));
        }
        Some(Fault::TooManyRequests(secs)) => {
            return retry_after(StatusCode::TOO_MANY_REQUESTS, secs)
        }
        Some(Fault::Unavailable(secs)) => {
            return retry_after(StatusCode::SERVICE_UNAVAILABLE, secs)
        }
        Some(Fault::Error500After | Fault::DropAfter | Fault::Late(_)) | None => {}
    }
    if app.should_fail() {
        return error_500("Internal Server Error");
    }

    let route = match routes::parse(parts.method.as_str(), path, parts.uri.query(), &app.token) {
        Ok(route) => route,
        Err(error) => {
            let (status, message) = match error {
                RouteError::Unknown => (404, api::UNKNOWN_ENDPOINT),
                RouteError::InvalidToken => (403, api::INVALID_TOKEN),
                RouteError::BadEncoding => (400, api::BAD_ENCODING),
            };
            let reply = Reply {
                status,
                body: wire::failure(message),
            };
            return json(app.quirks, reply);
        }
    };
    let body = if route.has_body() {
        // A body that stalls is not waited for longer than a header.
        match tokio::time::timeout(app.body_timeout, read_body(body)).await {
            // Too large or broken: an empty body, which every POST endpoint refuses as malformed.
            Ok(body) => body.unwrap_or_default(),
            Err(_) => return dropped(),
        }
    } else {
        Vec::new()
    };
    if let Some(Fault::Late(ms)) = requested.fault {
        // The answer is lost now; the request is processed later, detached
        // from the connection (as a PHP worker goes on after the client left).
        let app = Arc::clone(app);
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            let _ = api::execute(&mut app.lock(), route, &body, app.quirks, app.history);
        });
        return dropped();
    }
    let reply = api::execute(&mut app.lock(), route, &body, app.quirks, app.history);
    match requested.fault {
        Some(Fault::Error500After) => error_500("Internal Server Error"),
        Some(Fault::DropAfter) => dropped(),
        _ => json(app.quirks, reply),
    }
}

/// Reads a request body of at most [`MAX_BODY`] bytes; `None` if it is larger (after
/// discarding up to [`DRAIN_LIMIT`] bytes of it) or the stream fails.
async fn read_body(mut body: Body) -> Option<Vec<u8>> {
    use http_body::Body as _;
    let mut kept = Vec::new();
    let mut total = 0_usize;
    loop {
        let frame = std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await;
        let Some(frame) = frame else { break };
        let Ok(data) = frame.ok()?.into_data() else {
            continue;
        };
        total = total.saturating_add(data.len());
        if total > DRAIN_LIMIT {
            return None;
        }
        if total <= MAX_BODY {
            kept.extend_from_slice(&data);
        }
    }
    (total <= MAX_BODY).then_some(kept)
}

/// The API base URL for a listening address: `http://ADDR/home.php`.
pub fn base_url_for(addr: SocketAddr) -> String {
    format!("http://{addr}{}", routes::PREFIX)
}

/// Serves the sandbox on `listener` until `shutdown` completes, then finishes the
/// requests in flight and returns.
///
/// Use this inside your own tokio runtime; [`Sandbox::start`] runs one for you.
pub async fn serve<F>(
    listener: tokio::net::TcpListener,
    config: Config,
    shutdown: F,
) -> io::Result<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    let header_timeout = Duration::from_millis(config.header_timeout_ms.max(1));
    let app = Arc::new(App::new(config));
    let router = Router::new().fallback(handle).with_state(app);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of descriptors or a connection reset before it was
                // accepted: wait a little instead of spinning, keep serving.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = hyper_util::service::TowerToHyperService::new(router.clone());
        let mut http = hyper::server::conn::http1::Builder::new();
        // The header-read timer also runs while a kept-alive connection
        // waits for its next request: idle connections are closed too.
        http.timer(hyper_util::rt::TokioTimer::new())
            .header_read_timeout(header_timeout);
        let connection = http.serve_connection(hyper_util::rt::TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // A client that goes away mid-request is its own business.
            let _ = connection.await;
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// A sandbox running in the background on its own thread and tokio runtime.
///
/// Dropping it (or calling [`Sandbox::shutdown`]) stops the server.
///
/// ```
/// use idn_toto_sandbox::{Config, Sandbox};
///
/// let sandbox = Sandbox::start(Config::default()).expect("bind 127.0.0.1:0");
/// // e.g. http://127.0.0.1:40123/home.php and a random token
/// println!("{} {}", sandbox.base_url(), sandbox.token());
/// let balance_url = format!("{}/player_info/LOREM", sandbox.api_url());
/// # let _ = balance_url;
/// ```
#[derive(Debug)]
pub struct Sandbox {
    addr: SocketAddr,
    base_url: String,
    token: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<io::Result<()>>>,
}

impl Sandbox {
    /// Binds `config.listen` (synchronously, so the port is known on return) and
    /// starts serving on a background thread.
    pub fn start(config: Config) -> io::Result<Sandbox> {
        let listener = std::net::TcpListener::bind(config.listen)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let token = config.token.clone();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("idn-toto-sandbox")
            .enable_all()
            .build()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name(String::from("idn-toto-sandbox"))
            .spawn(move || {
                runtime.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener)?;
                    serve(listener, config, async move {
                        // Either a stop signal or the handle was dropped: stop both ways.
                        let _ = stopped.await;
                    })
                    .await
                })
            })?;
        Ok(Sandbox {
            addr,
            base_url: base_url_for(addr),
            token,
            shutdown: Some(stop),
            thread: Some(thread),
        })
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT/home.php`: the spec's `http://example.com/home.php`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The token clients must send.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// `base_url/TOKEN`: append an endpoint path such as `/player_info/LOREM`.
    pub fn api_url(&self) -> String {
        format!("{}/{}", self.base_url, self.token)
    }

    /// `http://127.0.0.1:PORT/__sandbox`: the sandbox-only admin endpoints.
    pub fn admin_url(&self) -> String {
        format!("http://{}{}", self.addr, admin::PREFIX)
    }

    /// Stops the server, waits for requests in flight, and reports a serve error.
    pub fn shutdown(mut self) -> io::Result<()> {
        self.stop()
    }

    fn stop(&mut self) -> io::Result<()> {
        if let Some(stop) = self.shutdown.take() {
            let _ = stop.send(());
        }
        match self.thread.take().map(std::thread::JoinHandle::join) {
            None => Ok(()),
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(io::Error::other("the sandbox thread panicked")),
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::redacted;
    use axum::http::Uri;

    #[test]
    fn redacts_the_token_anywhere() {
        let cases = [
            (
                "/home.php/SECRET42/player_info/x?date=1",
                "/home.php/***/player_info/x?date=1",
            ),
            ("/home.php/SECRET42", "/home.php/***"),
            ("/__sandbox/stats", "/__sandbox/stats"),
            ("/SECRET42/player_info/X", "/***/player_info/X"),
            (
                "/home.php//SECRET42/player_info/X",
                "/home.php//***/player_info/X",
            ),
            (
                "/index.php/SECRET42/player_info/X",
                "/index.php/***/player_info/X",
            ),
            ("/home.php/%53ECRET%34%32/x", "/home.php/***/x"),
            ("/home.php/secret42/x", "/home.php/***/x"),
            (
                "/home.php/x?token=SECRET42&t=%53ECRET42",
                "/home.php/x?token=***&t=***",
            ),
            ("/home.php/x%0Ay", "/home.php/x\\ny"),
        ];
        for (raw, logged) in cases {
            let uri: Uri = raw.parse().expect("uri");
            assert_eq!(redacted(&uri, "SECRET42"), logged, "{raw}");
        }
    }
}
