"""The weekly summary: one per week, queued for every registered group, with the rank chart."""

from __future__ import annotations

from collections.abc import Sequence

from app.alerts.base import AlertRule, Draft, Payload, RenderContext, RuleContext, When
from app.answers.summary import summary_reply
from storage.alerts import Audience

#: The stored name of this rule's alerts (``alerts.rule``), the first part of each identity.
NAME = "summary"


class SummaryPayload(Payload):
    text: str


def detect(ctx: RuleContext) -> list[Draft[SummaryPayload]]:
    week = ctx.clock.now().astimezone(ctx.config.tz).date().isocalendar()
    key = f"{week.year}-W{week.week:02d}"
    reply = summary_reply(ctx.session, ctx.config, ctx.clock, ctx.calendar)
    return [
        Draft(
            identity=f"{NAME}:{key}",
            audience=Audience.GROUPS,
            period_key=key,
            payload=SummaryPayload(text=reply.text),
        )
    ]


def render(items: Sequence[SummaryPayload], _ctx: RenderContext) -> str:
    return "\n\n".join(p.text for p in items)


RULE = AlertRule(
    name=NAME,
    label="tóm tắt tuần",
    order=90,
    payload_type=SummaryPayload,
    detect=detect,
    render=render,
    when=frozenset({When.WEEKLY}),
    with_chart=True,
)
