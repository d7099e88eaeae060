"""Detection quality: true detections, misses, false alarms and delays per stream.

Run from the repository root (about 5 minutes on 2 cores; ``--quick`` about 30 s;
``--stationary-rows 1000000`` adds the long stationary stream)::

    .venv/bin/python benchmarks/detection.py [--quick] [--protocol a|b|both]

It is ``driftline evaluate`` under another name: Markdown tables, then one JSON
line with every result, the verdicts against river's defaults and the ranking
of the candidate default configurations.
"""

from __future__ import annotations

import sys

from stream_workers.cli.main import main

if __name__ == "__main__":
    sys.exit(main(["evaluate", *sys.argv[1:]]))
