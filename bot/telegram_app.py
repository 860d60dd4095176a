"""The Telegram transport: one Application, built here, that sends the router's replies.

This is the only module that imports ``telegram``.  Everything it answers comes
from :func:`handlers.router.answer`, run off the event loop (database work and
chart rendering are blocking), so one slow chart never stalls other chats.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    Message,
    Update,
)
from telegram.constants import ChatType
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    ExtBot,
    MessageHandler,
    filters,
)

from bot.access import GROUP, STRANGER, Asker, resolve_asker
from bot.alerts.delivery import (
    ChatMoved,
    DeliveryReport,
    Rejected,
    RetryLater,
    Unreachable,
    deliver_pending,
)
from bot.alerts.engine import raise_alerts
from bot.alerts.rules import DATA_RULES
from bot.answers.help import stranger_reply
from bot.app import Services
from bot.reply import Reply
from handlers.router import answer, commands_for
from jobs.runner import job_specs, run_due
from storage import alerts as queue
from storage.importers import run_import
from storage.importers.reader import SUPPORTED_SUFFIXES
from storage.models import Role
from storage.people import people_with_roles

log = logging.getLogger(__name__)

# Durations (retry_after, timeouts) as timedelta: the behaviour of python-telegram-bot's
# next major version, opted into now so that no deprecation warning is raised.
os.environ.setdefault("PTB_TIMEDELTA", "true")

TOKEN_ENV = "TELEGRAM_BOT_TOKEN"
TOKEN_FILE_ENV = "TELEGRAM_BOT_TOKEN_FILE"
MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
MAX_IMPORT_BYTES = 20 * 1024 * 1024  # what the Bot API lets a bot download


class TokenError(Exception):
    """The token file is named but cannot be read."""


def read_token(env: Mapping[str, str] | None = None) -> str | None:
    """The bot token from ``TELEGRAM_BOT_TOKEN`` or the file ``TELEGRAM_BOT_TOKEN_FILE``."""
    env = os.environ if env is None else env
    if env.get(TOKEN_ENV):
        return env[TOKEN_ENV].strip()
    if env.get(TOKEN_FILE_ENV):
        try:
            token = Path(env[TOKEN_FILE_ENV]).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise TokenError(f"cannot read {TOKEN_FILE_ENV}: {exc.strerror}") from exc
        return token or None
    return None


class RedactToken(logging.Filter):
    """Replaces the token in every log record (httpx logs request URLs that contain it)."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self._token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self._token in message:
            record.msg = message.replace(self._token, "<token>")
            record.args = None
        if record.exc_info and record.exc_text is None:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and self._token in record.exc_text:
            record.exc_text = record.exc_text.replace(self._token, "<token>")
        return True


def protect_logs(token: str) -> None:
    """Install the redaction on every handler of the root logger; keep httpx quiet."""
    redactor = RedactToken(token)
    root = logging.getLogger()
    for handler in root.handlers:
        handler.addFilter(redactor)
    logging.getLogger("httpx").setLevel(logging.WARNING)


def split_text(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Pieces of at most ``limit`` characters, cut at line ends (a too-long line is cut hard)."""
    chunks: list[str] = []
    current = ""
    for line in text.splitlines():
        while len(line) > limit:
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current or not chunks:
        chunks.append(current)
    return chunks


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    rows = []
    for row in reply.buttons:
        buttons = [
            InlineKeyboardButton(b.label[:64], callback_data=b.command)
            for b in row
            if len(b.command.encode()) <= CALLBACK_DATA_LIMIT
        ]
        if buttons:
            rows.append(buttons)
    return InlineKeyboardMarkup(rows) if rows else None


async def send_reply(bot: Any, chat_id: int, reply: Reply) -> None:
    """Send a reply: a chart with its caption, long text split on line boundaries."""
    markup = keyboard(reply)
    if reply.image is not None:
        if len(reply.text) <= CAPTION_LIMIT:
            await bot.send_photo(
                chat_id,
                photo=reply.image,
                caption=reply.text,
                reply_markup=markup,
                filename=reply.image_name,
            )
            return
        first_line = reply.text.splitlines()[0][:CAPTION_LIMIT]
        await bot.send_photo(
            chat_id, photo=reply.image, caption=first_line, filename=reply.image_name
        )
    chunks = split_text(reply.text)
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1
        await bot.send_message(chat_id, chunk, reply_markup=markup if last else None)


async def edit_reply(message: Message, reply: Reply) -> bool:
    """Replace a card in place (a button press); False when it has to be sent anew."""
    markup = keyboard(reply)
    try:
        if message.photo and reply.image is not None and len(reply.text) <= CAPTION_LIMIT:
            media = InputMediaPhoto(reply.image, caption=reply.text, filename=reply.image_name)
            await message.edit_media(media, reply_markup=markup)
            return True
        if message.text is not None and len(reply.text) <= MESSAGE_LIMIT:
            await message.edit_text(reply.text, reply_markup=markup)
            return True
    except BadRequest as exc:
        if "message is not modified" in str(exc).lower():
            return True
        raise
    return False


def services_of(context: ContextTypes.DEFAULT_TYPE) -> Services:
    services = context.application.bot_data["services"]
    assert isinstance(services, Services)
    return services


def _asker_for(services: Services, update: Update) -> Asker | None:
    user, chat = update.effective_user, update.effective_chat
    if chat is None:
        return None
    in_group = chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)
    name = user.full_name if user else None
    with services.session_factory() as session:
        return resolve_asker(
            session, user.id if user else None, chat.id, in_group, name, chat.title
        )


async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a text message or a command."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or message.text is None:
        return
    services = services_of(context)
    asker = await asyncio.to_thread(_asker_for, services, update)
    if asker is None:
        return  # a group nobody registered
    if asker.in_group and not message.text.startswith("/"):
        return  # groups talk among themselves; the bot answers commands only
    await asyncio.to_thread(_reachable_again, services, chat.id)
    reply = await asyncio.to_thread(answer, services, message.text, asker)
    await send_reply(context.bot, chat.id, reply)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button is a command: it is checked again for this person, then answered in place."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    services = services_of(context)
    asker = await asyncio.to_thread(_asker_for, services, update)
    if asker is None or asker.role == STRANGER:
        await query.answer("Bạn chưa được cấp quyền dùng tthc-bot.", show_alert=True)
        return
    reply = await asyncio.to_thread(answer, services, query.data, asker)
    if reply.toast:
        await query.answer(reply.text[:200])
        return
    await query.answer()
    message = query.message
    if reply.edit and isinstance(message, Message) and await edit_reply(message, reply):
        return
    if message is not None:
        await send_reply(context.bot, message.chat.id, reply)


async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An admin sends a file: the same importer as the CLI, summary or every error back."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or message.document is None:
        return
    services = services_of(context)
    asker = await asyncio.to_thread(_asker_for, services, update)
    if asker is None:
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
    if document.file_size and document.file_size > MAX_IMPORT_BYTES:
        await message.reply_text(f"Tệp «{name}» lớn hơn 20 MB, hãy nhập bằng lệnh tthc-bot import.")
        return
    telegram_file = await document.get_file()
    data = bytes(await telegram_file.download_as_bytearray())
    outcome = await asyncio.to_thread(
        run_import,
        services.session_factory,
        services.config,
        services.clock,
        services.calendar,
        Path(name),
        data=data,
        file_name=name,
    )
    await send_reply(context.bot, chat.id, Reply(outcome.report()))
    if outcome.ok and outcome.import_id is not None:
        await asyncio.to_thread(raise_alerts, services, DATA_RULES)


def _reachable_again(services: Services, chat_id: int) -> None:
    with services.session_factory() as session:
        queue.unblock_chat(session, chat_id)


async def on_migrate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A group became a supergroup: registrations and pending alerts follow the new id."""
    message = update.effective_message
    if message is None or message.migrate_to_chat_id is None:
        return
    services = services_of(context)
    old, new = message.chat.id, message.migrate_to_chat_id

    def move() -> None:
        with services.session_factory() as session:
            queue.migrate_chat(session, old, new)

    await asyncio.to_thread(move)


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
        except Forbidden as exc:
            raise Unreachable(str(exc)) from exc
        except BadRequest as exc:
            if "chat not found" in str(exc).lower():
                raise Unreachable(str(exc)) from exc
            raise Rejected(str(exc)) from exc
        except NetworkError as exc:  # time-outs, connection errors, 5xx
            raise RetryLater(str(exc)) from exc


async def deliver_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The delivery loop: every few seconds, send what the rules queued."""
    await deliver_pending(services_of(context), TelegramTransport(context.bot))


def _scheduled(name: str) -> Any:
    async def callback(context: ContextTypes.DEFAULT_TYPE) -> None:
        await asyncio.to_thread(run_due, services_of(context), {name})

    callback.__name__ = f"scheduled_{name}"
    return callback


def schedule_jobs(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Cron jobs from config.toml and the delivery loop, with deterministic names."""
    services = application.bot_data["services"]
    job_queue = application.job_queue
    assert job_queue is not None, "python-telegram-bot[job-queue] is required"
    for spec in job_specs(services):
        for old in job_queue.get_jobs_by_name(spec.name):
            old.schedule_removal()
        job_queue.run_custom(
            _scheduled(spec.name),
            job_kwargs={"trigger": spec.trigger(services.config.tz)},
            name=spec.name,
        )
    for old in job_queue.get_jobs_by_name("deliver"):
        old.schedule_removal()
    job_queue.run_repeating(
        deliver_job,
        interval=services.config.schedules.deliver_every_seconds,
        first=1,
        name="deliver",
    )


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log first with the traceback, then tell the developer chat if one is configured."""
    log.error("update failed: %s", context.error, exc_info=context.error)
    services = services_of(context)
    developer = services.config.telegram.developer_chat_id
    if developer is not None:
        try:
            await context.bot.send_message(
                developer, f"tthc-bot error: {type(context.error).__name__}: {context.error}"[:4000]
            )
        except TelegramError:
            log.warning("could not notify the developer chat", exc_info=True)


def _menu(role: str) -> list[BotCommand]:
    return [BotCommand(c.name, c.description[:256]) for c in commands_for(role)]


async def on_start(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Menus, schedules, and the runs missed while the bot was down (once each)."""
    await set_menus(application)
    schedule_jobs(application)
    ran = await asyncio.to_thread(run_due, application.bot_data["services"])
    if ran:
        log.info("caught up on missed runs: %s", ", ".join(ran))


async def set_menus(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Vietnamese command menus: readers in private chats, groups, and each admin's own."""
    services = application.bot_data["services"]
    bot = application.bot
    me = await bot.get_me()
    services.bot_username = me.username
    await bot.set_my_commands(_menu(Role.FOCAL.value), scope=BotCommandScopeAllPrivateChats())
    await bot.set_my_commands(_menu(GROUP), scope=BotCommandScopeAllGroupChats())
    admins = await asyncio.to_thread(_admin_ids, services)
    for telegram_id in admins:
        try:
            await bot.set_my_commands(
                _menu(Role.ADMIN.value), scope=BotCommandScopeChat(telegram_id)
            )
        except BadRequest:
            log.info("admin %s has not opened a chat with the bot yet", telegram_id)


def _admin_ids(services: Services) -> list[int]:
    with services.session_factory() as session:
        return [p.telegram_id for p in people_with_roles(session, [Role.ADMIN.value])]


def _rate_limiter() -> AIORateLimiter:
    """Telegram's limits: about 30 messages a second overall, 20 a minute per group.
    A 429 is not retried here: the delivery loop reschedules it after its retry_after."""
    return AIORateLimiter(overall_max_rate=30, group_max_rate=20, max_retries=0)


def build_application(services: Services, token: str) -> Application[Any, Any, Any, Any, Any, Any]:
    """The one Application of the bot, used by ``tthc-bot run`` and the end-to-end tests."""
    settings = services.config.telegram
    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.base_url)
        .base_file_url(settings.base_file_url)
        .concurrent_updates(8)
        .rate_limiter(_rate_limiter())
        .post_init(on_start)
        .build()
    )
    application.bot_data["services"] = services
    application.add_handler(MessageHandler(filters.Document.ALL, on_document))
    application.add_handler(MessageHandler(filters.TEXT, on_message))
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, on_migrate))
    application.add_error_handler(on_error)
    return application


async def send_alerts_now(services: Services, token: str) -> DeliveryReport:
    """One delivery round through Telegram, outside the running bot (``alerts run``)."""
    protect_logs(token)
    settings = services.config.telegram
    bot = ExtBot(
        token,
        base_url=settings.base_url,
        base_file_url=settings.base_file_url,
        rate_limiter=_rate_limiter(),
    )
    async with bot:
        return await deliver_pending(services, TelegramTransport(bot))


def run_bot(services: Services, token: str, webhook: bool = False) -> None:
    """Long polling, or the webhook server for deployments behind a reverse proxy."""
    protect_logs(token)
    application = build_application(services, token)
    settings = services.config.telegram
    if not webhook:
        application.run_polling(allowed_updates=Update.ALL_TYPES, timeout=settings.poll_timeout)
        return
    hook = settings.webhook
    if hook.url is None:
        raise SystemExit("[telegram.webhook] url is required for --webhook")
    application.run_webhook(
        listen=hook.listen,
        port=hook.port,
        url_path=hook.path,
        webhook_url=f"{hook.url.rstrip('/')}/{hook.path}",
        secret_token=hook.secret_token,
        allowed_updates=Update.ALL_TYPES,
    )
