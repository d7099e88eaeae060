"""Detection-quality evaluation: labelled streams replayed through the detectors.

Streams with drifts at known positions (:mod:`.streams`) go through two
protocols (:mod:`.protocols`): a frozen model's error stream, as in production,
and a prequential learner reset on each detection, as in the literature. Each
detector configuration (:mod:`.configs`, ours and river's defaults) is scored
(:mod:`.scoring`) for true detections within an acceptable delay, missed
drifts, false alarms and delays. Everything runs in-process, without a broker.
"""

from __future__ import annotations

from stream_workers.evaluation.configs import (
    CANDIDATES,
    RIVER_DEFAULTS,
    SINGLES,
    Configuration,
    ours,
    river_default,
)
from stream_workers.evaluation.protocols import frozen_errors, prequential, replay
from stream_workers.evaluation.report import render_markdown
from stream_workers.evaluation.runner import BenchmarkOptions, run_benchmark
from stream_workers.evaluation.scoring import Score, score_detections
from stream_workers.evaluation.streams import (
    DEFAULT_DATA_DIR,
    LabelledStream,
    shared_streams,
    stationary_stream,
    synthetic_streams,
)

__all__ = [
    "CANDIDATES",
    "DEFAULT_DATA_DIR",
    "RIVER_DEFAULTS",
    "SINGLES",
    "BenchmarkOptions",
    "Configuration",
    "LabelledStream",
    "Score",
    "frozen_errors",
    "ours",
    "prequential",
    "render_markdown",
    "replay",
    "river_default",
    "run_benchmark",
    "score_detections",
    "shared_streams",
    "stationary_stream",
    "synthetic_streams",
]
