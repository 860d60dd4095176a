"""The bot's one Application run in the test's own process, against the fake Bot API server.

:class:`InProcessBot` builds it as ``tthc-bot run`` does (:func:`bot.telegram.application.
build_application`: the same handlers, menus, jobs, catch-up and delivery) and runs it with
long polling on an event loop of its own thread. Its log goes to a file, as the process's
would, with the token redacted and exceptions' texts hidden. Tests where the process itself
is the subject (exit codes, SIGKILL, webhook mode, two processes) start the real command
instead (:func:`tests.conftest.start_bot`).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path
from types import TracebackType
from typing import Any

from telegram import Update
from telegram.ext import Application

from app.services import Services
from bot.telegram.application import build_application
from bot.telegram.redaction import RedactToken
from core.logs import ScrubExceptions

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class InProcessBot:
    """``with InProcessBot(services, token, log) as bot:`` the bot runs inside the block."""

    def __init__(
        self, services: Services, token: str, log: Path, *, jobs: bool = True, level: int = 10
    ) -> None:
        self.services, self.token, self.log = services, token, log
        self.jobs, self.level = jobs, level
        self.application: Application[Any, Any, Any, Any, Any, Any] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._failed: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="in-process-bot", daemon=True)
        self._handler = logging.FileHandler(log, encoding="utf-8")
        self._saved: list[tuple[logging.Logger, int]] = []

    def __enter__(self) -> InProcessBot:
        self._handler.setFormatter(logging.Formatter(LOG_FORMAT))
        self._handler.addFilter(ScrubExceptions())
        self._handler.addFilter(RedactToken(self.token))
        root = logging.getLogger()
        for logger, level in (
            (root, self.level),
            (logging.getLogger("httpx"), logging.WARNING),
            (logging.getLogger("apscheduler"), logging.WARNING),
        ):
            self._saved.append((logger, logger.level))
            logger.setLevel(level)
        root.addHandler(self._handler)
        self._thread.start()
        if not self._ready.wait(timeout=60) or self._failed is not None:
            self.__exit__(None, None, None)
            raise RuntimeError("the in-process bot did not start") from self._failed
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._loop is not None and self._stop is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=60)
        stopped = not self._thread.is_alive()
        logging.getLogger().removeHandler(self._handler)
        self._handler.close()
        for logger, level in reversed(self._saved):
            logger.setLevel(level)
        assert stopped, "the in-process bot did not stop within a minute"

    def alive(self) -> bool:
        """The bot still runs (nothing ended its loop)."""
        return self._thread.is_alive() and self._failed is None

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # reported by __enter__ or alive()
            self._failed = exc
            self._ready.set()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        application = build_application(self.services, self.token)
        self.application = application
        settings = self.services.config.telegram
        await application.initialize()
        try:
            if self.jobs and application.post_init is not None:
                await application.post_init(application)
            assert application.updater is not None
            await application.updater.start_polling(
                poll_interval=0, timeout=settings.poll_timeout, allowed_updates=Update.ALL_TYPES
            )
            await application.start()
            self._ready.set()
            await self._stop.wait()
            await application.updater.stop()
            await application.stop()
        finally:
            await application.shutdown()
