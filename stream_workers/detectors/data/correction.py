"""Multiple-testing correction of the p-values of one window.

Testing twenty features at alpha = 0.05 gives a 64 % chance of at least one false
alarm on a stationary stream, so the per-feature p-values of a window are adjusted
together before they are compared with alpha:

- ``"holm"``: Holm's step-down method, controls the family-wise error rate;
- ``"bh"``: Benjamini-Hochberg, controls the false discovery rate, equal to
  ``scipy.stats.false_discovery_control(p, method="bh")``;
- ``"bonferroni"``: ``min(1, m * p)``;
- ``"none"``: the raw p-values.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import get_args

import numpy as np

from ...errors import ConfigError
from .results import Correction

__all__ = ["CORRECTIONS", "correct_pvalues"]

CORRECTIONS: tuple[str, ...] = get_args(Correction)


def correct_pvalues(
    p_values: Sequence[float] | np.ndarray, method: Correction
) -> np.ndarray:
    """Return the adjusted p-values, in the input order, each in [0, 1].

    A NaN input is treated as 1.0 (no evidence), so that one broken value can
    never produce an alert or spread NaN. Raises :class:`ConfigError` for an
    unknown ``method``.
    """
    if method not in CORRECTIONS:
        raise ConfigError(
            f"correction must be one of {', '.join(CORRECTIONS)}, not {method!r}",
            field="correction",
        )
    p = np.nan_to_num(np.asarray(p_values, dtype=np.float64), nan=1.0)
    p = np.clip(p, 0.0, 1.0)
    m = p.size
    if m == 0 or method == "none":
        return p
    if method == "bonferroni":
        return np.minimum(1.0, p * m)

    order = np.argsort(p, kind="stable")
    ranked = p[order]
    if method == "holm":
        adjusted = np.maximum.accumulate(ranked * (m - np.arange(m)))
    else:
        scaled = ranked * m / np.arange(1, m + 1)
        adjusted = np.minimum.accumulate(scaled[::-1])[::-1]

    out = np.empty(m)
    out[order] = np.minimum(1.0, adjusted)
    return out
