//! What the live tests share: the sandbox, and the `idn-toto` binary run
//! against it as a user would.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use idn_toto_sandbox::{Config, Sandbox};
use serde_json::Value;

pub const TOKEN: &str = "CLI-LIVE-T0KEN-987654321";

pub fn sandbox() -> Sandbox {
    Sandbox::start(Config::default().with_token(TOKEN)).unwrap()
}

/// Runs `idn-toto` with the sandbox's URL and token in the environment,
/// stdin/stdout/stderr piped (no terminal).
pub fn run(sandbox: &Sandbox, args: &[&str]) -> Output {
    run_with(sandbox, args, true)
}

pub fn run_with(sandbox: &Sandbox, args: &[&str], token_env: bool) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args);
    run_command(sandbox, cmd, token_env)
}

/// The `idn-toto` binary.
pub const BIN: &str = env!("CARGO_BIN_EXE_idn-toto");

/// Runs `cmd` (the binary, or a wrapper that runs it) with the sandbox's
/// URL (and token) in the environment, stdio piped; checks that the token
/// was not printed.
pub fn run_command(sandbox: &Sandbox, mut cmd: Command, token_env: bool) -> Output {
    cmd.env("IDN_TOTO_BASE_URL", sandbox.base_url())
        .env_remove("IDN_TOTO_TOKEN")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if token_env {
        cmd.env("IDN_TOTO_TOKEN", sandbox.token());
    }
    let out = cmd.output().unwrap();
    for stream in [&out.stdout, &out.stderr] {
        let text = String::from_utf8_lossy(stream);
        assert!(!text.contains(TOKEN), "the token was printed: {text}");
    }
    out
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", stdout(out)))
}

pub fn served(sandbox: &Sandbox) -> u64 {
    let mut r = ureq::get(&format!("{}/stats", sandbox.admin_url()))
        .call()
        .unwrap();
    let v: Value = serde_json::from_slice(&r.body_mut().read_to_vec().unwrap()).unwrap();
    v["requests"].as_u64().unwrap()
}

pub fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A user's balance and pending transactions (the sandbox's admin view).
pub fn state(sandbox: &Sandbox, user: &str) -> Value {
    let mut r = ureq::get(&format!("{}/state/{user}", sandbox.admin_url()))
        .call()
        .unwrap();
    serde_json::from_slice(&r.body_mut().read_to_vec().unwrap()).unwrap()
}

/// A user's balance in cents (the sandbox answers it with two decimals).
pub fn cents(sandbox: &Sandbox, user: &str) -> i64 {
    let balance = state(sandbox, user)["balance"]
        .as_str()
        .unwrap()
        .replace('.', "");
    balance.parse().unwrap()
}

/// Starts `idn-toto args` with the sandbox's URL and token, stdout and
/// stderr piped (read them with `wait_with_output`).
pub fn spawn(sandbox: &Sandbox, args: &[&str]) -> Child {
    Command::new(BIN)
        .args(args)
        .env("IDN_TOTO_BASE_URL", sandbox.base_url())
        .env("IDN_TOTO_TOKEN", sandbox.token())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Kills `child` (SIGKILL) once the journal store `journal` holds at least
/// `intents` intent lines (its claims made: its request is about to leave
/// or in flight); fails if it ends first or takes over a minute.
pub fn kill_after_intents(mut child: Child, journal: &str, intents: usize) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let export = Command::new(BIN)
            .args(["journal", "export", journal])
            .output()
            .unwrap();
        let written = String::from_utf8_lossy(&export.stdout)
            .matches("\"event\":\"intent\"")
            .count();
        if written >= intents {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no {intents} intents within a minute"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "it ended before the kill"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
}
