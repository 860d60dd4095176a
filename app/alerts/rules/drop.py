"""A unit's total or tracked indicator fell by at least the threshold."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from app.alerts.base import (
    AlertRule,
    Draft,
    RenderContext,
    RuleContext,
    When,
    by_unit,
    unit_audience,
)
from app.alerts.changes import Change, ChangePayload, changes
from core.vnformat import fmt_change, fmt_date, fmt_number, fmt_percent
from storage.alerts import told_values
from storage.models import Indicator
from views.labels import source_label

#: The stored name of this rule's alerts (``alerts.rule``), the first part of each identity.
NAME = "drop"


class DropPayload(ChangePayload):
    indicator: str
    measure: str = "percent"

    def value(self, number: float) -> str:
        return fmt_number(number) if self.measure == "point" else fmt_percent(number)


def _threshold(ctx: RuleContext, indicator: Indicator) -> float:
    alerts = ctx.config.alerts
    return alerts.drop_thresholds.get(indicator.code, alerts.drop_threshold)


def _repeated(
    ctx: RuleContext, found: list[Change], thresholds: dict[int, float]
) -> set[tuple[int, int, int]]:
    """The falls that only repeat one told in the ``[alerts] drop_repeat_days`` days before:
    (snapshot, unit, indicator) of a value not below the value last told by the threshold.
    A daily ratio going up and down by a point is told once, not every other day; a value
    that keeps falling is told at each new step down."""
    days = ctx.config.alerts.drop_repeat_days
    if days <= 0:
        return set()
    repeated = set()
    by_snapshot: dict[int, list[Change]] = {}
    for c in found:
        by_snapshot.setdefault(c.snapshot.id, []).append(c)
    for falls in by_snapshot.values():
        snapshot = falls[0].snapshot
        since = snapshot.as_of - timedelta(days=days)
        told = told_values(
            ctx.session,
            NAME,
            snapshot.id,
            series=(snapshot.source, snapshot.period, since, snapshot.as_of),
        )
        for c in falls:
            last = told.get((c.unit.id, c.indicator_id))
            if last is not None and c.new > last - thresholds[c.indicator_id] + 1e-9:
                repeated.add((snapshot.id, c.unit.id, c.indicator_id))
    return repeated


def detect(ctx: RuleContext) -> list[Draft[DropPayload]]:
    """A fall of at least the threshold against the previous comparable snapshot; no data
    is neither a drop nor, on return, a rise. A fall that only repeats one told in the last
    days is not told again (see :func:`_repeated`)."""
    watched = {
        i.id: i
        for i in ctx.catalogue.indicators
        if i.category in ("total", "group", "ratio") and i.higher_is_better
    }
    thresholds = {i: _threshold(ctx, indicator) for i, indicator in watched.items()}
    found = [
        c for c in changes(ctx, list(watched)) if -c.delta >= thresholds[c.indicator_id] - 1e-9
    ]
    repeated = _repeated(ctx, found, thresholds)
    return [
        Draft(
            identity=f"{NAME}:{c.unit.id}:{watched[c.indicator_id].code}:{c.snapshot.id}",
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
        for c in found
        if (c.snapshot.id, c.unit.id, c.indicator_id) not in repeated
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
    name=NAME,
    label="chỉ số giảm",
    order=60,
    payload_type=DropPayload,
    detect=detect,
    render=render,
    when=frozenset({When.DATA}),
    correctable=True,
)
