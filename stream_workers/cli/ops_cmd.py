"""``driftline monitor`` (every worker in one command) and ``driftline report``.

``monitor`` starts ``driftline worker NAME`` child processes, one per worker, on
consecutive HTTP ports from ``--base-port``; it forwards SIGTERM and SIGINT to
them and exits as soon as any child exits, stopping the others. ``report`` (also
``drift``) writes the HTML drift report of a current data set against a
reference.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

__all__ = ["HANDLERS", "add_parsers"]

WORKERS = ("join", "concept", "data", "retrain")


def add_parsers(sub: argparse._SubParsersAction) -> None:
    monitor = sub.add_parser(
        "monitor", help="run every worker of a configuration as child processes"
    )
    monitor.add_argument(
        "--workers", default=",".join(WORKERS), help="comma-separated worker names"
    )
    monitor.add_argument("--config", type=Path, help="the YAML configuration file")
    monitor.add_argument(
        "--base-port", type=int, default=9100, help="HTTP port of the first worker"
    )
    monitor.add_argument("--stop-timeout-s", type=float, default=60.0)
    for name in ("report", "drift"):
        report = sub.add_parser(
            name, help="HTML drift report: current data set against a reference"
        )
        report.add_argument("--reference", required=True, type=Path)
        report.add_argument("--current", type=Path, help="default: the reference")
        report.add_argument(
            "--reference-rows",
            help="row range start:stop; write --x-rows=-5000: for a negative start",
        )
        report.add_argument(
            "--current-rows",
            help="row range start:stop; write --x-rows=-5000: for a negative start",
        )
        report.add_argument("--categorical", default="", help="columns, comma-sep.")
        report.add_argument("--exclude", default="", help="columns to leave out")
        report.add_argument("--alpha", type=float, default=0.05)
        report.add_argument("--min-rows", type=int, default=100)
        report.add_argument("--title", default="Data drift report")
        report.add_argument("--out", type=Path, default=Path("drift-report.html"))


def _names(text: str) -> list[str]:
    return [n.strip() for n in text.split(",") if n.strip()]


def monitor(args: argparse.Namespace) -> int:
    from stream_workers.errors import ConfigError

    names = _names(args.workers)
    unknown = [n for n in names if n not in WORKERS]
    if unknown or not names:
        raise ConfigError(
            f"unknown worker(s) {', '.join(unknown) or '(none)'}; "
            f"choose from {', '.join(WORKERS)}"
        )
    missing = [
        n
        for n in names
        if importlib.util.find_spec(f"stream_workers.workers.{n}") is None
    ]
    if missing:
        raise ConfigError(f"worker(s) {', '.join(missing)} are not installed")

    children: dict[str, subprocess.Popen[bytes]] = {}
    stopping: list[int] = []

    def forward(signum: int, frame: object) -> None:
        stopping.append(signum)
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)

    previous = {s: signal.signal(s, forward) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        for i, name in enumerate(names):
            env = dict(os.environ, DRIFTLINE_HTTP_PORT=str(args.base_port + i))
            if args.config is not None:
                env["DRIFTLINE_CONFIG_FILE"] = str(args.config)
            command = [sys.executable, "-m", "stream_workers.cli", "worker", name]
            children[name] = subprocess.Popen(command, env=env)
        return _supervise(children, stopping, args.stop_timeout_s)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _supervise(
    children: dict[str, subprocess.Popen[bytes]], stopping: list[int], timeout_s: float
) -> int:
    """Wait until a child exits or a signal came; stop the rest; the exit code."""
    first_exit: int | None = None
    while not stopping and first_exit is None:
        for name, child in children.items():
            code = child.poll()
            if code is not None:
                print(f"driftline: worker {name} exited with {code}", file=sys.stderr)
                first_exit = code
                break
        time.sleep(0.2)

    for child in children.values():
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    for child in children.values():
        try:
            child.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    if stopping:
        return 0
    return first_exit or 1


def report(args: argparse.Namespace) -> int:
    from stream_workers.detectors.data import DriftConfig
    from stream_workers.report import (
        build_report,
        infer_types,
        load_rows,
        render_html,
        slice_rows,
    )

    reference_rows = load_rows(args.reference)
    current_rows = reference_rows if args.current is None else load_rows(args.current)
    reference = slice_rows(reference_rows, args.reference_rows)
    current = slice_rows(current_rows, args.current_rows)
    types = infer_types(
        reference, categorical=_names(args.categorical), exclude=_names(args.exclude)
    )
    config = DriftConfig(alpha=args.alpha, min_window_size=args.min_rows)
    result = build_report(
        reference,
        current,
        types,
        config=config,
        title=args.title,
        reference_name=_label(args.reference, args.reference_rows),
        current_name=_label(args.current or args.reference, args.current_rows),
    )
    args.out.write_text(render_html(result), encoding="utf-8")
    print(
        f"wrote {args.out}: {result.window.drifted_count} of "
        f"{result.window.n_tested} features drifted"
    )
    return 0


def _label(path: Path, rows: str | None) -> str:
    return f"{path.name}[{rows}]" if rows else path.name


HANDLERS = {"monitor": monitor, "drift": report, "report": report}
