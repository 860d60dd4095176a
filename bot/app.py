"""The composition root: config, engine, sessions, clock and calendar built in one place.

``tthc-bot`` commands, the console chat and the tests all build their
services here.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock, SystemClock
from bot.config import Config
from bot.workdays import WorkCalendar
from storage.db import make_engine, make_session_factory


@dataclass
class Services:
    """Everything handlers, jobs and commands need, built once."""

    config: Config
    engine: Engine
    session_factory: sessionmaker[Session]
    clock: Clock
    calendar: WorkCalendar
    #: The bot's @username, learnt from Telegram at start (config value until then).
    bot_username: str | None = None

    def close(self) -> None:
        self.engine.dispose()


def build_services(config: Config, clock: Clock | None = None) -> Services:
    engine = make_engine(config.database.url, echo=config.database.echo)
    return Services(
        config=config,
        engine=engine,
        session_factory=make_session_factory(engine),
        clock=clock or SystemClock(config.tz),
        calendar=WorkCalendar(config.workdays.extra_holidays, config.workdays.extra_working_days),
        bot_username=config.telegram.bot_username,
    )
