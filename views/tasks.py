"""How a publication task's state reads, wherever it is shown (one wording for all)."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from core.vnformat import fmt_date
from core.workdays import WorkCalendar


class TaskDates(Protocol):
    """What the wording reads of a publication task (a stored task, or its row)."""

    @property
    def deadline(self) -> date | None: ...

    @property
    def submission_date(self) -> date | None: ...


def submission_text(task: TaskDates, calendar: WorkCalendar) -> str | None:
    """ "đã trình ngày 28/05/2024, trễ 3 ngày làm việc" once the lead unit submitted."""
    if task.submission_date is None:
        return None
    text = f"đã trình ngày {fmt_date(task.submission_date)}"
    if task.deadline is None:
        return text
    late = calendar.working_days_between(task.deadline, task.submission_date)
    return text + (f", trễ {late} ngày làm việc" if late > 0 else ", đúng hạn")


def time_left_text(deadline: date, today: date, calendar: WorkCalendar) -> str:
    """ "hạn 23/05/2024, còn 2 ngày làm việc" / "đến hạn hôm nay" / "quá 3 ngày làm việc"."""
    head = f"hạn {fmt_date(deadline)}"
    if deadline < today:
        return f"{head}, quá {calendar.working_days_between(deadline, today)} ngày làm việc"
    left = calendar.working_days_between(today, deadline)
    return f"{head}, đến hạn hôm nay" if left == 0 else f"{head}, còn {left} ngày làm việc"


def task_state(task: TaskDates, today: date, calendar: WorkCalendar) -> str:
    """What a leader needs to know of an open task, in one phrase."""
    submitted = submission_text(task, calendar)
    if submitted is not None:
        deadline = f"hạn {fmt_date(task.deadline)}, " if task.deadline else ""
        return f"{deadline}{submitted}; chờ quyết định của tỉnh"
    if task.deadline is None:
        return "chưa rõ hạn"
    return time_left_text(task.deadline, today, calendar)
