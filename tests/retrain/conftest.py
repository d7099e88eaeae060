"""A scripted HTTP server on 127.0.0.1 (ephemeral port) that records each request."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


Reply = tuple[int, bytes, float]  # status, body, seconds to wait before answering


@dataclass
class ScriptedServer:
    """Answers from ``script`` in order (the last entry repeats) or ``route``."""

    url: str = ""
    script: list[Reply] = field(default_factory=lambda: [(200, b"{}", 0.0)])
    route: Callable[[Received], Reply] | None = None
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, request: Received) -> Reply:
        with self.lock:
            self.received.append(request)
            if self.route is not None:
                return self.route(request)
            index = min(len(self.received), len(self.script)) - 1
            return self.script[index]


@pytest.fixture
def http_server() -> Iterator[ScriptedServer]:
    scripted = ScriptedServer()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
            self._serve("POST")

        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            self._serve("GET")

        def _serve(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            request = Received(
                method, self.path, dict(self.headers.items()), self.rfile.read(length)
            )
            status, body, delay_s = scripted.answer(request)
            time.sleep(delay_s)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return None

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request: object, client_address: object) -> None:
            return None  # a client that timed out has hung up: nothing to report

    server = Server(("127.0.0.1", 0), Handler)
    scripted.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield scripted
    server.shutdown()
    server.server_close()
    thread.join(5)
