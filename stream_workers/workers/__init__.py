"""The worker processes, one module each; ``run_worker`` is their shared runtime.

- ``join``: predictions + labels -> outcomes (``driftline worker join``)
- ``concept``: outcomes -> concept and performance alerts
- ``data``: predictions -> data, prediction and confidence drift alerts
- ``retrain``: alerts -> retrain decisions and actions
"""

from __future__ import annotations

from stream_workers.workers.runtime import WorkerContext, run_worker

__all__ = ["WorkerContext", "run_worker"]
