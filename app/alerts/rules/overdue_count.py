"""Where only per-unit counts exist: a unit's count of overdue dossiers rose."""

from __future__ import annotations

from collections.abc import Sequence

from app.alerts.base import AlertRule, Draft, RenderContext, RuleContext, When
from app.alerts.changes import ChangePayload, changes
from core.vnformat import fmt_count, fmt_date
from storage.alerts import Audience
from views.labels import source_label

#: The stored name of this rule's alerts (``alerts.rule``), the first part of each identity.
NAME = "overdue_count"


def detect(ctx: RuleContext) -> list[Draft[ChangePayload]]:
    indicator = ctx.catalogue.get("OVERDUE_COUNT")
    return [
        Draft(
            identity=f"overdue-count:{c.unit.id}:{c.snapshot.id}",
            audience=Audience.UNIT,
            unit_id=c.unit.id,
            indicator_id=indicator.id,
            period_key=str(c.snapshot.id),
            snapshot_id=c.snapshot.id,
            value=c.new,
            payload=ChangePayload.model_validate(c.fields()),
        )
        for c in changes(ctx, [indicator.id])
        if c.delta > 0
    ]


def render(items: Sequence[ChangePayload], _ctx: RenderContext) -> str:
    lines = ["⏰ Số hồ sơ quá hạn tăng:"]
    for p in items:
        lines.append(
            f"  • {p.unit}: {fmt_count(int(p.old))} → {fmt_count(int(p.new))} hồ sơ "
            f"(ngày {fmt_date(p.old_date)} → {fmt_date(p.new_date)}, {source_label(p.source)})"
        )
    lines.append(
        "Đề nghị đơn vị báo cáo giải trình và gửi phiếu xin lỗi, hẹn lại ngày trả kết quả."
    )
    return "\n".join(lines)


RULE = AlertRule(
    name=NAME,
    label="số hồ sơ quá hạn tăng",
    order=50,
    payload_type=ChangePayload,
    detect=detect,
    render=render,
    when=frozenset({When.DATA}),
    escalates=True,
    correctable=True,
)
