"""The typed callback context: the services, and who is asking (resolved once per update)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session
from telegram.ext import Application, CallbackContext, ExtBot

from app.services import Services
from handlers.access import Asker

SERVICES_KEY = "services"


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """``context`` in every handler of this bot.

    python-telegram-bot builds one context per update and hands it to every handler group,
    so the asker resolved by the first group is there for the handlers after it.
    """

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        self.asker: Asker | None = None
        #: The update's unit of work: who is asking was read in it, the answer is committed
        #: in it (by the router, or the import), and the last handler group closes it.
        self.session: Session | None = None
        #: The chat blocked the bot before and wrote now: marked reachable once answered.
        self.unblock = False
        #: When the first handler group saw the update (``time.monotonic()``).
        self.started = 0.0

    @property
    def services(self) -> Services:
        services = self.application.bot_data[SERVICES_KEY]
        if not isinstance(services, Services):
            raise TypeError("the application was not built by bot.telegram.application")
        return services
