"""One HTTP POST through the standard library, and retries with backoff around it.

The opener follows no redirects and uses no proxy, so a request goes only to the
configured URL. Transport failures (refused connection, timeout, reset) come back
as a :class:`Reply` with ``status`` 0, never as an exception.
"""

from __future__ import annotations

import http.client
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from stream_workers.config.retrain import RetryConfig

__all__ = ["Attempt", "Reply", "Retried", "post", "retrying"]

logger = logging.getLogger(__name__)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


@dataclass(frozen=True)
class Reply:
    """An HTTP status and body; status 0 with ``error`` when nothing came back."""

    status: int
    body: bytes = b""
    error: str | None = None

    @property
    def retriable(self) -> bool:
        """Transport failures, 429 and 5xx are worth another try; other 4xx are not."""
        return self.status == 0 or self.status == 429 or self.status >= 500


def post(url: str, body: bytes, headers: dict[str, str], timeout_s: float) -> Reply:
    """POST ``body`` to ``url`` and return the reply, whatever its status."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _OPENER.open(request, timeout=timeout_s) as response:
            return Reply(response.status, response.read())
    except urllib.error.HTTPError as exc:
        with exc:
            return Reply(exc.code, exc.read())
    except TimeoutError:
        return Reply(0, error=f"timed out after {timeout_s:g} s")
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            return Reply(0, error=f"timed out after {timeout_s:g} s")
        return Reply(0, error=f"connection failed: {exc.reason}")
    except (OSError, http.client.HTTPException) as exc:
        return Reply(0, error=f"connection failed: {type(exc).__name__}")


@dataclass(frozen=True)
class Attempt:
    """What one try of an action came to."""

    ok: bool
    retriable: bool = False
    error: str | None = None
    external_id: str | None = None


@dataclass(frozen=True)
class Retried:
    """The last attempt and how many were made."""

    last: Attempt
    attempts: int


def retrying(
    once: Callable[[float], Attempt],
    retry: RetryConfig,
    *,
    deadline: float,
    on_attempt: Callable[[], None] = lambda: None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Retried:
    """Call ``once(timeout_s)`` until it succeeds, fails for good, or time is up.

    Waits ``backoff_s * 2**n`` (capped at ``max_backoff_s``) between tries. A try
    starts only when it can finish before ``deadline`` (a ``clock`` value), except
    the first, which always runs.
    """
    attempts = 0
    while True:
        attempts += 1
        on_attempt()
        last = once(retry.timeout_s)
        if last.ok or not last.retriable or attempts >= retry.max_attempts:
            return Retried(last, attempts)

        delay = min(retry.backoff_s * 2 ** (attempts - 1), retry.max_backoff_s)
        if clock() + delay + retry.timeout_s > deadline:
            error = f"{last.error}; no time left for another attempt"
            return Retried(Attempt(False, True, error), attempts)
        sleep(delay)
