"""Settings of the data-drift evaluation, validated once when built."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from ...errors import ConfigError
from .correction import CORRECTIONS
from .results import Correction

__all__ = ["DriftConfig", "NumericEffect"]

NumericEffect = Literal["ks_d", "psi", "wasserstein"]


@dataclass(frozen=True, slots=True)
class DriftConfig:
    """How a window is judged against the reference.

    A feature drifts when its corrected p-value is below ``alpha`` **and** its
    effect size is above the threshold for its type: for numbers the one named by
    ``numeric_effect`` (KS distance ``D`` > ``ks_d_threshold`` by default), for
    categories the PSI > ``psi_threshold``. A feature with fewer than
    ``min_window_size`` valid values in the current window is not tested.

    Parameters
    ----------
    alpha
        Significance level after correction, in (0, 1). Default 0.05.
    correction
        ``"holm"`` (default), ``"bh"``, ``"bonferroni"`` or ``"none"``.
    ks_d_threshold, psi_threshold, wasserstein_threshold
        Effect-size gates; defaults 0.1, 0.2 and 0.1 (Wasserstein is in the
        feature's own unit, so it only makes sense for scaled features).
    numeric_effect
        Which effect size gates numeric features: ``"ks_d"`` (default),
        ``"psi"`` or ``"wasserstein"``.
    min_window_size
        Fewest valid current values (and rows, for the missing-rate test) for a
        test to run. Default 100.
    missing_ratio_threshold
        Smallest absolute change of the missing ratio that may alert. Default 0.05.
    unseen_rate_threshold
        The unseen-category signal fires when the share of current values in
        unseen categories is above this. Default 0.0: any unseen category.
    """

    alpha: float = 0.05
    correction: Correction = "holm"
    ks_d_threshold: float = 0.1
    psi_threshold: float = 0.2
    wasserstein_threshold: float = 0.1
    numeric_effect: NumericEffect = "ks_d"
    min_window_size: int = 100
    missing_ratio_threshold: float = 0.05
    unseen_rate_threshold: float = 0.0

    def __post_init__(self) -> None:
        if not (isinstance(self.alpha, float | int) and 0 < self.alpha < 1):
            raise ConfigError(
                f"alpha must be between 0 and 1, not {self.alpha!r}", field="alpha"
            )
        if self.correction not in CORRECTIONS:
            raise ConfigError(
                f"correction must be one of {', '.join(CORRECTIONS)}, "
                f"not {self.correction!r}",
                field="correction",
            )
        if self.numeric_effect not in ("ks_d", "psi", "wasserstein"):
            raise ConfigError(
                "numeric_effect must be 'ks_d', 'psi' or 'wasserstein', "
                f"not {self.numeric_effect!r}",
                field="numeric_effect",
            )
        for name in (
            "ks_d_threshold",
            "psi_threshold",
            "wasserstein_threshold",
            "missing_ratio_threshold",
            "unseen_rate_threshold",
        ):
            value = getattr(self, name)
            if (
                not isinstance(value, float | int)
                or not math.isfinite(value)
                or value < 0
            ):
                raise ConfigError(
                    f"{name} must be a finite number >= 0, not {value!r}", field=name
                )
        if not isinstance(self.min_window_size, int) or self.min_window_size < 1:
            raise ConfigError(
                f"min_window_size must be a positive integer, "
                f"not {self.min_window_size!r}",
                field="min_window_size",
            )

    def threshold_for(self, effect: str) -> float:
        """Return the gate for the effect size called ``effect``."""
        return {
            "ks_d": self.ks_d_threshold,
            "psi": self.psi_threshold,
            "wasserstein": self.wasserstein_threshold,
        }[effect]
