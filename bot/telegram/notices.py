"""Error notices: what the bot logged at ERROR reaches a person, at most once per
``[telegram] error_notice_minutes``, counting the errors in between (never one message per
error: a database down for an hour would otherwise flood the admins)."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from telegram.error import TelegramError

from app.services import Services
from bot.telegram.context import BotContext
from core.health import Health
from core.vnformat import fmt_count, fmt_date
from storage.models import Role
from storage.people import people_with_roles

log = logging.getLogger(__name__)

#: How often the job looks for errors to tell (seconds).
NOTICE_EVERY = 60


def admin_chat_ids(services: Services) -> list[int]:
    with services.session_factory() as session:
        return [p.telegram_id for p in people_with_roles(session, [Role.ADMIN.value])]


def notice_text(health: Health, now: datetime, every: timedelta, services: Services) -> str | None:
    """The notice due now, marking the errors told; None when nothing is to be told yet."""
    if health.errors == health.reported:
        return None
    if health.reported_at is not None and now - health.reported_at < every:
        return None
    count, last = health.take_unreported(now)
    if last is None:
        return None
    when = last.at.astimezone(services.config.tz)
    return (
        f"⚠️ tthc-bot: {fmt_count(count)} lỗi mới; gần nhất lúc {when:%H:%M} {fmt_date(when)}: "
        f"{last.text}\nXem /status; chi tiết trong nhật ký (journalctl -u tthc-bot)."
    )


async def error_notice_job(context: BotContext) -> None:
    services = context.services
    if services.health is None:
        return
    every = timedelta(minutes=services.config.telegram.error_notice_minutes)
    text = notice_text(services.health, services.clock.now(), every, services)
    if text is None:
        return
    developer = services.config.telegram.developer_chat_id
    chats = (
        [developer] if developer is not None else await asyncio.to_thread(admin_chat_ids, services)
    )
    for chat_id in chats:
        try:
            await context.bot.send_message(chat_id, text[:4000])
        except TelegramError as exc:  # logged below ERROR: a failed notice is not a new error
            log.warning("error notice to %s not sent: %s", chat_id, exc)
