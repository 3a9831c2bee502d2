//! No `tracing` event, error, `Debug` output or journal line shows the
//! token, in either flavour. One test in its own binary, with a global
//! capturing subscriber: `tracing` caches each callsite's interest, and a
//! scoped subscriber in one of several parallel tests can miss events.
#![cfg(all(feature = "blocking", feature = "tokio"))]
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use idn_toto_client::blocking::Client;

#[test]
fn no_event_debug_error_or_journal_line_shows_the_token() {
    let captured = Captured::default();
    tracing::subscriber::set_global_default(captured.subscriber()).unwrap();
    let sandbox = sandbox();
    let journal_dir = tempfile::tempdir().unwrap();
    let journal = journal_dir.path().join("journal.jsonl");
    let mut errors = Vec::new();
    for fault in ["echo-token", "drop", "html500"] {
        let c = Client::builder(sandbox.base_url(), sandbox.token())
            .retry(QUICK)
            .timeout(SHORT)
            .header("X-Sandbox-Fault", fault)
            .journal(&journal)
            .build()
            .unwrap();
        errors.push(c.send(&balance_of("LOREM")).unwrap_err());
        errors.push(c.send(&accept("123450002", "LOREM")).unwrap_err());
        assert_no_token(&format!("{c:?}"));
    }
    Client::new(sandbox.base_url(), sandbox.token())
        .unwrap()
        .send(&balance_of("LOREM"))
        .unwrap();

    // The async client, on its own runtime.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        for fault in ["echo-token", "drop"] {
            let c = idn_toto_client::Client::builder(sandbox.base_url(), sandbox.token())
                .retry(QUICK)
                .timeout(SHORT)
                .header("X-Sandbox-Fault", fault)
                .build()
                .unwrap();
            errors.push(c.send(&balance_of("IPSUM")).await.unwrap_err());
            errors.push(c.send(&accept("123450003", "IPSUM")).await.unwrap_err());
            assert_no_token(&format!("{c:?}"));
        }
    });

    let log = captured.text();
    assert!(
        log.contains("idn_toto{op=\"call\" endpoint=\"user_balance\"}"),
        "spans are recorded: {log}"
    );
    for seen in [
        "/***/player_info/LOREM",
        "/***/player_info/IPSUM",
        "/***/push_dps/123450003/IPSUM",
        "retry after 10 ms",
        "kind=\"transport_failure\"",
        "kind=\"response\"",
        "status=500",
        "kind=\"done\"",
    ] {
        assert!(log.contains(seen), "{seen} not in {log}");
    }
    assert_no_token(&log);
    assert_eq!(errors.len(), 10);
    for e in &errors {
        assert_no_token(&e.to_string());
        assert_no_token(&format!("{e:?}"));
        assert_no_token(&e.to_json().to_string());
    }
    assert_no_token(&std::fs::read_to_string(&journal).unwrap());
    let builder =
        Client::builder(sandbox.base_url(), sandbox.token()).proxy("http://u:p@127.0.0.1:9");
    assert_no_token(&format!("{builder:?}"));
    assert!(!format!("{builder:?}").contains("u:p"));
}
