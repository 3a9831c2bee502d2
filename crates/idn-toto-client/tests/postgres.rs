//! `PostgresStore` against a real Postgres: a throwaway cluster this test
//! starts itself (`initdb` + `pg_ctl` in a temporary directory, on a free
//! port of 127.0.0.1), the claim protocol run by many connections at once
//! (issue 22). `.ci/run` installs Postgres when it is missing.
#![cfg(feature = "postgres")]
#![allow(clippy::unwrap_used)]

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Arc, Barrier};

use idn_toto_client::idn_toto::{
    EndpointId, ItemStatus, Journal, JournalRecord, KeyDecision, KeyState,
};
use idn_toto_client::PostgresStore;
use serde_json::json;

#[path = "common/keys.rs"]
mod keys;
use keys::{claim, intent, key, SERVER};

/// A Postgres cluster in a temporary directory, stopped when dropped.
struct Cluster {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
    as_postgres: bool,
}

impl Cluster {
    fn start() -> Cluster {
        let bin = pg_bin();
        let dir = tempfile::tempdir().unwrap();
        // initdb refuses to run as root: the cluster is then the postgres
        // user's, in a directory it owns.
        let as_postgres = run_output("id", &["-u"]).trim() == "0";
        if as_postgres {
            run("chown", &["-R", "postgres", dir.path().to_str().unwrap()]);
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let cluster = Cluster {
            bin,
            dir,
            port,
            as_postgres,
        };
        let data = cluster.data();
        cluster.pg(
            "initdb",
            &["-D", &data, "-A", "trust", "-U", "idn", "--no-sync"],
        );
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            cluster.port,
            cluster.dir.path().display()
        );
        let log = cluster.dir.path().join("log").display().to_string();
        cluster.pg(
            "pg_ctl",
            &["-D", &data, "-o", &options, "-l", &log, "-w", "start"],
        );
        cluster
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn dsn(&self) -> String {
        format!("host=127.0.0.1 port={} user=idn dbname=postgres", self.port)
    }

    /// Runs one of the cluster's programs (as the postgres user under root).
    fn pg(&self, program: &str, args: &[&str]) {
        let exe = self.bin.join(program).display().to_string();
        if self.as_postgres {
            let mut all = vec!["-u", "postgres", "--", exe.as_str()];
            all.extend_from_slice(args);
            run("runuser", &all);
        } else {
            run(&exe, args);
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.data();
        self.pg("pg_ctl", &["-D", &data, "-m", "immediate", "-w", "stop"]);
    }
}

/// Where `initdb` and `pg_ctl` are: `IDN_TOTO_PG_BIN`, Debian's
/// `/usr/lib/postgresql/<version>/bin` (newest first), or the `PATH`.
fn pg_bin() -> PathBuf {
    if let Ok(dir) = std::env::var("IDN_TOTO_PG_BIN") {
        return PathBuf::from(dir);
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path().join("bin"))
                .collect()
        })
        .unwrap_or_default();
    versions.retain(|p| p.join("initdb").exists());
    versions.sort();
    if let Some(dir) = versions.pop() {
        return dir;
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .find(|p| p.join("initdb").exists())
        .expect("Postgres is missing: no initdb (apt-get install postgresql; .ci/run installs it)")
}

fn run(program: &str, args: &[&str]) {
    let out = Command::new(program).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn run_output(program: &str, args: &[&str]) -> String {
    String::from_utf8(Command::new(program).args(args).output().unwrap().stdout).unwrap()
}

#[test]
fn the_claim_protocol_on_a_real_postgres() {
    let cluster = Cluster::start();
    let store = PostgresStore::connect(&cluster.dsn()).unwrap();
    let k = key();
    let first = intent("j1", "100");
    assert_eq!(
        store.claim(&claim(&first, "h1", 0)).unwrap(),
        KeyDecision::Claim
    );
    let second = intent("j2", "100");
    assert_eq!(
        store.claim(&claim(&second, "h2", 999)).unwrap(),
        KeyDecision::InUse {
            lease_until_ms: 1_000
        }
    );
    // The holder crashed: after its lease, settle first.
    assert_eq!(
        store.claim(&claim(&second, "h2", 1_000)).unwrap(),
        KeyDecision::Settle
    );
    let other = intent("j3", "101");
    assert!(matches!(
        store.claim(&claim(&other, "h3", 5_000)).unwrap(),
        KeyDecision::Conflict { .. }
    ));
    let outcome = first.outcome(ItemStatus::Succeeded, Some("Success".into()), "t");
    store
        .record(
            SERVER,
            &k,
            "j1",
            KeyState::Succeeded,
            Some("Success"),
            &outcome.to_line(),
        )
        .unwrap();
    let later = intent("j4", "100");
    assert_eq!(
        store.claim(&claim(&later, "h4", 9_999_999)).unwrap(),
        KeyDecision::AlreadyDone
    );
    // A second connection sees the same, and the export is the journal.
    let again = PostgresStore::connect(&cluster.dsn()).unwrap();
    let record = again.key(SERVER, &k).unwrap().unwrap();
    assert_eq!(
        (record.state, record.snapshot.is_some()),
        (KeyState::Succeeded, true)
    );
    let text = again.export().unwrap();
    assert_eq!(text, format!("{}{}", first.to_line(), outcome.to_line()));
    assert_eq!(
        Journal::read(&text).unwrap().key_records()[0].state,
        KeyState::Succeeded
    );
    // The driver's lines (a client with this store as its journal): a move
    // without a key is appended; a keyed intent is only written by its claim.
    let plain = JournalRecord::intent(
        "p1",
        EndpointId::ManualTransaction,
        json!({"type": "deposit", "user": "IPSUM", "amount": "5", "comment": "c", "operator": "OP01"}),
        None,
        "t",
    )
    .unwrap()
    .with_server(SERVER);
    again
        .append_lines(&[
            plain.to_line(),
            plain.outcome(ItemStatus::Failed, None, "t").to_line(),
        ])
        .unwrap();
    assert!(again
        .append_lines(&[intent("j9", "100").to_line()])
        .is_err());
    let journal = Journal::read(&again.export().unwrap()).unwrap();
    assert_eq!(journal.records.len(), 4);
    assert!(journal.unsettled().is_empty());
    // A bad connection string is an error naming the journal, without it.
    let e = PostgresStore::connect("host=127.0.0.1 port=1 user=idn password=S3CRET-PW dbname=x")
        .unwrap_err();
    let shown = e.to_string();
    assert!(
        shown.contains("journal") && !shown.contains("S3CRET-PW"),
        "{shown}"
    );
}

#[test]
fn eight_connections_claim_a_key_once() {
    let cluster = Cluster::start();
    PostgresStore::connect(&cluster.dsn()).unwrap();
    let barrier = Arc::new(Barrier::new(8));
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let (dsn, barrier) = (cluster.dsn(), Arc::clone(&barrier));
            std::thread::spawn(move || {
                let store = PostgresStore::connect(&dsn).unwrap();
                let record = intent(&format!("j{t}"), "100");
                let holder = format!("h{t}");
                barrier.wait();
                store.claim(&claim(&record, &holder, 0)).unwrap()
            })
        })
        .collect();
    let decisions: Vec<KeyDecision> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(
        decisions
            .iter()
            .filter(|d| **d == KeyDecision::Claim)
            .count(),
        1,
        "{decisions:?}"
    );
    assert!(decisions
        .iter()
        .all(|d| matches!(d, KeyDecision::Claim | KeyDecision::InUse { .. })));
    let store = PostgresStore::connect(&cluster.dsn()).unwrap();
    assert_eq!(
        store.export().unwrap().lines().count(),
        1,
        "one intent line"
    );
}
