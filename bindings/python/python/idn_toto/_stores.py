"""``SqliteJournal`` and ``PostgresJournal``: the journal of money moves and
the operation keys in a SQL database, shared by several processes.

Everything but the IO is the Rust core's: the schema and every statement
(``KeySql``), what a claim comes to (``KeyClaim.decide``), which record a
keyed outcome or ``settled`` line leaves (``KeyRecord.after_line``) and
which of a batch's lines refine a move to settle
(``ClaimAnswer.batch_to_refine`` and ``refine``). These classes run the
statements, one transaction per claim and per line, and nothing else.
"""

from __future__ import annotations

import os
import threading
from typing import Any, Callable, List, Optional, Sequence, Tuple, Type, TypeVar, Union

from . import _native as native
from ._errors import IdnTotoError, InvalidRequestError, invalid

__all__ = ["SqliteJournal", "PostgresJournal"]

_T = TypeVar("_T")
_Params = Sequence[Optional[str]]

#: How long a SQLite connection waits for another process's write lock.
_BUSY_TIMEOUT_SECONDS = 30.0

#: Connections a forked child found open: never used and never closed
#: there (closing one would end its parent's Postgres session), only kept
#: from the garbage collector.
_INHERITED: List[Any] = []


class _SqlJournal:
    """The protocol of both SQL stores over one connection, opened on first
    use (``open()`` opens it now) and again in a forked child. Subclasses
    give the connection and the four ways of running a statement."""

    _dialect = ""

    def __init__(self) -> None:
        self._sql = native.KeySql(self._dialect)
        self._lock = threading.Lock()
        self._conn: Any = None
        self._pid = 0

    # -- what a store is, for the clients

    def open(self) -> None:
        """Connects (creating the tables when missing) now rather than at
        the first money move: what settling a journal does before it reads
        anything from the server. Raises ``InvalidRequestError`` at
        ``journal`` when the store can't be used."""
        with self._lock:
            self._ready()

    def append(self, line: str) -> None:
        """Writes one journal line (ending in its newline) in one
        transaction."""
        self.append_lines([line])

    def append_lines(self, lines: Sequence[str]) -> None:
        """Writes journal lines as the driver made them, in one transaction:
        a keyed move's outcome or ``settled`` line also updates its key's
        record (``KeyRecord.after_line``); any other line is only appended.
        A keyed intent is refused: a key is claimed with its intent
        (``claim``), never appended."""
        records = []
        for line in lines:
            try:
                records.append(native.JournalRecord.from_line(line))
            except IdnTotoError as e:
                raise self._invalid(f"not a journal line: {e}") from None
        sql = self._sql

        def work() -> None:
            for record, line in zip(records, lines):
                server = record.server or ""
                key = record.key
                if key is not None and record.event == "intent":
                    raise self._invalid("a keyed intent is written by its claim, not appended")
                if key is not None:
                    stored = self._query_one(sql.select, (server, key))
                    if stored is not None:
                        after = native.KeyRecord.from_json_text(stored).after_line(record)
                        if after is not None:
                            self._upsert(after)
                self._execute(sql.append, (server, record.id, key, line.rstrip("\n")))

        self._transaction(work)

    def claim(self, claim: native.KeyClaim, now_ms: int) -> native.ClaimAnswer:
        """Runs a driver's ``"claim"`` step in one transaction: makes sure
        the key has a row to lock (Postgres), reads the key's record
        (locked), asks the core (``KeyClaim.decide``), writes the claimed
        record and the intent line when it decides ``"claim"``, reads the
        lines of a batch the core wants to refine the answer with, and
        commits. Returns the answer for ``Driver.record_claim``."""
        sql = self._sql
        server, key = claim.server, claim.key

        def work() -> native.ClaimAnswer:
            if sql.ensure_row is not None:
                self._execute(sql.ensure_row, (server, key))
            record = self._query_one(sql.select, (server, key))
            answer, write = claim.decide(record, now_ms)
            if write is not None:
                self._upsert(write.record)
                self._execute(sql.append, (server, claim.intent.id, key, write.line.rstrip("\n")))
            prefix = answer.batch_to_refine()
            if prefix is not None:
                lines = self._query_all(sql.batch_lines, (prefix,))
                answer = answer.refine(native.Journal.read(_json_lines(lines)))
            return answer

        return self._transaction(work)

    def key(self, server: str, key: str) -> Optional[native.KeyRecord]:
        """The key's record on ``server`` (a client's ``fingerprint``), if
        the key was ever used there."""
        text = self._transaction(lambda: self._query_one(self._sql.select, (server, key)))
        return None if text is None else native.KeyRecord.from_json_text(text)

    def export(self) -> str:
        """Every journal line, in the order written, as JSON Lines text: the
        journal format every tool reads and settles."""
        with self._lock:
            self._ready()
            return _json_lines(self._guard(lambda: self._query_all(self._sql.lines, ())))

    def read(self) -> str:
        """The journal's text (``export()``)."""
        return self.export()

    def close(self) -> None:
        """Closes the connection (a later use opens it again)."""
        with self._lock:
            conn, self._conn = self._conn, None
            if conn is None:
                return
            if self._pid != os.getpid():
                _INHERITED.append(conn)
                return
            try:
                conn.close()
            except Exception:
                pass

    # -- the protocol

    def _upsert(self, record: native.KeyRecord) -> None:
        text = record.to_json_text()
        self._execute(self._sql.upsert, (record.server, record.key, record.state, text))

    def _transaction(self, work: Callable[[], _T]) -> _T:
        """Runs ``work`` in one transaction under the lock: committed when
        it returns, rolled back when anything fails (and the failure
        raised, a database's as ``InvalidRequestError`` at ``journal``)."""
        with self._lock:
            self._ready()
            self._guard(lambda: self._batch(self._sql.begin))
            try:
                result = work()
                self._guard(lambda: self._batch(self._sql.commit))
            except BaseException as e:
                try:
                    self._batch(self._sql.rollback)
                except Exception:
                    pass
                if isinstance(e, self._errors()):
                    raise self._invalid(_first_line(e)) from None
                raise
            return result

    def _guard(self, work: Callable[[], _T]) -> _T:
        """``work``, a database error raised as ``InvalidRequestError``."""
        try:
            return work()
        except self._errors() as e:
            raise self._invalid(_first_line(e)) from None

    def _ready(self) -> None:
        """Connects when there is no usable connection of this process yet
        (none, a forked parent's, or one the server closed), and creates the
        tables when missing. Holds the lock."""
        if self._conn is not None and self._pid == os.getpid():
            if not self._closed(self._conn):
                return
            self._conn = None
        if self._conn is not None:  # a forked child never uses its parent's
            _INHERITED.append(self._conn)
            self._conn = None
        conn = self._guard(self._connect)
        try:
            self._schema(conn)
        except BaseException:
            conn.close()
            raise
        self._conn, self._pid = conn, os.getpid()

    def _schema(self, conn: Any) -> None:
        """The core's schema, statement by statement. Two processes creating
        a table at once: Postgres refuses the second ``CREATE ... IF NOT
        EXISTS`` (a duplicate type) once the first commits; the statement
        is idempotent, so it runs once more (and then finds the table)."""
        for statement in self._sql.schema:
            try:
                self._run(conn, statement, ())
            except self._errors():
                self._guard(lambda: self._run(conn, statement, ()))

    def _invalid(self, reason: str) -> InvalidRequestError:
        return invalid("journal", f"{self._name()}: {reason}")

    def _batch(self, sql: str) -> None:
        self._run(self._conn, sql, ())

    def _execute(self, sql: str, params: _Params) -> None:
        self._run(self._conn, sql, params)

    def _query_one(self, sql: str, params: _Params) -> Optional[str]:
        """The first column of the first row (``None``: no row, or NULL)."""
        row = self._run(self._conn, sql, params).fetchone()
        return None if row is None or row[0] is None else str(row[0])

    def _query_all(self, sql: str, params: _Params) -> List[str]:
        return [str(row[0]) for row in self._run(self._conn, sql, params).fetchall()]

    # -- what each database gives

    def _connect(self) -> Any:
        raise NotImplementedError

    def _run(self, conn: Any, sql: str, params: _Params) -> Any:
        """Runs one statement; returns a cursor to fetch from."""
        raise NotImplementedError

    def _closed(self, conn: Any) -> bool:
        """Whether the connection can no longer be used."""
        return False

    def _errors(self) -> Tuple[Type[BaseException], ...]:
        raise NotImplementedError

    def _name(self) -> str:
        raise NotImplementedError


class SqliteJournal(_SqlJournal):
    """The journal and the operation keys in one SQLite file (the standard
    library's ``sqlite3``), shared by several processes on one machine.

    The file is created with mode ``0600`` and used in WAL mode with
    ``synchronous=FULL``; every claim and every line is one transaction
    begun with ``BEGIN IMMEDIATE`` (two claimers never both see a key
    free), waiting up to 30 s for another process's lock. A keyed money
    move is claimed in the same transaction as its intent line is written:
    across processes, each key's move is sent at most once while its
    claim's lease runs, and a crashed holder's open move is settled with
    reads only before the key is used again. ``export()`` gives the lines
    as JSON Lines text."""

    _dialect = "sqlite"

    def __init__(self, path: Union[str, "os.PathLike[str]"]) -> None:
        self._path = os.fspath(path)
        super().__init__()

    @property
    def path(self) -> str:
        """The database file's path."""
        return self._path

    def _connect(self) -> Any:
        import sqlite3

        # Created owner-only before SQLite opens it (its -wal and -shm files
        # take the database file's mode).
        os.close(os.open(self._path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o600))
        os.chmod(self._path, 0o600)
        # Autocommit mode: the core's `begin` and `commit` make each
        # transaction. The lock keeps one thread at a time on it.
        conn = sqlite3.connect(
            self._path, timeout=_BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False
        )
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(_BUSY_TIMEOUT_SECONDS * 1000)}")
            conn.execute("PRAGMA journal_mode = WAL").fetchall()
            conn.execute("PRAGMA synchronous = FULL")
        except BaseException:
            conn.close()
            raise
        return conn

    def _run(self, conn: Any, sql: str, params: _Params) -> Any:
        return conn.execute(sql, tuple(params))

    def _errors(self) -> Tuple[Type[BaseException], ...]:
        import sqlite3

        return (sqlite3.Error, OSError)

    def _name(self) -> str:
        return f"the SQLite store {self._path}"

    def __repr__(self) -> str:
        return f"SqliteJournal({self._path!r})"


class PostgresJournal(_SqlJournal):
    """The journal and the operation keys in a Postgres database (psycopg
    3: ``pip install 'idn-toto[postgres]'``), shared by back offices on
    several machines.

    ``dsn`` is a libpq connection string or URL (``host=... dbname=...``);
    give the password in ``PGPASSWORD`` or a ``.pgpass`` file rather than
    in ``dsn``. It is never shown: not in ``repr()``, not in errors. A
    claim first makes sure the key has a row (``INSERT ... ON CONFLICT DO
    NOTHING``: a second claimer waits for the first's transaction), then
    locks it (``SELECT ... FOR UPDATE``), so two claimers on any machines
    never both see a key free. ``export()`` gives the lines as JSON Lines
    text."""

    _dialect = "postgres"

    def __init__(self, dsn: str) -> None:
        try:
            import psycopg
        except ImportError:
            raise ImportError(
                "PostgresJournal needs psycopg 3 (>= 3.2), which is not installed: "
                "pip install 'idn-toto[postgres]'"
            ) from None
        self._psycopg: Any = psycopg
        self._dsn = dsn
        super().__init__()

    def _connect(self) -> Any:
        psycopg = self._psycopg
        try:
            # Autocommit: the core's `begin` and `commit` make each
            # transaction; raw cursors take its `$1` parameters as they are.
            return psycopg.connect(self._dsn, autocommit=True, cursor_factory=psycopg.RawCursor)
        except psycopg.Error as e:
            # libpq's words never hold the password, but may name the host.
            raise self._invalid(f"cannot connect: {_first_line(e)}") from None

    def _run(self, conn: Any, sql: str, params: _Params) -> Any:
        return conn.execute(sql, list(params) if params else None)

    def _closed(self, conn: Any) -> bool:
        # A lost connection (a restarted server): connect again next time.
        return bool(conn.closed)

    def _errors(self) -> Tuple[Type[BaseException], ...]:
        return (self._psycopg.Error,)

    def _name(self) -> str:
        return "the Postgres store"

    def __repr__(self) -> str:
        return "PostgresJournal(dsn='***')"


def _json_lines(lines: Sequence[str]) -> str:
    """Stored lines (without their newlines) as JSON Lines text."""
    return "".join(line.rstrip("\n") + "\n" for line in lines)


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
