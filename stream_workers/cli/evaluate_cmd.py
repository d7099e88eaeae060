"""``driftline evaluate``: detection quality of the detectors on labelled streams."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["HANDLERS", "add_parsers"]


def add_parsers(sub: argparse._SubParsersAction) -> None:
    evaluate = sub.add_parser(
        "evaluate",
        help="replay labelled streams through the detectors and score them",
    )
    evaluate.add_argument(
        "--quick", action="store_true", help="SEA and a 50k stationary stream only"
    )
    evaluate.add_argument(
        "--data-dir", type=Path, default=None, help="folder of the shared data files"
    )
    evaluate.add_argument(
        "--stationary-rows",
        type=int,
        default=200_000,
        help="length of the stationary stream (1000000 for the long run)",
    )
    evaluate.add_argument(
        "--only",
        nargs="+",
        default=(),
        help="stream names or shapes (abrupt, gradual, none) to run, e.g. none",
    )
    evaluate.add_argument(
        "--protocol",
        choices=["a", "b", "both"],
        default="both",
        help="a: frozen model; b: prequential learner reset on detection",
    )


def evaluate(args: argparse.Namespace) -> int:
    from stream_workers.cli.main import print_json
    from stream_workers.evaluation import (
        DEFAULT_DATA_DIR,
        BenchmarkOptions,
        render_markdown,
        run_benchmark,
    )

    options = BenchmarkOptions(
        quick=args.quick,
        data_dir=args.data_dir or DEFAULT_DATA_DIR,
        stationary_rows=args.stationary_rows,
        protocols=("a", "b") if args.protocol == "both" else (args.protocol,),
        only=tuple(args.only),
    )
    summary = run_benchmark(options, lambda text: print(text, file=sys.stderr))
    print(render_markdown(summary))
    print_json(summary)
    return 0


HANDLERS = {"evaluate": evaluate}
