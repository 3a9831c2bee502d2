"""The journal file (issue 20, J1-J4): ``FileJournal`` runs the core's
``JournalAppender``; a real full disk is ``RLIMIT_FSIZE`` (with ``SIGXFSZ``
ignored), a read-only file ``chmod 0444`` or, as root, ``chattr +i``."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

import idn_toto
from conftest import BASE_URL, PROCESSED, TOKEN, FakeTransport

unix_only = pytest.mark.skipif(sys.platform == "win32", reason="Unix file semantics")


def intent(id: str) -> str:
    """An accept intent line as the core makes it."""
    params = {"type": "deposit", "trans_id": "1", "user": "u", "action": "ACCEPT", "comment": "c", "operator": "o"}
    return str(idn_toto.JournalRecord.intent(id, "accept_reject", params, at="2026-11-30T12:00:00Z").to_line())


def client(path: Path, transport: FakeTransport) -> idn_toto.Client:
    c = idn_toto.Client(
        BASE_URL, TOKEN, transport=transport, journal=idn_toto.FileJournal(path), settle_delay=0, snapshots=False
    )
    c._sleep = lambda delay: None  # type: ignore[method-assign]
    return c


def accept(c: idn_toto.Client) -> Any:
    return c.accept_reject("deposit", "123", "IPSUM", "accept", "c", "OP01")


A = intent("a")


@pytest.mark.parametrize(
    "text,at",
    [
        ("\ufeff" + A, "line 1"),
        (A + A[:50] + "\n" + intent("b"), "line 2"),
        ("type,trans_id,user,action\ndeposit,1,u,accept\n", "line 1"),
    ],
    ids=["a byte-order mark", "a torn line in the middle", "a CSV given by mistake"],
)
def test_a_journal_no_tool_can_read_back_refuses_every_new_money_move(tmp_path: Path, text: str, at: str) -> None:
    path = tmp_path / "journal.jsonl"
    path.write_bytes(text.encode())
    t = FakeTransport(PROCESSED)
    c = client(path, t)
    for _ in range(2):  # every move, not only the first
        with pytest.raises(idn_toto.InvalidRequestError) as refused:
            accept(c)
        assert refused.value.field == "journal"
        assert at in str(refused.value)
    assert t.requests == [], "nothing sent"
    assert path.read_bytes() == text.encode(), "untouched"
    with pytest.raises(idn_toto.InvalidRequestError):
        idn_toto.FileJournal(path).open()


@unix_only
def test_a_journal_path_that_is_a_symbolic_link_is_never_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    text = "someone else's notes\nthe last line, no newline"
    victim.write_text(text)
    if os.geteuid() == 0:
        os.chown(victim, 65534, 65534)  # another user's file
    link = tmp_path / "journal.jsonl"
    link.symlink_to(victim)
    with pytest.raises(OSError, match="symbolic link"):
        idn_toto.FileJournal(link).append(A)
    t = FakeTransport(PROCESSED)
    with pytest.raises((OSError, idn_toto.InvalidRequestError), match="symbolic link"):
        accept(client(link, t))
    assert t.requests == [], "nothing sent"
    assert victim.read_text() == text, "not cut, not appended to"
    with pytest.raises(OSError, match="symbolic link"):
        idn_toto.FileJournal(link).read()


@contextlib.contextmanager
def full_disk_at(size: int) -> Iterator[None]:
    """This process may write files up to `size` bytes (a write across is
    cut short, the next fails with EFBIG), then space returns."""
    resource = pytest.importorskip("resource")
    import signal

    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, handler)


@unix_only
def test_a_failed_write_is_cut_before_the_next_line(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    journal = idn_toto.FileJournal(path)
    journal.append(A)
    b = intent("b")
    half = len(A) + len(b) // 2
    with full_disk_at(half):
        with pytest.raises(OSError):  # EFBIG after the short write
            journal.append(b)
    assert path.stat().st_size == half, "half a line was written"
    journal.append(intent("c"))  # space returned: the same object goes on
    assert path.read_text() == A + intent("c")
    assert [r.id for r in idn_toto.Journal.read(journal.read()).records] == ["a", "c"]


@unix_only
def test_a_long_lived_client_cuts_the_intent_a_full_disk_tore(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    t = FakeTransport(PROCESSED, PROCESSED)
    c = client(path, t)
    accept(c)
    size = path.stat().st_size
    with full_disk_at(size + 60):
        with pytest.raises((OSError, idn_toto.InvalidRequestError)):
            accept(c)
    assert len(t.requests) == 1, "the move whose intent was torn was not sent"
    assert path.stat().st_size == size + 60
    accept(c)
    read = idn_toto.Journal.read(path.read_text())
    assert [r.event for r in read.records] == ["intent", "outcome", "intent", "outcome"]
    assert not read.torn_tail and read.unsettled() == []


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[bool]:
    """`path` can't be written while this lasts: chmod 0444, and as root
    (whom chmod does not stop) chattr +i. Yields False when neither works."""
    path.chmod(0o444)
    immutable = False

    def writable() -> bool:
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_APPEND))
            return True
        except OSError:
            return False

    try:
        if writable() and shutil.which("chattr"):
            immutable = subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode == 0
        yield not writable()
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], capture_output=True)
        path.chmod(0o644)


@unix_only
def test_settling_a_journal_that_cannot_be_written_refuses_before_any_read(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    path.write_text(A)
    t = FakeTransport()
    c = client(path, t)
    with read_only(path) as ok:
        if not ok:
            pytest.skip("the file stays writable here (root without chattr)")
        assert len(c.unsettled()) == 1
        with pytest.raises(OSError):
            c.settle_unsettled()
    assert t.requests == [], "nothing read from the server"
    assert path.read_text() == A


def test_a_bad_line_is_never_appended(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    journal = idn_toto.FileJournal(path)
    for bad in (A.rstrip("\n"), A + A, '{"a":1}\n', "user,amount\n"):
        with pytest.raises(idn_toto.InvalidRequestError):
            journal.append(bad)
    assert not path.exists() or path.read_text() == ""
    journal.append(A)
    assert path.read_text() == A
