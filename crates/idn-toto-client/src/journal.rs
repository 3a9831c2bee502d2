//! The journal file: the core makes and reads the lines; this appends them
//! durably and gives each money move its id and each line its time.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use idn_toto::{Error, Journal};

/// An append-only JSON Lines file of money moves (see
/// [`idn_toto::JournalRecord`]).
///
/// Lines are appended with one `write` on a file opened for appending, then
/// `fsync`-ed before [`FileJournal::append`] returns, under a lock, so
/// threads never interleave a line. A last line cut by a crash is dropped
/// from the file before this object first appends to it. The file is
/// created with mode `0600` on Unix. The lines hold canonical parameters,
/// never the token.
#[derive(Debug)]
pub struct FileJournal {
    path: PathBuf,
    checked: Mutex<bool>,
}

impl FileJournal {
    /// The journal at `path` (created on the first append).
    pub fn new(path: impl Into<PathBuf>) -> FileJournal {
        FileJournal {
            path: path.into(),
            checked: Mutex::new(false),
        }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends complete lines (each ends in its only newline) with one
    /// write and one sync. An I/O failure is an `invalid_request` error at
    /// `journal` naming the file.
    pub fn append(&self, lines: &[String]) -> Result<(), Error> {
        if lines.is_empty() {
            return Ok(());
        }
        if lines
            .iter()
            .any(|l| !l.ends_with('\n') || l[..l.len() - 1].contains('\n'))
        {
            return Err(crate::shared::invalid(
                "journal",
                "a journal line is one line ending in a newline",
            ));
        }
        let data = lines.concat();
        let mut checked = self.checked.lock().unwrap_or_else(|e| e.into_inner());
        let result = (|| {
            let mut file = self.open()?;
            if !*checked {
                drop_torn_tail(&mut file)?;
            }
            file.write_all(data.as_bytes())?;
            file.sync_data()
        })();
        result.map_err(|e| self.io_error("append to", &e))?;
        *checked = true;
        Ok(())
    }

    /// Reads the journal back (a missing file is an empty journal).
    pub fn read(&self) -> Result<Journal, Error> {
        match std::fs::read_to_string(&self.path) {
            Ok(text) => Journal::read(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Journal::read(""),
            Err(e) => Err(self.io_error("read", &e)),
        }
    }

    fn open(&self) -> std::io::Result<File> {
        let mut options = OpenOptions::new();
        options.read(true).append(true).create(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        options.open(&self.path)
    }

    fn io_error(&self, what: &str, e: &std::io::Error) -> Error {
        crate::shared::invalid(
            "journal",
            format!("cannot {what} {}: {e}", self.path.display()),
        )
    }
}

/// Cuts a last line without its newline (a write a crash interrupted).
fn drop_torn_tail(file: &mut File) -> std::io::Result<()> {
    let len = file.metadata()?.len();
    if len == 0 {
        return Ok(());
    }
    // Walk back from the end to the last newline.
    let mut end = len;
    let mut buf = [0u8; 4096];
    while end > 0 {
        let start = end.saturating_sub(buf.len() as u64);
        let n = usize::try_from(end - start).unwrap_or(buf.len());
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(&mut buf[..n])?;
        if let Some(i) = buf[..n].iter().rposition(|b| *b == b'\n') {
            let keep = start + i as u64 + 1;
            if keep < len {
                file.set_len(keep)?;
            }
            return Ok(());
        }
        if end == len && n > 0 && buf[n - 1] == b'\n' {
            return Ok(());
        }
        end = start;
    }
    file.set_len(0)
}

/// A new journal id: 128 random bits in hex (the randomness lives in the
/// host, never in the core).
pub(crate) fn new_id() -> String {
    format!("{:032x}", fastrand::u128(..))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_whole_lines_and_drops_a_torn_tail_first() {
        let path_dir = tempfile::tempdir().unwrap();
        let path = path_dir.path().join("j.jsonl");
        std::fs::write(&path, "{\"a\":1}\n{\"torn").unwrap();
        let journal = FileJournal::new(&path);
        journal.append(&["{\"b\":2}\n".into()]).unwrap();
        journal
            .append(&["{\"c\":3}\n".into(), "{\"d\":4}\n".into()])
            .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, "{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n{\"d\":4}\n");
        assert!(journal.append(&["no newline".into()]).is_err());
        assert!(journal.append(&["two\nlines\n".into()]).is_err());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // An existing file keeps its mode; a new one is 0600.
            let fresh_dir = tempfile::tempdir().unwrap();
            let fresh = fresh_dir.path().join("fresh.jsonl");
            FileJournal::new(&fresh).append(&["{}\n".into()]).unwrap();
            let mode = std::fs::metadata(&fresh).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_file_of_one_torn_line_is_emptied() {
        let path_dir = tempfile::tempdir().unwrap();
        let path = path_dir.path().join("torn.jsonl");
        std::fs::write(&path, "{\"torn").unwrap();
        FileJournal::new(&path).append(&["{}\n".into()]).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{}\n");
    }

    #[test]
    fn ids_differ() {
        assert_ne!(new_id(), new_id());
        assert_eq!(new_id().len(), 32);
    }
}
