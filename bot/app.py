"""The composition root: config, engine, sessions, clock, calendar and alert rules built in
one place.

``tthc-bot`` commands, the console chat, the Telegram bot and the tests all build their
services here.
"""

from __future__ import annotations

from app.alerts.registry import RULES
from app.services import Services
from core.clock import Clock, SystemClock
from core.config import Config
from core.health import Health
from core.settle import freeze_long_lived
from core.workdays import WorkCalendar
from storage.db import make_engine, make_session_factory

__all__ = ["Services", "build_services", "settle_after_start"]


def build_services(config: Config, clock: Clock | None = None, demo: bool = False) -> Services:
    """The services on the configured database, or with ``demo`` on the demo database."""
    url = config.database.demo_url if demo else config.database.url
    engine = make_engine(
        url, echo=config.database.echo, busy_timeout=config.database.busy_timeout_seconds
    )
    clock = clock or SystemClock(config.tz)
    return Services(
        config=config,
        engine=engine,
        session_factory=make_session_factory(engine),
        clock=clock,
        calendar=WorkCalendar(config.workdays.extra_holidays, config.workdays.extra_working_days),
        bot_username=config.telegram.bot_username,
        alert_rules={rule.name: rule for rule in RULES},
        demo=demo,
        health=Health(started_at=clock.now()),
    )


def settle_after_start() -> None:
    """What start-up loaded, frozen out of the garbage collector's scans before the first
    update (see :mod:`core.settle`; at the nation tier `/top`'s p95 190 → 120 ms)."""
    freeze_long_lived("start")
