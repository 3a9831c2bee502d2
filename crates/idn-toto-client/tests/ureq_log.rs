//! ureq writes the request line (with the path, so the token) in its own
//! `log` records at TRACE. The switch that silences it, documented in the
//! crate's README: keep the targets `ureq` and `ureq_proto` at `debug` or
//! below (`RUST_LOG=trace,ureq=debug,ureq_proto=debug`; the same
//! directives in tracing-subscriber's `EnvFilter`). This test installs a
//! logger at TRACE with exactly that filter and finds ureq's lines but no
//! token in them. (Its own binary: a `log` logger is process-wide.)
#![cfg(feature = "blocking")]
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Mutex;

use common::*;
use idn_toto_client::blocking::Client;

struct Capture(Mutex<Vec<String>>);

impl log::Log for Capture {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        let t = metadata.target();
        let ureq = t == "ureq" || t.starts_with("ureq::") || t.starts_with("ureq_proto");
        !ureq || metadata.level() <= log::Level::Debug
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            let line = format!("{} {} {}", record.level(), record.target(), record.args());
            self.0.lock().unwrap().push(line);
        }
    }

    fn flush(&self) {}
}

static CAPTURE: Capture = Capture(Mutex::new(Vec::new()));

#[test]
fn ureq_logs_no_token_with_the_documented_filter() {
    log::set_logger(&CAPTURE).unwrap();
    log::set_max_level(log::LevelFilter::Trace);
    let sandbox = sandbox();
    let client: Client = quick::<Client>(&sandbox).build().unwrap();
    client.send(&balance_of("LOREM")).unwrap();
    client.send(&accept("0000000001", "LOREM")).ok();
    let lines = CAPTURE.0.lock().unwrap().clone();
    assert!(
        lines.iter().any(|l| l.contains(" ureq")),
        "ureq logged nothing, so this test proves nothing: {lines:?}"
    );
    for line in &lines {
        assert_no_token(line);
    }
}
