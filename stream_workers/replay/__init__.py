"""The serving-system simulator behind ``driftline replay`` and the demo.

It trains a river model on the first part of a stream, serves the rest as
prediction events and sends their labels after a delay drawn per event (a share
early, a share never), through the same Kafka producers a serving system uses.
"""

from __future__ import annotations

from stream_workers.replay.simulator import ReplayPlan, ReplayStats, replay
from stream_workers.replay.sources import Source, open_source

__all__ = ["ReplayPlan", "ReplayStats", "Source", "open_source", "replay"]
