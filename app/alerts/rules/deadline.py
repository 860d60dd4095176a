"""Open publication tasks at the configured working days before their deadline, and once
when overdue."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from app.alerts.base import AlertRule, Draft, Payload, RenderContext, RuleContext, When
from core.vnformat import fmt_date
from storage.alerts import Audience
from storage.queries.publications import all_open_publication_tasks

#: The stored name of this rule's alerts (``alerts.rule``), the first part of each identity.
NAME = "deadline"

OVERDUE_STAGE = "overdue"


class DeadlinePayload(Payload):
    unit: str
    task: str | None
    decision: str | None
    deadline: date
    left: int
    stage: str


def detect(ctx: RuleContext) -> list[Draft[DeadlinePayload]]:
    """A task first seen late gets only its nearest stage; a task its lead unit has submitted
    gets no more reminders (only the province's decision is awaited)."""
    stages = sorted(set(ctx.config.alerts.deadline_stages), reverse=True)
    today = ctx.today
    drafts = []
    for task, unit in all_open_publication_tasks(ctx.session):
        if task.deadline is None or task.submission_date is not None:
            continue
        left = ctx.calendar.working_days_between(today, task.deadline)
        if left < 0:
            stage = OVERDUE_STAGE
        else:
            reached = [s for s in stages if left <= s]
            if not reached:
                continue
            stage = str(min(reached))
        drafts.append(
            Draft(
                identity=f"{NAME}:{task.id}:{stage}",
                audience=Audience.DEADLINE,
                unit_id=unit.id,
                period_key=stage,
                value=float(left),
                urgent=stage in ("0", OVERDUE_STAGE),
                payload=DeadlinePayload(
                    unit=unit.name,
                    task=task.ministry_decision_no,
                    decision=task.ministry_decision,
                    deadline=task.deadline,
                    left=left,
                    stage=stage,
                ),
            )
        )
    return drafts


def render(items: Sequence[DeadlinePayload], _ctx: RenderContext) -> str:
    lines = ["📅 Hạn tham mưu công bố TTHC:"]
    for p in items:
        if p.stage == OVERDUE_STAGE:
            when = f"đã quá hạn {-p.left} ngày làm việc (hạn {fmt_date(p.deadline)})"
        elif p.left == 0:
            when = f"đến hạn hôm nay ({fmt_date(p.deadline)})"
        else:
            when = f"còn {p.left} ngày làm việc (hạn {fmt_date(p.deadline)})"
        lines.append(f"  • {p.task} — {p.unit}: {when}")
    lines.append("Đơn vị tham mưu trình UBND tỉnh Quyết định công bố danh mục TTHC đúng hạn.")
    return "\n".join(lines)


RULE = AlertRule(
    name=NAME,
    label="hạn công bố",
    order=30,
    payload_type=DeadlinePayload,
    detect=detect,
    render=render,
    when=frozenset({When.DAILY}),
    escalates=True,
    follows_new_recipients=True,
)
