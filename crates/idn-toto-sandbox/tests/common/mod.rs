//! Shared helpers: start a sandbox on 127.0.0.1:0 and talk to it over real HTTP.
#![allow(dead_code, unreachable_pub)]

use idn_toto_sandbox::{Config, Quirks, Sandbox};
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde_json::Value;

/// The token every test sandbox uses.
pub const TOKEN: &str = "TESTTOKEN123";

/// A running sandbox plus an HTTP agent that doesn't turn 4xx/5xx into errors.
pub struct Harness {
    pub sandbox: Sandbox,
    pub agent: ureq::Agent,
}

/// What came back: status and body text.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: String,
}

impl Answer {
    /// The body as JSON; panics (failing the test) if it isn't.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// Percent-encodes one path segment.
pub fn seg(text: &str) -> String {
    utf8_percent_encode(text, NON_ALPHANUMERIC).to_string()
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

impl Harness {
    pub fn start() -> Harness {
        Harness::with(Config::default().with_token(TOKEN))
    }

    pub fn with_quirks(quirks: Quirks) -> Harness {
        Harness::with(Config::default().with_token(TOKEN).with_quirks(quirks))
    }

    pub fn with(config: Config) -> Harness {
        let sandbox = Sandbox::start(config).expect("start sandbox");
        Harness {
            sandbox,
            agent: agent(),
        }
    }

    /// `base_url/TOKEN` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sandbox.api_url())
    }

    fn answer(result: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Answer {
        let mut response = result.expect("HTTP exchange");
        let status = response.status().as_u16();
        let body = response.body_mut().read_to_string().expect("body");
        Answer { status, body }
    }

    /// `GET base_url/TOKEN/path`.
    pub fn get(&self, path: &str) -> Answer {
        Harness::answer(self.agent.get(self.url(path)).call())
    }

    /// `GET` of a full URL.
    pub fn get_url(&self, url: &str) -> Answer {
        Harness::answer(self.agent.get(url).call())
    }

    /// `GET` with an `X-Sandbox-Fault` header; `Err` when the connection was dropped.
    pub fn get_fault(&self, path: &str, fault: &str) -> Result<Answer, ureq::Error> {
        let mut response = self
            .agent
            .get(self.url(path))
            .header("X-Sandbox-Fault", fault)
            .call()?;
        let status = response.status().as_u16();
        let body = response.body_mut().read_to_string()?;
        Ok(Answer { status, body })
    }

    /// `POST base_url/TOKEN/path` with `body`.
    pub fn post(&self, path: &str, body: &str) -> Answer {
        Harness::answer(
            self.agent
                .post(self.url(path))
                .header("Content-Type", "application/json")
                .send(body),
        )
    }

    /// `GET /__sandbox/state/USER` as JSON.
    pub fn admin_state(&self, user: &str) -> Value {
        let url = format!("{}/state/{}", self.sandbox.admin_url(), seg(user));
        Harness::answer(self.agent.get(url).call()).json()
    }

    /// The user's balance as shown by `player_info`.
    pub fn balance(&self, user: &str) -> String {
        let body = self.get(&format!("/player_info/{}", seg(user))).json();
        body["balance"].as_str().expect("balance").to_owned()
    }
}

/// `{"success":false,"message":<message>}`.
pub fn failure(message: &str) -> Value {
    serde_json::json!({"success": false, "message": message})
}
