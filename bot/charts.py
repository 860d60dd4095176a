"""Charts readable on a phone: big type, few lines, Vietnamese dates and decimal commas."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter, MaxNLocator

from bot.vnformat import fmt_number

_STYLE: Any = {
    "font.family": "DejaVu Sans",  # ships with matplotlib, has every Vietnamese diacritic
    "font.size": 14,
    "axes.titlesize": 16,
    "axes.labelsize": 14,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def _date_formatter(days: Sequence[date]) -> FuncFormatter:
    def fmt(value: float, _pos: int) -> str:
        index = round(value)
        return days[index].strftime("%d/%m/%y") if 0 <= index < len(days) else ""

    return FuncFormatter(fmt)


def rank_and_score_chart(
    title: str,
    days: Sequence[date],
    ranks: Sequence[int | None],
    scores: Sequence[float | None],
) -> bytes:
    """Rank (1 at the top) and total score over time, as PNG bytes."""
    with plt.rc_context(_STYLE):
        fig, (ax_rank, ax_score) = plt.subplots(2, 1, figsize=(8, 7), sharex=True, dpi=110)
        xs = list(range(len(days)))
        rank_points = [(x, r) for x, r in zip(xs, ranks, strict=True) if r is not None]
        if rank_points:
            ax_rank.plot(
                *zip(*rank_points, strict=True), marker="o", linewidth=2.5, color="#1f5fa8"
            )
            for x, r in rank_points:
                ax_rank.annotate(
                    str(r), (x, r), textcoords="offset points", xytext=(0, 8), ha="center"
                )
        ax_rank.margins(y=0.2)
        ax_rank.invert_yaxis()
        ax_rank.set_ylabel("Xếp hạng")
        ax_rank.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
        ax_rank.set_title(title)
        score_points = [(x, s) for x, s in zip(xs, scores, strict=True) if s is not None]
        if score_points:
            ax_score.plot(
                *zip(*score_points, strict=True), marker="s", linewidth=2.5, color="#c0392b"
            )
        ax_score.set_ylabel("Tổng điểm")
        ax_score.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: fmt_number(v, 1)))
        ax_score.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
        ax_score.xaxis.set_major_formatter(_date_formatter(days))
        ax_score.set_xlabel("Ngày số liệu")
        fig.autofmt_xdate()
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        plt.close(fig)
        return buffer.getvalue()
