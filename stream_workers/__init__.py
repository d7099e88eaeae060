"""Driftline: drift monitoring for models in production, on Apache Kafka.

The workers join predictions with their labels, run concept- and data-drift
detectors, and publish alerts; see ``stream_workers.workers`` for the entry points.
"""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
