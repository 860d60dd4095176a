"""Alerts of escalating rules nobody acknowledged within N working days go, once, to the
leaders."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.alerts.base import AlertRule, Draft, Payload, RenderContext, RuleContext, When
from storage.alerts import Audience, mark_escalated, unacknowledged_for_escalation

#: The stored name of this rule's alerts (``alerts.rule``), the first part of each identity.
NAME = "escalation"


class EscalationPayload(Payload):
    alert_id: int
    rule: str
    original: dict[str, Any]
    created: datetime
    working_days: int


def detect(ctx: RuleContext) -> list[Draft[EscalationPayload]]:
    days = ctx.config.alerts.escalate_after_working_days
    cutoff_day = ctx.calendar.add_working_days(ctx.today, -days)
    cutoff = ctx.clock.now().replace(
        year=cutoff_day.year, month=cutoff_day.month, day=cutoff_day.day
    )
    escalating = [name for name, rule in ctx.rules.items() if rule.escalates]
    return [
        Draft(
            identity=f"{NAME}:{alert.id}",
            audience=Audience.LEADERS,
            unit_id=alert.unit_id,
            period_key=str(alert.id),
            payload=EscalationPayload(
                alert_id=alert.id,
                rule=alert.rule,
                original=alert.payload,
                created=alert.created_at,
                working_days=days,
            ),
        )
        for alert in unacknowledged_for_escalation(ctx.session, escalating, cutoff)
    ]


def render(items: Sequence[EscalationPayload], ctx: RenderContext) -> str:
    lines = [f"⚠️ Cảnh báo chưa được xác nhận «Đã nhận» sau {items[0].working_days} ngày làm việc:"]
    originals: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for p in items:
        originals[p.rule].append(p.original)
    for rule, group in originals.items():
        lines.append(ctx.rules[rule].render_stored(group, ctx))
    return "\n".join(lines)


def _mark_original(session: Session, payload: EscalationPayload, now: datetime) -> None:
    mark_escalated(session, payload.alert_id, now)


RULE = AlertRule(
    name=NAME,
    label="báo lãnh đạo",
    order=20,
    payload_type=EscalationPayload,
    detect=detect,
    render=render,
    when=frozenset({When.ESCALATION}),
    after_store=_mark_original,
)
