"""Charts readable on a phone: big type, few lines, Vietnamese dates and decimal commas.

Charts are drawn with :class:`matplotlib.figure.Figure` directly, never pyplot's global
state, because transports draw them from worker threads; matplotlib is imported when the
first chart is drawn, not when the bot starts.  Points sit at their dates (a 12-day step
and an 8-month step are not the same width); no data is a gap, never a zero.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import io
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, ParamSpec

from core.settle import freeze_long_lived, return_free_memory
from core.vnformat import fmt_number

_STYLE: Any = {
    "font.family": "DejaVu Sans",  # ships with matplotlib, has every Vietnamese diacritic
    "font.size": 14,
    "axes.titlesize": 16,
    "axes.labelsize": 14,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
#: With more points than this, only the first, last, lowest and highest are labelled.
LABEL_ALL_UP_TO = 12
#: Rendered charts kept in memory, keyed by what they show (about 100 KB each).
CACHE_SIZE = 32

_P = ParamSpec("_P")
_CACHES: list[OrderedDict[bytes, bytes]] = []


def clear_cache() -> None:
    """Forget every rendered chart (benchmarks measure drawing, tests start clean)."""
    for cache in _CACHES:
        cache.clear()


def _cached(render: Callable[_P, bytes]) -> Callable[_P, bytes]:
    """Keep the newest charts drawn, keyed by everything they show: the same data asked
    again (every leader's /rank after the morning's figures) is sent without drawing it anew,
    and new data is a new key, so a cached chart is never stale."""
    cache: OrderedDict[bytes, bytes] = OrderedDict()
    _CACHES.append(cache)
    lock = threading.Lock()

    @functools.wraps(render)
    def cached(*args: _P.args, **kwargs: _P.kwargs) -> bytes:
        shown = repr((render.__name__, args, sorted(kwargs.items())))
        key = hashlib.blake2b(shown.encode(), digest_size=16).digest()
        with lock:
            png = cache.get(key)
            if png is not None:
                cache.move_to_end(key)
                return png
        png = render(*args, **kwargs)
        with lock:
            cache[key] = png
            while len(cache) > CACHE_SIZE:
                cache.popitem(last=False)
        return png

    return cached


#: Colours of the lines of merged (predecessor) units, after the unit's own blue.
_EARLIER_COLORS = ["#7f8c8d", "#d35400", "#27ae60", "#8e44ad"]


def _points(days: Sequence[date], values: Sequence[float | None]) -> list[tuple[date, float]]:
    return [(d, v) for d, v in zip(days, values, strict=True) if v is not None]


def _labelled(points: list[tuple[date, float]]) -> list[tuple[date, float]]:
    """Every point when there are few; else the first, last, lowest and highest."""
    if len(points) <= LABEL_ALL_UP_TO:
        return points
    keep = {0, len(points) - 1}
    values = [v for _, v in points]
    keep.add(values.index(min(values)))
    keep.add(values.index(max(values)))
    return [points[i] for i in sorted(keep)]


def _split_at_changes(
    points: list[tuple[date, float]], scale_of: dict[date, int | None]
) -> list[list[tuple[date, float]]]:
    """Runs of points with the same scale (a known scale that changes starts a new run)."""
    runs: list[list[tuple[date, float]]] = []
    current: int | None = None
    for day, value in points:
        scale = scale_of.get(day)
        if not runs or (scale is not None and current is not None and scale != current):
            runs.append([])
        runs[-1].append((day, value))
        current = scale if scale is not None else current
    return runs


def _line(
    ax: Any,
    points: list[tuple[date, float]],
    color: str,
    marker: str,
    label: Callable[[float], str] | None = None,
    *,
    legend: str | None = None,
    style: str = "-",
) -> None:
    """A line over the points that have data (no data is a gap, never a zero)."""
    ax.plot(
        [d for d, _ in points],
        [v for _, v in points],
        marker=marker,
        markersize=6 if len(points) <= 60 else 0,
        linewidth=2.5,
        linestyle=style,
        color=color,
        label=legend,
    )
    if label is not None:
        for day, value in _labelled(points):
            ax.annotate(
                label(value), (day, value), textcoords="offset points", xytext=(0, 8), ha="center"
            )


def _date_axis(ax: Any) -> None:
    from matplotlib.dates import AutoDateLocator, DateFormatter

    ax.xaxis.set_major_locator(AutoDateLocator(minticks=3, maxticks=7))  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_formatter(DateFormatter("%d/%m/%y"))  # type: ignore[no-untyped-call]
    ax.set_xlabel("Ngày số liệu")
    for tick in ax.get_xticklabels():
        tick.set_rotation(30)
        tick.set_ha("right")


def _score_axis(ax: Any) -> None:
    from matplotlib.ticker import FuncFormatter

    ax.set_ylabel("Tổng điểm")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: fmt_number(v, 1)))
    ax.margins(y=0.2)


def _rank_axis(ax: Any, ranks: list[float]) -> None:
    """Rank 1 at the top; the axis never shows a rank below 1 (no "0")."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    best, worst = min(ranks), max(ranks)
    pad = max(1.0, (worst - best) * 0.25)
    ax.set_ylim(worst + pad, max(0.5, best - pad))  # inverted: worst at the bottom
    ax.set_ylabel("Xếp hạng")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=5, min_n_ticks=2))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{int(v)}" if v >= 1 else ""))


def _png(
    draw: Callable[[Any], None], panels: int, height: float, right_axis: bool = False
) -> bytes:
    """The figure as PNG bytes. Margins are fixed, in inches (room for the rotated dates and
    the axis labels): a "tight" layout measures every label before drawing, which was half
    of a chart's time; light compression is the other saving (charts stay under 100 KB)."""
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    with rc_context(_STYLE):
        fig = Figure(figsize=(8, height), dpi=110)
        fig.subplots_adjust(
            left=0.95 / 8,
            right=1 - (0.95 if right_axis else 0.25) / 8,
            top=1 - 0.55 / height,
            bottom=1.3 / height,
        )
        axes = fig.subplots(panels, 1, sharex=True, squeeze=False)[:, 0]
        draw(axes)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", pil_kwargs={"compress_level": 1})
    # A figure is a web of cycles (figure, axes, artists, callbacks) that only a full
    # collection frees; left to the collector's own pace, dozens of drawn figures waited
    # and left the heap fragmented (145 → 151 MB over an hour of replies). Collected now
    # (a millisecond or two: what start-up loaded is frozen), the memory is reused, and
    # the drawing's freed buffers go back to the system. matplotlib's own modules and
    # caches, loaded by the first chart, live as long as the process: frozen like
    # start-up's.
    del fig, axes
    gc.collect()
    freeze_long_lived("charts")
    return_free_memory()
    return buffer.getvalue()


@_cached
def rank_and_score_chart(
    title: str,
    days: Sequence[date],
    ranks: Sequence[int | None],
    scores: Sequence[float | None],
    scales: Sequence[int | None] | None = None,
) -> bytes:
    """Rank (1 at the top, left axis) and total score (right axis) over time in one panel,
    as PNG bytes: a score history shorter than the rank history leaves no empty panel. The
    rank line breaks where the number of ranked provinces changes (63 -> 34)."""
    rank_points = _points(days, [float(r) if r is not None else None for r in ranks])
    score_points = _points(days, scores)
    scale_of = dict(zip(days, scales or [None] * len(days), strict=True))

    def draw(axes: Any) -> None:
        ax = axes[0]
        ax.set_title(title)
        _date_axis(ax)
        if rank_points:
            for segment in _split_at_changes(rank_points, scale_of):
                _line(ax, segment, "#1f5fa8", "o", label=lambda v: str(int(v)))
            _rank_axis(ax, [v for _, v in rank_points])
        if score_points:
            score_ax = ax.twinx() if rank_points else ax
            score_ax.spines["right"].set_visible(bool(rank_points))
            _line(score_ax, score_points, "#c0392b", "s")
            _score_axis(score_ax)
            score_ax.yaxis.label.set_color("#c0392b")
        if rank_points:
            ax.yaxis.label.set_color("#1f5fa8")

    return _png(draw, 1, 5.5, right_axis=bool(rank_points and score_points))


@_cached
def score_history_chart(
    title: str,
    days: Sequence[date],
    scores: Sequence[float | None],
    earlier: Sequence[tuple[str, Sequence[date], Sequence[float | None]]] = (),
    name: str = "",
) -> bytes:
    """One unit's total score over time, as PNG bytes; ``earlier`` are the histories of the
    units merged into it (name, days, scores), drawn as separate dashed lines, labelled."""

    def draw(axes: Any) -> None:
        ax = axes[0]
        drawn = [(legend, points) for legend, d, v in earlier if (points := _points(d, v))]
        for (legend, points), color in zip(drawn, _EARLIER_COLORS * len(drawn), strict=False):
            _line(
                ax, points, color, "^", label=lambda v: fmt_number(v, 2), legend=legend, style="--"
            )
        own = _points(days, scores)
        if own:
            _line(ax, own, "#1f5fa8", "o", label=lambda v: fmt_number(v, 2), legend=name or None)
        ax.set_title(title)
        if drawn:
            ax.legend(loc="best", fontsize="small")
        _score_axis(ax)
        _date_axis(ax)

    return _png(draw, 1, 4.5)
