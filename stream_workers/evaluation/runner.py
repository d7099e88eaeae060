"""Run the detection benchmark: streams x protocols x configurations, then verdicts.

The summary is a plain dictionary (it becomes the JSON last line): one result
per (protocol, stream, configuration), one verdict per (protocol, stream)
comparing our default with the best of river's defaults, and the ranking of the
candidate default configurations on the shared streams under protocol (a).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from stream_workers.evaluation.configs import (
    CANDIDATES,
    RIVER_DEFAULTS,
    SINGLES,
    Configuration,
)
from stream_workers.evaluation.protocols import frozen_errors, prequential, replay
from stream_workers.evaluation.scoring import Score, score_detections
from stream_workers.evaluation.streams import (
    DEFAULT_DATA_DIR,
    LabelledStream,
    shared_streams,
    stationary_stream,
    synthetic_streams,
)

__all__ = ["BenchmarkOptions", "run_benchmark"]

Progress = Callable[[str], None]


@dataclass(frozen=True)
class BenchmarkOptions:
    """What to run; the defaults are the full run (about 5 minutes on 2 cores)."""

    quick: bool = False
    data_dir: Path = DEFAULT_DATA_DIR
    stationary_rows: int = 200_000
    protocols: Sequence[str] = ("a", "b")
    candidates: Sequence[Configuration] = field(default=CANDIDATES)
    only: Sequence[str] = ()


def _streams(options: BenchmarkOptions) -> list[LabelledStream]:
    shared = shared_streams(options.data_dir)
    if options.quick:
        return [shared[0], stationary_stream(50_000)]
    every = [*shared, *synthetic_streams(), stationary_stream(options.stationary_rows)]
    if options.only:
        return [s for s in every if s.name in options.only or s.shape in options.only]
    return every


def _result(
    protocol: str, stream: LabelledStream, config: Configuration, score: Score
) -> dict[str, object]:
    return {
        "protocol": protocol,
        "stream": stream.name,
        "config": config.label,
        "source": config.source,
        **score.as_dict(),
    }


def _protocol_a(
    stream: LabelledStream, configs: Sequence[Configuration]
) -> list[dict[str, object]]:
    errors = frozen_errors(stream)
    end = len(stream.rows)
    results = []
    for config in configs:
        found = replay(errors, config, offset=stream.train_rows)
        score = score_detections(
            found,
            stream.drifts,
            max_delay=stream.max_delay,
            start=stream.train_rows,
            end=end,
            lead=stream.lead,
        )
        results.append(_result("a", stream, config, score))
    return results


def _protocol_b(
    stream: LabelledStream, configs: Sequence[Configuration]
) -> list[dict[str, object]]:
    end = len(stream.rows)
    results = []
    for config in configs:
        found = prequential(stream, config)
        score = score_detections(
            found, stream.drifts, max_delay=stream.max_delay, end=end, lead=stream.lead
        )
        results.append(_result("b", stream, config, score))
    return results


def _number(row: dict[str, object], key: str) -> float:
    """A numeric field of a result row (the rows are plain dicts for the JSON)."""
    value = row[key]
    assert isinstance(value, int | float), (key, value)
    return float(value)


def _verdict(rows: list[dict[str, object]], default: str) -> dict[str, object]:
    """Our default against the best of river's defaults on one stream."""
    ours = next(r for r in rows if r["config"] == default)
    river = [r for r in rows if r["source"] == "river"]
    most = max(_number(r, "detected") for r in river)
    timely = [r for r in river if r["detected"] == most and r["mean_delay"] is not None]
    best_delay = min(timely, key=lambda r: _number(r, "mean_delay"), default=None)
    best_alarms = min(river, key=lambda r: _number(r, "false_alarms"))

    all_found = ours["detected"] == ours["drifts"]
    delay_ok = best_delay is None or (
        ours["mean_delay"] is not None
        and _number(ours, "mean_delay") <= _number(best_delay, "mean_delay")
    )
    alarms_ok = _number(ours, "false_alarms") <= _number(best_alarms, "false_alarms")
    return {
        "protocol": ours["protocol"],
        "stream": ours["stream"],
        "default_detected": f"{ours['detected']}/{ours['drifts']}",
        "default_mean_delay": ours["mean_delay"],
        "default_false_alarms": ours["false_alarms"],
        "river_best_delay": None if best_delay is None else best_delay["mean_delay"],
        "river_best_delay_by": None if best_delay is None else best_delay["config"],
        "river_best_false_alarms": best_alarms["false_alarms"],
        "river_best_false_alarms_by": best_alarms["config"],
        "all_detected": all_found,
        "delay_no_worse": delay_ok,
        "false_alarms_no_more": alarms_ok,
    }


def _rank(
    results: list[dict[str, object]], labels: list[str]
) -> list[dict[str, object]]:
    """Candidates on protocol (a): fewest missed, then false alarms, then delay."""
    ranking = []
    for label in labels:
        rows = [r for r in results if r["protocol"] == "a" and r["config"] == label]
        delays = [d for r in rows for d in r["delays"]]  # type: ignore[attr-defined]
        ranking.append(
            {
                "config": label,
                "missed": int(sum(_number(r, "missed") for r in rows)),
                "false_alarms": int(sum(_number(r, "false_alarms") for r in rows)),
                "mean_delay": round(sum(delays) / len(delays), 2) if delays else None,
            }
        )
    ranking.sort(key=lambda r: (r["missed"], r["false_alarms"], r["mean_delay"] or 0))
    return ranking


def run_benchmark(
    options: BenchmarkOptions, progress: Progress | None = None
) -> dict[str, object]:
    """Run every stream through the protocols asked for; return the summary."""
    started = time.monotonic()
    say = progress or (lambda _text: None)
    configs_a = [*options.candidates, *SINGLES, *RIVER_DEFAULTS]
    configs_b = [*options.candidates, *RIVER_DEFAULTS]

    results: list[dict[str, object]] = []
    streams = _streams(options)
    for stream in streams:
        if "a" in options.protocols:
            say(f"protocol a: {stream.name}")
            results.extend(_protocol_a(stream, configs_a))
        if "b" in options.protocols and stream.drifts:
            say(f"protocol b: {stream.name}")
            results.extend(_protocol_b(stream, configs_b))

    default = options.candidates[0].label
    verdicts = []
    for protocol in options.protocols:
        for stream in streams:
            rows = [
                r
                for r in results
                if r["protocol"] == protocol and r["stream"] == stream.name
            ]
            if rows and stream.drifts:
                verdicts.append(_verdict(rows, default))

    return {
        "benchmark": "detection",
        "quick": options.quick,
        "streams": [
            {
                "name": s.name,
                "rows": len(s.rows),
                "drifts": list(s.drifts),
                "max_delay": s.max_delay,
                "lead": s.lead,
                "shape": s.shape,
                "train_rows": s.train_rows,
                "origin": s.origin,
            }
            for s in streams
        ],
        "configs": {c.label: c.describe() for c in configs_a},
        "results": results,
        "verdicts": verdicts,
        "ranking": _rank(results, [c.label for c in options.candidates]),
        "seconds": round(time.monotonic() - started, 1),
    }
