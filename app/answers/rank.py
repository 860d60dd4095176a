"""/rank: where the province stands in the 766 index and how it moved."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from app.answers.common import no_province_text, province_unit
from core.config import Config
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
from storage.catalogue import Catalogue
from storage.models import Period, Unit
from storage.portal.answers import NATIONAL_SOURCE
from storage.queries.readings import (
    history,
    latest_snapshot_with,
    snapshot_table,
    snapshot_values,
)
from storage.queries.snapshots import units_by_id
from views.charts import rank_and_score_chart
from views.labels import age_note, source_label
from views.windows import (
    WINDOW_LABELS,
    Window,
    describe_baseline,
    describe_no_baseline,
    window_start,
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


def rank_series(readings: list[Reading]) -> list[Reading]:
    """The day readings of the source that gave the newest rank (what the chart draws)."""
    ranked = [r for r in readings if r.rank is not None]
    if not ranked:
        return []
    source = ranked[-1].source
    return [r for r in readings if (r.source, r.period) == (source, Period.DAY.value)]


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


def rank_reply(
    session: Session, config: Config, today: date, window: Window = Window.LATEST
) -> Reply:
    """The province's latest rank "x/N", its moves, total and group scores, and a chart."""
    province = province_unit(session, config)
    if province is None:
        return Reply(no_province_text(config))
    catalogue = Catalogue.load(session)
    total = catalogue.get("TOTAL")
    readings = history(session, province.id, total.id)
    all_ranked = [r for r in readings if r.rank is not None]
    if not all_ranked:
        return _unranked_reply(session, catalogue, province, readings, total.max_score)
    latest = all_ranked[-1]
    ranked = [r for r in all_ranked if (r.source, r.period) == (latest.source, latest.period)]
    lines = [
        f"📊 {province.name} — Bộ chỉ số 766",
        f"Xếp hạng {fmt_rank(latest.rank, latest.rank_of)} tính đến ngày {fmt_date(latest.as_of)} "
        f"({source_label(latest.source)})"
        f"{age_note(latest.as_of, today, config.alerts.stale_days, latest.period)}.",
    ]
    if len(ranked) > 1:
        lines.append(_move_line(latest, ranked[-2], ""))
    # The year's move is always shown; another window's when its button asks for it.
    for shown in dict.fromkeys((Window.YEAR, window)):
        start = window_start(shown, latest.as_of)
        if start is None:
            continue
        base = _first_from(ranked, start)
        if base is None:
            lines.append(sentence(describe_no_baseline(shown, latest.as_of)) + ".")
        elif len(ranked) < 2 or base is not ranked[-2]:
            lines.append(_move_line(latest, base, f"{describe_baseline(shown)}, "))
    if latest.source == NATIONAL_SOURCE:
        lines.extend(_neighbour_lines(session, catalogue, province.id, latest))
    cutoff = window_start(window, latest.as_of)
    lines.extend(_score_lines(readings, latest, total.max_score))
    lines.extend(_group_lines(session, catalogue, province.id))
    series = rank_series(readings)
    if cutoff is not None:
        series = [r for r in series if r.as_of >= cutoff]
    image = rank_chart(province.name, series)
    buttons = [
        [
            Button(("• " if w is window else "") + WINDOW_LABELS[w], f"/rank {w.value}")
            for w in Window
        ]
    ]
    return Reply(
        "\n".join(lines), image=image, image_name="xep-hang.png", buttons=buttons, edit=True
    )


#: Groups named as what separates the province from its neighbours in the ranking.
SEPARATING_GROUPS = 2


def _neighbour_lines(
    session: Session, catalogue: Catalogue, province_id: int, latest: Reading
) -> list[str]:
    """The provinces just above and below in the portal's ranking, the points between, and
    the groups that make the difference (from the same snapshot)."""
    total = catalogue.get("TOTAL")
    groups = catalogue.groups()
    table = snapshot_table(session, latest.snapshot_id, [total.id, *(g.id for g in groups)])
    mine = table.get(province_id, {})
    my_total = mine.get(total.id)
    if my_total is None:
        return []
    totals = {u: v[total.id] for u, v in table.items() if v.get(total.id) is not None}
    better = [t for t in totals.values() if t is not None and t > my_total]
    worse = [t for t in totals.values() if t is not None and t < my_total]
    names = units_by_id(session, list(totals))
    lines = []
    tied = [names[u].name for u, t in totals.items() if t == my_total and u != province_id]
    if tied:
        lines.append(f"Đồng hạng với: {'; '.join(sorted(tied))}.")
    for wanted, word, sign in (
        (min(better, default=None), "Cách", -1),
        (max(worse, default=None), "Hơn", 1),
    ):
        if wanted is None:
            continue
        unit_id = next(u for u, t in totals.items() if t == wanted)
        theirs = table[unit_id]
        place = 1 + sum(1 for t in totals.values() if t is not None and t > wanted)
        gaps = []
        for group in groups:
            ours, other = mine.get(group.id), theirs.get(group.id)
            if ours is not None and other is not None:
                gaps.append((group.name, ours - other))
        apart = sorted((gap for gap in gaps if gap[1] * sign > 0), key=lambda gap: -abs(gap[1]))
        text = (
            f"{word} hạng {place} ({names[unit_id].name}, {fmt_number(wanted)} điểm): "
            f"{fmt_number(abs(my_total - wanted))} điểm"
        )
        if apart:
            shown = ", ".join(
                f"{name} {fmt_change(gap)}" for name, gap in apart[:SEPARATING_GROUPS]
            )
            text += f"; chênh nhiều nhất ở: {shown}"
        lines.append(text + ".")
    if not better:
        lines.append("Đứng đầu các tỉnh, thành phố.")
    return lines


NO_RANKING = (
    "Chưa có xếp hạng giữa các tỉnh: lấy bảng xếp hạng của Cổng DVCQG "
    "(tthc-bot sync dvcqg --national) hoặc nhập tệp điểm số có cột «Xếp hạng»."
)


def _unranked_reply(
    session: Session,
    catalogue: Catalogue,
    province: Unit,
    readings: list[Reading],
    maximum: float | None,
) -> Reply:
    """The province's scores when no rank among the provinces is known: said so."""
    scored = [r for r in readings if r.value is not None]
    if not scored:
        return Reply(
            f"Chưa có số liệu Bộ chỉ số 766 của {province.name}. Hãy lấy số liệu từ Cổng DVCQG "
            "(tthc-bot sync dvcqg) hoặc nhập tệp điểm số (xem README, mục Nhập dữ liệu)."
        )
    lines = [f"📊 {province.name} — Bộ chỉ số 766", NO_RANKING]
    lines.extend(_score_lines(readings, scored[-1], maximum))
    lines.extend(_group_lines(session, catalogue, province.id))
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


def _group_lines(session: Session, catalogue: Catalogue, unit_id: int) -> list[str]:
    groups = catalogue.groups()
    snapshot_id = latest_snapshot_with(session, unit_id, [g.id for g in groups])
    if snapshot_id is None:
        return ["Điểm theo nhóm chỉ số: chưa có số liệu."]
    values = snapshot_values(session, unit_id, snapshot_id)
    as_of = next(iter(values.values())).as_of
    lines = [f"Điểm theo nhóm chỉ số (ngày {fmt_date(as_of)}):"]
    for group in groups:
        reading = values.get(group.id)
        value = reading.value if reading else None
        maximum = (reading.max_score if reading else None) or group.max_score
        lines.append(f"  • {group.name}: {fmt_score(value, maximum)}")
    return lines
