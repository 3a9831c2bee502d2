//! The journal file. The core makes and reads the lines and decides what
//! the file needs ([`idn_toto::JournalAppender`]: a check of the whole file
//! before the first append, the offset a torn last line is cut at, a new
//! check after a failed append); this only opens, reads, truncates, appends
//! and syncs, and gives each money move its id.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use idn_toto::{ClaimAnswer, Error, Journal, JournalAppender, JournalRecord, KeyBook, KeyClaim};

/// An append-only JSON Lines file of money moves (see
/// [`idn_toto::JournalRecord`]).
///
/// The file is opened once, never through a symbolic link (`O_NOFOLLOW`),
/// must be a regular file, and is created with mode `0600` on Unix. Before
/// the first append, and again after an append that failed, the whole file
/// is read and checked by the core: a file no tool could read back (a
/// byte-order mark, a broken line, another file given by mistake) refuses
/// every append, naming the line; a last line cut by a crash or a full disk
/// is cut where the core says, never completed. Lines are appended with one
/// `write` and `fsync`-ed before [`FileJournal::append`] returns, under a
/// lock, so threads never interleave a line. The lines hold canonical
/// parameters, never the token.
#[derive(Debug)]
pub struct FileJournal {
    path: PathBuf,
    open: Mutex<Opened>,
}

/// Where a client's journal lines go: the JSON Lines file, or a SQL store
/// (features `sqlite`, `postgres`) that several processes, or machines,
/// share. Every store holds the same lines; [`JournalStore::read`] gives
/// them back as the one journal format.
#[derive(Debug)]
#[non_exhaustive]
pub enum JournalStore {
    /// A JSON Lines file ([`FileJournal`]): one process at a time.
    File(FileJournal),
    /// A SQLite file ([`crate::SqliteStore`]).
    #[cfg(feature = "sqlite")]
    Sqlite(crate::SqliteStore),
    /// A Postgres database ([`crate::PostgresStore`]).
    #[cfg(feature = "postgres")]
    Postgres(crate::PostgresStore),
}

impl JournalStore {
    /// The store a `--journal` value names: `sqlite:PATH`, a
    /// `postgres://` or `postgresql://` URL, or else a JSON Lines file's
    /// path. A SQL store is opened (or connected to) now; one this build
    /// has no feature for is an `invalid_request` at `journal`.
    pub fn from_spec(spec: &str) -> Result<JournalStore, Error> {
        if let Some(path) = spec.strip_prefix("sqlite:") {
            #[cfg(feature = "sqlite")]
            return crate::SqliteStore::open(path).map(JournalStore::Sqlite);
            #[cfg(not(feature = "sqlite"))]
            return Err(not_built("sqlite", path));
        }
        if spec.starts_with("postgres://") || spec.starts_with("postgresql://") {
            #[cfg(feature = "postgres")]
            return crate::PostgresStore::connect(spec).map(JournalStore::Postgres);
            #[cfg(not(feature = "postgres"))]
            return Err(not_built("postgres", ""));
        }
        Ok(JournalStore::File(FileJournal::new(spec)))
    }

    /// Makes sure the store can be written before anything is read from
    /// the server (a file is opened and checked; a SQL store already is).
    pub fn open(&self) -> Result<(), Error> {
        match self {
            JournalStore::File(f) => f.open(),
            #[cfg(feature = "sqlite")]
            JournalStore::Sqlite(_) => Ok(()),
            #[cfg(feature = "postgres")]
            JournalStore::Postgres(_) => Ok(()),
        }
    }

    /// Appends the driver's lines (and syncs them) before it goes on.
    pub fn append(&self, lines: &[String]) -> Result<(), Error> {
        match self {
            JournalStore::File(f) => f.append(lines),
            #[cfg(feature = "sqlite")]
            JournalStore::Sqlite(s) => s.append_lines(lines),
            #[cfg(feature = "postgres")]
            JournalStore::Postgres(s) => s.append_lines(lines),
        }
    }

    /// A driver's [`idn_toto::Step::Claim`] at `now_ms`: the key's record
    /// read, the core's decision, and on a claim the intent written, as one
    /// step (a SQL store's transaction; a file's lock, held by this process
    /// only: a file honours keys for one process at a time).
    pub fn claim(&self, claim: &KeyClaim, now_ms: i64) -> Result<ClaimAnswer, Error> {
        match self {
            JournalStore::File(f) => f.claim(claim, now_ms),
            #[cfg(feature = "sqlite")]
            JournalStore::Sqlite(s) => s.claim_key(claim, now_ms),
            #[cfg(feature = "postgres")]
            JournalStore::Postgres(s) => s.claim_key(claim, now_ms),
        }
    }

    /// Every line, read back by the core's rule.
    pub fn read(&self) -> Result<Journal, Error> {
        match self {
            JournalStore::File(f) => f.read(),
            #[cfg(feature = "sqlite")]
            JournalStore::Sqlite(s) => Journal::read(&s.export()?),
            #[cfg(feature = "postgres")]
            JournalStore::Postgres(s) => Journal::read(&s.export()?),
        }
    }

    /// Every line as JSON Lines text (`journal export`): a file's bytes as
    /// the core reads them, a store's lines in the order written.
    pub fn export(&self) -> Result<String, Error> {
        match self {
            JournalStore::File(f) => Ok(f
                .read()?
                .records
                .iter()
                .map(idn_toto::JournalRecord::to_line)
                .collect()),
            #[cfg(feature = "sqlite")]
            JournalStore::Sqlite(s) => s.export(),
            #[cfg(feature = "postgres")]
            JournalStore::Postgres(s) => s.export(),
        }
    }

    /// The store in words, for messages (never a connection string).
    pub fn describe(&self) -> String {
        match self {
            JournalStore::File(f) => f.path().display().to_string(),
            #[cfg(feature = "sqlite")]
            JournalStore::Sqlite(s) => format!("sqlite:{}", s.path().display()),
            #[cfg(feature = "postgres")]
            JournalStore::Postgres(_) => "the Postgres journal".into(),
        }
    }
}

impl From<FileJournal> for JournalStore {
    fn from(file: FileJournal) -> JournalStore {
        JournalStore::File(file)
    }
}

#[cfg(any(not(feature = "sqlite"), not(feature = "postgres")))]
fn not_built(feature: &str, _spec: &str) -> Error {
    Error::InvalidRequest {
        field: "journal".into(),
        reason: format!(
            "this build has no {feature} journal (the idn-toto-client feature `{feature}`)"
        ),
    }
}

/// The file once opened, and what the core says it needs.
#[derive(Debug, Default)]
struct Opened {
    file: Option<File>,
    appender: JournalAppender,
    /// The key records, read from the file at the first claim and kept
    /// current by this writer (it holds the file's lock for keys).
    book: Option<KeyBook>,
    /// This journal holds the file's exclusive lock (taken at the first
    /// claim, kept while the file is open): a second writer of keys is
    /// refused rather than trusted.
    keys_locked: bool,
}

impl FileJournal {
    /// The journal at `path` (opened, and created if missing, on the first
    /// append or [`FileJournal::open`]).
    pub fn new(path: impl Into<PathBuf>) -> FileJournal {
        FileJournal {
            path: path.into(),
            open: Mutex::new(Opened::default()),
        }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Opens the file for appending (creating it, `0600`) and checks it
    /// now rather than at the first append: what settling a journal does
    /// before it reads anything from the server. An `invalid_request` error
    /// at `journal` when the file can't be opened for writing (read-only, a
    /// symbolic link, not a regular file) or read back whole (naming the
    /// line).
    pub fn open(&self) -> Result<(), Error> {
        let mut opened = self.lock();
        self.ready(&mut opened)
    }

    /// Appends complete lines (each one journal record ending in its only
    /// newline) with one write and one sync. Any failure is an
    /// `invalid_request` error at `journal` naming the file; after a failed
    /// write or sync the next append checks the file again first (and cuts
    /// what the failed write left).
    pub fn append(&self, lines: &[String]) -> Result<(), Error> {
        if lines.is_empty() {
            return Ok(());
        }
        let mut opened = self.lock();
        for line in lines {
            opened.appender.check_line(line)?;
        }
        self.write_locked(&mut opened, &lines.concat())?;
        if let Some(book) = opened.book.as_mut() {
            for line in lines {
                if let Ok(record) = serde_json::from_str::<JournalRecord>(line.trim_end()) {
                    book.record_line(&record);
                }
            }
        }
        Ok(())
    }

    /// Appends checked lines under the lock, with one write and one sync.
    fn write_locked(&self, opened: &mut Opened, data: &str) -> Result<(), Error> {
        self.ready(opened)?;
        let Opened { file, appender, .. } = opened;
        let Some(file) = file.as_mut() else {
            return Err(self.io_error("append to", &std::io::ErrorKind::NotFound.into()));
        };
        match file
            .write_all(data.as_bytes())
            .and_then(|()| file.sync_data())
        {
            Ok(()) => {
                appender.appended();
                Ok(())
            }
            Err(e) => {
                appender.append_failed();
                Err(self.io_error("append to", &e))
            }
        }
    }

    /// Claims a key (see [`JournalStore::claim`]): under the file's lock,
    /// the journal is read, the core decides with this process's own
    /// claims laid over it, and a claim's intent is appended and synced.
    pub fn claim(&self, claim: &KeyClaim, now_ms: i64) -> Result<ClaimAnswer, Error> {
        let mut opened = self.lock();
        self.ready(&mut opened)?;
        if !opened.keys_locked {
            if let Some(file) = opened.file.as_ref() {
                self.lock_for_keys(file)?;
            }
            opened.keys_locked = true;
        }
        let book = match opened.book.take() {
            Some(book) => book,
            None => KeyBook::from_journal(&self.read()?),
        };
        let decided = book.decide(claim, now_ms);
        opened.book = Some(book);
        let (mut answer, write) = decided?;
        if let Some(write) = write {
            opened.appender.check_line(&write.line)?;
            self.write_locked(&mut opened, &write.line)?;
            // The book takes the claimed record once its line is written.
            if let Some(book) = opened.book.as_mut() {
                book.record_claim(&write);
            }
        }
        if answer.batch_to_refine().is_some() {
            answer.refine(&self.read()?);
        }
        Ok(answer)
    }

    /// Reads the journal back (a missing file is an empty journal), by the
    /// rule the appender checks it with.
    pub fn read(&self) -> Result<Journal, Error> {
        let mut bytes = Vec::new();
        let read = open_options(false)
            .open(&self.path)
            .and_then(|mut file| file.read_to_end(&mut bytes));
        match read {
            Ok(_) => Journal::read_bytes(&bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Journal::read(""),
            Err(e) => Err(self.io_error("read", &e)),
        }
    }

    /// Takes the file's exclusive advisory lock (`flock`, not waiting): a
    /// JSON Lines journal honours keys for one process at a time, so a
    /// second process (or a second `FileJournal` of the same file) that
    /// claims keys is refused, naming the way to share keys.
    #[cfg(unix)]
    fn lock_for_keys(&self, file: &File) -> Result<(), Error> {
        let Err(errno) =
            rustix::fs::flock(file, rustix::fs::FlockOperation::NonBlockingLockExclusive)
        else {
            return Ok(());
        };
        let e = std::io::Error::from(errno);
        if e.kind() == std::io::ErrorKind::WouldBlock {
            return Err(Error::InvalidRequest {
                field: "journal".into(),
                reason: format!(
                    "{} is in use by another writer of operation keys: a JSON Lines journal \
                     keeps keys for one process at a time (share one client's journal, or use \
                     sqlite:PATH or Postgres for several processes); nothing was sent",
                    self.path.display()
                ),
            });
        }
        Err(self.io_error("lock", &e))
    }

    #[cfg(not(unix))]
    fn lock_for_keys(&self, _file: &File) -> Result<(), Error> {
        Ok(())
    }

    fn lock(&self) -> MutexGuard<'_, Opened> {
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Opens the file if needed, and checks it (cutting a torn last line)
    /// when the core says so.
    fn ready(&self, opened: &mut Opened) -> Result<(), Error> {
        let Opened { file, appender, .. } = opened;
        if file.is_none() {
            *file = Some(open_for_append(&self.path).map_err(|e| self.io_error("open", &e))?);
        }
        let Some(file) = file.as_mut() else {
            return Ok(());
        };
        if !appender.must_check() {
            return Ok(());
        }
        let checked = self.check(file, appender);
        if checked.is_err() {
            // Nothing was cut: an IO failure leaves the next append to
            // check again from the start, as a refusal does.
            appender.append_failed();
        }
        checked
    }

    /// Reads the whole file into the core's check and applies its repair.
    fn check(&self, file: &mut File, appender: &mut JournalAppender) -> Result<(), Error> {
        file.seek(SeekFrom::Start(0))
            .map_err(|e| self.io_error("read", &e))?;
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match file.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(self.io_error("read", &e)),
            };
            appender.feed(&buf[..n]).map_err(|e| self.unreadable(&e))?;
        }
        match appender.end().map_err(|e| self.unreadable(&e))? {
            None => Ok(()),
            Some(offset) => file
                .set_len(offset)
                .and_then(|()| file.sync_data())
                .map_err(|e| self.io_error("cut the torn last line of", &e)),
        }
    }

    /// The core refused the file: no tool could read it back.
    fn unreadable(&self, e: &Error) -> Error {
        let (at, why) = match e {
            Error::Decode { path, reason } => (path.as_str(), reason.as_str()),
            other => ("", other.kind()),
        };
        idn_toto::Error::invalid(
            "journal",
            format!(
                "{}: {at}: {why}; a journal that can't be read back whole refuses every new money \
                 move (mend that line, or journal to another file)",
                self.path.display()
            ),
        )
    }

    fn io_error(&self, what: &str, e: &std::io::Error) -> Error {
        let why = if is_link_refusal(e, &self.path) {
            "it is a symbolic link (a journal is never followed through one)".to_owned()
        } else {
            e.to_string()
        };
        idn_toto::Error::invalid(
            "journal",
            format!("cannot {what} {}: {why}", self.path.display()),
        )
    }
}

/// How the file is opened: never through a symbolic link, and without
/// blocking on a FIFO (which is then refused as not a regular file).
fn open_options(append: bool) -> OpenOptions {
    let mut options = OpenOptions::new();
    options.read(true);
    if append {
        options.append(true).create(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    options
}

/// Opens the journal for appending: a regular file reached without a
/// symbolic link.
fn open_for_append(path: &Path) -> std::io::Result<File> {
    #[cfg(not(unix))]
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(std::io::Error::other(
            "it is a symbolic link (a journal is never followed through one)",
        ));
    }
    let file = open_options(true).open(path)?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    Ok(file)
}

/// Whether opening failed because the path is a symbolic link (`ELOOP`
/// from `O_NOFOLLOW`).
fn is_link_refusal(e: &std::io::Error, path: &Path) -> bool {
    #[cfg(unix)]
    if e.raw_os_error() == Some(libc::ELOOP) {
        return std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    }
    let _ = (e, path);
    false
}

/// A new journal id: 128 random bits in hex (the randomness lives in the
/// host, never in the core).
pub(crate) fn new_id() -> String {
    format!("{:032x}", fastrand::u128(..))
}

#[cfg(test)]
mod tests {
    use super::*;
    use idn_toto::KeyDecision;

    const A: &str = r#"{"id":"a","event":"intent","endpoint":"accept_reject","params":{"action":"ACCEPT","comment":"c","operator":"o","trans_id":"1","type":"deposit","user":"u"},"at":"t"}"#;

    fn line(id: &str) -> String {
        format!("{}\n", A.replacen("\"a\"", &format!("{id:?}"), 1))
    }

    fn claim(id: &str) -> KeyClaim {
        let intent = idn_toto::JournalRecord::intent(
            id,
            idn_toto::EndpointId::ManualTransaction,
            serde_json::json!({"type": "deposit", "user": "LOREM", "amount": "10", "comment": "c", "operator": "o"}),
            None,
            "t",
        )
        .unwrap()
        .with_server("c1679abf391ccf96")
        .with_key(idn_toto::OperationKey::parse("key", "bonus:LOREM").unwrap());
        KeyClaim {
            intent,
            holder: id.into(),
            lease_ms: 1_000,
            settled_now: false,
        }
    }

    /// A JSON Lines journal keeps keys for one process at a time: a second
    /// writer of keys (another process, or another `FileJournal` of the
    /// file) is refused, and the first keeps its claim. Without the lock,
    /// the second would see the first's move open and settle it.
    #[cfg(unix)]
    #[test]
    fn a_second_writer_of_keys_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        let first = FileJournal::new(&path);
        let answer = first.claim(&claim("run1"), 0).unwrap();
        assert_eq!(answer.decision, KeyDecision::Claim);
        let second = FileJournal::new(&path);
        let e = second.claim(&claim("run2"), 5_000).unwrap_err();
        assert!(e.to_string().contains("in use by another writer"), "{e}");
        // Moves without keys still append; the holder goes on.
        second.append(&[line("plain")]).unwrap();
        let again = first.claim(&claim("run1b"), 10).unwrap();
        assert_eq!(
            again.decision,
            KeyDecision::InUse {
                lease_until_ms: 1_000
            },
            "another run of this process, while the lease runs"
        );
        let later = first.claim(&claim("run1c"), 2_000).unwrap();
        assert_eq!(
            later.decision,
            KeyDecision::Settle,
            "after the lease: settled before it is sent again"
        );
        drop(first);
        // Once the holder is gone, another writer may claim.
        let third = FileJournal::new(&path);
        assert!(third.claim(&claim("run3"), 20).is_ok());
    }

    #[test]
    fn appends_whole_lines_and_cuts_a_torn_tail_first() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        std::fs::write(&path, format!("{}{}", line("a"), &line("torn")[..30])).unwrap();
        let journal = FileJournal::new(&path);
        journal.append(&[line("b")]).unwrap();
        journal.append(&[line("c"), line("d")]).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, [line("a"), line("b"), line("c"), line("d")].concat());
        for bad in [A.to_owned(), format!("{A}\n{A}\n"), "{\"b\":2}\n".into()] {
            assert!(journal.append(&[bad]).is_err());
        }
        assert_eq!(journal.read().unwrap().records.len(), 4);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // An existing file keeps its mode; a new one is 0600.
            let fresh = dir.path().join("fresh.jsonl");
            FileJournal::new(&fresh).append(&[line("x")]).unwrap();
            let mode = std::fs::metadata(&fresh).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_file_of_one_torn_line_is_emptied() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("torn.jsonl");
        std::fs::write(&path, &A[..20]).unwrap();
        FileJournal::new(&path).append(&[line("x")]).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), line("x"));
    }

    #[test]
    fn ids_differ() {
        assert_ne!(new_id(), new_id());
        assert_eq!(new_id().len(), 32);
    }
}
