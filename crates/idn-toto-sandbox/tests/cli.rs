//! The binary: startup banner, request log without the token, seed file, SIGTERM.
#![cfg(unix)]

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};

use common::agent;

fn spawn(args: &[&str]) -> (Child, BufReader<std::process::ChildStdout>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_idn-toto-sandbox"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the sandbox binary");
    let stdout = BufReader::new(child.stdout.take().expect("stdout"));
    (child, stdout)
}

fn line(stdout: &mut BufReader<std::process::ChildStdout>) -> String {
    let mut line = String::new();
    stdout.read_line(&mut line).expect("read stdout");
    line.trim_end().to_owned()
}

/// SIGTERM, then the exit status, the rest of stdout, and all of stderr.
fn terminate(
    mut child: Child,
    mut stdout: BufReader<std::process::ChildStdout>,
) -> (bool, String, String) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let exit = child.wait().expect("wait");
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).expect("stdout");
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("stderr");
    (exit.success(), rest, stderr)
}

#[test]
fn prints_url_and_generated_token_and_never_logs_it() {
    let (child, mut stdout) = spawn(&[]);
    let base = line(&mut stdout);
    assert!(
        base.starts_with("http://127.0.0.1:") && base.ends_with("/home.php"),
        "{base}"
    );
    let token_line = line(&mut stdout);
    let token = token_line
        .strip_prefix("token: ")
        .expect("token line")
        .to_owned();
    assert!(token.len() >= 16, "{token}");

    let agent = agent();
    let mut response = agent
        .get(&format!("{base}/{token}/player_info/LOREM"))
        .call()
        .expect("answer");
    let body = response.body_mut().read_to_string().expect("body");
    assert!(body.contains("\"balance\":\"8900.00\""), "{body}");
    let echoed = agent
        .get(&format!("{base}/{token}/dps"))
        .header("X-Sandbox-Fault", "echo-token")
        .call()
        .expect("answer");
    assert_eq!(echoed.status().as_u16(), 500);

    let (clean, rest, stderr) = terminate(child, stdout);
    assert!(clean, "graceful exit on SIGTERM; stderr: {stderr}");
    assert_eq!(rest, "");
    assert!(
        stderr.contains("GET /home.php/***/player_info/LOREM 200"),
        "{stderr}"
    );
    assert!(stderr.contains("GET /home.php/***/dps 500"), "{stderr}");
    assert!(
        !stderr.contains(&token),
        "token leaked into the log: {stderr}"
    );
}

#[test]
fn given_token_seed_file_and_today() {
    let dir = std::env::temp_dir().join(format!("idn-toto-sandbox-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let seed = dir.join("seed.json");
    std::fs::write(
        &seed,
        r#"{"today":"2030-01-02","full_transaction_page_size":1,"banks":["BCA"],
            "users":[{"user":"solo","balance":"1.50","joindate":"2020-01-01 00:00:00.0000000"}],
            "full_transactions":[
              {"user":"solo","date":"2030-01-01","periode":"2","gamecode":"g","pasar":"P","turnover":"1","winlose":"-1"},
              {"user":"solo","date":"2030-01-01","periode":"1","gamecode":"g","pasar":"P","turnover":"1","winlose":"0"}]}"#,
    )
    .expect("write seed");
    let seed_arg = seed.to_string_lossy().into_owned();
    let (child, mut stdout) = spawn(&[
        "--token",
        "MYTOKEN",
        "--seed",
        &seed_arg,
        "--today",
        "2030-01-01",
        "--quiet",
    ]);
    let base = line(&mut stdout);
    let agent = agent();
    let mut response = agent
        .get(&format!("{base}/MYTOKEN/full_transaction/solo/2"))
        .call()
        .expect("answer");
    let body = response.body_mut().read_to_string().expect("body");
    assert_eq!(
        body,
        r#"{"success":true,"message":"Success","total_data":"2 Rows","total_page":"2 Page(s)","data":[{"user":"solo","date":"2030-01-01","periode":"1","gamecode":"g","pasar":"P","turnover":"1.00","winlose":"0.00"}]}"#
    );
    let (clean, rest, stderr) = terminate(child, stdout);
    assert!(clean);
    assert_eq!(rest, "", "no token line when the token is given");
    assert_eq!(stderr, "", "--quiet logs nothing");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_arguments_exit_with_an_error() {
    for args in [
        &["--fail-rate", "2"][..],
        &["--today", "2024-13-01"][..],
        &["--seed", "/nonexistent/seed.json"][..],
        &["--quirks", "weird"][..],
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_idn-toto-sandbox"))
            .args(args)
            .output()
            .expect("run");
        assert!(!output.status.success(), "{args:?}");
        assert!(output.stdout.is_empty(), "{args:?}");
    }
}
