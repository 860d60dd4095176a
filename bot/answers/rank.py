"""/rank: where the province stands in the 766 index and how it moved."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.answers.common import no_province_text, province_unit, source_label
from bot.charts import rank_and_score_chart
from bot.config import Config
from bot.reply import Reply
from bot.vnformat import fmt_change, fmt_date, fmt_rank, fmt_rank_move, fmt_score, sentence
from storage import queries
from storage.catalogue import Catalogue
from storage.models import Period


def rank_reply(session: Session, config: Config) -> Reply:
    """The province's latest rank "x/N", its move, total and group scores, and a chart."""
    province = province_unit(session, config)
    if province is None:
        return Reply(no_province_text(config))
    catalogue = Catalogue.load(session)
    total = catalogue.get("TOTAL")
    readings = queries.history(session, province.id, total.id)
    ranked = [r for r in readings if r.rank is not None]
    if not ranked:
        return Reply(
            f"Chưa có số liệu xếp hạng Bộ chỉ số 766 của {province.name}. "
            "Hãy nhập tệp điểm số có cột «Xếp hạng» (xem README, mục Nhập dữ liệu)."
        )
    latest = ranked[-1]
    comparable = [r for r in ranked[:-1] if (r.source, r.period) == (latest.source, latest.period)]
    lines = [
        f"📊 {province.name} — Bộ chỉ số 766",
        f"Xếp hạng {fmt_rank(latest.rank, latest.rank_of)} tính đến ngày {fmt_date(latest.as_of)} "
        f"({source_label(latest.source)}).",
    ]
    if comparable:
        previous = comparable[-1]
        lines.append(
            f"{sentence(fmt_rank_move(previous.rank, latest.rank))} so với ngày "
            f"{fmt_date(previous.as_of)} (xếp hạng {fmt_rank(previous.rank, previous.rank_of)})."
        )
    scored = [r for r in readings if r.value is not None and r.source == latest.source]
    if scored:
        score = scored[-1]
        maximum = score.max_score or total.max_score
        when = "" if score.as_of == latest.as_of else f" (số liệu ngày {fmt_date(score.as_of)})"
        line = f"Tổng điểm: {fmt_score(score.value, maximum)}{when}"
        before = [r for r in scored[:-1] if r.period == score.period]
        if before and score.value is not None and before[-1].value is not None:
            line += (
                f", {fmt_change(score.value - before[-1].value)} điểm so với ngày "
                f"{fmt_date(before[-1].as_of)}"
            )
        lines.append(line + ".")
    else:
        lines.append("Tổng điểm: chưa có số liệu.")
    groups = catalogue.groups()
    snapshot_id = queries.latest_snapshot_with(session, province.id, [g.id for g in groups])
    if snapshot_id is not None:
        values = queries.snapshot_values(session, province.id, snapshot_id)
        as_of = next(iter(values.values())).as_of
        lines.append(f"Điểm theo nhóm chỉ số (ngày {fmt_date(as_of)}):")
        for group in groups:
            reading = values.get(group.id)
            value = reading.value if reading else None
            maximum = (reading.max_score if reading else None) or group.max_score
            lines.append(f"  • {group.name}: {fmt_score(value, maximum)}")
    series = [r for r in readings if (r.source, r.period) == (latest.source, Period.DAY.value)]
    image = None
    if len(series) >= 2:
        image = rank_and_score_chart(
            f"{province.name}: xếp hạng và tổng điểm",
            [r.as_of for r in series],
            [r.rank for r in series],
            [r.value for r in series],
        )
    return Reply("\n".join(lines), image=image, image_name="xep-hang.png")
