"""The one clock of the application: nothing else reads the system time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    """Tells the current time as an aware datetime in the office's time zone."""

    tz: ZoneInfo

    def now(self) -> datetime: ...


@dataclass
class SystemClock:
    """The real clock."""

    tz: ZoneInfo

    def now(self) -> datetime:
        return datetime.now(self.tz)


@dataclass
class FrozenClock:
    """A clock for tests and time travel: stands still until moved."""

    tz: ZoneInfo
    current: datetime = field(default_factory=lambda: datetime(2025, 4, 10, 9, 0, tzinfo=UTC))

    def now(self) -> datetime:
        return self.current.astimezone(self.tz)

    def move(self, delta: timedelta) -> None:
        self.current += delta


def today(clock: Clock) -> date:
    """The office's calendar date."""
    return clock.now().date()
