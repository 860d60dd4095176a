"""No new snapshot from a source for N days: the admins hear of it once per gap."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from app.alerts.base import AlertRule, Draft, Payload, RenderContext, RuleContext, When
from core.vnformat import fmt_date
from storage.alerts import Audience
from storage.queries.snapshots import newest_snapshot_by_source
from views.labels import source_label
from views.windows import days_stale

#: The stored name of this rule's alerts (``alerts.rule``), the first part of each identity.
NAME = "stale"


class StalePayload(Payload):
    source: str
    last_date: date
    days: int


def detect(ctx: RuleContext) -> list[Draft[StalePayload]]:
    limit = ctx.config.alerts.stale_days
    drafts = []
    for source, newest, period, _stored in newest_snapshot_by_source(ctx.session):
        age = days_stale(newest, period, ctx.today, limit)
        if age is None:
            continue
        drafts.append(
            Draft(
                identity=f"{NAME}:{source}:{newest.isoformat()}",
                audience=Audience.ADMINS,
                period_key=newest.isoformat(),
                value=float(age),
                payload=StalePayload(source=source, last_date=newest, days=age),
            )
        )
    return drafts


def render(items: Sequence[StalePayload], _ctx: RenderContext) -> str:
    return "\n".join(
        f"🛰 Không có số liệu mới từ {source_label(p.source)} đã {p.days} ngày "
        f"(lần cuối: {fmt_date(p.last_date)})."
        for p in items
    )


RULE = AlertRule(
    name=NAME,
    label="thiếu số liệu mới",
    order=80,
    payload_type=StalePayload,
    detect=detect,
    render=render,
    when=frozenset({When.STALE}),
)
