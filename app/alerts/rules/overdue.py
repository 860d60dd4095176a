"""Each dossier that became overdue (unfinished past its due time), once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from app.alerts.base import (
    AlertRule,
    Draft,
    Payload,
    RenderContext,
    RuleContext,
    When,
    by_unit,
)
from core.vnformat import fmt_count, fmt_date
from storage.alerts import Audience
from storage.queries.dossiers import overdue_unfinished

#: The stored name of this rule's alerts (``alerts.rule``), the first part of each identity.
NAME = "overdue"


class OverduePayload(Payload):
    unit: str
    code: str
    procedure: str = ""
    due: datetime | None = None


def detect(ctx: RuleContext) -> list[Draft[OverduePayload]]:
    now_local = ctx.clock.now().replace(tzinfo=None)
    prefix = f"{NAME}:"
    found = overdue_unfinished(
        ctx.session, now_local, not_alerted_as=prefix if ctx.new_only else None
    )
    return [
        Draft(
            identity=f"{prefix}{row.code}",
            audience=Audience.UNIT,
            unit_id=row.unit_id,
            period_key=row.code,
            payload=OverduePayload(
                unit=row.unit_name, code=row.code, procedure=row.procedure or "", due=row.due_at
            ),
        )
        for row in found
    ]


def render(items: Sequence[OverduePayload], ctx: RenderContext) -> str:
    limit = ctx.list_limit
    lines = []
    for unit, group in by_unit(items, lambda p: p.unit):
        lines.append(f"⏰ {unit}: {fmt_count(len(group))} hồ sơ mới quá hạn")
        for p in group[:limit]:
            due = f" (hẹn trả {fmt_date(p.due)})" if p.due else ""
            lines.append(f"  • {p.code} — {p.procedure or 'không rõ thủ tục'}{due}")
        if len(group) > limit:
            lines.append(f"  … và {fmt_count(len(group) - limit)} hồ sơ khác")
    lines.append(
        "Đề nghị đơn vị báo cáo giải trình nguyên nhân và gửi phiếu xin lỗi, hẹn lại ngày trả "
        "kết quả cho tổ chức, công dân."
    )
    return "\n".join(lines)


RULE = AlertRule(
    name=NAME,
    label="hồ sơ quá hạn",
    order=40,
    payload_type=OverduePayload,
    detect=detect,
    render=render,
    when=frozenset({When.DATA, When.DAILY}),
    escalates=True,
    follows_new_recipients=True,
)
