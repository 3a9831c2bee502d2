//! `from_env`: its own test binary, since it sets process-wide variables.
#![cfg(feature = "blocking")]
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use idn_toto_client::blocking::Client;

#[test]
fn from_env_reads_the_base_url_and_the_token() {
    let sandbox = sandbox();
    std::env::remove_var("IDN_TOTO_BASE_URL");
    std::env::remove_var("IDN_TOTO_TOKEN");
    let e = Client::from_env().unwrap_err();
    assert_eq!(e.field(), Some("IDN_TOTO_BASE_URL"));
    std::env::set_var("IDN_TOTO_BASE_URL", sandbox.base_url());
    let e = Client::from_env().unwrap_err();
    assert_eq!(e.field(), Some("IDN_TOTO_TOKEN"));
    std::env::set_var("IDN_TOTO_TOKEN", sandbox.token());
    let client = Client::from_env().unwrap();
    assert_no_token(&format!("{client:?}"));
    assert_eq!(
        client
            .send(&balance_of("LOREM"))
            .unwrap()
            .balance
            .to_string(),
        "8900.00"
    );
    #[cfg(feature = "tokio")]
    {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let client = idn_toto_client::Client::from_env().unwrap();
        assert_no_token(&format!("{client:?}"));
        let balance = runtime.block_on(client.send(&balance_of("LOREM"))).unwrap();
        assert_eq!(balance.balance.to_string(), "8900.00");
    }
}
