"""A real HTTP server on 127.0.0.1 that replays scripted responses, for provider tests.

Tests script what each path answers (status, headers, body chunks with optional delays, a cut
connection) and read back exactly what the client sent. The server speaks HTTP/1.1 with chunked
transfer encoding, so chunks reach the client as separate reads, as from a real streaming API.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Reply:
    status: int = 200
    chunks: list[bytes | str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "text/event-stream"
    delay_s: float = 0.0  # pause before each chunk
    cut: bool = False  # close the socket after the chunks, without ending the body
    hang_s: float = 0.0  # after the chunks, keep the connection open this long before ending
    before: Callable[[], object] | None = None  # runs before the reply is sent (a barrier, say)

    @classmethod
    def json(cls, status: int, body: Any, headers: dict[str, str] | None = None) -> Reply:
        return cls(status, [json.dumps(body)], headers or {}, "application/json")


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


def sse(
    *events: Any, event_names: bool = False, crlf: bool = False, done: bool = False
) -> list[str]:
    """SSE frames for JSON payloads. With event_names, each payload's `type` becomes an `event:` line."""
    nl = "\r\n" if crlf else "\n"
    frames = []
    for payload in events:
        text = payload if isinstance(payload, str) else json.dumps(payload)
        head = f"event: {payload['type']}{nl}" if event_names and isinstance(payload, dict) else ""
        frames.append(f"{head}data: {text}{nl}{nl}")
    if done:
        frames.append(f"data: [DONE]{nl}{nl}")
    return frames


class ReplayServer:
    """Use as a context manager or via the `replay` fixture. `url` is `http://127.0.0.1:PORT`."""

    def __init__(self) -> None:
        self._replies: dict[str, deque[Reply]] = defaultdict(deque)
        self._default: dict[str, Reply] = {}
        self.received: list[Received] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                with server._lock:
                    server.received.append(
                        Received(
                            self.command,
                            parts.path,
                            parse_qs(parts.query),
                            {k.lower(): v for k, v in self.headers.items()},
                            body,
                        )
                    )
                    reply = server._next(parts.path)
                if reply is None:
                    self._send(
                        Reply.json(
                            404, {"error": {"message": f"no reply scripted for {parts.path}"}}
                        )
                    )
                else:
                    if reply.before is not None:
                        reply.before()
                    self._send(reply)

            do_GET = _handle
            do_POST = _handle

            def _send(self, reply: Reply) -> None:
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Transfer-Encoding", "chunked")
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                self.end_headers()
                try:
                    for chunk in reply.chunks:
                        if reply.delay_s:
                            time.sleep(reply.delay_s)
                        data = chunk.encode() if isinstance(chunk, str) else chunk
                        if not data:
                            continue
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                        self.wfile.flush()
                    if reply.hang_s:
                        time.sleep(reply.hang_s)
                    if reply.cut:
                        self.wfile.flush()
                        self.connection.shutdown(socket.SHUT_RDWR)
                        self.close_connection = True
                        return
                    self.wfile.write(b"0\r\n\r\n")
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError, OSError):
                    self.close_connection = True

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a client that hangs up early (Stop, a cut test) is not a server failure

        self._httpd = Server(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add(self, path: str, *replies: Reply) -> None:
        """Queue replies for a path (first in, first out)."""
        with self._lock:
            self._replies[path].extend(replies)

    def always(self, path: str, reply: Reply) -> None:
        """Answer every request to `path` with `reply` once its queue is empty."""
        with self._lock:
            self._default[path] = reply

    def _next(self, path: str) -> Reply | None:
        queue = self._replies.get(path)
        if queue:
            return queue.popleft()
        return self._default.get(path)

    def requests_to(self, path: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.path == path]

    def start(self) -> ReplayServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
