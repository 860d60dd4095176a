"""Charts: points at their dates, no rank 0, no empty panel, labels thinned."""

from __future__ import annotations

from datetime import date, timedelta

from matplotlib.figure import Figure

from views.charts import (
    LABEL_ALL_UP_TO,
    _labelled,
    _rank_axis,
    clear_cache,
    rank_and_score_chart,
    score_history_chart,
)


def test_labels_are_thinned_to_the_ends_and_extremes_when_there_are_many_points() -> None:
    days = [date(2024, 1, 1) + timedelta(days=n) for n in range(400)]
    points = [(d, float(n % 37)) for n, d in enumerate(days)]
    labelled = _labelled(points)
    assert labelled[0] == points[0] and labelled[-1] == points[-1]
    assert (days[36], 36.0) in labelled and len(labelled) <= 4
    few = points[:LABEL_ALL_UP_TO]
    assert _labelled(few) == few


def test_the_rank_axis_never_reaches_rank_zero() -> None:
    for ranks in ([1.0, 2.0], [1.0, 63.0], [3.0, 3.0]):
        ax = Figure().subplots()
        _rank_axis(ax, ranks)
        bottom, top = ax.get_ylim()
        assert bottom > max(ranks) and 0.5 <= top < min(ranks)  # inverted, 1 at the top


def test_rank_and_score_charts_draw_with_uneven_dates_and_partial_data() -> None:
    days = [date(2024, 5, 1), date(2024, 5, 13), date(2025, 1, 13), date(2025, 4, 8)]
    both = rank_and_score_chart("t", days, [17, 11, 8, 20], [77.7, 78.5, None, None])
    ranks_only = rank_and_score_chart("t", days, [17, 11, 8, 20], [None] * 4)
    scores_only = rank_and_score_chart("t", days, [None] * 4, [70.0, None, 71.5, 72.0])
    for png in (both, ranks_only, scores_only):
        assert png.startswith(b"\x89PNG")


def test_a_chart_asked_again_with_the_same_data_is_not_drawn_again() -> None:
    clear_cache()
    days = [date(2025, 1, 1) + timedelta(days=n) for n in range(30)]
    scores = [70.0 + n / 10 for n in range(30)]
    first = score_history_chart("Sở A", days, scores, name="Sở A")
    assert score_history_chart("Sở A", days, list(scores), name="Sở A") is first
    corrected = [*scores[:-1], 65.0]  # one corrected value is another chart
    redrawn = score_history_chart("Sở A", days, corrected, name="Sở A")
    assert redrawn is not first and redrawn != first
    assert score_history_chart("Sở B", days, scores, name="Sở B") != first
    clear_cache()
    assert score_history_chart("Sở A", days, scores, name="Sở A") is not first


def test_a_drawn_figure_is_freed_at_once_not_left_to_the_collector() -> None:
    """A figure is a web of cycles; the chart is drawn and its figure freed before the PNG
    is returned, so drawn figures never pile up waiting for a full collection."""
    import gc

    clear_cache()
    days = [date(2026, 11, 1) + timedelta(days=n) for n in range(30)]
    for title in ("a", "b", "c"):
        rank_and_score_chart(title, days, [10 + d % 5 for d in range(30)], [70.0] * 30)
    figures = [o for o in gc.get_objects() if isinstance(o, Figure)]
    assert figures == []
