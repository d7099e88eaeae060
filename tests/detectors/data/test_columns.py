"""Normalisation of raw values by the declared feature type."""

from __future__ import annotations

import math

import numpy as np
import pytest

from stream_workers.detectors.data import (
    column_types,
    confidence_of,
    to_categorical,
    to_numeric,
)
from stream_workers.errors import ConfigError


def test_numeric_column_drops_and_counts_missing_values():
    column = to_numeric([1.0, None, float("nan"), 3.0])

    np.testing.assert_array_equal(column.values, [1.0, 3.0])
    assert (column.n_rows, column.n_missing, column.n_invalid) == (4, 2, 0)


def test_numeric_column_parses_strings_and_counts_garbage_as_invalid():
    column = to_numeric([1, "1", "2.5", True, "abc", float("inf"), [1], None])

    np.testing.assert_array_equal(column.values, [1.0, 1.0, 2.5, 1.0])
    assert (column.n_missing, column.n_invalid) == (1, 3)


def test_categorical_column_gives_one_and_string_one_the_same_category():
    column = to_categorical([1, "1", 1.0, True, "x", 2.5, None, float("nan")])

    assert dict(column.counts) == {"1": 4, "x": 1, "2.5": 1}
    assert column.n_missing == 2


def test_categorical_column_counts_unhashable_values_as_invalid():
    column = to_categorical(["a", ["a"], {"b": 1}])

    assert dict(column.counts) == {"a": 1}
    assert column.n_invalid == 2


def test_unknown_feature_type_is_a_config_error_naming_the_feature():
    with pytest.raises(ConfigError) as error:
        column_types({"age": "number"})

    assert error.value.field == "feature_types[age]"


def test_confidence_is_the_largest_class_probability():
    assert confidence_of({"cat": 0.2, "dog": 0.7, "fox": 0.1}) == 0.7
    assert confidence_of([0.4, 0.6]) == 0.6
    assert confidence_of(None) is None
    assert confidence_of({"cat": "n/a"}) is None
    assert not math.isnan(confidence_of([math.nan, 0.3]) or 0.0)
