"""/top, /bottom and /indicators: the tables of the office's weekly notice (seed 001)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from app.answers.common import no_province_text, province_unit
from app.answers.sources import unit_gaps
from core.config import Config
from core.reply import Reply
from core.vnformat import fmt_change, fmt_date, fmt_number, fmt_percent, sentence
from storage.catalogue import Catalogue
from storage.queries.rankings import KindRow, KindTable, kind_table, kinds_with_data
from storage.queries.readings import latest_readings
from storage.units import KIND_LABELS, RANKED_KINDS, parse_kind
from views.labels import gap_lines, source_label


def ranking_reply(session: Session, kind_text: str, bottom: bool, limit: int = 10) -> Reply:
    """Units ranked by their latest total score, with the change since the previous snapshot."""
    catalogue = Catalogue.load(session)
    total = catalogue.get("TOTAL")
    if kind_text:
        kind = parse_kind(kind_text)
        if kind is None:
            return Reply(
                f"Không hiểu cấp đơn vị «{kind_text}». Ví dụ: /top sở, /top huyện, /bottom xã"
            )
        kinds = [kind.value]
    else:
        available = kinds_with_data(session, total.id)
        kinds = [k for k in RANKED_KINDS if k in available]
        limit = 5
    sections = []
    for kind_value in kinds:
        table = kind_table(session, total.id, kind_value)
        if table is None:
            sections.append(f"{sentence(KIND_LABELS[kind_value])}: chưa có số liệu.")
            continue
        sections.append(_ranking_section(table, kind_value, bottom, limit))
    if not sections:
        return Reply("Chưa có số liệu điểm Bộ chỉ số 766 của các đơn vị.")
    return Reply("\n\n".join(sections))


def _ranking_section(table: KindTable, kind: str, bottom: bool, limit: int) -> str:
    scored = sorted(
        (row for row in table.rows if row.value is not None),
        key=lambda row: (-(row.value or 0.0), row.unit.name),
    )
    missing = sorted(row.unit.name for row in table.rows if row.value is None)
    # Equal scores share a place (competition ranking), as place_in_table does; the rows
    # are sorted best first, so a place changes only where the score does.
    ranked: list[tuple[int, KindRow]] = []
    for index, row in enumerate(scored):
        tied = ranked and ranked[-1][1].value == row.value
        ranked.append((ranked[-1][0] if tied else index + 1, row))
    chosen = ranked[-limit:][::-1] if bottom else ranked[:limit]
    head = "thấp nhất" if bottom else "cao nhất"
    common = table.previous_as_of
    compared = f", so với {fmt_date(common)}" if common else ""
    lines = [
        f"{sentence(KIND_LABELS[kind])} — điểm {head} ngày {fmt_date(table.as_of)}"
        f" ({source_label(table.source)}{compared}):"
    ]
    for place, row in chosen:
        when = f" (ngày {fmt_date(row.as_of)})" if row.as_of != table.as_of else ""
        lines.append(
            f"{place}/{len(ranked)}. {row.unit.name}: {fmt_number(row.value)}{when}"
            + _change(row, common)
        )
    if missing:
        lines.append(f"Không có dữ liệu, không xếp hạng: {'; '.join(missing)}")
    return "\n".join(lines)


def _change(row: KindRow, common: date | None) -> str:
    """The change since the unit's previous reading, dated unless the header dates it."""
    if row.before_as_of is None:
        return " (chưa có số liệu kỳ trước)" if common is not None else ""
    if row.value is None or row.before is None:
        return " (kỳ trước không có dữ liệu)"
    since = f" so với {fmt_date(row.before_as_of)}" if row.before_as_of != common else ""
    return f" ({fmt_change(row.value - row.before)}{since})"


@dataclass
class RatioMoves:
    """The province's tracked ratios, latest against previous, sorted into moves."""

    rows: list[str] = field(default_factory=list)
    rising: list[str] = field(default_factory=list)
    falling: list[str] = field(default_factory=list)
    flat: list[str] = field(default_factory=list)
    full: list[str] = field(default_factory=list)
    #: The dates of the newest readings and of those they are compared with.
    newest_dates: set[date] = field(default_factory=set)
    previous_dates: set[date] = field(default_factory=set)

    def count_lines(self) -> list[str]:
        def line(head: str, names: list[str]) -> str:
            return f"{head}: {len(names)} chỉ tiêu" + (f" ({'; '.join(names)})" if names else "")

        return [
            line("Tăng", self.rising),
            line("Giảm", self.falling),
            line("Không đổi", self.flat),
            line("Đạt 100%", self.full),
        ]


def ratio_moves(session: Session, unit_id: int) -> RatioMoves | None:
    """Each tracked ratio's latest and previous value and change; None without data."""
    ratios = Catalogue.load(session).tracked_ratios()
    latest = latest_readings(session, unit_id, [i.id for i in ratios])
    if not latest:
        return None
    moves = RatioMoves()
    for number, indicator in enumerate(ratios, start=1):
        readings = latest.get(indicator.id)
        if not readings:
            moves.rows.append(f"{number}. {indicator.label}: chưa có số liệu")
            continue
        newest = readings[0]
        moves.newest_dates.add(newest.as_of)
        text = f"{number}. {indicator.label}: {fmt_percent(newest.value)}"
        if len(readings) > 1:
            before = readings[1]
            moves.previous_dates.add(before.as_of)
            text += f" (ngày {fmt_date(before.as_of)}: {fmt_percent(before.value)}"
            if newest.value is not None and before.value is not None:
                delta = round(newest.value - before.value, 2)
                text += f", {fmt_change(delta)})"
                bucket = moves.rising if delta > 0 else moves.falling if delta < 0 else moves.flat
                bucket.append(indicator.label)
            else:
                text += ", không so sánh được)"
        text += f" — {fmt_date(newest.as_of)}"
        if newest.value is not None and newest.value >= 100:
            moves.full.append(indicator.label)
        moves.rows.append(text)
    return moves


def indicators_reply(session: Session, config: Config) -> Reply:
    """The province's tracked ratios: previous and latest value, change, counts computed."""
    province = province_unit(session, config)
    if province is None:
        return Reply(no_province_text(config))
    moves = ratio_moves(session, province.id)
    if moves is None:
        return Reply(f"Chưa có số liệu các chỉ tiêu của {province.name}.")
    lines = [f"📋 Các chỉ tiêu của {province.name}:", *moves.rows, "", *moves.count_lines()]
    gaps = gap_lines(unit_gaps(session, province.id))
    if gaps:
        lines.extend(["", *gaps])
    return Reply("\n".join(lines))
