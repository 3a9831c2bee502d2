//! `idn-toto-sandbox`: run the simulator from the command line.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use idn_toto_sandbox::{
    base_url_for, random_token, serve, Config, HistoryOrder, HistoryView, Quirks, Seed,
};

/// A stateful local simulator of the IDNPLAY Integration Services API TOTO (2024.08.30).
///
/// Prints the base URL (`http://ADDR/home.php`) as the first line of stdout, then
/// `token: <TOKEN>` if the token was generated. Logs one line per request to stderr,
/// with the token redacted.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// The API token (default: a random one, printed at startup).
    #[arg(long)]
    token: Option<String>,
    /// A JSON seed file (default: the built-in seed; format in the README).
    #[arg(long)]
    seed: Option<PathBuf>,
    /// "Today" (YYYY-MM-DD) for full_transaction without `date` (default: the seed's).
    #[arg(long)]
    today: Option<String>,
    /// Reproduce the spec's literal oddities (`spec`) or not (`none`).
    #[arg(long, value_enum, default_value_t = Quirks::None)]
    quirks: Quirks,
    /// Delay every API request by this many milliseconds.
    #[arg(long, default_value_t = 0)]
    delay_ms: u64,
    /// Fraction (0..1) of API requests answered with an injected HTTP 500.
    #[arg(long, default_value_t = 0.0, value_parser = fail_rate)]
    fail_rate: f64,
    /// Seed for --fail-rate (same seed and request order, same failures).
    #[arg(long, default_value_t = 0)]
    fail_seed: u64,
    /// Don't log requests to stderr.
    #[arg(long)]
    quiet: bool,
    /// Close a connection that takes longer than this to send a request's
    /// headers, or stays idle this long between requests (milliseconds).
    #[arg(long, default_value_t = idn_toto_sandbox::DEFAULT_HEADER_TIMEOUT_MS, value_parser = clap::value_parser!(u64).range(1..))]
    header_timeout_ms: u64,
    /// The order the history endpoint lists entries in.
    #[arg(long, value_enum, default_value_t = HistoryOrder::Newest)]
    history_order: HistoryOrder,
    /// The history endpoint answers at most this many entries (the first
    /// ones in its order).
    #[arg(long)]
    history_cap: Option<usize>,
}

fn fail_rate(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(rate) if (0.0..=1.0).contains(&rate) => Ok(rate),
        _ => Err(String::from("expected a number between 0 and 1")),
    }
}

fn config(args: Args) -> Result<(Config, bool), String> {
    let mut seed = match &args.seed {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            Seed::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))?
        }
        None => Seed::builtin(),
    };
    if let Some(today) = &args.today {
        seed.set_today(today).map_err(|e| e.to_string())?;
    }
    let generated = args.token.is_none();
    let token = args.token.unwrap_or_else(random_token);
    if token.is_empty() || token.contains('/') {
        return Err(String::from("--token must be non-empty and contain no '/'"));
    }
    let config = Config {
        listen: args.listen,
        token,
        seed,
        quirks: args.quirks,
        delay_ms: args.delay_ms,
        fail_rate: args.fail_rate,
        fail_seed: args.fail_seed,
        log: !args.quiet,
        header_timeout_ms: args.header_timeout_ms,
        history: HistoryView {
            order: args.history_order,
            cap: args.history_cap,
        },
    };
    Ok((config, generated))
}

/// Registers for SIGINT (Ctrl-C) and, on Unix, SIGTERM right away (so a signal sent
/// as soon as the banner is printed is not lost), and completes on the first of them.
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}

/// A line on stderr; a closed or broken stderr is ignored (never a panic).
macro_rules! report {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

#[tokio::main]
async fn main() -> ExitCode {
    let (config, generated) = match config(Args::parse()) {
        Ok(config) => config,
        Err(message) => {
            report!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind(config.listen).await {
        Ok(listener) => listener,
        Err(e) => {
            report!("error: cannot listen on {}: {e}", config.listen);
            return ExitCode::FAILURE;
        }
    };
    let addr = match listener.local_addr() {
        Ok(addr) => addr,
        Err(e) => {
            report!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let shutdown = match shutdown_signal() {
        Ok(shutdown) => shutdown,
        Err(e) => {
            report!("error: cannot watch for signals: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout().lock();
    let mut banner = format!("{}\n", base_url_for(addr));
    if generated {
        banner.push_str(&format!("token: {}\n", config.token));
    }
    if stdout
        .write_all(banner.as_bytes())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        // Nobody reads stdout; keep serving anyway.
    }
    drop(stdout);
    match serve(listener, config, shutdown).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            report!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
