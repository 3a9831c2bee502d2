"""``FileJournal``: the journal of money moves in an append-only file.

The lines are made and read by the Rust core (``JournalRecord``,
``Journal``); this class only appends them durably and reads the file back.
"""

from __future__ import annotations

import os
import threading
from typing import Sequence, Union

__all__ = ["FileJournal"]


class FileJournal:
    """An append-only JSON Lines file: one line per money-moving event.

    Each line is written with a single ``write`` call on a descriptor opened
    with ``O_APPEND`` and is flushed and ``fsync``-ed before ``append``
    returns, under a lock, so threads and async tasks never interleave a
    line. A line cut by a crash (the last line, without its newline) is
    ignored when the journal is read, and dropped from the file before this
    object first appends to it, so the next line starts on a fresh line.
    The lines hold canonical parameters, never the token.
    """

    def __init__(self, path: Union[str, "os.PathLike[str]"]) -> None:
        self._path = os.fspath(path)
        self._lock = threading.Lock()
        self._checked = False

    @property
    def path(self) -> str:
        """The file's path."""
        return self._path

    def append(self, line: str) -> None:
        """Appends one complete line (ending in its only newline) and syncs
        it to disk before returning."""
        self.append_lines([line])

    def append_lines(self, lines: Sequence[str]) -> None:
        """Appends complete lines (a batch request's intents, say) with one
        ``write`` and one ``fsync``: each line whole, in order, on disk
        before this returns."""
        for line in lines:
            if not line.endswith("\n") or "\n" in line[:-1]:
                raise ValueError("a journal line is one line ending in a newline")
        if not lines:
            return
        data = "".join(lines).encode("utf-8")
        with self._lock:
            if not self._checked:
                self._drop_torn_tail()
                self._checked = True
            fd = os.open(self._path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                written = os.write(fd, data)
                if written != len(data):
                    raise OSError(f"journal {self._path}: short write ({written} of {len(data)} bytes)")
                os.fsync(fd)
            finally:
                os.close(fd)

    def read(self) -> str:
        """The file's text (empty when it does not exist yet)."""
        try:
            with open(self._path, "rb") as f:
                return f.read().decode("utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def _drop_torn_tail(self) -> None:
        # A write cut by a crash leaves a last line without its newline. It
        # is ignored on read, but a line appended after it would join it and
        # make a bad line in the middle: cut it off first. (Its intent, if it
        # was one, was never synced, so its request never left.)
        try:
            fd = os.open(self._path, os.O_RDWR)
        except FileNotFoundError:
            self._sync_directory()
            return
        try:
            size = os.fstat(fd).st_size
            if size == 0:
                return
            os.lseek(fd, size - 1, os.SEEK_SET)
            if os.read(fd, 1) == b"\n":
                return
            keep = size
            step = 4096
            while keep > 0:
                start = max(0, keep - step)
                os.lseek(fd, start, os.SEEK_SET)
                chunk = os.read(fd, keep - start)
                newline = chunk.rfind(b"\n")
                if newline >= 0:
                    keep = start + newline + 1
                    break
                keep = start
            os.ftruncate(fd, keep)
            os.fsync(fd)
        finally:
            os.close(fd)

    def _sync_directory(self) -> None:
        # The file is about to be created: make its directory entry durable
        # once it exists (best effort where directories can't be opened).
        directory = os.path.dirname(os.path.abspath(self._path))
        fd = os.open(self._path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.close(fd)
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

    def __repr__(self) -> str:
        return f"FileJournal({self._path!r})"
