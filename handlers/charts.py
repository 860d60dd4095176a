"""Charts readable on a phone: big type, few lines, Vietnamese dates and decimal commas.

Rendering is CPU work: transports call the answers that draw them off the event loop.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter, MaxNLocator

from core.vnformat import fmt_number

_STYLE: Any = {
    "font.family": "DejaVu Sans",  # ships with matplotlib, has every Vietnamese diacritic
    "font.size": 14,
    "axes.titlesize": 16,
    "axes.labelsize": 14,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def _date_axis(ax: Any, days: Sequence[date]) -> None:
    def fmt(value: float, _pos: int) -> str:
        index = round(value)
        return days[index].strftime("%d/%m/%y") if 0 <= index < len(days) else ""

    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
    ax.xaxis.set_major_formatter(FuncFormatter(fmt))
    ax.set_xlabel("Ngày số liệu")


def _line(
    ax: Any, values: Sequence[float | None], color: str, marker: str, label: Any = None
) -> None:
    """A line over the points that have data: no data is a gap, never a zero."""
    points = [(x, v) for x, v in enumerate(values) if v is not None]
    if not points:
        return
    ax.plot(*zip(*points, strict=True), marker=marker, linewidth=2.5, color=color)
    if label is not None:
        for x, v in points:
            ax.annotate(label(v), (x, v), textcoords="offset points", xytext=(0, 8), ha="center")
    ax.margins(y=0.2)


def _png(fig: Any) -> bytes:
    fig.autofmt_xdate()
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def _score_axis(ax: Any) -> None:
    ax.set_ylabel("Tổng điểm")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: fmt_number(v, 1)))


def rank_and_score_chart(
    title: str,
    days: Sequence[date],
    ranks: Sequence[int | None],
    scores: Sequence[float | None],
) -> bytes:
    """Rank (1 at the top) and total score over time, as PNG bytes."""
    with plt.rc_context(_STYLE):
        fig, (ax_rank, ax_score) = plt.subplots(2, 1, figsize=(8, 7), sharex=True, dpi=110)
        _line(
            ax_rank,
            [float(r) if r is not None else None for r in ranks],
            "#1f5fa8",
            "o",
            label=lambda v: str(int(v)),
        )
        ax_rank.invert_yaxis()
        ax_rank.set_ylabel("Xếp hạng")
        ax_rank.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
        ax_rank.set_title(title)
        _line(ax_score, scores, "#c0392b", "s")
        _score_axis(ax_score)
        _date_axis(ax_score, days)
        return _png(fig)


def score_history_chart(title: str, days: Sequence[date], scores: Sequence[float | None]) -> bytes:
    """One unit's total score over time, as PNG bytes."""
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(8, 4.5), dpi=110)
        _line(ax, scores, "#1f5fa8", "o", label=lambda v: fmt_number(v, 2))
        ax.set_title(title)
        _score_axis(ax)
        _date_axis(ax, days)
        return _png(fig)
