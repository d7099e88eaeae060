"""The two evaluation protocols: a frozen model's errors, and prequential learning.

(a) *Production*: a model trained on the first ``train_rows`` rows is frozen
and served over the rest; its 0/1 error stream is computed once and replayed
through every configuration. (b) *Literature*: an incremental learner predicts
then learns on every row and is replaced by a fresh one on each detection, so
the error stream depends on the detector and is recomputed per configuration.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from stream_workers.evaluation.configs import Configuration
from stream_workers.evaluation.streams import LabelledStream

__all__ = ["ModelFactory", "frozen_errors", "hoeffding_tree", "prequential", "replay"]

ModelFactory = Callable[[], Any]


def hoeffding_tree() -> Any:
    """River's Hoeffding tree with its defaults: fast and fits every stream here."""
    from river import tree

    return tree.HoeffdingTreeClassifier()


def frozen_errors(
    stream: LabelledStream, model_factory: ModelFactory = hoeffding_tree
) -> list[int]:
    """Errors of a model trained on the first ``train_rows`` rows, on the rest."""
    rows = stream.rows
    model = model_factory()
    for x, y in rows[: stream.train_rows]:
        model.learn_one(x, y)
    return [int(model.predict_one(x) != y) for x, y in rows[stream.train_rows :]]


def replay(errors: list[int], config: Configuration, *, offset: int = 0) -> list[int]:
    """Feed an error stream to a fresh configuration; return alert row indices."""
    feed = config.build()
    return [offset + i for i, error in enumerate(errors) if feed(error)]


def prequential(
    stream: LabelledStream,
    config: Configuration,
    model_factory: ModelFactory = hoeffding_tree,
) -> list[int]:
    """Test-then-train over the whole stream, a new model after each detection."""
    feed = config.build()
    model = model_factory()
    detections = []
    for i, (x, y) in enumerate(stream.rows):
        error = int(model.predict_one(x) != y)
        model.learn_one(x, y)
        if feed(error):
            detections.append(i)
            model = model_factory()
    return detections
