"""Bound the number of segments a model is monitored in.

Monitoring per segment (country, device, customer tier) multiplies windows,
references and metric series by the number of segments, so the count is capped:
the ``max_segments - 1`` largest segments by volume keep their own name and every
other one, including a segment first seen later, is folded into ``"other"``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from ...errors import ConfigError

__all__ = ["OTHER_SEGMENT", "SegmentCap"]

OTHER_SEGMENT = "other"


class SegmentCap:
    """Maps segment keys to at most ``max_segments`` labels, ``"other"`` included.

    Volumes come from :meth:`from_counts` (for example the reference's counts) or
    from :meth:`observe`; :meth:`refit` recomputes the top segments from what was
    observed. Ties in volume are broken by name, so the choice is deterministic.
    """

    def __init__(self, max_segments: int, *, other: str = OTHER_SEGMENT) -> None:
        if not isinstance(max_segments, int) or max_segments < 2:
            raise ConfigError(
                f"max_segments must be an integer >= 2, not {max_segments!r}",
                field="max_segments",
            )
        self.max_segments = max_segments
        self.other = other
        self._volumes: Counter[str] = Counter()
        self._kept: frozenset[str] = frozenset()

    @classmethod
    def from_counts(
        cls, counts: Mapping[str, int], max_segments: int, *, other: str = OTHER_SEGMENT
    ) -> SegmentCap:
        """Build a cap whose kept segments are the largest in ``counts``."""
        cap = cls(max_segments, other=other)
        cap._volumes.update(counts)
        cap.refit()
        return cap

    @property
    def kept(self) -> frozenset[str]:
        """Segments that keep their own label."""
        return self._kept

    def observe(self, segments: Iterable[str]) -> SegmentCap:
        """Count the volume of each segment key."""
        self._volumes.update(segments)
        return self

    def refit(self) -> frozenset[str]:
        """Keep the ``max_segments - 1`` largest observed segments; return them."""
        candidates = [(-n, s) for s, n in self._volumes.items() if s != self.other]
        top = sorted(candidates)[: self.max_segments - 1]
        self._kept = frozenset(s for _, s in top)
        return self._kept

    def label(self, segment: str) -> str:
        """Return ``segment`` when it is kept, otherwise the ``"other"`` label."""
        return segment if segment in self._kept else self.other
