"""The input guard: what a detector accepts, checked before river sees the value.

River's detectors trust their input. One NaN turns ADWIN's mean into NaN for good
and it never detects again; EDDM compares with ``x == 1`` and silently ignores
``0.9`` or ``"1"``. So every value is checked here first and a bad one raises
:class:`~stream_workers.errors.InvalidInputError`, which the worker dead-letters
and counts, leaving the detector's state untouched.
"""

from __future__ import annotations

import math
import numbers
from typing import Literal

import numpy as np

from stream_workers.errors import InvalidInputError

__all__ = ["InputDomain", "coerce_input"]

InputDomain = Literal["real", "unit", "binary"]
"""``real``: any finite number; ``unit``: in [0, 1]; ``binary``: exactly 0 or 1."""


def _as_float(x: object, detector: str) -> float:
    if isinstance(x, bool | np.bool_):
        return float(x)

    if not isinstance(x, numbers.Real):
        raise InvalidInputError(
            f"{detector}: input must be a number, got {type(x).__name__} {x!r}; "
            "decode strings such as '1' before feeding the detector.",
            detector=detector,
        )

    value = float(x)
    if not math.isfinite(value):
        raise InvalidInputError(
            f"{detector}: input must be finite, got {value}; "
            "drop NaN and infinite values before feeding the detector.",
            detector=detector,
        )
    return value


def coerce_input(
    x: object,
    *,
    domain: InputDomain,
    detector: str,
    binarize_at: float | None = None,
) -> float:
    """Return ``x`` as the float the detector takes, or raise ``InvalidInputError``.

    Booleans count as 0 and 1. With ``binarize_at`` set, a finite value at or above
    it becomes 1 (an error) and any other becomes 0; without it, a value outside
    the detector's domain is rejected rather than guessed at.
    """
    value = _as_float(x, detector)

    if domain == "real":
        return value
    if binarize_at is not None:
        return 1.0 if value >= binarize_at else 0.0

    if domain == "binary" and value not in (0.0, 1.0):
        raise InvalidInputError(
            f"{detector}: input must be 0 or 1, got {value!r}; "
            "set `binarize_at` to turn scores into 0/1.",
            detector=detector,
        )
    if domain == "unit" and not 0.0 <= value <= 1.0:
        raise InvalidInputError(
            f"{detector}: input must lie in [0, 1], got {value!r}; "
            "set `binarize_at` to turn other values into 0/1.",
            detector=detector,
        )
    return value
