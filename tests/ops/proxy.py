"""A proxy in front of PostgreSQL that can stop forwarding: the network path that goes silent.

It listens on 127.0.0.1 (TCP) or on a Unix socket, and relays every connection to the server's
Unix socket. ``stall()`` stops relaying in both directions without closing anything: connections
stay open, new ones are accepted, bytes are taken and acknowledged by the kernel and never arrive,
which is what a hung switch, a frozen VM or a black-holed route look like from the client (no
reset, no refusal, no error). ``resume()`` lets the bytes through again.
"""

from __future__ import annotations

import socket
import threading
from contextlib import contextmanager
from pathlib import Path


class StallingProxy:
    def __init__(self, *, target: str, unix_path: Path | None = None):
        self.target = target
        self.forwarding = threading.Event()
        self.forwarding.set()
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        if unix_path is None:
            self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.listener.bind(("127.0.0.1", 0))
            self.port = self.listener.getsockname()[1]
        else:
            self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.listener.bind(str(unix_path))
            unix_path.chmod(0o777)
            self.port = None
        self.listener.listen(64)
        threading.Thread(target=self._accept, daemon=True).start()

    def stall(self) -> None:
        self.forwarding.clear()

    def resume(self) -> None:
        self.forwarding.set()

    def close(self) -> None:
        self.forwarding.set()
        self.listener.close()
        with self._lock:
            for sock in self._sockets:
                sock.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                upstream.connect(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while True:
                self.forwarding.wait()
                data = source.recv(65536)
                if not data:
                    break
                self.forwarding.wait()  # a stall holds what was read, too
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


@contextmanager
def stalling_proxy(**kwargs):
    proxy = StallingProxy(**kwargs)
    try:
        yield proxy
    finally:
        proxy.close()
