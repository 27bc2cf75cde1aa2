"""One SQLite file per embedded store: its last snapshot and the journal of writes since.

SQLite in WAL mode gives the two things the journal needs: an append is one small
transaction, and a transaction is all or nothing, whenever the process dies. With
``synchronous=NORMAL`` a committed append is in the WAL file (the operating system has
it) before ``append`` returns, so it survives the process being killed at any instant;
an OS crash or power cut can lose the appends since the last checkpoint, never the
file's consistency. ``synchronous=FULL`` (``PHOTOSHARE_JOURNAL_FSYNC``) waits for the
disk on every append, and survives those too.

Compaction writes a fresh snapshot and empties the journal in one transaction, so a
crash leaves either the old snapshot with its journal or the new one with none.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from photoshare.config import Settings
from photoshare.errors import ChangeNotSaved

log = logging.getLogger(__name__)

FORMAT = "1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS snapshot (
    position INTEGER PRIMARY KEY, section TEXT NOT NULL, body BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS journal (
    seq INTEGER PRIMARY KEY, body BLOB NOT NULL, failed INTEGER NOT NULL DEFAULT 0
);
"""

# After a failed compaction (a full disk), the next attempt waits this long.
COMPACTION_RETRY_SECONDS = 60.0


@dataclass(frozen=True)
class Bounds:
    """Past either, the journal is compacted into a fresh snapshot."""

    max_entries: int
    max_bytes: int


@dataclass(frozen=True)
class Entry:
    seq: int
    body: bytes
    failed: bool


@dataclass
class Contents:
    """What a store file holds: the snapshot's rows in order, then the journal's entries."""

    initialised: bool
    snapshot: list[tuple[str, bytes]]
    journal: list[Entry]


class StoreFile:
    """The snapshot and the journal of one embedded store, in ``path``."""

    def __init__(self, path: Path, bounds: Bounds, *, fsync: bool, read_only: bool = False):
        self.path = path
        self.bounds = bounds
        self.lock = threading.RLock()
        uri = f"{path.resolve().as_uri()}{'?mode=ro' if read_only else ''}"
        self._db = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        if not read_only:
            # On a new file only: lets a compaction give back the pages it freed.
            self._db.execute("PRAGMA auto_vacuum=INCREMENTAL")
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(f"PRAGMA synchronous={'FULL' if fsync else 'NORMAL'}")
            self._db.executescript(_SCHEMA)
        self._db.execute("PRAGMA busy_timeout=5000")
        self.entries, self.bytes = 0, 0
        self._retry_compaction_at = 0.0
        self.closed = False

    def read(self) -> Contents:
        """The snapshot and the journal as one consistent view (one read transaction)."""
        with self.lock:
            self._db.execute("BEGIN")
            try:
                initialised = self._meta("format") is not None
                rows = self._db.execute("SELECT section, body FROM snapshot ORDER BY position")
                snapshot = [(str(section), bytes(body)) for section, body in rows]
                rows = self._db.execute("SELECT seq, body, failed FROM journal ORDER BY seq")
                journal = [Entry(int(seq), bytes(body), bool(failed)) for seq, body, failed in rows]
            finally:
                self._db.execute("COMMIT")
        self.entries, self.bytes = len(journal), sum(len(entry.body) for entry in journal)
        return Contents(initialised, snapshot, journal)

    def append(self, body: bytes) -> int:
        """Write one entry to the journal and return its number; raise when it is not on disk."""
        with self.lock:
            try:
                cursor = self._db.execute("INSERT INTO journal (body) VALUES (?)", (body,))
            except sqlite3.Error as exc:
                log.error("the embedded store could not write its journal %s: %s", self.path, exc)
                raise ChangeNotSaved() from exc
            self.entries += 1
            self.bytes += len(body)
            return int(cursor.lastrowid or 0)

    def mark_failed(self, seq: int) -> None:
        """Note that entry ``seq`` raised when applied, as it will when replayed."""
        with self.lock:
            try:
                self._db.execute("UPDATE journal SET failed = 1 WHERE seq = ?", (seq,))
            except sqlite3.Error as exc:  # only a warning at replay is lost
                log.warning("could not mark journal entry %d as failed: %s", seq, exc)

    @property
    def wants_compaction(self) -> bool:
        """The journal is past a bound (and no failed compaction is waiting to be retried)."""
        over = self.entries > self.bounds.max_entries or self.bytes > self.bounds.max_bytes
        return over and time.monotonic() >= self._retry_compaction_at

    def replace_snapshot(self, rows: Iterable[tuple[str, bytes]]) -> bool:
        """Make ``rows`` the snapshot and empty the journal, atomically; False if it failed."""
        with self.lock:
            try:
                self._replace_snapshot(rows)
            except sqlite3.Error as exc:
                self._retry_compaction_at = time.monotonic() + COMPACTION_RETRY_SECONDS
                log.error("could not compact the embedded store %s: %s", self.path, exc)
                return False
            self.entries, self.bytes = 0, 0
        # Give back the space of the old snapshot and journal, then of the WAL, which
        # held the whole new snapshot once.
        self._db.executescript("PRAGMA incremental_vacuum;")  # execute() frees one page only
        self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return True

    def _replace_snapshot(self, rows: Iterable[tuple[str, bytes]]) -> None:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            self._db.execute("DELETE FROM snapshot")
            self._db.executemany("INSERT INTO snapshot (section, body) VALUES (?, ?)", rows)
            self._db.execute("DELETE FROM journal")
            compacted_at = datetime.now(UTC).isoformat(timespec="seconds")
            self._db.executemany(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                [("format", FORMAT), ("compacted_at", compacted_at)],
            )
            self._db.execute("COMMIT")
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise

    def _meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def close(self) -> None:
        with self.lock:
            self.closed = True
            self._db.close()


def open_file(settings: Settings, name: str, *, read_only: bool = False) -> StoreFile:
    """The store file ``name`` in the data dir, with the configured bounds and syncing."""
    bounds = Bounds(settings.journal_max_entries, settings.journal_max_bytes)
    path = settings.data_dir / name
    return StoreFile(path, bounds, fsync=settings.journal_fsync, read_only=read_only)
