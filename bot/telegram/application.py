"""The one ``Application`` of the bot: built here, handlers registered in order, menus set on
start, run with long polling or as a webhook server."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    Update,
)
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from app.services import Services
from bot.app import settle_after_start
from bot.telegram import updates
from bot.telegram.alerts import rate_limiter, use_timedelta_durations
from bot.telegram.context import SERVICES_KEY, BotContext
from bot.telegram.notices import admin_chat_ids
from bot.telegram.redaction import protect_logs
from bot.telegram.schedules import catch_up, schedule_jobs
from bot.telegram.token_guard import GuardedRequest, TokenGuard, run_guarded
from handlers.access import GROUP
from handlers.router import commands_for
from storage.models import Role

log = logging.getLogger(__name__)

#: Handler groups: who is asking first, then the answer, then one log line.
IDENTIFY_GROUP = -1
ANSWER_GROUP = 0
LOG_GROUP = 1


def _menu(role: str) -> list[BotCommand]:
    return [BotCommand(c.name, c.description[:256]) for c in commands_for(role)]


async def set_menus(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Vietnamese command menus: readers in private chats, groups, and each admin's own."""
    services = application.bot_data[SERVICES_KEY]
    bot = application.bot
    me = await bot.get_me()
    services.bot_username = me.username
    await bot.set_my_commands(_menu(Role.FOCAL.value), scope=BotCommandScopeAllPrivateChats())
    await bot.set_my_commands(_menu(GROUP), scope=BotCommandScopeAllGroupChats())
    for telegram_id in await asyncio.to_thread(admin_chat_ids, services):
        try:
            await bot.set_my_commands(
                _menu(Role.ADMIN.value), scope=BotCommandScopeChat(telegram_id)
            )
        except BadRequest:
            log.info("admin %s has not opened a chat with the bot yet", telegram_id)


async def on_start(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Menus, schedules, and the runs missed while the bot was down (once each)."""
    await set_menus(application)
    schedule_jobs(application)
    await catch_up(application)


def build_application(
    services: Services, token: str, guard: TokenGuard | None = None
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The one Application of the bot, used by ``tthc-bot run`` and the end-to-end tests;
    ``guard`` hears of a token Telegram refuses (and stops the application)."""
    use_timedelta_durations()
    settings = services.config.telegram
    guard = guard or TokenGuard()
    application = (
        ApplicationBuilder()
        .token(token)
        # python-telegram-bot's own pool sizes: 256 connections, one for getUpdates
        .request(GuardedRequest(guard, connection_pool_size=256))
        .get_updates_request(GuardedRequest(guard, connection_pool_size=1))
        .base_url(settings.base_url)
        .base_file_url(settings.base_file_url)
        .context_types(ContextTypes(context=BotContext))
        .concurrent_updates(8)
        .rate_limiter(rate_limiter())
        .post_init(on_start)
        .build()
    )
    application.bot_data[SERVICES_KEY] = services
    guard.watch(application)
    application.add_handler(TypeHandler(Update, updates.identify), group=IDENTIFY_GROUP)
    for handler in (
        MessageHandler(filters.Document.ALL, updates.on_document),
        MessageHandler(filters.TEXT, updates.on_message),
        CallbackQueryHandler(updates.on_button),
        MessageHandler(filters.StatusUpdate.MIGRATE, updates.on_migrate),
    ):
        application.add_handler(handler, group=ANSWER_GROUP)
    application.add_handler(TypeHandler(Update, updates.handled), group=LOG_GROUP)
    application.add_error_handler(updates.on_error)
    return application


def run_bot(services: Services, webhook: bool = False) -> None:
    """Long polling, or the webhook server for deployments behind a reverse proxy.

    Returns when stopped (Ctrl+C, SIGTERM); raises :class:`~bot.telegram.token_guard.
    TokenRejected` when Telegram refuses the token, at start or later."""
    settings = services.config.telegram
    if settings.token is None:
        raise ValueError("run_bot needs a token (TELEGRAM_BOT_TOKEN)")
    token = settings.token.get_secret_value()
    protect_logs(token)
    guard = TokenGuard()
    application = build_application(services, token, guard)
    settle_after_start()
    if not webhook:
        run_guarded(
            guard,
            lambda: application.run_polling(
                allowed_updates=Update.ALL_TYPES, timeout=settings.poll_timeout
            ),
        )
        return
    hook = settings.webhook
    if hook.url is None:
        raise SystemExit("[telegram.webhook] url is required for --webhook")
    public_url = f"{hook.url.rstrip('/')}/{hook.path}"
    run_guarded(
        guard,
        lambda: application.run_webhook(
            listen=hook.listen,
            port=hook.port,
            url_path=hook.path,
            webhook_url=public_url,
            secret_token=hook.secret_token,
            allowed_updates=Update.ALL_TYPES,
        ),
    )
