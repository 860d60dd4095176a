"""A fake national portal on 127.0.0.1 serving the recorded answers of the reporting API
(``tests/fixtures/dvcqg``), with faults to order: a truncated body, an HTML page, a status
(403, 429, 500), a hang past the client's timeout, a renamed field."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

RECORDED = Path(__file__).resolve().parent / "fixtures" / "dvcqg" / "month-all"
PREFIX = "/api/v1/reporting/evaluation/"
PHU_THO = "019d2be3-6a88-732b-8b17-b68020c8553a"


@dataclass
class Request:
    endpoint: str
    body: dict[str, Any]
    user_agent: str


@dataclass
class FakePortal:
    url: str = ""
    requests: list[Request] = field(default_factory=list)
    #: endpoint -> a fault: "truncate", "html", "hang", "rename", or an HTTP status.
    faults: dict[str, str | int] = field(default_factory=dict)
    #: endpoint -> a change of the recorded answer (a corrected figure).
    edits: dict[str, Callable[[dict[str, Any]], None]] = field(default_factory=dict)
    #: endpoint -> the body of the answer (the national ranking has no recording).
    bodies: dict[str, bytes] = field(default_factory=dict)
    release: threading.Event = field(default_factory=threading.Event)

    def answer(self, endpoint: str) -> tuple[int, str, bytes]:
        fault = self.faults.get(endpoint)
        if isinstance(fault, int):
            return fault, "application/json", b'{"code":"ERROR","message":"fake"}'
        if fault == "html":
            return 200, "text/html", b"<html><body>Request Rejected</body></html>"
        if fault == "hang":
            self.release.wait(30)
        if endpoint in self.bodies:
            return 201, "application/json; charset=utf-8", self.bodies[endpoint]
        path = RECORDED / f"{endpoint}.json"
        if not path.exists():
            return 404, "application/json", b'{"code":"NOT_FOUND"}'
        body = path.read_bytes()
        if endpoint in self.edits:
            data = json.loads(body)
            self.edits[endpoint](data)
            body = json.dumps(data, ensure_ascii=False).encode()
        if fault == "truncate":
            body = body[: len(body) // 2]
        if fault == "rename":
            body = body.replace(b'"totalScore"', b'"totalPoint"')
        return 201, "application/json; charset=utf-8", body


@contextmanager
def fake_portal() -> Iterator[FakePortal]:
    portal = FakePortal()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            endpoint = self.path.removeprefix(PREFIX).removeprefix("/api/v1/reporting/")
            portal.requests.append(Request(endpoint, body, self.headers.get("User-Agent", "")))
            status, content_type, payload = portal.answer(endpoint)
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (its timeout)

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    portal.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield portal
    finally:
        portal.release.set()
        server.shutdown()
        server.server_close()
        thread.join()
