"""A unit's total or tracked indicator fell by at least the threshold."""

from __future__ import annotations

from collections.abc import Sequence

from core.vnformat import fmt_change, fmt_date, fmt_number, fmt_percent
from handlers.answers.common import source_label
from jobs.alerts.base import (
    AlertRule,
    Draft,
    RenderContext,
    RuleContext,
    RuleName,
    When,
    by_unit,
    unit_audience,
)
from jobs.alerts.changes import ChangePayload, changes
from storage.models import Indicator


class DropPayload(ChangePayload):
    indicator: str
    measure: str = "percent"

    def value(self, number: float) -> str:
        return fmt_number(number) if self.measure == "point" else fmt_percent(number)


def _threshold(ctx: RuleContext, indicator: Indicator) -> float:
    alerts = ctx.config.alerts
    return alerts.drop_thresholds.get(indicator.code, alerts.drop_threshold)


def detect(ctx: RuleContext) -> list[Draft[DropPayload]]:
    """A fall of at least the threshold against the previous comparable snapshot; no data
    is neither a drop nor, on return, a rise."""
    watched = {
        i.id: i
        for i in ctx.catalogue.indicators
        if i.category in ("total", "group", "ratio") and i.higher_is_better
    }
    return [
        Draft(
            identity=f"{RuleName.DROP}:{c.unit.id}:{watched[c.indicator_id].code}:{c.snapshot.id}",
            audience=unit_audience(c.unit),
            unit_id=c.unit.id,
            indicator_id=c.indicator_id,
            period_key=str(c.snapshot.id),
            snapshot_id=c.snapshot.id,
            value=c.new,
            payload=DropPayload.model_validate(
                {
                    **c.fields(),
                    "indicator": watched[c.indicator_id].label,
                    "measure": watched[c.indicator_id].measure,
                }
            ),
        )
        for c in changes(ctx, list(watched))
        if -c.delta >= _threshold(ctx, watched[c.indicator_id]) - 1e-9
    ]


def render(items: Sequence[DropPayload], _ctx: RenderContext) -> str:
    lines = ["🔻 Chỉ số giảm:"]
    for unit, group in by_unit(items, lambda p: p.unit):
        lines.append(f"{unit}:")
        for p in group:
            lines.append(
                f"  • {p.indicator}: {p.value(p.old)} → {p.value(p.new)} "
                f"({fmt_change(p.delta)}; ngày {fmt_date(p.old_date)} → {fmt_date(p.new_date)}, "
                f"{source_label(p.source)})"
            )
    return "\n".join(lines)


RULE = AlertRule(
    name=RuleName.DROP,
    label="chỉ số giảm",
    order=60,
    payload_type=DropPayload,
    detect=detect,
    render=render,
    when=frozenset({When.DATA}),
)
