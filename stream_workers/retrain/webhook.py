"""The ``webhook`` action: POST the decision as JSON to a URL.

The body is the decision (``RetrainRequest`` without action results). With a
``secret`` configured, ``X-Driftline-Signature: sha256=<hex>`` carries the
HMAC-SHA256 of the exact body bytes under that secret. ``Idempotency-Key`` is the
decision ID, the same on every retry, so the receiver can drop repeats.
"""

from __future__ import annotations

import hashlib
import hmac

from pydantic import SecretStr

from stream_workers.config.retrain import WebhookActionConfig
from stream_workers.messages.codec import encode
from stream_workers.messages.models import RetrainRequest
from stream_workers.retrain.http import Attempt, post

__all__ = ["WebhookAction", "sign"]


def sign(secret: bytes, body: bytes) -> str:
    """The signature header's value: ``sha256=`` and the hex HMAC of ``body``."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


class WebhookAction:
    """POST each triggered decision to ``url``."""

    def __init__(
        self, config: WebhookActionConfig, *, secret: SecretStr | None = None
    ) -> None:
        self.config = config
        self.name = config.name
        self.retry = config.retry
        self._secret = secret

    def once(self, request: RetrainRequest, timeout_s: float) -> Attempt:
        """One delivery try."""
        body = encode(request.model_copy(update={"actions": []}))
        headers = {
            **self.config.headers,
            "Content-Type": "application/json",
            "Idempotency-Key": request.decision_id,
        }
        if self._secret is not None:
            key = self._secret.get_secret_value().encode()
            headers[self.config.signature_header] = sign(key, body)

        reply = post(self.config.url, body, headers, timeout_s)
        if 200 <= reply.status < 300:
            return Attempt(True, external_id=request.decision_id)
        error = reply.error or f"webhook answered HTTP {reply.status}"
        return Attempt(False, reply.retriable, error)
