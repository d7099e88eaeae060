"""Prometheus metrics and the per-process HTTP endpoint (/metrics, /healthz, /readyz).

Every metric takes a ``CollectorRegistry``; only the CLI uses the global one.
"""

from __future__ import annotations

from stream_workers.metrics.server import Health, HealthServer

__all__ = ["Health", "HealthServer"]
