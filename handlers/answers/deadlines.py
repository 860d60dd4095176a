"""/deadlines: TTHC publication tasks, overdue first, then by working days left."""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.clock import Clock
from core.reply import Reply
from core.vnformat import fmt_date
from core.workdays import WorkCalendar
from storage import queries


def deadlines_reply(
    session: Session, clock: Clock, calendar: WorkCalendar, only_unit_id: int | None = None
) -> Reply:
    """Open publication tasks with their lead unit and how much time is left.

    With ``only_unit_id`` (a focal point) only that unit's tasks are listed.
    """
    tasks = queries.all_open_publication_tasks(session)
    if only_unit_id is not None:
        tasks = [(task, unit) for task, unit in tasks if unit.id == only_unit_id]
    if not tasks:
        return Reply("Không có nhiệm vụ công bố TTHC nào đang chờ quyết định của tỉnh.")
    today = clock.now().date()
    late, coming, unknown = [], [], []
    for task, unit in tasks:
        head = f"{task.ministry_decision_no} — {unit.name}"
        if task.deadline is None:
            unknown.append(f"  • {head}: chưa rõ hạn")
        elif task.deadline < today:
            late_days = calendar.working_days_between(task.deadline, today)
            late.append(
                (
                    task.deadline,
                    f"  • {head}: hạn {fmt_date(task.deadline)}, quá {late_days} ngày làm việc",
                )
            )
        else:
            left = calendar.working_days_between(today, task.deadline)
            coming.append(
                (left, f"  • {head}: hạn {fmt_date(task.deadline)}, còn {left} ngày làm việc")
            )
    lines = [f"📅 Nhiệm vụ công bố TTHC chưa có quyết định của tỉnh: {len(tasks)}"]
    if late:
        lines.append("Đã quá hạn:")
        lines.extend(text for _, text in sorted(late))
    if coming:
        lines.append("Sắp đến hạn:")
        lines.extend(text for _, text in sorted(coming))
    if unknown:
        lines.append("Chưa xác định hạn:")
        lines.extend(unknown)
    return Reply("\n".join(lines))
