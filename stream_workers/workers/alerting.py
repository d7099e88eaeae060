"""Deterministic alert IDs and the alert envelope shared by the detector workers.

An alert's ID is a hash of what identifies the detection (model, version, segment,
kind, detector, feature and the position in the stream it fired at), never of wall
time, so a replay after a crash produces the same ID and consumers can dedupe.
"""

from __future__ import annotations

import hashlib

__all__ = ["alert_id", "severity_for"]


def alert_id(*parts: object) -> str:
    """32 hex characters of SHA-256 over the parts joined by '|' (None as '')."""
    text = "|".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def severity_for(level: str) -> str:
    """Map a detector level to an alert severity: drift is critical."""
    return "critical" if level == "drift" else "warning"
