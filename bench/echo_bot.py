"""The yardstick of the burst benchmark: a python-telegram-bot echo bot with the same rate
limiter and concurrency as tthc-bot (``bot/telegram/application.py``).

    python -m bench.echo_bot BASE_URL     (the token from TELEGRAM_BOT_TOKEN)
"""

from __future__ import annotations

import os
import sys

from telegram import BotCommand, Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.telegram.alerts import rate_limiter, use_timedelta_durations


async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.message is not None and update.message.text is not None:
        await update.message.reply_text(update.message.text)


async def ready(application: Application) -> None:  # type: ignore[type-arg]
    # Tells the benchmark the bot is polling (tthc-bot sets its menus the same way).
    await application.bot.set_my_commands([BotCommand("top", "echo")])


def main() -> None:
    use_timedelta_durations()
    application = (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(sys.argv[1])
        .concurrent_updates(8)
        .rate_limiter(rate_limiter())
        .post_init(ready)
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.run_polling(allowed_updates=Update.ALL_TYPES, timeout=1)


if __name__ == "__main__":
    main()
