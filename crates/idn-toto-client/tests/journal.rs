//! The journal file (issue 20, J1-J5): the core's rules, run by the blocking
//! client against the sandbox on 127.0.0.1 port 0 and by `FileJournal`
//! itself, with a real full disk (`RLIMIT_FSIZE`, in a child process).
#![cfg(feature = "blocking")]
#![allow(clippy::unwrap_used)]

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::*;
use idn_toto::*;
use idn_toto_client::blocking::Client;
use idn_toto_client::FileJournal;
use idn_toto_sandbox::Sandbox;

/// A line the core would write (an accept intent named `id`).
fn line(id: &str) -> String {
    let record = JournalRecord::intent(
        id,
        EndpointId::AcceptReject,
        serde_json::json!({"type": "deposit", "trans_id": "1", "user": "u",
            "action": "ACCEPT", "comment": "c", "operator": "o"}),
        None,
        "2026-11-30T12:00:00Z",
    )
    .unwrap();
    record.to_line()
}

fn journaled(sandbox: &Sandbox, journal: &Path) -> Client {
    quick::<Client>(sandbox)
        .snapshots(false)
        .journal(journal)
        .build()
        .unwrap()
}

#[test]
fn a_journal_no_tool_can_read_back_refuses_every_new_money_move() {
    let sandbox = sandbox();
    let dir = tempfile::tempdir().unwrap();
    let a = line("a");
    for (name, text, at) in [
        ("a byte-order mark", format!("\u{feff}{a}"), "line 1"),
        (
            "a torn line in the middle",
            format!("{a}{}\n{}", &a[..50], line("b")),
            "line 2",
        ),
        (
            "a CSV given by mistake",
            "type,trans_id,user,action\ndeposit,1,u,accept\n".to_owned(),
            "line 1",
        ),
    ] {
        let path = dir.path().join(format!("{name}.jsonl"));
        fs::write(&path, &text).unwrap();
        let client = journaled(&sandbox, &path);
        let served = requests_served(&sandbox);
        let e = client.send(&accept("123450001", "IPSUM")).unwrap_err();
        assert_eq!(
            (e.kind(), e.field()),
            ("invalid_request", Some("journal")),
            "{name}: {e}"
        );
        assert!(e.to_string().contains(at), "{name}: {e}");
        let outcomes = client
            .batch(
                TxType::Deposit,
                vec![accept_item("123450001", "IPSUM", Action::Accept)],
            )
            .unwrap();
        assert_eq!(outcomes[0].status, ItemStatus::NotSent, "{name}");
        let why = outcomes[0].message.as_deref().unwrap_or_default();
        assert!(why.contains(at), "{name}: {why}");
        assert_eq!(requests_served(&sandbox), served, "{name}: nothing sent");
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            text,
            "{name}: untouched"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_journal_path_that_is_a_symbolic_link_is_never_followed() {
    let sandbox = sandbox();
    let dir = tempfile::tempdir().unwrap();
    // Another user's file whose last line has no newline.
    let victim = dir.path().join("victim.txt");
    let text = "someone else's notes\nthe last line, no newline";
    fs::write(&victim, text).unwrap();
    if is_root() {
        std::os::unix::fs::chown(&victim, Some(65534), Some(65534)).unwrap();
    }
    let link = dir.path().join("journal.jsonl");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    let client = journaled(&sandbox, &link);
    let served = requests_served(&sandbox);
    let e = client.send(&accept("123450001", "IPSUM")).unwrap_err();
    assert_eq!(e.field(), Some("journal"), "{e}");
    assert!(e.to_string().contains("symbolic link"), "{e}");
    assert_eq!(requests_served(&sandbox), served, "nothing sent");
    assert_eq!(
        fs::read_to_string(&victim).unwrap(),
        text,
        "not cut, not appended to"
    );
    // Settling refuses it too, and reading it does not follow it.
    assert_eq!(
        client.settle_journal(&link).unwrap_err().field(),
        Some("journal")
    );
    assert!(FileJournal::new(&link).read().is_err());
}

#[cfg(unix)]
fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false)
}

/// A file no one may write to, for the length of a test: `chmod 0444`, and
/// where that does not stop this process (root), `chattr +i`. `None` when
/// neither works here (the test then says so and checks nothing).
#[cfg(unix)]
struct ReadOnly(PathBuf, bool);

#[cfg(unix)]
impl ReadOnly {
    fn make(path: &Path) -> Option<ReadOnly> {
        use std::os::unix::fs::PermissionsExt;
        let writable = |p: &Path| fs::OpenOptions::new().append(true).open(p).is_ok();
        fs::set_permissions(path, fs::Permissions::from_mode(0o444)).unwrap();
        if !writable(path) {
            return Some(ReadOnly(path.to_owned(), false));
        }
        let immutable = std::process::Command::new("chattr")
            .arg("+i")
            .arg(path)
            .status()
            .is_ok_and(|s| s.success());
        let guard = ReadOnly(path.to_owned(), immutable);
        if writable(path) {
            eprintln!(
                "skipped: {} stays writable here (root without chattr)",
                path.display()
            );
            return None;
        }
        Some(guard)
    }
}

#[cfg(unix)]
impl Drop for ReadOnly {
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt;
        if self.1 {
            let _ = std::process::Command::new("chattr")
                .arg("-i")
                .arg(&self.0)
                .status();
        }
        let _ = fs::set_permissions(&self.0, fs::Permissions::from_mode(0o644));
    }
}

#[cfg(unix)]
#[test]
fn settling_a_journal_that_cannot_be_written_refuses_before_any_read() {
    let sandbox = sandbox();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    // One open move (an intent whose request never got its answer).
    fs::write(&path, line("open-1")).unwrap();
    let Some(_read_only) = ReadOnly::make(&path) else {
        return;
    };
    assert_eq!(FileJournal::new(&path).read().unwrap().unsettled().len(), 1);
    let client = quick::<Client>(&sandbox).build().unwrap();
    let served = requests_served(&sandbox);
    let e = client.settle_journal(&path).unwrap_err();
    assert_eq!(
        (e.kind(), e.field()),
        ("invalid_request", Some("journal")),
        "{e}"
    );
    assert_eq!(
        requests_served(&sandbox),
        served,
        "nothing read from the server"
    );
}

/// The child process of `a_failed_write_is_cut_before_the_next_line`.
const CHILD: &str = "IDN_TOTO_FSIZE_CHILD";

/// J4: the disk fills up in the middle of a line (`RLIMIT_FSIZE`, so a
/// real short write), then space returns: the next line is written after
/// the fragment is cut, never glued onto it. Then `settle_journal` on the
/// full disk: the verdicts come back marked not recorded, and settle again
/// once there is room. In a child process (the limit is the process's;
/// `SIGXFSZ` is ignored through `sh`'s `trap`).
#[cfg(target_os = "linux")]
#[test]
fn a_failed_write_is_cut_before_the_next_line() {
    if let Ok(dir) = std::env::var(CHILD) {
        full_disk_child(Path::new(&dir));
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; exec \"$@\"")
        .arg("sh")
        .arg(&exe)
        .args([
            "a_failed_write_is_cut_before_the_next_line",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "child: {}\n{stdout}\n{stderr}",
        out.status
    );
}

#[cfg(target_os = "linux")]
fn full_disk_child(dir: &Path) {
    use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
    let path = dir.join("journal.jsonl");
    let journal = FileJournal::new(&path);
    journal.append(&[line("a")]).unwrap();
    let size = fs::metadata(&path).unwrap().len();
    let b = line("b");
    let original = getrlimit(Resource::Fsize);
    let full_at = size + b.len() as u64 / 2;
    setrlimit(
        Resource::Fsize,
        Rlimit {
            current: Some(full_at),
            maximum: original.maximum,
        },
    )
    .unwrap();
    let e = journal.append(std::slice::from_ref(&b)).unwrap_err();
    assert_eq!(e.field(), Some("journal"), "{e}");
    assert_eq!(
        fs::metadata(&path).unwrap().len(),
        full_at,
        "half a line was written"
    );
    // Space returns; the same journal object appends the next line.
    setrlimit(Resource::Fsize, original).unwrap();
    journal.append(&[line("c")]).unwrap();
    let text = fs::read_to_string(&path).unwrap();
    assert_eq!(text, format!("{}{}", line("a"), line("c")));
    let ids: Vec<String> = Journal::read(&text)
        .unwrap()
        .records
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(ids, ["a", "c"]);

    // Settling on a full disk: each `settled` line is cut short; the
    // verdicts stand, marked not recorded, and every line is cut before
    // the next (the file stays readable).
    let sandbox = sandbox();
    let client = quick::<Client>(&sandbox).build().unwrap();
    let size = fs::metadata(&path).unwrap().len();
    setrlimit(
        Resource::Fsize,
        Rlimit {
            current: Some(size + 40),
            maximum: original.maximum,
        },
    )
    .unwrap();
    let settled = client.settle_journal(&path).unwrap();
    assert_eq!(settled.len(), 2);
    assert!(settled.iter().all(|s| !s.recorded), "{settled:?}");
    let read = FileJournal::new(&path).read().unwrap();
    assert_eq!(read.records.len(), 2, "no settled line whole");
    setrlimit(Resource::Fsize, original).unwrap();
    let settled = client.settle_journal(&path).unwrap();
    assert!(settled.iter().all(|s| s.recorded), "{settled:?}");
    let read = FileJournal::new(&path).read().unwrap();
    assert_eq!(read.records.len(), 4, "two intents, two settled lines");
    assert!(!read.torn_tail);
}

#[test]
fn settling_one_move_writes_its_settled_line_and_ids_travel_with_outcomes() {
    let sandbox = sandbox();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let clean = journaled(&sandbox, &path);
    let pending = clean.send(&deposits()).unwrap().data;
    // A lost answer: the error names the move's journal id.
    let e = lossy::<Client>(&sandbox, "500-after", &path)
        .snapshots(false)
        .build()
        .unwrap()
        .send(&accept(&pending[0].id, &pending[0].user))
        .unwrap_err();
    assert_eq!(e.kind(), "outcome_unknown");
    let open = FileJournal::new(&path).read().unwrap().unsettled();
    assert_eq!(open.len(), 1);
    assert_eq!(e.journal_id(), Some(open[0].id.as_str()));
    // Settling it with a journaled client writes its `settled` line, as
    // Python and Node do.
    let s = clean.settle(e.unsettled().unwrap()).unwrap();
    assert_eq!(s.state, SettleState::Applied, "{}", s.reason);
    let journal = FileJournal::new(&path).read().unwrap();
    let last = journal.records.last().unwrap();
    assert_eq!(
        (last.id.as_str(), last.event, last.state.as_deref()),
        (open[0].id.as_str(), JournalEvent::Settled, Some("applied"))
    );
    assert!(journal.unsettled().is_empty());

    // Every batch outcome carries its journal id, the one its lines have.
    let outcomes = clean
        .batch(
            TxType::Deposit,
            vec![
                accept_item(&pending[1].id, &pending[1].user, Action::Accept),
                accept_item(&pending[2].id, &pending[2].user, Action::Reject),
            ],
        )
        .unwrap();
    let journal = FileJournal::new(&path).read().unwrap();
    for o in &outcomes {
        let id = o.journal_id.as_deref().unwrap();
        assert_eq!(
            journal.records.iter().filter(|r| r.id == id).count(),
            2,
            "an intent and an outcome under {id}"
        );
    }
}
