"""Worker state: a local SQLite store backed by a compacted changelog topic.

The changelog is the source of truth; the local store is a cache of it that lets a
restarted worker resume from its checkpoint instead of reading the whole topic.
"""

from __future__ import annotations

from stream_workers.state.changelog import read_changelog
from stream_workers.state.snapshots import SnapshotStore
from stream_workers.state.store import Entry, PartitionStore

__all__ = ["Entry", "PartitionStore", "SnapshotStore", "read_changelog"]
