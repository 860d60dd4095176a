"""Working-day arithmetic: weekends and Vietnamese public holidays do not count.

Deadlines for publishing procedures are in working days.  The ``holidays``
package knows the Vietnamese holidays (Tết, 30/4, 2/9 …) and the Saturdays
worked to make up a bridge day; the office adds its own compensatory days off
or extra working days in ``config.toml``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

import holidays


class WorkCalendar:
    """Which days are working days for the office."""

    def __init__(
        self,
        extra_holidays: Iterable[date] = (),
        extra_working_days: Iterable[date] = (),
    ) -> None:
        self._extra_holidays = frozenset(extra_holidays)
        self._extra_working_days = frozenset(extra_working_days)
        self._vn: Any = holidays.country_holidays("VN")

    def is_working_day(self, day: date) -> bool:
        if day in self._extra_working_days:
            return True
        if day in self._extra_holidays:
            return False
        return bool(self._vn.is_working_day(day))

    def add_working_days(self, start: date, count: int) -> date:
        """The date ``count`` working days after ``start`` (before it when negative)."""
        step = timedelta(days=1 if count >= 0 else -1)
        remaining = abs(count)
        day = start
        while remaining:
            day += step
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end``; negative when end < start."""
        if end == start:
            return 0
        sign = 1 if end > start else -1
        low, high = (start, end) if sign == 1 else (end, start)
        count = 0
        day = low + timedelta(days=1)
        while day <= high:
            if self.is_working_day(day):
                count += 1
            day += timedelta(days=1)
        return sign * count
