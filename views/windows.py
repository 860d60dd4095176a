"""Comparison windows a card can switch between: latest, 4 weeks, quarter, year."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from core.textnorm import header_key
from core.vnformat import QUARTER_NAMES


class Window(StrEnum):
    LATEST = "latest"
    WEEKS4 = "4w"
    QUARTER = "q"
    YEAR = "y"


WINDOW_LABELS = {
    Window.LATEST: "Mới nhất",
    Window.WEEKS4: "4 tuần",
    Window.QUARTER: "Quý",
    Window.YEAR: "Năm",
}

_WORDS = {
    "latest": Window.LATEST,
    "moi": Window.LATEST,
    "moinhat": Window.LATEST,
    "4w": Window.WEEKS4,
    "4tuan": Window.WEEKS4,
    "tuan": Window.WEEKS4,
    "q": Window.QUARTER,
    "quy": Window.QUARTER,
    "quarter": Window.QUARTER,
    "y": Window.YEAR,
    "nam": Window.YEAR,
    "year": Window.YEAR,
}


def split_window(args: str) -> tuple[str, Window]:
    """ "#12 4w" -> ("#12", Window.WEEKS4); the window word is optional and comes last."""
    head, _, last = args.strip().rpartition(" ")
    window = _WORDS.get(header_key(last)) if last else None
    if window is not None:
        return head.strip(), window
    if _WORDS.get(header_key(args)) is not None:
        return "", _WORDS[header_key(args)]
    return args.strip(), Window.LATEST


def quarter_of(day: date) -> int:
    """1 to 4."""
    return (day.month - 1) // 3 + 1


def quarter_start(day: date) -> date:
    return date(day.year, 3 * (quarter_of(day) - 1) + 1, 1)


def window_start(window: Window, reference: date) -> date | None:
    """Where a comparison window begins: 28 days before the reading, the first day of its
    quarter or of its year. The baseline is the first reading from that day on (a quarter's
    start is never the previous quarter's end); None for the latest window."""
    if window is Window.WEEKS4:
        return reference - timedelta(days=28)
    if window is Window.QUARTER:
        return quarter_start(reference)
    if window is Window.YEAR:
        return date(reference.year, 1, 1)
    return None


def describe_baseline(window: Window) -> str:
    """What a window compares with, as a sentence goes on ("so với …")."""
    return {
        Window.LATEST: "kỳ trước",
        Window.WEEKS4: "số liệu đầu tiên trong 4 tuần qua",
        Window.QUARTER: "đầu quý (số liệu đầu tiên của quý)",
        Window.YEAR: "đầu năm (số liệu đầu tiên của năm)",
    }[window]


def describe_no_baseline(window: Window, reference: date) -> str:
    """Why a window has nothing to compare with."""
    return {
        Window.LATEST: "chưa có kỳ trước để so sánh",
        Window.WEEKS4: "không có số liệu nào khác trong 4 tuần qua để so sánh",
        Window.QUARTER: f"chưa có số liệu nào khác trong quý {quarter_of(reference)}/"
        f"{reference.year} để so sánh",
        Window.YEAR: f"chưa có số liệu nào khác trong năm {reference.year} để so sánh",
    }[window]


def next_period_end(period: str, day: date) -> date:
    """The last day of the month (quarter, year) after the one holding ``day``."""
    months = {"month": 1, "quarter": 3, "year": 12}[period]
    if period == "quarter":
        day = quarter_start(day)
    elif period == "year":
        day = date(day.year, 1, 1)
    index = day.year * 12 + day.month - 1 + 2 * months  # the start of the period after next
    return date(index // 12, index % 12 + 1, 1) - timedelta(days=1)


def days_stale(day: date, period: str, today: date, limit: int) -> int | None:
    """How many days old a figure is when it counts as old: a daily reading older than
    ``limit`` days; a month's (quarter's, year's) once the period after it has been over
    for ``limit`` days without figures. None when it is as new as can be expected."""
    age = (today - day).days
    if period == "day":
        return age if age >= limit else None
    following = next_period_end(period, day)
    if following >= today or (today - following).days < limit:
        return None
    return age


def describe_as_of(period: str, as_of: date) -> str:
    """ "ngày 31/05/2024" for a daily reading; "tháng 8/2026, số liệu đến ngày 31/08/2026"
    for a month (quarter, year)."""
    day = f"{as_of:%d/%m/%Y}"
    if period == "month":
        return f"tháng {as_of.month}/{as_of.year}, số liệu đến ngày {day}"
    if period == "quarter":
        return f"quý {QUARTER_NAMES[quarter_of(as_of)]}/{as_of.year}, số liệu đến ngày {day}"
    if period == "year":
        return f"năm {as_of.year}, số liệu đến ngày {day}"
    return f"ngày {day}"
