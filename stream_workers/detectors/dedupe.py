"""Remember recent outcome IDs so that a redelivered outcome is fed only once.

After a rebalance, outcomes processed but not committed are delivered again. With
Kafka transactions the detector checkpoint is committed with the offsets, so the
restored state already excludes them; without transactions (or with a state
older than the offsets) the same outcome would be fed twice, counting twice in
the window and, for a resetting detector, possibly alerting twice. The IDs live
in the pickled state with the detectors. Memory is bounded: past ``capacity``
IDs the oldest are forgotten, so a duplicate that arrives later than that is not
recognised.
"""

from __future__ import annotations

from collections import deque

from stream_workers.detectors.params import check_int

__all__ = ["RecentIds"]


class RecentIds:
    """A first-in first-out set of the last ``capacity`` IDs.

    Parameters
    ----------
    capacity
        IDs remembered, at least 1.
    """

    def __init__(self, capacity: int = 4096) -> None:
        self.capacity = check_int("dedupe", "capacity", capacity, minimum=1)
        self._order: deque[str] = deque()
        self._ids: set[str] = set()

    def __contains__(self, key: object) -> bool:
        return key in self._ids

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, key: str) -> bool:
        """Remember ``key``; return False if it was already remembered."""
        if key in self._ids:
            return False

        if len(self._order) == self.capacity:
            self._ids.discard(self._order.popleft())
        self._order.append(key)
        self._ids.add(key)
        return True
