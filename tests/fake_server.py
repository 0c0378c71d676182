"""The one style of every fake outside service: an HTTP server on 127.0.0.1 in a thread of its own.

A fake subclasses ``FakeServer`` with a ``BaseHTTPRequestHandler`` class that answers from recorded
material (each fake names its source), and keeps what it was asked for the test to read::

    fake = FakeStripe().start()   # serves on fake.origin (http://127.0.0.1:<free port>)
    ...
    fake.stop()

Threaded, so concurrent requests are really served at the same time; port 0, so parallel test
runs never collide.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self


class FakeServer:
    def __init__(self, handler_class: type[BaseHTTPRequestHandler]) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler_class)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._stopped = False

    @property
    def origin(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> Self:
        self.thread.start()
        return self

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop serving; a second call does nothing (a test may stop the service early)."""
        if self._stopped:
            return
        self._stopped = True
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


class FakeHandler(BaseHTTPRequestHandler):
    """Quiet, with the one way the fakes answer: ``send(status, body, content_type)``."""

    def log_message(self, format, *args):  # noqa: A002  (the base class's name)
        pass

    def send(self, status: int, body: bytes | str, content_type: str = "application/json", headers=()) -> None:
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def send_json(self, status: int, payload) -> None:
        self.send(status, json.dumps(payload))
