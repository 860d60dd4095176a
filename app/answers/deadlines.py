"""/deadlines: TTHC publication tasks still waiting for the province's decision: overdue
first, then by working days left; tasks the lead unit already submitted apart."""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.clock import Clock
from core.reply import Reply
from core.workdays import WorkCalendar
from storage.queries.publications import all_open_publication_tasks
from views.tasks import task_state


def deadlines_reply(
    session: Session, clock: Clock, calendar: WorkCalendar, only_unit_id: int | None = None
) -> Reply:
    """Open publication tasks with their lead unit and how much time is left.

    With ``only_unit_id`` (a focal point) only that unit's tasks are listed.
    """
    tasks = all_open_publication_tasks(session)
    if only_unit_id is not None:
        tasks = [(task, unit) for task, unit in tasks if unit.id == only_unit_id]
    if not tasks:
        return Reply("Không có nhiệm vụ công bố TTHC nào đang chờ quyết định của tỉnh.")
    today = clock.now().date()
    late, coming, submitted, unknown = [], [], [], []
    for task, unit in tasks:
        line = f"  • {task.ministry_decision_no} — {unit.name}: {task_state(task, today, calendar)}"
        if task.submission_date is not None:
            submitted.append((task.submission_date, line))
        elif task.deadline is None:
            unknown.append(line)
        elif task.deadline < today:
            late.append((task.deadline, line))
        else:
            coming.append((task.deadline, line))
    lines = [f"📅 Nhiệm vụ công bố TTHC chưa có quyết định của tỉnh: {len(tasks)}"]
    for title, group in (
        ("Đã quá hạn, đơn vị chưa trình:", sorted(late)),
        ("Sắp đến hạn:", sorted(coming)),
        ("Đơn vị đã trình, chờ quyết định của tỉnh:", sorted(submitted)),
    ):
        if group:
            lines.append(title)
            lines.extend(text for _, text in group)
    if unknown:
        lines.append("Chưa xác định hạn:")
        lines.extend(unknown)
    return Reply("\n".join(lines))
