"""What every handler and job receives: the services the composition root (``bot.app``) built.

The type lives here, below the jobs and the transports that use it, so that imports only
point down; it is filled in once, by :func:`bot.app.build_services`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from core.clock import Clock
from core.config import Config
from core.health import Health
from core.workdays import WorkCalendar


class RuleInfo(Protocol):
    """What the commands need to know of an alert rule (the rules live in ``app.alerts``)."""

    @property
    def label(self) -> str: ...


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
    #: The alert rules by name, for /alerts (filled by the composition root).
    alert_rules: Mapping[str, RuleInfo] = field(default_factory=dict)
    #: Running on the demo database: answers only, nothing is scheduled or delivered.
    demo: bool = False
    #: When this process started and the errors it logged (``/status``, error notices).
    health: Health | None = None

    def close(self) -> None:
        self.engine.dispose()
