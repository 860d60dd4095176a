"""Alert delivery through Telegram: the transport that classifies Telegram's errors, the
delivery job of the running bot, and one round from the terminal (``tthc-bot alerts run``)."""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.ext import AIORateLimiter, ExtBot

from app.alerts.delivery import (
    ChatMoved,
    DeliveryReport,
    Rejected,
    RetryLater,
    TransportDown,
    Unreachable,
    deliver_pending,
)
from app.services import Services
from bot.telegram.context import BotContext
from bot.telegram.redaction import protect_logs
from bot.telegram.replies import split_text

log = logging.getLogger(__name__)


class TelegramTransport:
    """Sends alert messages through the bot and classifies Telegram's errors."""

    def __init__(self, bot: Any) -> None:
        self.bot = bot

    async def send(
        self, chat_id: int, text: str, ack_token: str, silent: bool, image: bytes | None
    ) -> int:
        markup = InlineKeyboardMarkup(
            [[InlineKeyboardButton("Đã nhận", callback_data=f"/ack {ack_token}")]]
        )
        try:
            if image is not None:
                await self.bot.send_photo(chat_id, photo=image, disable_notification=True)
            chunks = split_text(text)
            message = None
            for index, chunk in enumerate(chunks):
                last = index == len(chunks) - 1
                message = await self.bot.send_message(
                    chat_id,
                    chunk,
                    reply_markup=markup if last else None,
                    disable_notification=silent,
                )
            assert message is not None
            return int(message.message_id)
        except RetryAfter as exc:
            wait = exc.retry_after
            seconds = wait.total_seconds() if hasattr(wait, "total_seconds") else float(wait)
            raise RetryLater(str(exc), seconds) from exc
        except ChatMigrated as exc:
            raise ChatMoved(str(exc), exc.new_chat_id) from exc
        except InvalidToken:
            raise TransportDown("Telegram rejected the bot token") from None
        except Forbidden as exc:
            raise Unreachable(str(exc)) from exc
        except BadRequest as exc:
            if "chat not found" in str(exc).lower():
                raise Unreachable(str(exc)) from exc
            raise Rejected(str(exc)) from exc
        except NetworkError as exc:  # time-outs, connection errors, 5xx
            raise RetryLater(str(exc)) from exc


def use_timedelta_durations() -> None:
    """Durations (retry_after, timeouts) as timedelta: python-telegram-bot's next major
    behaviour, opted into so that no deprecation warning is raised (read at each call)."""
    os.environ.setdefault("PTB_TIMEDELTA", "true")


#: Times a request that got 429 is sent again after its retry_after (every request of the
#: bot waits meanwhile). Without it, a reply to a command that met a flood wait was lost;
#: an alert still refused after these is rescheduled by the delivery loop.
FLOOD_RETRIES = 2


#: Telegram's limits are about 30 messages a second overall and 20 a minute in a group; the
#: bot keeps one under each, because its messages do not reach Telegram evenly spaced (a
#: loaded machine sends a few at once after a pause), and at the very limit that was a 429.
OVERALL_PER_SECOND = 29
GROUP_PER_MINUTE = 19


def rate_limiter() -> AIORateLimiter:
    """The pacing of every request of the bot (replies, alerts, charts)."""
    return AIORateLimiter(
        overall_max_rate=OVERALL_PER_SECOND,
        group_max_rate=GROUP_PER_MINUTE,
        max_retries=FLOOD_RETRIES,
    )


async def deliver_job(context: BotContext) -> None:
    """The delivery loop: every few seconds, send what the rules queued (a log line for a
    round that did something)."""
    started = time.monotonic()
    report = await deliver_pending(context.services, TelegramTransport(context.bot))
    if report.sent or report.retried or report.failed or report.blocked or report.migrated:
        log.info(
            "job deliver: %d sent, %d to retry, %d failed, %d blocked in %.0f ms",
            report.sent,
            report.retried,
            report.failed,
            len(report.blocked),
            (time.monotonic() - started) * 1000,
        )


async def send_alerts_now(services: Services, token: str) -> DeliveryReport:
    """One delivery round through Telegram, outside the running bot (``alerts run``)."""
    protect_logs(token)
    use_timedelta_durations()
    settings = services.config.telegram
    bot = ExtBot(
        token,
        base_url=settings.base_url,
        base_file_url=settings.base_file_url,
        rate_limiter=rate_limiter(),
    )
    try:
        await bot.initialize()  # getMe: its InvalidToken holds the token in its text
    except InvalidToken:
        return DeliveryReport(stopped="Telegram rejected the bot token")
    try:
        return await deliver_pending(services, TelegramTransport(bot))
    finally:
        await bot.shutdown()
