"""/overdue [unit]: overdue dossiers per unit, or one unit's list of dossiers."""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.clock import Clock
from core.reply import Reply
from core.vnformat import fmt_count, fmt_date
from storage.models import Unit
from storage.queries.dossiers import (
    CountRow,
    overdue_counts,
    overdue_dossier_counts,
    overdue_dossiers_of,
    overdue_for_unit,
)
from views.labels import FINISHED_LATE, old_count_note, source_label

LIST_LIMIT = 30
#: How cards and lists name dossiers finished after their due time (never "still overdue").


def overdue_reply(session: Session, clock: Clock, only_unit_id: int | None = None) -> Reply:
    """Overdue dossiers per unit (from dossier lists and per-unit counts) and the total.

    With ``only_unit_id`` (a focal point) the totals stay province-wide but only that
    unit's line is listed.
    """
    now_local = clock.now().replace(tzinfo=None)
    lines: list[str] = []
    from_dossiers = overdue_dossier_counts(session, now_local)
    if from_dossiers:
        total = sum(row.count for row in from_dossiers)
        lines.append(
            f"⏰ Hồ sơ quá hạn chưa giải quyết (theo danh sách hồ sơ), đến "
            f"{now_local:%H:%M} {fmt_date(now_local)}: {total} hồ sơ tại "
            f"{len(from_dossiers)} đơn vị"
        )
        for row in _visible(from_dossiers, only_unit_id):
            days = (now_local - row.oldest_due).days if row.oldest_due else 0
            lines.append(
                f"  • {row.unit.name}: {fmt_count(row.count)} hồ sơ, lâu nhất quá hạn {days} ngày"
            )
    as_of, source, counts = overdue_counts(session)
    if counts and as_of is not None:
        total = sum(row.count for row in counts)
        if lines:
            lines.append("")
        lines.append(
            f"⏰ Hồ sơ quá hạn theo {source_label(source or '')} ngày {fmt_date(as_of)}: "
            f"{fmt_count(total)} hồ sơ tại {len(counts)} đơn vị"
        )
        lines.extend(
            f"  • {row.unit.name}: {fmt_count(row.count)} hồ sơ"
            for row in _visible(counts, only_unit_id)
        )
    if not lines:
        return Reply(
            "Chưa có số liệu hồ sơ quá hạn. Hãy nhập danh sách hồ sơ hoặc số hồ sơ quá hạn."
        )
    return Reply("\n".join(lines))


def _visible(rows: list[CountRow], only_unit_id: int | None) -> list[CountRow]:
    return rows if only_unit_id is None else [r for r in rows if r.unit.id == only_unit_id]


def unit_overdue_reply(session: Session, clock: Clock, unit: Unit) -> Reply:
    """One unit's overdue dossiers: codes, procedures and days overdue."""
    now_local = clock.now().replace(tzinfo=None)
    dossiers = overdue_dossiers_of(session, unit.id, now_local)
    summary = overdue_for_unit(session, unit.id, now_local)
    lines = [f"⏰ Hồ sơ quá hạn của {unit.name}"]
    if dossiers:
        lines.append(f"{fmt_count(len(dossiers))} hồ sơ quá hạn chưa giải quyết:")
        for dossier in dossiers[:LIST_LIMIT]:
            assert dossier.due_at is not None
            days = (now_local - dossier.due_at).days
            lines.append(
                f"  • {dossier.code} — {dossier.procedure or 'không rõ thủ tục'} "
                f"(hẹn trả {fmt_date(dossier.due_at)}, quá {days} ngày)"
            )
        if len(dossiers) > LIST_LIMIT:
            lines.append(f"  … và {fmt_count(len(dossiers) - LIST_LIMIT)} hồ sơ khác")
        lines.append(
            "Đơn vị cần báo cáo giải trình và gửi phiếu xin lỗi, hẹn lại ngày trả kết quả."
        )
    elif summary.dossiers_known:
        lines.append("Không có hồ sơ quá hạn chưa giải quyết trong danh sách hồ sơ đã nhập.")
    if summary.dossiers_finished_late:
        lines.append(FINISHED_LATE.format(summary.dossiers_finished_late))
    if summary.count_as_of is not None:
        count = "không có dữ liệu" if summary.count_value is None else f"{int(summary.count_value)}"
        lines.append(
            f"Số hồ sơ quá hạn theo {source_label(summary.count_source or '')} ngày "
            f"{fmt_date(summary.count_as_of)}: {count}{old_count_note(summary)}."
        )
    if len(lines) == 1:
        lines.append("Chưa có số liệu hồ sơ của đơn vị này.")
    return Reply("\n".join(lines))
