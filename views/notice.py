"""The office's weekly or monthly notice as plain values (:class:`Notice`), filled by
:func:`app.answers.notice.build_notice` and laid out by :mod:`views.notice_document`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

#: "Hệ thống không thông báo dữ liệu": what the portal shows for a unit without a score.
NO_DATA = "Hệ thống không thông báo dữ liệu"


class Cadence(StrEnum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"


def change_between(before: float | None, latest: float | None) -> float | None:
    """The signed change, to the hundredth the portal gives; None when either is missing."""
    if before is None or latest is None:
        return None
    return round(latest - before, 2)


@dataclass(frozen=True)
class IndicatorRow:
    number: int
    name: str
    reference: float | None  # the year before's value ("Năm 2024")
    before: float | None
    latest: float | None
    before_as_of: date | None = None
    latest_as_of: date | None = None

    @property
    def change(self) -> float | None:
        return change_between(self.before, self.latest)


@dataclass(frozen=True)
class UnitRow:
    number: int
    name: str
    before: float | None
    latest: float | None

    @property
    def change(self) -> float | None:
        return change_between(self.before, self.latest)


@dataclass(frozen=True)
class UnitTable:
    title: str
    name_header: str
    as_of: date
    before_as_of: date | None
    rows: list[UnitRow]


@dataclass(frozen=True)
class TaskRow:
    number: int
    unit: str
    content: str
    office_letter: str
    unit_submission: str
    state: str


@dataclass
class Notice:
    cadence: Cadence
    province: str  # "Bình Phước"
    as_of: date
    period_title: str  # "tuần thứ 15, tháng 4/2025" or "tháng 4/2025"
    # I.1: the province's rank and its move; the indicator table's two dates
    rank: tuple[int, int | None] | None = None
    rank_as_of: date | None = None
    rank_before: tuple[int, int | None] | None = None
    rank_compared_as_of: date | None = None
    scores_as_of: date | None = None
    compared_as_of: date | None = None
    reference_year: int | None = None
    indicators: list[IndicatorRow] = field(default_factory=list)
    # overdue dossiers: (level, [(unit, count)]) at overdue_as_of
    overdue_as_of: date | None = None
    overdue_source: str | None = None
    overdue: list[tuple[str, list[tuple[str, int]]]] = field(default_factory=list)
    # I.2, I.3
    tables: list[UnitTable] = field(default_factory=list)
    tasks: list[TaskRow] = field(default_factory=list)

    @property
    def falling(self) -> list[IndicatorRow]:
        rows = [r for r in self.indicators if r.change is not None and r.change < 0]
        return sorted(rows, key=lambda r: (r.change or 0, r.number))

    @property
    def rising(self) -> list[IndicatorRow]:
        rows = [r for r in self.indicators if r.change is not None and r.change > 0]
        return sorted(rows, key=lambda r: (-(r.change or 0), r.number))

    @property
    def full(self) -> list[IndicatorRow]:
        """Unchanged at 100%."""
        return [
            r for r in self.indicators if r.change == 0 and r.latest is not None and r.latest >= 100
        ]

    @property
    def unchanged(self) -> list[IndicatorRow]:
        """Unchanged below 100%."""
        return [r for r in self.indicators if r.change == 0 and r not in self.full]


def province_short_name(full: str) -> str:
    """ "UBND tỉnh Bình Phước" -> "Bình Phước"."""
    return re.sub(r"^(UBND\s+)?(tỉnh|thành phố)\s+", "", full.strip(), flags=re.IGNORECASE)


def period_title(cadence: Cadence, day: date) -> str:
    if cadence is Cadence.MONTHLY:
        return f"tháng {day.month}/{day.year}"
    return f"tuần thứ {day.isocalendar().week}, tháng {day.month}/{day.year}"


def default_compare_to(cadence: Cadence, as_of: date) -> date | None:
    """A monthly notice compares with the month before (its last day); a weekly one with the
    snapshot before the newest (None)."""
    if cadence is Cadence.MONTHLY:
        return as_of.replace(day=1) - timedelta(days=1)
    return None


CADENCE_WORDS = {
    "tuan": Cadence.WEEKLY,
    "tuần": Cadence.WEEKLY,
    "weekly": Cadence.WEEKLY,
    "thang": Cadence.MONTHLY,
    "tháng": Cadence.MONTHLY,
    "monthly": Cadence.MONTHLY,
}


def file_name(notice: Notice) -> str:
    """ "thong-bao-tuan-15-2025.docx" / "thong-bao-thang-4-2025.docx"."""
    if notice.cadence is Cadence.MONTHLY:
        return f"thong-bao-thang-{notice.as_of.month}-{notice.as_of.year}.docx"
    week = notice.as_of.isocalendar()
    return f"thong-bao-tuan-{week.week}-{week.year}.docx"
