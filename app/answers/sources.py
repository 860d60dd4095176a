"""/sources: where the figures come from, how fresh each source is, and where two sources
disagree about the same figure (the office chases the provincial system's synchronisation,
seeds 001 and 002)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from core.config import Config
from core.reply import Reply
from core.vnformat import fmt_count, fmt_date
from storage.catalogue import Catalogue
from storage.portal.answers import NATIONAL_SCOPE, NATIONAL_SOURCE, PortalPeriod, latest_syncs
from storage.queries.snapshots import newest_snapshot_by_source, source_gaps, units_by_id
from views.labels import Gap, age_note, describe_gap, source_label

#: Gaps listed by /sources (largest first).
GAPS_SHOWN = 10
#: The portal's ranking repeats the portal's own figures: never a "gap" with them.
NOT_COMPARED = (NATIONAL_SOURCE,)


def unit_gaps(session: Session, unit_id: int, catalogue: Catalogue | None = None) -> list[Gap]:
    """A unit's figures that two sources give differently, newest date of each pair."""
    gaps = [g for g in source_gaps(session, [unit_id], exclude=NOT_COMPARED) if g.gap != 0]
    if not gaps:
        return []
    by_id = {i.id: i for i in (catalogue or Catalogue.load(session)).indicators}
    return [
        Gap(g, indicator.label, indicator.measure)
        for g in gaps
        if (indicator := by_id.get(g.indicator_id)) is not None
    ]


def sources_reply(session: Session, config: Config, today: date) -> Reply:
    newest = newest_snapshot_by_source(session)
    syncs = latest_syncs(session)
    if not newest and not syncs:
        return Reply(
            "Chưa có số liệu từ nguồn nào: lấy từ Cổng DVCQG (tthc-bot sync dvcqg) hoặc nhập "
            "tệp (tthc-bot import, gửi tệp cho bot, thư mục nhận tệp)."
        )
    lines = ["🛰 Nguồn số liệu — kỳ số liệu mới nhất của từng nguồn:"]
    for source, as_of, period, _stored in sorted(newest):
        note = age_note(as_of, today, config.alerts.stale_days, period)
        lines.append(f"  • {source_label(source)}: ngày {fmt_date(as_of)}{note}")
    for sync in syncs:
        what = "xếp hạng các tỉnh" if sync.scope == NATIONAL_SCOPE else "số liệu của tỉnh"
        period = PortalPeriod.parse(sync.period_key).label
        when = fmt_date(sync.finished_at.astimezone(config.tz))
        if sync.complete:
            lines.append(f"Lần lấy đầy đủ gần nhất từ Cổng DVCQG ({what}): {period}, ngày {when}.")
        else:
            lines.append(
                f"⚠️ Lần lấy {what} {period} ngày {when} không đầy đủ: {sync.problem}; "
                "đang dùng số liệu đầy đủ trước đó."
            )
    gaps = [g for g in source_gaps(session, exclude=NOT_COMPARED) if g.gap != 0]
    if not gaps:
        lines.append(
            "Không có số liệu nào hai nguồn cùng có cho một đơn vị, một ngày để đối chiếu."
        )
        return Reply("\n".join(lines))
    catalogue = {i.id: i for i in Catalogue.load(session).indicators}
    units = units_by_id(session, sorted({g.unit_id for g in gaps[:GAPS_SHOWN]}))
    lines.append(f"Chênh lệch lớn nhất giữa hai nguồn ({fmt_count(len(gaps))} số liệu khác nhau):")
    for gap in gaps[:GAPS_SHOWN]:
        indicator = catalogue.get(gap.indicator_id)
        if indicator is not None:
            text = describe_gap(gap, indicator.label, indicator.measure)
            lines.append(f"  • {units[gap.unit_id].name}: {text}")
    return Reply("\n".join(lines))
