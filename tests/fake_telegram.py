"""A fake Telegram Bot API server on 127.0.0.1 for end-to-end tests.

It implements the methods the bot uses, records what the bot sent, lets a test
post updates as any user or group, and serves uploaded files for download.
"""

from __future__ import annotations

import itertools
import json
import math
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

BOT_ID = 900000001
BOT_USERNAME = "tthc_test_bot"


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)


@dataclass
class Failure:
    """A planned error for the next call of ``method`` (to ``chat_id`` when given)."""

    method: str
    status: int = 500
    description: str = "Internal Server Error"
    parameters: dict[str, Any] | None = None
    chat_id: int | None = None
    delay: float = 0.0  # seconds to stall before answering (a time-out for short clients)


#: The methods that post a message, which Telegram's flood limits count.
SENDING = frozenset({"sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup"})


@dataclass
class _Bucket:
    """A leaky bucket: ``capacity`` messages at once, refilled at ``per_second``."""

    capacity: float
    per_second: float
    level: float = 0.0
    at: float = field(default_factory=time.monotonic)

    def take(self, now: float, slack: float) -> float:
        """Count one message; or, when it is beyond the limit (by more than ``slack``
        messages), count nothing and return the seconds until it would fit."""
        self.level = max(0.0, self.level - (now - self.at) * self.per_second)
        self.at = now
        if self.level + 1 > self.capacity + slack:
            return (self.level + 1 - self.capacity) / self.per_second
        self.level += 1
        return 0.0


@dataclass
class Limits:
    """Telegram's flood limits, as its documentation gives them: about 30 messages a second
    overall and 20 a minute in one group; beyond them, 429 with ``retry_after``. ``slack``
    messages more are let through (arrival times jitter against the sender's own pacing)."""

    per_second: float = 30
    per_group_minute: float = 20
    slack: float = 1


class FakeTelegram:
    """Start with :meth:`start`; the bot's base_url is :attr:`base_url`. With ``limits``,
    messages beyond Telegram's flood limits get 429 and are counted in :attr:`too_many`."""

    def __init__(self, token: str, limits: Limits | None = None) -> None:
        self.token = token
        self.limits = limits
        #: 429 answers given because a limit was exceeded (the sender's pacing failed).
        self.too_many = 0
        self._overall = _Bucket(limits.per_second, limits.per_second) if limits else None
        self._groups: dict[int, _Bucket] = {}
        self.calls: list[Call] = []
        self.updates: list[dict[str, Any]] = []
        self.files: dict[str, tuple[str, bytes]] = {}
        self.unsized: set[str] = set()
        self.failures: list[Failure] = []
        #: Seconds a sendMessage/sendPhoto takes to answer (a slow Telegram).
        self.send_delay = 0.0
        #: Seconds between a sendMessage being accepted (recorded) and its answer: a bot
        #: killed meanwhile sent a message it never learnt was delivered.
        self.accept_delay = 0.0
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._cond = threading.Condition()
        self._server = _QuietServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    def start(self) -> FakeTelegram:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def stop_listening(self) -> None:
        """Never started, its port closed: connections to it are refused."""
        self._server.server_close()

    def restart(self) -> None:
        """After :meth:`stop` (the Bot API server gone for a while): back on the same port."""
        port = self.port
        self._server = _QuietServer(("127.0.0.1", port), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def wait_for_more(self, seen: int, timeout: float) -> None:
        """Until there are more than ``seen`` calls, or ``timeout`` passed (no error)."""
        with self._cond:
            self._cond.wait_for(lambda: len(self.calls) > seen, timeout)

    # -- what tests do -----------------------------------------------------------------------

    def post_update(self, update: dict[str, Any]) -> int:
        with self._cond:
            update_id = next(self._update_ids)
            self.updates.append({"update_id": update_id, **update})
            self._cond.notify_all()
            return update_id

    def message(
        self,
        user_id: int,
        text: str,
        chat_id: int | None = None,
        chat_type: str = "private",
        title: str | None = None,
    ) -> int:
        chat: dict[str, Any] = {
            "id": chat_id if chat_id is not None else user_id,
            "type": chat_type,
        }
        if title:
            chat["title"] = title
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"},
            "text": text,
        }
        if text.startswith("/"):
            length = len(text.split(" ", 1)[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return self.post_update({"message": message})

    def document(self, user_id: int, file_name: str, data: bytes, *, sized: bool = True) -> int:
        """A file sent by ``user_id``; ``sized=False``: neither the message nor getFile says
        its size (Telegram may omit it)."""
        file_id = f"file{next(self._message_ids)}"
        self.files[file_id] = (f"documents/{file_name}", data)
        if not sized:
            self.unsized.add(file_id)
        document: dict[str, Any] = {
            "file_id": file_id,
            "file_unique_id": file_id,
            "file_name": file_name,
        }
        if sized:
            document["file_size"] = len(data)
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private"},
            "from": {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"},
            "document": document,
        }
        return self.post_update({"message": message})

    def press(self, user_id: int, message: dict[str, Any], data: str) -> int:
        query = {
            "id": str(next(self._message_ids)),
            "from": {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"},
            "chat_instance": "1",
            "message": message,
            "data": data,
        }
        return self.post_update({"callback_query": query})

    def wait_for(
        self, predicate: Callable[[Call], bool], timeout: float = 15.0, start: int = 0
    ) -> Call:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for call in self.calls[start:]:
                    if predicate(call):
                        return call
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    methods = [c.method for c in self.calls[start:]]
                    raise AssertionError(f"no matching call within {timeout}s; saw {methods}")
                self._cond.wait(remaining)

    def wait_until(self, condition: Callable[[list[Call]], bool], timeout: float = 15.0) -> None:
        """Until ``condition(calls)`` holds (checked at each new call)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not condition(self.calls):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"condition not met within {timeout}s")
                self._cond.wait(remaining)

    def sent_to(self, chat_id: int, start: int = 0) -> list[Call]:
        with self._cond:
            return [c for c in self.calls[start:] if str(c.params.get("chat_id")) == str(chat_id)]

    def revoke_token(self) -> None:
        """The token is revoked in @BotFather: every later call gets 401 Unauthorized."""
        with self._cond:
            self.token = "revoked"

    def fail(self, failure: Failure, times: int = 1) -> None:
        """Answer the next ``times`` matching calls with an error instead."""
        with self._cond:
            self.failures.extend([failure] * times)

    def _planned_failure(self, method: str, params: dict[str, Any]) -> Failure | None:
        with self._cond:
            for failure in self.failures:
                chat = failure.chat_id
                if failure.method == method and (
                    chat is None or str(params.get("chat_id")) == str(chat)
                ):
                    self.failures.remove(failure)
                    return failure
        return None

    def _over_limit(self, method: str, params: dict[str, Any]) -> float:
        """Seconds to wait when this message exceeds a flood limit, else 0 (and counted)."""
        if self.limits is None or self._overall is None or method not in SENDING:
            return 0.0
        chat_id = int(params.get("chat_id") or 0)
        now = time.monotonic()
        with self._cond:
            group = None
            if chat_id < 0:
                per_minute = self.limits.per_group_minute
                group = self._groups.setdefault(chat_id, _Bucket(per_minute, per_minute / 60))
                # Looked at first without counting: a refused message counts in neither.
                probe = _Bucket(group.capacity, group.per_second, group.level, group.at)
                if wait := probe.take(now, self.limits.slack):
                    self.too_many += 1
                    return wait
            if wait := self._overall.take(now, self.limits.slack):
                self.too_many += 1
                return wait
            if group is not None:
                group.take(now, self.limits.slack)
            return 0.0

    # -- the HTTP side -----------------------------------------------------------------------

    def _record(self, call: Call) -> None:
        with self._cond:
            self.calls.append(call)
            self._cond.notify_all()

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 2.0)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                pending = [u for u in self.updates if u["update_id"] >= offset]
                remaining = deadline - time.monotonic()
                if pending or remaining <= 0:
                    return pending
                self._cond.wait(remaining)

    def _message_result(self, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        chat_id = int(params.get("chat_id") or 0)
        result: dict[str, Any] = {
            "message_id": int(params.get("message_id") or next(self._message_ids)),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "TTHC"},
        }
        if "text" in params:
            result["text"] = params["text"]
        if "photo" in files or "media" in params:
            result["photo"] = [
                {"file_id": "p1", "file_unique_id": "p1", "width": 800, "height": 600}
            ]
            if "caption" in params:
                result["caption"] = params["caption"]
        if params.get("reply_markup"):
            markup = params["reply_markup"]
            result["reply_markup"] = json.loads(markup) if isinstance(markup, str) else markup
        return result

    def _dispatch(self, method: str, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        if method == "getMe":
            return {
                "id": BOT_ID,
                "is_bot": True,
                "first_name": "TTHC",
                "username": BOT_USERNAME,
                "can_join_groups": True,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
            }
        if method == "getUpdates":
            return self._get_updates(params)
        if method in ("deleteWebhook", "setMyCommands", "answerCallbackQuery", "setWebhook"):
            if method != "deleteWebhook":
                self._record(Call(method, params, files))
            return True
        if method == "getFile":
            path, data = self.files[params["file_id"]]
            found: dict[str, Any] = {
                "file_id": params["file_id"],
                "file_unique_id": params["file_id"],
                "file_path": path,
            }
            if params["file_id"] not in self.unsized:
                found["file_size"] = len(data)
            return found
        if method in (
            "sendMessage",
            "sendPhoto",
            "sendDocument",
            "editMessageText",
            "editMessageCaption",
            "editMessageReplyMarkup",
            "editMessageMedia",
        ):
            if self.send_delay and method in ("sendMessage", "sendPhoto"):
                threading.Event().wait(self.send_delay)
            self._record(Call(method, params, files))
            if self.accept_delay and method == "sendMessage":
                threading.Event().wait(self.accept_delay)
            return self._message_result(params, files)
        raise KeyError(method)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _reply(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _json(self, status: int, payload: dict[str, Any]) -> None:
                self._reply(status, json.dumps(payload).encode(), "application/json")

            def do_GET(self) -> None:
                prefix = f"/file/bot{fake.token}/"
                path = unquote(self.path)
                if path.startswith(prefix):
                    wanted = path[len(prefix) :]
                    for path, data in fake.files.values():
                        if path == wanted:
                            self._reply(200, data, "application/octet-stream")
                            return
                self._reply(404, b"not found", "text/plain")

            def do_POST(self) -> None:
                prefix = f"/bot{fake.token}/"
                if not self.path.startswith(prefix):
                    self._json(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
                    return
                method = urlparse(self.path).path[len(prefix) :]
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                params, files = _parse_body(self.headers.get("Content-Type", ""), body)
                failure = fake._planned_failure(method, params)
                if failure is not None:
                    fake._record(Call(f"failed:{method}", params, files))
                    if failure.delay:
                        time.sleep(failure.delay)
                    payload: dict[str, Any] = {
                        "ok": False,
                        "error_code": failure.status,
                        "description": failure.description,
                    }
                    if failure.parameters:
                        payload["parameters"] = failure.parameters
                    self._json(failure.status, payload)
                    return
                if wait := fake._over_limit(method, params):
                    fake._record(Call(f"429:{method}", params, files))
                    seconds = max(1, math.ceil(wait))
                    self._json(
                        429,
                        {
                            "ok": False,
                            "error_code": 429,
                            "description": f"Too Many Requests: retry after {seconds}",
                            "parameters": {"retry_after": seconds},
                        },
                    )
                    return
                try:
                    result = fake._dispatch(method, params, files)
                except KeyError:
                    self._json(
                        404,
                        {
                            "ok": False,
                            "error_code": 404,
                            "description": f"Not Found: method {method}",
                        },
                    )
                    return
                self._json(200, {"ok": True, "result": result})

        return Handler


class _QuietServer(ThreadingHTTPServer):
    """A client hanging up mid-answer (the bot stopping during a long poll) is normal here."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _parse_body(content_type: str, body: bytes) -> tuple[dict[str, Any], dict[str, bytes]]:
    if content_type.startswith("application/json"):
        return (json.loads(body) if body else {}), {}
    if content_type.startswith("multipart/form-data"):
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + body
        )
        params: dict[str, Any] = {}
        files: dict[str, bytes] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True) or b""
            if part.get_filename():
                files[str(name)] = payload
            else:
                params[str(name)] = payload.decode()
        return params, files
    if body:
        return {k: v[0] for k, v in parse_qs(body.decode()).items()}, {}
    return {}, {}
