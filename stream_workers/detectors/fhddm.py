"""FHDDM on 0/1 errors: the accuracy of a sliding window against its best value."""

from __future__ import annotations

import math
from typing import Any

from river.drift import binary as river_binary

from stream_workers.detectors.base import RiverDetector
from stream_workers.detectors.params import check_float, check_int
from stream_workers.errors import ConfigError

__all__ = ["FHDDM"]


class FHDDM(RiverDetector):
    """Fast Hoeffding drift detection (river's ``FHDDM``), fed 0 (correct) / 1 (error).

    River's FHDDM signals when the mean of its input falls below its best level by
    more than a Hoeffding bound, which is the algorithm's design for a stream of
    *correct* flags. River's documentation asks for errors, and fed errors it sees
    only a fall in the error rate: on a 0.1 to 0.5 error step it never signals. We
    take errors like every other detector here and feed river ``1 - error``.

    Parameters
    ----------
    sliding_window_size
        Values in the long window, at least 1.
    confidence_level
        Confidence of the bound, in (0, 1).
    short_window_size
        Optional short window (the stacking variant), smaller than the long one.
    warmup, binarize_at
        See :class:`~stream_workers.detectors.base.RiverDetector`.
    """

    name = "fhddm"
    domain = "binary"
    _param_names = ("sliding_window_size", "confidence_level", "short_window_size")

    def __init__(
        self,
        *,
        sliding_window_size: int = 100,
        confidence_level: float = 0.000001,
        short_window_size: int | None = None,
        warmup: int = 30,
        binarize_at: float | None = None,
    ) -> None:
        self.sliding_window_size = check_int(
            self.name, "sliding_window_size", sliding_window_size, minimum=1
        )
        self.confidence_level = check_float(
            self.name,
            "confidence_level",
            confidence_level,
            low=0,
            high=1,
            low_open=True,
            high_open=True,
        )
        if short_window_size is not None:
            short_window_size = check_int(
                self.name, "short_window_size", short_window_size, minimum=1
            )
            if short_window_size >= self.sliding_window_size:
                raise ConfigError(
                    f"fhddm: `short_window_size` ({short_window_size}) must be "
                    f"smaller than `sliding_window_size` ({sliding_window_size}).",
                    field="fhddm.short_window_size",
                )
        self.short_window_size = short_window_size
        self._drop = 0.0
        super().__init__(warmup=warmup, binarize_at=binarize_at)

    def _build(self) -> Any:
        self._drop = 0.0
        return river_binary.FHDDM(
            sliding_window_size=self.sliding_window_size,
            confidence_level=self.confidence_level,
            short_window_size=self.short_window_size,
        )

    def _feed(self, value: float) -> None:
        correct = 1.0 - value
        river = self._river

        # River pops the oldest value once the window is full; read it before.
        if len(river._sliding_window) == self.sliding_window_size - 1:
            accuracy = (river.n_one + correct) / self.sliding_window_size
            self._drop = max(river._u_max, accuracy) - accuracy
        river.update(correct)

    @property
    def statistic(self) -> float:
        """Fall of the long window's accuracy from its best value (0.0 until full)."""
        return self._drop

    @property
    def threshold(self) -> float | None:
        """The Hoeffding bound the fall must exceed."""
        return math.sqrt(
            math.log(1 / self.confidence_level) / (2 * self.sliding_window_size)
        )
