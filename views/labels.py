"""Words shared by every reply: the sources' names, the note on an old figure, a value in
its measure, a gap between two sources."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.records import OverdueSummary, SourceGap
from core.vnformat import fmt_count, fmt_date, fmt_number, fmt_percent
from views.windows import days_stale

SOURCE_LABELS = {
    "DVCQG": "Cổng DVCQG",
    "DVCQG_NATIONAL": "Cổng DVCQG, bảng xếp hạng các tỉnh",
    "DVC_TINH": "Hệ thống DVC tỉnh",
}
#: An indicator's measure as stored (``storage.models.Measure``).
PERCENT, COUNT = "percent", "count"


def source_label(source: str) -> str:
    return SOURCE_LABELS.get(source, source)


def age_note(day: date, today: date, stale_days: int, period: str = "day") -> str:
    """A note on a figure older than ``[alerts] stale_days`` (for a month's, quarter's or
    year's figures: when a finished period after it is missing): never presented as
    current."""
    days = days_stale(day, period, today, stale_days)
    if days is None:
        return ""
    return f" — ⚠️ số liệu cũ, đã {days} ngày chưa có số liệu mới"


def value_text(measure: str, value: float) -> str:
    """A value as its measure reads: "61,02%", "195", "78,49"."""
    if measure == PERCENT:
        return fmt_percent(value)
    if measure == COUNT:
        return fmt_count(int(value))
    return fmt_number(value)


@dataclass(frozen=True)
class Gap:
    """A figure two sources give differently, with its indicator's label and measure."""

    gap: SourceGap
    label: str
    measure: str


def gap_lines(gaps: list[Gap]) -> list[str]:
    """A unit's figures that two sources give differently (nothing when they agree)."""
    if not gaps:
        return []
    lines = ["Số liệu khác nhau giữa hai nguồn:"]
    lines.extend(f"  • {describe_gap(g.gap, g.label, g.measure)}" for g in gaps)
    return lines


def describe_gap(gap: SourceGap, label: str, measure: str) -> str:
    """ "Tỷ lệ … ngày 31/05/2024: Cổng DVCQG 96,9%, Hệ thống DVC tỉnh 99,7% (chênh 2,8 điểm %)"."""
    unit = " điểm %" if measure == PERCENT else ""
    return (
        f"{label} ngày {fmt_date(gap.as_of)}: {source_label(gap.source_a)} "
        f"{value_text(measure, gap.value_a)}, {source_label(gap.source_b)} "
        f"{value_text(measure, gap.value_b)} (chênh {fmt_number(abs(gap.gap))}{unit})"
    )


#: Dossiers finished late, as /overdue and the unit card say it.
FINISHED_LATE = "Hồ sơ đã giải quyết nhưng trễ hạn (danh sách hồ sơ đã nhập): {} hồ sơ."


def old_count_note(summary: OverdueSummary) -> str:
    """A unit's count that a newer list of the same source left out is old, not current."""
    if summary.newer_list_as_of is None:
        return ""
    return (
        " (số liệu cũ: đơn vị không có trong danh sách mới nhất ngày "
        f"{fmt_date(summary.newer_list_as_of)})"
    )
