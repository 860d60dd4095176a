"""What each kind of update does.  Every answer comes from :func:`handlers.router.answer`,
run off the event loop (database work and charts block), so one slow chart never stalls
other chats."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

from sqlalchemy.orm import Session
from telegram import Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import ApplicationHandlerStop

from app.answers.help import stranger_reply
from app.imports import import_and_alert, import_reply
from app.services import Services
from bot.telegram.context import BotContext
from bot.telegram.replies import edit_reply, send_reply
from handlers.access import STRANGER, Asker, resolve_asker
from handlers.router import addressed_elsewhere, answer, parse_command
from storage import alerts as queue
from storage.importers.reader import SUPPORTED_SUFFIXES

log = logging.getLogger(__name__)

MAX_IMPORT_BYTES = 20 * 1024 * 1024  # what the Bot API lets a bot download
NOT_ALLOWED = "Bạn chưa được cấp quyền dùng tthc-bot."


def _open(services: Services, update: Update) -> tuple[Asker | None, Session | None, bool]:
    """Open the update's unit of work and read who is asking in it (None, and no session,
    for an unregistered group), and whether their chat had blocked the bot."""
    user, chat = update.effective_user, update.effective_chat
    if chat is None:
        return None, None, False
    in_group = chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)
    name = user.full_name if user else None
    session = services.session_factory()
    try:
        asker = resolve_asker(
            session, user.id if user else None, chat.id, in_group, name, chat.title
        )
        wrote = asker is not None and update.effective_message is not None
        blocked = wrote and queue.chat_blocked(session, chat.id)
    except BaseException:
        session.close()
        raise
    if asker is None:
        session.close()
        return None, None, False
    return asker, session, blocked


def _close(session: Session, unblock_chat: int | None) -> None:
    """End the update's unit of work: the answer was committed by whoever gave it; a chat
    that had blocked the bot and wrote is reachable again (its held alerts go out)."""
    try:
        if unblock_chat is not None:
            queue.unblock_chat(session, unblock_chat)
            session.commit()
    finally:
        session.close()


def _chat_id(update: Update) -> int | None:
    return update.effective_chat.id if update.effective_chat is not None else None


async def identify(update: Update, context: BotContext) -> None:
    """First handler group: who is asking, once per update; unregistered groups stop here."""
    context.started = time.monotonic()
    if update.effective_message is not None and update.effective_message.migrate_to_chat_id:
        return  # a group's move is handled whether or not anyone registered it
    context.asker, context.session, context.unblock = await asyncio.to_thread(
        _open, context.services, update
    )
    if context.asker is None:
        if update.callback_query is not None:
            await update.callback_query.answer(NOT_ALLOWED, show_alert=True)
        log.info("update %s ignored: chat %s is not registered", update.update_id, _chat_id(update))
        raise ApplicationHandlerStop


def _what(update: Update) -> str:
    """The command an update asked for, without its arguments (they may name people or
    carry invite codes): "/rank", "button /unit", "file", or "-"."""
    if update.callback_query is not None:
        parsed = parse_command(update.callback_query.data or "")
        return f"button /{parsed[0]}" if parsed else "button"
    message = update.effective_message
    if message is None:
        return "-"
    if message.document is not None:
        return "file"
    parsed = parse_command(message.text or "")
    return f"/{parsed[0]}" if parsed else "text" if message.text else "-"


async def handled(update: Update, context: BotContext) -> None:
    """Last handler group: the update's unit of work closed, then one log line, when
    everything it asked for was sent."""
    if context.session is not None:
        unblock = _chat_id(update) if context.unblock else None
        await asyncio.to_thread(_close, context.session, unblock)
        context.session = None
    elapsed = (time.monotonic() - context.started) * 1000
    role = context.asker.role if context.asker is not None else "-"
    log.info(
        "update %s handled: chat %s, %s, %s, %.0f ms",
        update.update_id,
        _chat_id(update),
        role,
        _what(update),
        elapsed,
    )


async def on_message(update: Update, context: BotContext) -> None:
    """Answer a text message or a command."""
    message, chat, asker = update.effective_message, update.effective_chat, context.asker
    if message is None or chat is None or message.text is None or asker is None:
        return
    if asker.in_group and not message.text.startswith("/"):
        return  # groups talk among themselves; the bot answers commands only
    if addressed_elsewhere(message.text, context.bot.username):
        return
    reply = await asyncio.to_thread(answer, context.services, message.text, asker, context.session)
    await send_reply(context.bot, chat.id, reply)


async def on_button(update: Update, context: BotContext) -> None:
    """A button is a command: it is checked again for this person, then answered in place."""
    query, asker = update.callback_query, context.asker
    if query is None or query.data is None:
        return
    if asker is None or asker.role == STRANGER:
        await query.answer(NOT_ALLOWED, show_alert=True)
        return
    reply = await asyncio.to_thread(answer, context.services, query.data, asker, context.session)
    if reply.toast:
        await query.answer(reply.text[:200])
        return
    await query.answer()
    message = query.message
    if reply.edit and isinstance(message, Message) and await edit_reply(message, reply):
        return
    if message is not None:
        await send_reply(context.bot, message.chat.id, reply)


async def on_document(update: Update, context: BotContext) -> None:
    """An admin sends a file: the same importer as the CLI, summary or every error back."""
    message, chat, asker = update.effective_message, update.effective_chat, context.asker
    if message is None or chat is None or message.document is None or asker is None:
        return
    if asker.role == STRANGER:
        await send_reply(context.bot, chat.id, stranger_reply(asker.telegram_id))
        return
    if not asker.is_admin:
        await message.reply_text("Chỉ quản trị (Văn phòng UBND tỉnh) được nhập dữ liệu.")
        return
    document = message.document
    name = document.file_name or "tep"
    if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
        await message.reply_text(
            f"Không nhập được «{name}»: chỉ nhận tệp .xlsx, .xls, .ods hoặc .csv."
        )
        return
    too_big = f"Tệp «{name}» lớn hơn 20 MB, hãy nhập bằng lệnh tthc-bot import."
    if document.file_size and document.file_size > MAX_IMPORT_BYTES:
        await message.reply_text(too_big)
        return
    services = context.services
    # The message may omit the size; getFile tells it, and the bytes themselves decide
    try:
        telegram_file = await document.get_file()
    except BadRequest as exc:  # "file is too big": Telegram's own 20 MB limit
        log.info("getFile refused for %r: %s", name, exc)
        big = "too big" in str(exc).lower()
        await message.reply_text(too_big if big else f"Không tải được tệp «{name}» từ Telegram.")
        return
    if telegram_file.file_size and telegram_file.file_size > MAX_IMPORT_BYTES:
        await message.reply_text(too_big)
        return
    data = bytes(await telegram_file.download_as_bytearray())
    if len(data) > MAX_IMPORT_BYTES:
        await message.reply_text(too_big)
        return
    outcome, step = await asyncio.to_thread(
        import_and_alert, services, Path(name), data=data, file_name=name, session=context.session
    )
    await send_reply(context.bot, chat.id, import_reply(outcome, step))


async def on_migrate(update: Update, context: BotContext) -> None:
    """A group became a supergroup: registrations and pending alerts follow the new id."""
    message = update.effective_message
    if message is None or message.migrate_to_chat_id is None:
        return
    old, new = message.chat.id, message.migrate_to_chat_id

    def move() -> None:
        with context.services.session_factory.begin() as session:
            queue.migrate_chat(session, old, new)

    await asyncio.to_thread(move)


async def on_error(update: object, context: BotContext) -> None:
    """Log it with the traceback; the error notice job tells the admins (rate-limited)."""
    update_id = update.update_id if isinstance(update, Update) else None
    error = context.error
    log.error("update %s failed (%s)", update_id, type(error).__name__, exc_info=error)
