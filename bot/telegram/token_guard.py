"""A token Telegram no longer accepts ends the bot, instead of leaving a process that polls
no more.

python-telegram-bot raises ``InvalidToken`` inside its polling task when getUpdates gets 401
or 404, logs it, and lets the application run on without updates: the service manager sees
a healthy process and nobody learns why the bot went quiet. Every request of the bot goes
through :class:`GuardedRequest`; the first 401 (or 404 from getMe/getUpdates, what Telegram
answers to a malformed token) stops the application, and :func:`run_guarded` turns that into
:class:`TokenRejected`, whose message never contains the token (python-telegram-bot's own
``InvalidToken`` from start-up does: "The token `…` was rejected").
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from telegram.error import InvalidToken
from telegram.ext import Application
from telegram.request import HTTPXRequest

log = logging.getLogger(__name__)

#: Methods whose 404 means the token itself is unknown (elsewhere it may be a missing method).
TOKEN_METHODS = frozenset({"getMe", "getUpdates", "setWebhook", "deleteWebhook"})


class TokenRejected(Exception):
    """Telegram refused the bot's token (revoked in @BotFather, or mistyped)."""

    def __init__(self, status: int, method: str) -> None:
        super().__init__(f"Telegram rejected the bot token ({status} on {method})")
        self.status = status
        self.method = method


def rejects_token(status: int, url: str) -> bool:
    """Whether this answer says the token is not accepted."""
    method = url.rsplit("/", 1)[-1]
    return status == HTTPStatus.UNAUTHORIZED or (
        status == HTTPStatus.NOT_FOUND and method in TOKEN_METHODS
    )


class TokenGuard:
    """Remembers the first rejection and stops the running application once."""

    def __init__(self) -> None:
        self.rejection: TokenRejected | None = None
        self._stop: Callable[[], None] | None = None

    def watch(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        self._stop = application.stop_running

    def rejected(self, status: int, url: str) -> None:
        if self.rejection is not None:
            return
        self.rejection = TokenRejected(status, url.rsplit("/", 1)[-1])
        log.critical("%s; stopping", self.rejection)
        if self._stop is not None:
            self._stop()


class GuardedRequest(HTTPXRequest):
    """python-telegram-bot's HTTP client, telling the guard about a rejected token."""

    def __init__(self, guard: TokenGuard, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.guard = guard

    async def do_request(
        self, url: str, method: str, *args: Any, **kwargs: Any
    ) -> tuple[int, bytes]:
        status, payload = await super().do_request(url, method, *args, **kwargs)
        if rejects_token(status, url):
            self.guard.rejected(status, url)
        return status, payload


def run_guarded(guard: TokenGuard, run: Callable[[], None]) -> None:
    """Run the application (polling or webhook); :class:`TokenRejected` when it ended, or
    could not start, because Telegram refused the token."""
    try:
        run()
    except InvalidToken:
        # Raised at start-up by getMe; its text holds the token, so it is not chained.
        raise guard.rejection or TokenRejected(HTTPStatus.UNAUTHORIZED, "getMe") from None
    if guard.rejection is not None:
        raise guard.rejection
