"""A TCP relay between the booth and its object store that can damage what the booth sends.

A part's SHA-256 is what makes the store refuse bytes that changed on the way; to see that
refusal the tests need bytes that really change on the way, after the client computed the
checksum and signed the request. The relay forwards every connection to `target` as it is,
except that, once armed, it flips one byte inside the body of the next request whose head
holds a marker (say `partNumber=2&`, which only that part's request line carries).

It runs on threads of the test's process: a few tens of MB go through it, which is quick.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from dataclasses import dataclass

CHUNK = 256 * 1024
HEAD_END = b"\r\n\r\n"


@dataclass
class _Corruption:
    marker: bytes
    skip: int  # how many body bytes are forwarded unchanged before the flipped one


class CorruptingRelay:
    """Listens on 127.0.0.1 (`port`, `url`) and relays each connection to `target`."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self._target = (target_host, target_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        # Closing a socket does not wake a thread blocked in accept() (Linux): it looks at
        # `_closed` between short waits instead.
        self._listener.settimeout(0.1)
        self.port: int = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._armed: _Corruption | None = None
        self._sockets: list[socket.socket] = []
        self._closed = threading.Event()
        self.flipped = threading.Event()  # set once the byte was flipped and forwarded
        self.client_bytes = 0  # everything the booth sent through the relay
        self._thread = threading.Thread(target=self._accept, name="relay accept", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def corrupt_next(self, marker: bytes, skip: int) -> None:
        """Flip one byte, `skip` bytes into the body of the next request whose head (the
        request line and headers) holds `marker`. Only once: later requests pass intact."""
        with self._lock:
            self._armed = _Corruption(marker, skip)
            self.flipped.clear()

    def close(self) -> None:
        self._closed.set()
        with contextlib.suppress(OSError):
            self._listener.close()
        with self._lock:
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.close()
        self._thread.join(5)

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # closed
            client.settimeout(None)
            try:
                server = socket.create_connection(self._target, timeout=5)
            except OSError:
                client.close()  # the store is away: the booth sees a dropped connection
                continue
            server.settimeout(None)
            with self._lock:
                self._sockets += [client, server]
            threading.Thread(target=self._to_server, args=(client, server), daemon=True,
                             name="relay out").start()
            threading.Thread(target=self._pump, args=(server, client), daemon=True,
                             name="relay back").start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(CHUNK):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                sink.shutdown(socket.SHUT_WR)

    def _to_server(self, client: socket.socket, server: socket.socket) -> None:
        # Looking for the marker and then the end of that request's head, over chunk
        # boundaries: `seen` keeps the tail of what was already forwarded.
        seen = b""
        in_head = False  # the marker was seen: the head's end comes next
        body_left: int | None = None  # counting down to the byte to flip
        try:
            while data := client.recv(CHUNK):
                with self._lock:
                    self.client_bytes += len(data)
                    armed = self._armed
                if armed is not None and body_left is None:
                    window = seen + data
                    start = 0
                    if not in_head:
                        found = window.find(armed.marker)
                        if found >= 0:
                            in_head, start = True, found
                    if in_head:
                        end = window.find(HEAD_END, start)
                        if end >= 0:
                            # the body's first byte, as an index into `data`
                            body_left = armed.skip + end + len(HEAD_END) - len(seen)
                    seen = window[-(len(armed.marker) + len(HEAD_END)):]
                if body_left is not None and body_left < len(data):
                    if body_left >= 0:
                        damaged = bytearray(data)
                        damaged[body_left] ^= 0x01
                        data = bytes(damaged)
                        with self._lock:
                            self._armed = None
                        self.flipped.set()
                    body_left, in_head, seen = None, False, b""
                elif body_left is not None:
                    body_left -= len(data)
                server.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                server.shutdown(socket.SHUT_WR)
