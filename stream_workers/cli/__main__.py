"""``python -m stream_workers.cli``: the same as the ``driftline`` command."""

from __future__ import annotations

import sys

from stream_workers.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
