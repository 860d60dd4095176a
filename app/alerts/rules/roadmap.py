"""A tracked ratio under the quarter's minimum of the roadmap (seed 004)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from app.alerts.base import (
    AlertRule,
    Draft,
    Payload,
    RenderContext,
    RuleContext,
    When,
    by_unit,
    unit_audience,
)
from core.vnformat import QUARTER_NAMES, fmt_date, fmt_number, fmt_percent
from storage.alerts import told_values
from storage.models import Period, Target
from storage.queries.readings import targets_for
from views.windows import quarter_of

#: The stored name of this rule's alerts (``alerts.rule``), the first part of each identity.
NAME = "roadmap"


class RoadmapPayload(Payload):
    unit: str
    indicator: str
    value: float
    target: float
    quarter: int
    year: int
    date: date
    worse_than: float | None = None


def detect(ctx: RuleContext) -> list[Draft[RoadmapPayload]]:
    """Under the minimum: when it first happens in a quarter and again each time it gets
    worse by ``[alerts] roadmap_worse_step`` percentage points."""
    ratios = {i.id: i for i in ctx.catalogue.tracked_ratios()}
    drafts = []
    for snapshot in ctx.latest_snapshots():
        if snapshot.period == Period.YEAR.value:
            continue
        pairs = [p for p in ctx.snapshot_pairs(snapshot, ratios) if p.new.value is not None]
        units = ctx.units({p.unit_id for p in pairs})
        quarter = quarter_of(snapshot.as_of)
        key = f"{snapshot.as_of.year}Q{quarter}"
        targets: dict[str, dict[int, Target]] = {}
        told = told_values(ctx.session, NAME, snapshot.id, period_key=key)
        for pair in pairs:
            unit = units[pair.unit_id]
            if unit.kind not in targets:
                targets[unit.kind] = dict(targets_for(ctx.session, snapshot.as_of.year, unit.kind))
            target = targets[unit.kind].get(pair.indicator_id)
            goal = target.for_quarter(quarter) if target is not None else None
            value = pair.new.value
            assert value is not None
            if goal is None or value >= goal:
                continue
            previous = told.get((unit.id, pair.indicator_id))
            step = ctx.config.alerts.roadmap_worse_step
            if previous is not None and value > previous - step:
                continue  # not worse by the step: a noisy daily ratio is not told again
            indicator = ratios[pair.indicator_id]
            drafts.append(
                Draft(
                    identity=f"{NAME}:{unit.id}:{indicator.code}:{key}:{snapshot.id}",
                    audience=unit_audience(unit),
                    unit_id=unit.id,
                    indicator_id=indicator.id,
                    period_key=key,
                    snapshot_id=snapshot.id,
                    value=value,
                    payload=RoadmapPayload(
                        unit=unit.name,
                        indicator=indicator.label,
                        value=value,
                        target=goal,
                        quarter=quarter,
                        year=snapshot.as_of.year,
                        date=snapshot.as_of,
                        worse_than=previous,
                    ),
                )
            )
    return drafts


def render(items: Sequence[RoadmapPayload], _ctx: RenderContext) -> str:
    lines = ["🎯 Chưa đạt lộ trình quý:"]
    for unit, group in by_unit(items, lambda p: p.unit):
        lines.append(f"{unit}:")
        for p in group:
            worse = (
                f", thấp hơn lần báo trước ({fmt_percent(p.worse_than)})"
                if p.worse_than is not None
                else ""
            )
            lines.append(
                f"  • {p.indicator}: {fmt_percent(p.value)} ngày {fmt_date(p.date)}, "
                f"tối thiểu quý {QUARTER_NAMES[p.quarter]}/{p.year} là {fmt_percent(p.target)} "
                f"(thiếu {fmt_number(p.target - p.value)} điểm %){worse}"
            )
    return "\n".join(lines)


RULE = AlertRule(
    name=NAME,
    label="dưới lộ trình",
    order=70,
    payload_type=RoadmapPayload,
    detect=detect,
    render=render,
    when=frozenset({When.DATA}),
    correctable=True,
)
