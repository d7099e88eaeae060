"""A keyed, expiring store per input partition: SQLite plus an uncommitted overlay.

Writes of a batch go to an in-memory overlay; :meth:`PartitionStore.apply` moves
them to SQLite only after the batch's Kafka transaction committed, together with
the changelog offset they correspond to (the local checkpoint). SQLite runs with
``synchronous=OFF``: a lost write is recovered from the changelog on restart.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Entry", "PartitionStore"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    part INTEGER NOT NULL,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    expires_ms INTEGER NOT NULL,
    value BLOB NOT NULL,
    PRIMARY KEY (part, kind, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS entries_expiry ON entries (part, expires_ms);
CREATE TABLE IF NOT EXISTS checkpoints (
    part INTEGER PRIMARY KEY,
    next_offset INTEGER NOT NULL,
    saved_at REAL NOT NULL
);
"""

_MISSING = object()


@dataclass(frozen=True, slots=True)
class Entry:
    """One stored value: its kind (a one-letter namespace), key, expiry and bytes."""

    kind: str
    key: str
    expires_ms: int
    value: bytes


class PartitionStore:
    """Entries of many partitions in one SQLite file, with a per-batch overlay."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(str(path), isolation_level=None)
        self._db.executescript(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; "
            "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536;" + _SCHEMA
        )
        self._overlay: dict[tuple[int, str, str], Entry | None] = {}
        self._cache: dict[tuple[int, str, str], Entry | None] = {}
        self._offsets: dict[int, int] = {}

    def close(self) -> None:
        self._db.close()

    # Reads see the overlay first, then what a prefetch loaded, then SQLite.
    def get(self, part: int, kind: str, key: str) -> Entry | None:
        ident = (part, kind, key)
        found = self._overlay.get(ident, _MISSING)
        if found is _MISSING:
            found = self._cache.get(ident, _MISSING)
        if found is _MISSING:
            row = self._db.execute(
                "SELECT expires_ms, value FROM entries "
                "WHERE part=? AND kind=? AND key=?",
                ident,
            ).fetchone()
            found = Entry(kind, key, row[0], row[1]) if row else None
            self._cache[ident] = found
        return found  # type: ignore[return-value]

    def prefetch(self, part: int, keys: Iterable[str]) -> None:
        """Load every kind of entry for these keys in one query per 500 keys."""
        wanted = list(dict.fromkeys(keys))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            # Naming every kind lets SQLite seek the primary key per key instead of
            # scanning the whole partition.
            rows = self._db.execute(
                f"SELECT kind, key, expires_ms, value FROM entries "
                f"WHERE part=? AND kind IN ('p','l','x','j') AND key IN ({marks})",
                (part, *chunk),
            ).fetchall()
            for kind in "plxj":
                for key in chunk:
                    self._cache.setdefault((part, kind, key), None)
            for kind, key, expires_ms, value in rows:
                self._cache[(part, kind, key)] = Entry(kind, key, expires_ms, value)

    def put(self, part: int, entry: Entry) -> None:
        self._overlay[(part, entry.kind, entry.key)] = entry

    def delete(self, part: int, kind: str, key: str) -> None:
        self._overlay[(part, kind, key)] = None

    def note_offset(self, part: int, next_offset: int) -> None:
        """Remember the changelog offset this batch's writes will be checkpointed at."""
        self._offsets[part] = max(self._offsets.get(part, 0), next_offset)

    def expired(self, part: int, kind: str, before_ms: int) -> Iterator[Entry]:
        """Entries of one kind in a partition whose expiry is before ``before_ms``."""
        rows = self._db.execute(
            "SELECT key, expires_ms, value FROM entries "
            "WHERE part=? AND kind=? AND expires_ms < ? ORDER BY expires_ms",
            (part, kind, before_ms),
        ).fetchall()
        for key, expires_ms, value in rows:
            if (part, kind, key) not in self._overlay:
                yield Entry(kind, key, expires_ms, value)
        for (p, k, _), entry in list(self._overlay.items()):
            if p == part and k == kind and entry is not None:
                if entry.expires_ms < before_ms:
                    yield entry

    def apply(self) -> None:
        """Write the overlay and the checkpoints to SQLite (after a commit)."""
        upserts = []
        deletes = []
        for (part, kind, key), entry in self._overlay.items():
            if entry is None:
                deletes.append((part, kind, key))
            else:
                upserts.append((part, kind, key, entry.expires_ms, entry.value))
        now = time.time()
        with self._db:
            self._db.execute("BEGIN")
            if deletes:
                self._db.executemany(
                    "DELETE FROM entries WHERE part=? AND kind=? AND key=?", deletes
                )
            if upserts:
                self._db.executemany(
                    "INSERT OR REPLACE INTO entries VALUES (?,?,?,?,?)", upserts
                )
            self._db.executemany(
                "INSERT OR REPLACE INTO checkpoints VALUES (?,?,?)",
                [(p, o, now) for p, o in self._offsets.items()],
            )
        self.discard()

    def discard(self) -> None:
        """Forget the overlay and the read cache (after an abort, or after apply)."""
        self._overlay.clear()
        self._cache.clear()
        self._offsets.clear()

    def checkpoint(self, part: int) -> tuple[int, float] | None:
        """The changelog offset a partition's local state is complete up to."""
        row = self._db.execute(
            "SELECT next_offset, saved_at FROM checkpoints WHERE part=?", (part,)
        ).fetchone()
        return (int(row[0]), float(row[1])) if row else None

    def drop_partition(self, part: int) -> None:
        """Delete a partition's local state and checkpoint (before a full restore)."""
        with self._db:
            self._db.execute("BEGIN")
            self._db.execute("DELETE FROM entries WHERE part=?", (part,))
            self._db.execute("DELETE FROM checkpoints WHERE part=?", (part,))

    def load(self, records: Iterable[tuple[int, str, str, Entry | None]]) -> int:
        """Apply restored changelog records (partition, kind, key, entry or None)."""
        count = 0
        with self._db:
            self._db.execute("BEGIN")
            for part, kind, key, entry in records:
                count += 1
                if entry is None:
                    self._db.execute(
                        "DELETE FROM entries WHERE part=? AND kind=? AND key=?",
                        (part, kind, key),
                    )
                else:
                    self._db.execute(
                        "INSERT OR REPLACE INTO entries VALUES (?,?,?,?,?)",
                        (part, kind, key, entry.expires_ms, entry.value),
                    )
        return count

    def set_checkpoint(self, part: int, next_offset: int) -> None:
        """Record that a partition's local state is complete up to ``next_offset``."""
        with self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO checkpoints VALUES (?,?,?)",
                (part, next_offset, time.time()),
            )

    def count(self, part: int | None = None) -> dict[str, int]:
        """Number of entries by kind, for one partition or all."""
        if part is None:
            rows = self._db.execute("SELECT kind, COUNT(*) FROM entries GROUP BY kind")
        else:
            rows = self._db.execute(
                "SELECT kind, COUNT(*) FROM entries WHERE part=? GROUP BY kind", (part,)
            )
        return dict(rows.fetchall())
