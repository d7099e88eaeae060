"""The MMD permutation test: its false-positive rate and its power."""

from __future__ import annotations

import pickle

import pytest
import torch
from scipy import stats

from stream_workers.serving import MMDDrift, mmd_test

pytestmark = pytest.mark.torch

ALPHA = 0.05


def gaussian(rows: int, dims: int, generator: torch.Generator) -> torch.Tensor:
    return torch.randn(rows, dims, generator=generator)


def test_false_positive_rate_on_one_distribution_is_near_alpha() -> None:
    generator = torch.Generator().manual_seed(2024)
    trials = 200

    rejections = sum(
        mmd_test(
            gaussian(200, 10, generator),
            gaussian(200, 10, generator),
            permutations=200,
            seed=trial,
            device="cpu",
        ).p_value
        < ALPHA
        for trial in range(trials)
    )

    # Two-sided 99.9 % acceptance region of Binomial(200, 0.05): 2 to 22.
    low, high = stats.binom.ppf([0.0005, 0.9995], trials, ALPHA)
    assert low <= rejections <= high


def test_half_sigma_mean_shift_in_ten_dims_is_detected_with_500_per_window() -> None:
    generator = torch.Generator().manual_seed(7)
    trials = 20

    results = [
        mmd_test(
            gaussian(500, 10, generator),
            gaussian(500, 10, generator) + 0.5,
            permutations=500,
            seed=trial,
            device="cpu",
        )
        for trial in range(trials)
    ]

    detected = sum(result.p_value < ALPHA for result in results)
    assert detected / trials >= 0.95
    assert {(r.n_ref, r.n_cur, r.permutations) for r in results} == {(500, 500, 500)}


def test_same_seed_gives_the_same_p_value() -> None:
    generator = torch.Generator().manual_seed(1)
    reference, current = gaussian(100, 3, generator), gaussian(80, 3, generator)

    first = mmd_test(reference, current, permutations=300, seed=5, device="cpu")
    again = mmd_test(reference, current, permutations=300, seed=5, device="cpu")

    assert first == again
    assert (first.n_ref, first.n_cur) == (100, 80)


def test_streaming_detector_flags_the_shifted_window_only() -> None:
    generator = torch.Generator().manual_seed(3)
    detector = MMDDrift(reference_size=300, window_size=300, permutations=300)
    verdicts = []

    for shift in (0.0, 0.0, 0.0, 0.5):
        for row in (gaussian(300, 10, generator) + shift).tolist():
            detector.update(row)
        verdicts.append(detector.drift_detected)

    assert verdicts == [False, False, False, True]
    assert detector.p_value is not None and detector.p_value < 0.01


def test_streaming_detector_survives_a_pickle_round_trip() -> None:
    detector = MMDDrift(reference_size=4, window_size=4, permutations=50)
    for value in range(6):
        detector.update([float(value), 1.0])

    restored = pickle.loads(pickle.dumps(detector))
    for value in (6.0, 7.0):
        detector.update([value, 1.0])
        restored.update([value, 1.0])

    assert restored.result == detector.result


def test_mismatched_dimensions_are_refused() -> None:
    with pytest.raises(ValueError, match="same number of dims"):
        mmd_test(torch.zeros(5, 2), torch.zeros(5, 3))
