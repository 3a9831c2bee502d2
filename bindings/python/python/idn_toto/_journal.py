"""``FileJournal``: the journal of money moves in an append-only file.

The Rust core makes and reads the lines (``JournalRecord``, ``Journal``),
decides what the file needs (``JournalAppender``: a check of the whole file
before the first append, the offset a torn last line is cut at, a new check
after a failed append) and what an operation key's claim comes to
(``KeyClaim.decide_in_journal``); this class only opens, reads, truncates,
appends and syncs.
"""

from __future__ import annotations

import errno
import os
import stat
import threading
from typing import Dict, Optional, Sequence, Tuple, Union

try:  # the file's lock for operation keys (not on Windows)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

from . import _native as native
from ._errors import DecodeError, InvalidRequestError

__all__ = ["FileJournal"]

_CHUNK = 64 * 1024


class FileJournal:
    """An append-only JSON Lines file: one line per money-moving event.

    The file is opened once, never through a symbolic link (``O_NOFOLLOW``),
    must be a regular file, and is created with mode ``0600``. Before the
    first append, and again after an append that failed, the whole file is
    read and checked by the core: a file no tool could read back (a
    byte-order mark, a broken line, another file given by mistake) refuses
    every append with ``InvalidRequestError`` naming the line; a last line
    cut by a crash or a full disk is cut where the core says, never
    completed. Each append is one ``write`` (the rest written again after a
    short write) and one ``fsync`` before ``append`` returns, under a lock,
    so threads and async tasks never interleave a line. The lines hold
    canonical parameters, never the token.

    Operation keys (``key=`` on a money move, ``"key"`` on a batch item)
    are honoured for one process at a time, and that is enforced: the
    process's first claim takes the file's exclusive lock (``flock``, the
    one the Rust client and CLI take, held until the process ends), and
    another process claiming keys in it is refused (``InvalidRequestError``
    at ``journal``). Every ``FileJournal`` of the file in this process
    shares one record of its keys (``KeyBook``, read from the file once and
    kept current by their claims and appends), so a claim reads no file.
    Processes sharing keys need ``SqliteJournal`` (one machine) or
    ``PostgresJournal`` (several).
    """

    def __init__(self, path: Union[str, "os.PathLike[str]"]) -> None:
        self._path = os.fspath(path)
        self._lock = threading.Lock()
        self._fd: Optional[int] = None
        self._appender = native.JournalAppender()


    @property
    def path(self) -> str:
        """The file's path."""
        return self._path

    def open(self) -> None:
        """Opens the file for appending (creating it, ``0600``) and checks it
        now rather than at the first append: what settling a journal does
        before it reads anything from the server. Raises ``OSError`` when it
        can't be opened for writing (read-only, a symbolic link, not a
        regular file) and ``InvalidRequestError`` when it can't be read back
        whole (naming the line)."""
        with self._lock:
            self._ready()

    def append(self, line: str) -> None:
        """Appends one complete line (one journal record ending in its only
        newline) and syncs it to disk before returning."""
        self.append_lines([line])

    def append_lines(self, lines: Sequence[str]) -> None:
        """Appends complete lines (a batch request's intents, say) with one
        ``write`` and one ``fsync``: each line whole, in order, on disk
        before this returns. After a failed write or sync the next append
        checks the file again first (and cuts what the failed write left)."""
        with self._lock:
            for line in lines:
                self._appender.check_line(line)
            if not lines:
                return
            self._ready()
            self._write("".join(lines))
            keys = _process_keys(self._path, self._fd, claim=False)
            if keys is not None:
                with keys.lock:
                    if keys.book is not None:
                        for line in lines:
                            keys.book.record_line(line)

    def claim(self, claim: native.KeyClaim, now_ms: int) -> native.ClaimAnswer:
        """Runs a driver's ``"claim"`` step under the lock: takes the file's
        lock for keys at the first claim, asks the core against the key
        records this writer keeps (``KeyBook``, read from the file once) and,
        when it decides ``"claim"``, appends and syncs the intent line
        before returning the answer for ``Driver.record_claim``."""
        with self._lock:
            self._ready()
            keys = _process_keys(self._path, self._fd, claim=True)
            assert keys is not None  # claim=True: made, or refused
            with keys.lock:
                if keys.book is None:
                    keys.book = native.KeyBook.from_journal(
                        native.Journal.read_bytes(self._read_bytes())
                    )
                answer, write = keys.book.decide(claim, now_ms)
                if write is not None:
                    self._appender.check_line(write.line)
                    self._write(write.line)
                    keys.book.record_claim(write)
            if answer.batch_to_refine() is not None:
                answer = answer.refine(native.Journal.read_bytes(self._read_bytes()))
            return answer

    def read(self) -> str:
        """The file's text (empty when it does not exist yet); never read
        through a symbolic link."""
        return self._read_bytes().decode("utf-8", errors="replace")

    def export(self) -> str:
        """Every line as JSON Lines text, as the core reads the file back
        (a torn last line left out): what ``SqliteJournal.export()`` and
        ``PostgresJournal.export()`` give too."""
        records = native.Journal.read_bytes(self._read_bytes()).records
        return "".join(r.to_line() for r in records)

    def _read_bytes(self) -> bytes:
        try:
            fd = os.open(self._path, os.O_RDONLY | _NOFOLLOW | _BINARY)
        except FileNotFoundError:
            return b""
        except OSError as e:
            raise _link_refused(e, self._path) from None
        with os.fdopen(fd, "rb") as f:
            return f.read()

    def _write(self, text: str) -> None:
        """One ``write`` (the rest again after a short one) and one
        ``fsync`` of checked lines. Holds the lock, after ``_ready``."""
        fd = self._fd
        assert fd is not None  # opened by _ready
        try:
            view = memoryview(text.encode("utf-8"))
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        except BaseException:
            self._appender.append_failed()
            raise
        self._appender.appended()

    def close(self) -> None:
        """Closes the file (a later append opens and checks it again)."""
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
            self._appender = native.JournalAppender()

    def _ready(self) -> None:
        """Opens the file if needed, and checks it (cutting a torn last
        line) when the core says so. Holds the lock."""
        if self._fd is None:
            self._fd = _open_for_append(self._path)
        if not self._appender.must_check:
            return
        fd = self._fd
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            while True:
                chunk = os.read(fd, _CHUNK)
                if not chunk:
                    break
                self._appender.feed(chunk)
            cut = self._appender.end()
            if cut is not None:
                os.ftruncate(fd, cut)
                os.fsync(fd)
        except DecodeError as e:
            self._appender.append_failed()
            raise _unreadable(self._path, e) from None
        except BaseException:
            self._appender.append_failed()
            raise

    def __repr__(self) -> str:
        return f"FileJournal({self._path!r})"


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class _Keys:
    """What this process holds of one journal file's operation keys: the
    descriptor carrying the file's ``flock`` and the shared ``KeyBook``."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.pid = os.getpid()
        self.lock = threading.Lock()
        self.book: Optional[native.KeyBook] = None


_PROCESS_KEYS: Dict[Tuple[int, int], _Keys] = {}
_PROCESS_KEYS_LOCK = threading.Lock()


def _process_keys(path: str, fd: Optional[int], claim: bool) -> Optional[_Keys]:
    """This process's hold on the keys of the file open as ``fd``: with
    ``claim``, taken when missing (the file's exclusive ``flock`` on a
    descriptor of its own, not waiting: another process holding it is
    refused, naming SQLite and Postgres); without, only looked up. A forked
    child takes its own (a parent's lock is not the child's)."""
    if fd is None:
        return None
    st = os.fstat(fd)
    ident = (st.st_dev, st.st_ino)
    with _PROCESS_KEYS_LOCK:
        keys = _PROCESS_KEYS.get(ident)
        if keys is not None and keys.pid == os.getpid():
            return keys
        if not claim:
            return None
        lock_fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _BINARY)
        if fcntl is not None:
            try:
                fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(lock_fd)
                reason = (
                    f"{path} is in use by another writer of operation keys: a JSON Lines "
                    "journal keeps keys for one process at a time (use SqliteJournal or "
                    "PostgresJournal for several processes); nothing was sent"
                )
                message = f"invalid request: journal: {reason}"
                raise InvalidRequestError(
                    message,
                    {"kind": "invalid_request", "message": message, "field": "journal", "reason": reason},
                ) from None
        keys = _PROCESS_KEYS[ident] = _Keys(lock_fd)
        return keys
_BINARY = getattr(os, "O_BINARY", 0)


def _open_for_append(path: str) -> int:
    """The journal opened for reading and appending: a regular file reached
    without a symbolic link, created ``0600`` (its directory entry synced
    when it is new). ``O_NONBLOCK``: a FIFO is refused, not waited on."""
    if not _NOFOLLOW and os.path.islink(path):
        raise _link_refused(OSError(errno.ELOOP, "symbolic link", path), path)
    created = not os.path.lexists(path)
    flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | _NOFOLLOW | _BINARY | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except OSError as e:
        raise _link_refused(e, path) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, f"journal {path}: not a regular file")
    except BaseException:
        os.close(fd)
        raise
    if created:
        _sync_directory(path)
    return fd


def _link_refused(e: OSError, path: str) -> OSError:
    """``e``, said plainly when it is ``O_NOFOLLOW`` refusing a link."""
    if e.errno == errno.ELOOP and os.path.islink(path):
        return OSError(
            errno.ELOOP, f"journal {path}: it is a symbolic link (a journal is never followed through one)"
        )
    return e


def _unreadable(path: str, e: DecodeError) -> InvalidRequestError:
    reason = (
        f"{path}: {e.path}: {e.reason}; a journal that can't be read back whole refuses every new "
        "money move (mend that line, or journal to another file)"
    )
    message = f"invalid request: journal: {reason}"
    return InvalidRequestError(
        message, {"kind": "invalid_request", "message": message, "field": "journal", "reason": reason}
    )


def _sync_directory(path: str) -> None:
    # The file was just created: make its directory entry durable (best
    # effort where directories can't be opened).
    directory = os.path.dirname(os.path.abspath(path))
    try:
        dfd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)
