"""A recording pass-through proxy between reviewbot and the llama.cpp server.

reviewbot talks to the proxy as if it were the server; the proxy forwards every request
unchanged, streams the answer back as it arrives and keeps a copy of both. The tests then check
the wire itself, not reviewbot's account of it: which `response_format` was sent, whether the
server accepted it, what usage the server reported, and what the model actually wrote.
"""

from __future__ import annotations

import http.client
import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

FORWARDED = ("Content-Type", "Accept", "Authorization")
UPSTREAM_TIMEOUT = 120.0


@dataclass(frozen=True)
class Exchange:
    """One request and the server's answer, as they went over the wire."""

    method: str
    path: str
    request: Any  # the JSON body sent (None for a GET)
    status: int
    content_type: str
    body: bytes  # the answer as received: one JSON object, or the SSE event stream

    @property
    def streamed(self) -> bool:
        return "text/event-stream" in self.content_type

    def events(self) -> list[dict[str, Any]]:
        """The JSON payloads of a streamed answer (`data: [DONE]` left out)."""
        out = []
        for line in self.body.decode("utf-8", errors="replace").splitlines():
            if line.startswith("data:") and line[5:].strip() not in ("", "[DONE]"):
                out.append(json.loads(line[5:]))
        return out

    def answer(self) -> dict[str, Any]:
        return json.loads(self.body)

    def usage(self) -> dict[str, Any] | None:
        """The usage the server reported (a stream's comes in its last event)."""
        if not self.streamed:
            return self.answer().get("usage")
        found = [e["usage"] for e in self.events() if e.get("usage")]
        return found[-1] if found else None

    def text(self) -> str:
        """What the model wrote."""
        if not self.streamed:
            choices = self.answer().get("choices") or [{}]
            return (choices[0].get("message") or {}).get("content") or ""
        return "".join(
            (c.get("delta") or {}).get("content") or ""
            for e in self.events()
            for c in e.get("choices", [])
        )

    def finish_reason(self) -> str | None:
        if not self.streamed:
            return (self.answer().get("choices") or [{}])[0].get("finish_reason")
        reasons = [c.get("finish_reason") for e in self.events() for c in e.get("choices", [])]
        return next((r for r in reversed(reasons) if r), None)


class WireTap:
    """`with WireTap(upstream) as tap:` point the client at `tap.url`; read `tap.exchanges`.

    Construction does no I/O; `start` binds a free port on 127.0.0.1.
    """

    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.exchanges: list[Exchange] = []
        self.url = ""
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> WireTap:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def start(self) -> str:
        tap = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                tap._forward(self)

            def do_POST(self) -> None:
                tap._forward(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the server's own log has every request

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        return self.url

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)

    def chat(self) -> list[Exchange]:
        """The chat-completion exchanges, in order."""
        with self._lock:
            return [e for e in self.exchanges if e.path.endswith("/chat/completions")]

    def _forward(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        sent = handler.rfile.read(length) if length else b""
        headers = {k: v for k in FORWARDED if (v := handler.headers.get(k))}
        upstream = http.client.HTTPConnection(*self.upstream, timeout=UPSTREAM_TIMEOUT)
        received = bytearray()
        status, content_type = 502, ""
        try:
            upstream.request(handler.command, handler.path, body=sent or None, headers=headers)
            response = upstream.getresponse()
            status = response.status
            content_type = response.getheader("Content-Type") or ""
            handler.send_response(status)
            handler.send_header("Content-Type", content_type)
            if "text/event-stream" in content_type:  # pass each piece on as it arrives
                handler.send_header("Connection", "close")
                handler.end_headers()
                while piece := response.read1(65536):
                    received += piece
                    handler.wfile.write(piece)
                    handler.wfile.flush()
            else:
                received += response.read()
                handler.send_header("Content-Length", str(len(received)))
                handler.end_headers()
                handler.wfile.write(received)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client hung up (a timeout on its side): recorded below as received so far
        except OSError as err:  # the server is unreachable or died mid-answer
            received += f"proxy: upstream failed: {err}".encode()
            if status == 502:
                handler.send_error(502, "upstream failed")
        finally:
            upstream.close()
            handler.close_connection = True
            try:
                request = json.loads(sent) if sent else None
            except ValueError:
                request = sent.decode("utf-8", errors="replace")
            with self._lock:
                self.exchanges.append(
                    Exchange(
                        handler.command,
                        handler.path,
                        request,
                        status,
                        content_type,
                        bytes(received),
                    )
                )
