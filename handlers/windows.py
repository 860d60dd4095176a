"""Comparison windows a card can switch between: latest, 4 weeks, quarter, year."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from core.textnorm import header_key


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


def baseline_cutoff(window: Window, reference: date) -> tuple[date, bool] | None:
    """The date a window compares with, and whether readings must be strictly before it.

    4 weeks: the newest reading at least 28 days older; quarter and year: the newest
    reading before the quarter or the year began.
    """
    if window is Window.WEEKS4:
        return reference - timedelta(days=28), False
    if window is Window.QUARTER:
        return quarter_start(reference), True
    if window is Window.YEAR:
        return date(reference.year, 1, 1), True
    return None


def describe_baseline(window: Window) -> str:
    return {
        Window.LATEST: "kỳ trước",
        Window.WEEKS4: "4 tuần trước",
        Window.QUARTER: "đầu quý",
        Window.YEAR: "đầu năm",
    }[window]
