"""One HTTP endpoint per worker process: ``/metrics``, ``/healthz`` and ``/readyz``.

``/healthz`` answers 200 while the loop has ticked within ``stale_s`` (a hung loop
gets the pod restarted); ``/readyz`` answers 200 once partitions are assigned and
their state restored.
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

__all__ = ["Health", "HealthServer"]


class Health:
    """Liveness and readiness as the loop reports them; thread-safe."""

    def __init__(self, stale_s: float = 60.0) -> None:
        self.stale_s = stale_s
        self._last_tick = time.monotonic()
        self._ready = False
        self._lock = threading.Lock()

    def tick(self) -> None:
        with self._lock:
            self._last_tick = time.monotonic()

    def set_ready(self, ready: bool) -> None:
        with self._lock:
            self._ready = ready

    @property
    def alive(self) -> bool:
        with self._lock:
            return time.monotonic() - self._last_tick < self.stale_s

    @property
    def ready(self) -> bool:
        with self._lock:
            return self._ready and time.monotonic() - self._last_tick < self.stale_s


class HealthServer:
    """A small threaded HTTP server; use as a context manager."""

    def __init__(
        self,
        registry: CollectorRegistry,
        health: Health,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.registry = registry
        self.health = health
        self._server = ThreadingHTTPServer((host, port), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def __enter__(self) -> HealthServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        registry, health = self.registry, self.health

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
                path = self.path.split("?", 1)[0]
                if path == "/metrics":
                    self._send(200, generate_latest(registry), CONTENT_TYPE_LATEST)
                elif path == "/healthz":
                    ok = health.alive
                    self._send(200 if ok else 503, b"ok\n" if ok else b"stale\n")
                elif path == "/readyz":
                    ok = health.ready
                    self._send(200 if ok else 503, b"ready\n" if ok else b"not ready\n")
                else:
                    self._send(404, b"not found\n")

            def _send(self, code: int, body: bytes, ctype: str = "text/plain") -> None:
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                return

        return Handler
