"""/rank as text, buttons and chart: a pure function of :class:`RankCard` (where the province
stands in the 766 index, how it moved, the provinces around it, its total and group
scores), read by :func:`app.answers.rank.load_rank_card`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from core.records import Reading
from core.reply import Button, Reply
from core.vnformat import (
    fmt_change,
    fmt_date,
    fmt_number,
    fmt_rank,
    fmt_rank_move,
    fmt_score,
    sentence,
)
from views.charts import rank_and_score_chart
from views.labels import age_note, source_label
from views.windows import (
    WINDOW_LABELS,
    Window,
    describe_baseline,
    describe_no_baseline,
    window_start,
)

#: Groups named as what separates the province from its neighbours in the ranking.
SEPARATING_GROUPS = 2
NO_RANKING = (
    "Chưa có xếp hạng giữa các tỉnh: lấy bảng xếp hạng của Cổng DVCQG "
    "(tthc-bot sync dvcqg --national) hoặc nhập tệp điểm số có cột «Xếp hạng»."
)
PERIOD_DAY = "day"


@dataclass(frozen=True)
class Neighbour:
    """The province just above or below in the portal's ranking."""

    name: str
    total: float
    place: int
    #: Per group, our score minus theirs (groups both have).
    group_gaps: list[tuple[str, float]]


@dataclass(frozen=True)
class Standing:
    """The province among the provinces of the ranking's snapshot."""

    total: float
    tied: list[str]
    above: Neighbour | None
    below: Neighbour | None


@dataclass(frozen=True)
class GroupScore:
    name: str
    value: float | None
    max_score: float | None


@dataclass(frozen=True)
class RankCard:
    province: str
    today: date
    stale_days: int
    window: Window
    total_max: float | None
    #: The province's total score readings, oldest first (ranked or not).
    readings: list[Reading]
    #: Only when the newest rank comes from the portal's ranking of the provinces.
    standing: Standing | None = None
    groups_as_of: date | None = None
    groups: list[GroupScore] = field(default_factory=list)


def rank_card_reply(card: RankCard) -> Reply:
    """The province's latest rank "x/N", its moves, total and group scores, and a chart."""
    all_ranked = [r for r in card.readings if r.rank is not None]
    if not all_ranked:
        return _unranked_reply(card)
    latest = all_ranked[-1]
    ranked = [r for r in all_ranked if (r.source, r.period) == (latest.source, latest.period)]
    lines = [
        f"📊 {card.province} — Bộ chỉ số 766",
        f"Xếp hạng {fmt_rank(latest.rank, latest.rank_of)} tính đến ngày {fmt_date(latest.as_of)} "
        f"({source_label(latest.source)})"
        f"{age_note(latest.as_of, card.today, card.stale_days, latest.period)}.",
    ]
    if len(ranked) > 1:
        lines.append(_move_line(latest, ranked[-2], ""))
    # The year's move is always shown; another window's when its button asks for it.
    for shown in dict.fromkeys((Window.YEAR, card.window)):
        start = window_start(shown, latest.as_of)
        if start is None:
            continue
        base = _first_from(ranked, start)
        if base is None:
            lines.append(sentence(describe_no_baseline(shown, latest.as_of)) + ".")
        elif len(ranked) < 2 or base is not ranked[-2]:
            lines.append(_move_line(latest, base, f"{describe_baseline(shown)}, "))
    if card.standing is not None:
        lines.extend(_standing_lines(card.standing))
    cutoff = window_start(card.window, latest.as_of)
    lines.extend(_score_lines(card.readings, latest, card.total_max))
    lines.extend(_group_lines(card))
    series = rank_series(card.readings)
    if cutoff is not None:
        series = [r for r in series if r.as_of >= cutoff]
    image = rank_chart(card.province, series)
    buttons = [
        [
            Button(("• " if w is card.window else "") + WINDOW_LABELS[w], f"/rank {w.value}")
            for w in Window
        ]
    ]
    return Reply(
        "\n".join(lines), image=image, image_name="xep-hang.png", buttons=buttons, edit=True
    )


def rank_series(readings: list[Reading]) -> list[Reading]:
    """The day readings of the source that gave the newest rank (what the chart draws)."""
    ranked = [r for r in readings if r.rank is not None]
    if not ranked:
        return []
    source = ranked[-1].source
    return [r for r in readings if (r.source, r.period) == (source, PERIOD_DAY)]


def rank_chart(province_name: str, series: list[Reading]) -> bytes | None:
    """Rank and total score over time; None with fewer than two readings."""
    if len(series) < 2:
        return None
    return rank_and_score_chart(
        f"{province_name}: xếp hạng và tổng điểm",
        [r.as_of for r in series],
        [r.rank for r in series],
        [r.value for r in series],
        [r.rank_of for r in series],
    )


def _first_from(ranked: list[Reading], start: date) -> Reading | None:
    """The first reading from ``start`` on, before the newest one (a window's baseline)."""
    inside = [r for r in ranked[:-1] if r.as_of >= start]
    return inside[0] if inside else None


def _move_line(latest: Reading, base: Reading, what: str) -> str:
    move = fmt_rank_move(base.rank, latest.rank, base.rank_of, latest.rank_of)
    line = (
        f"{sentence(move)} so với {what}ngày {fmt_date(base.as_of)} "
        f"(xếp hạng {fmt_rank(base.rank, base.rank_of)})"
    )
    scale_changed = base.rank_of and latest.rank_of and base.rank_of != latest.rank_of
    if scale_changed and base.value is not None and latest.value is not None:
        line += (
            f"; tổng điểm {fmt_number(latest.value)} so với {fmt_number(base.value)} "
            f"({fmt_change(latest.value - base.value)} điểm)"
        )
    return line + "."


def _standing_lines(standing: Standing) -> list[str]:
    """The provinces just above and below, the points between, and the groups that make the
    difference (from the same snapshot)."""
    lines = []
    if standing.tied:
        lines.append(f"Đồng hạng với: {'; '.join(sorted(standing.tied))}.")
    for neighbour, word, sign in ((standing.above, "Cách", -1), (standing.below, "Hơn", 1)):
        if neighbour is None:
            continue
        apart = sorted(
            (gap for gap in neighbour.group_gaps if gap[1] * sign > 0), key=lambda gap: -abs(gap[1])
        )
        text = (
            f"{word} hạng {neighbour.place} ({neighbour.name}, {fmt_number(neighbour.total)} "
            f"điểm): {fmt_number(abs(standing.total - neighbour.total))} điểm"
        )
        if apart:
            shown = ", ".join(
                f"{name} {fmt_change(gap)}" for name, gap in apart[:SEPARATING_GROUPS]
            )
            text += f"; chênh nhiều nhất ở: {shown}"
        lines.append(text + ".")
    if standing.above is None:
        lines.append("Đứng đầu các tỉnh, thành phố.")
    return lines


def _unranked_reply(card: RankCard) -> Reply:
    """The province's scores when no rank among the provinces is known: said so."""
    scored = [r for r in card.readings if r.value is not None]
    if not scored:
        return Reply(
            f"Chưa có số liệu Bộ chỉ số 766 của {card.province}. Hãy lấy số liệu từ Cổng DVCQG "
            "(tthc-bot sync dvcqg) hoặc nhập tệp điểm số (xem README, mục Nhập dữ liệu)."
        )
    lines = [f"📊 {card.province} — Bộ chỉ số 766", NO_RANKING]
    lines.extend(_score_lines(card.readings, scored[-1], card.total_max))
    lines.extend(_group_lines(card))
    return Reply("\n".join(lines))


def _score_lines(readings: list[Reading], latest: Reading, maximum: float | None) -> list[str]:
    scored = [r for r in readings if r.value is not None and r.source == latest.source]
    if not scored:
        return ["Tổng điểm: chưa có số liệu."]
    score = scored[-1]
    when = "" if score.as_of == latest.as_of else f" (số liệu ngày {fmt_date(score.as_of)})"
    line = f"Tổng điểm: {fmt_score(score.value, score.max_score or maximum)}{when}"
    before = [r for r in scored[:-1] if r.period == score.period]
    if before and score.value is not None and before[-1].value is not None:
        line += (
            f", {fmt_change(score.value - before[-1].value)} điểm so với ngày "
            f"{fmt_date(before[-1].as_of)}"
        )
    return [line + "."]


def _group_lines(card: RankCard) -> list[str]:
    if card.groups_as_of is None:
        return ["Điểm theo nhóm chỉ số: chưa có số liệu."]
    lines = [f"Điểm theo nhóm chỉ số (ngày {fmt_date(card.groups_as_of)}):"]
    lines.extend(f"  • {g.name}: {fmt_score(g.value, g.max_score)}" for g in card.groups)
    return lines
