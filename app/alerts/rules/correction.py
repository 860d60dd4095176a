"""A sent alert that a corrected file made untrue: a short correction to the same chats.

Never detected by evaluating data: the engine's re-check after an import raises it
(:func:`app.alerts.engine.recheck_alerts`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from app.alerts.base import AlertRule, Draft, Payload, RenderContext, RuleContext
from core.vnformat import fmt_date
from storage.alerts import AlertDraft, Audience
from storage.models import Alert

#: The stored name of this rule's alerts (``alerts.rule``), the first part of each identity.
NAME = "correction"


class CorrectionPayload(Payload):
    alert_id: int
    rule: str
    original: dict[str, Any]
    created: datetime


def detect(_ctx: RuleContext) -> list[Draft[CorrectionPayload]]:
    return []


def render(items: Sequence[CorrectionPayload], ctx: RenderContext) -> str:
    lines = []
    for p in items:
        said = ctx.rules[p.rule].render_stored([p.original], ctx)
        lines.append(
            f"✏️ Đính chính: cảnh báo gửi ngày {fmt_date(p.created)} không còn đúng vì số liệu "
            f"đã được sửa lại. Nội dung đã gửi:\n{said}"
        )
    return "\n\n".join(lines)


RULE = AlertRule(
    name=NAME,
    label="đính chính",
    order=5,
    payload_type=CorrectionPayload,
    detect=detect,
    render=render,
    when=frozenset(),
)


def correction_for(alert: Alert, chats: list[int]) -> AlertDraft:
    """The correction of a sent alert, to the chats it went to (once per alert)."""
    payload = CorrectionPayload(
        alert_id=alert.id, rule=alert.rule, original=alert.payload, created=alert.created_at
    )
    return AlertDraft(
        identity=f"{NAME}:{alert.id}",
        rule=NAME,
        audience=Audience(alert.audience),  # the same people may see it as the original
        payload=payload.model_dump(mode="json"),
        unit_id=alert.unit_id,
        period_key=str(alert.id),
        chats=chats,
    )
