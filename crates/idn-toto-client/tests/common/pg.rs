//! A throwaway Postgres cluster (`initdb` + `pg_ctl` in a temporary
//! directory, on a free port of 127.0.0.1), for the Postgres store's tests,
//! the CLI's and the keyed-move benchmark (included with `#[path]`).
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Command;

/// A Postgres cluster in a temporary directory, stopped when dropped.
pub struct Cluster {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
    as_postgres: bool,
}

impl Cluster {
    /// Starts a cluster; `fsync` off for tests (durability is not what
    /// they check), on for a benchmark of real commits.
    pub fn start(fsync: bool) -> Cluster {
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
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync={}",
            cluster.port,
            cluster.dir.path().display(),
            if fsync { "on" } else { "off" }
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

    /// The same as a `postgres://` URL (what the CLI's `--journal` takes).
    pub fn url(&self) -> String {
        format!("postgres://idn@127.0.0.1:{}/postgres", self.port)
    }

    /// The connection string (trust authentication, user `idn`).
    pub fn dsn(&self) -> String {
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
pub fn pg_bin() -> PathBuf {
    find_pg_bin()
        .expect("Postgres is missing: no initdb (apt-get install postgresql; .ci/run installs it)")
}

fn find_pg_bin() -> Option<PathBuf> {
    if let Ok(dir) = std::env::var("IDN_TOTO_PG_BIN") {
        return Some(PathBuf::from(dir));
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
        return Some(dir);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path).find(|p| p.join("initdb").exists())
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

/// Whether a cluster can be started here (an `initdb` is found).
pub fn available() -> bool {
    find_pg_bin().is_some()
}
