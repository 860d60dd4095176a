"""The alert rules, each a function from stored data to alert drafts (no side effects).

Every draft carries a stable identity (rule, unit, subject, the snapshot or stage
it is about), so running a rule twice, re-importing a file or restarting never
raises the same alert again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.answers.common import province_unit
from bot.clock import Clock
from bot.config import Config
from bot.windows import quarter_of
from bot.workdays import WorkCalendar
from storage import queries
from storage.alerts import AlertDraft, Audience, unacknowledged_for_escalation
from storage.catalogue import Catalogue
from storage.models import Alert, Indicator, Period, Snapshot, Target, Unit, UnitKind


@dataclass
class RuleContext:
    session: Session
    config: Config
    clock: Clock
    calendar: WorkCalendar
    catalogue: Catalogue

    @property
    def today(self) -> date:
        return self.clock.now().date()

    def units(self, ids: set[int]) -> dict[int, Unit]:
        return queries.units_by_id(self.session, sorted(ids))


Rule = Callable[[RuleContext], list[AlertDraft]]


def unit_audience(unit: Unit) -> Audience:
    """A unit's alerts go to the unit; the province's own figures go to leaders and admins."""
    return Audience.LEADERS if unit.kind == UnitKind.PROVINCE.value else Audience.UNIT


def _threshold(ctx: RuleContext, indicator: Indicator) -> float:
    alerts = ctx.config.alerts
    return alerts.drop_thresholds.get(indicator.code, alerts.drop_threshold)


@dataclass(frozen=True)
class Change:
    """A unit's value in the newest snapshot of a (source, period) and the one before it."""

    snapshot: Snapshot
    unit: Unit
    indicator_id: int
    old: float
    new: float
    old_as_of: date

    @property
    def delta(self) -> float:
        return self.new - self.old

    def payload(self) -> dict[str, object]:
        return {
            "unit": self.unit.name,
            "old": self.old,
            "new": self.new,
            "delta": self.delta,
            "old_date": self.old_as_of.isoformat(),
            "new_date": self.snapshot.as_of.isoformat(),
            "source": self.snapshot.source,
        }


def changes(ctx: RuleContext, indicator_ids: list[int]) -> list[Change]:
    """Values that have data both now and in the previous comparable snapshot (no data
    on either side is never a change)."""
    found = []
    for snapshot in queries.latest_snapshots(ctx.session):
        pairs = [
            p
            for p in queries.snapshot_pairs(ctx.session, snapshot, indicator_ids)
            if p.old is not None and p.new.value is not None and p.old.value is not None
        ]
        units = ctx.units({p.unit_id for p in pairs})
        for pair in pairs:
            assert pair.old is not None and pair.old.value is not None
            assert pair.new.value is not None
            found.append(
                Change(
                    snapshot,
                    units[pair.unit_id],
                    pair.indicator_id,
                    pair.old.value,
                    pair.new.value,
                    pair.old.as_of,
                )
            )
    return found


def indicator_drops(ctx: RuleContext) -> list[AlertDraft]:
    """A unit's total or indicator fell by at least the threshold against the previous
    comparable snapshot; no data is neither a drop nor, on return, a rise."""
    watched = {
        i.id: i
        for i in ctx.catalogue.indicators
        if i.category in ("total", "group", "ratio") and i.higher_is_better
    }
    return [
        AlertDraft(
            identity=f"drop:{c.unit.id}:{watched[c.indicator_id].code}:{c.snapshot.id}",
            rule="drop",
            audience=unit_audience(c.unit),
            unit_id=c.unit.id,
            indicator_id=c.indicator_id,
            period_key=str(c.snapshot.id),
            value=c.new,
            payload={
                **c.payload(),
                "indicator": watched[c.indicator_id].label,
                "measure": watched[c.indicator_id].measure,
            },
        )
        for c in changes(ctx, list(watched))
        if -c.delta >= _threshold(ctx, watched[c.indicator_id]) - 1e-9
    ]


def below_roadmap(ctx: RuleContext) -> list[AlertDraft]:
    """A tracked ratio under the current quarter's minimum: when it first happens in a
    quarter and again each time it gets worse."""
    ratios = {i.id: i for i in ctx.catalogue.tracked_ratios()}
    drafts = []
    for snapshot in queries.latest_snapshots(ctx.session):
        if snapshot.period == Period.YEAR.value:
            continue
        pairs = [
            p
            for p in queries.snapshot_pairs(ctx.session, snapshot, list(ratios))
            if p.new.value is not None
        ]
        units = ctx.units({p.unit_id for p in pairs})
        quarter = quarter_of(snapshot.as_of)
        key = f"{snapshot.as_of.year}Q{quarter}"
        targets: dict[str, dict[int, Target]] = {}
        for pair in pairs:
            unit = units[pair.unit_id]
            if unit.kind not in targets:
                targets[unit.kind] = dict(
                    queries.targets_for(ctx.session, snapshot.as_of.year, unit.kind)
                )
            target = targets[unit.kind].get(pair.indicator_id)
            goal = target.for_quarter(quarter) if target is not None else None
            value = pair.new.value
            assert value is not None
            if goal is None or value >= goal:
                continue
            previous = ctx.session.scalars(
                select(Alert.value)
                .where(
                    Alert.rule == "roadmap",
                    Alert.unit_id == unit.id,
                    Alert.indicator_id == pair.indicator_id,
                    Alert.period_key == key,
                )
                .order_by(Alert.id.desc())
                .limit(1)
            ).first()
            if previous is not None and value >= previous:
                continue
            indicator = ratios[pair.indicator_id]
            drafts.append(
                AlertDraft(
                    identity=f"roadmap:{unit.id}:{indicator.code}:{key}:{snapshot.id}",
                    rule="roadmap",
                    audience=unit_audience(unit),
                    unit_id=unit.id,
                    indicator_id=indicator.id,
                    period_key=key,
                    value=value,
                    payload={
                        "unit": unit.name,
                        "indicator": indicator.label,
                        "value": value,
                        "target": goal,
                        "quarter": quarter,
                        "year": snapshot.as_of.year,
                        "date": snapshot.as_of.isoformat(),
                        "worse_than": previous,
                    },
                )
            )
    return drafts


def province_rank_drop(ctx: RuleContext) -> list[AlertDraft]:
    """The province lost places (or left the configured top band), with what caused it."""
    province = province_unit(ctx.session, ctx.config)
    if province is None:
        return []
    settings = ctx.config.alerts
    total = ctx.catalogue.get("TOTAL")
    ranked = [r for r in queries.history(ctx.session, province.id, total.id) if r.rank]
    if len(ranked) < 2:
        return []
    latest = ranked[-1]
    before = [r for r in ranked[:-1] if (r.source, r.period) == (latest.source, latest.period)]
    if not before:
        return []
    previous = before[-1]
    assert latest.rank is not None and previous.rank is not None
    lost = latest.rank - previous.rank
    band = settings.rank_band
    left_band = band > 0 and previous.rank <= band < latest.rank
    if lost < settings.rank_drop_places and not left_band:
        return []
    causes = _rank_causes(ctx, province.id, previous, latest)
    return [
        AlertDraft(
            identity=f"rank:{province.id}:{latest.snapshot_id}",
            rule="rank",
            audience=Audience.LEADERS,
            unit_id=province.id,
            indicator_id=total.id,
            period_key=str(latest.snapshot_id),
            value=float(latest.rank),
            payload={
                "province": province.name,
                "old_rank": previous.rank,
                "new_rank": latest.rank,
                "rank_of": latest.rank_of,
                "old_date": previous.as_of.isoformat(),
                "new_date": latest.as_of.isoformat(),
                "band": band if left_band else None,
                "causes": causes,
            },
        )
    ]


def _rank_causes(
    ctx: RuleContext, province_id: int, previous: queries.Reading, latest: queries.Reading
) -> list[dict[str, object]]:
    """Groups and ratios that fell between the two rank readings, largest fall first."""
    candidates = [i for i in ctx.catalogue.indicators if i.category in ("group", "ratio")]
    ids = [i.id for i in candidates]
    now = queries.readings_before(ctx.session, province_id, ids, latest.as_of, strict=False)
    then = queries.readings_before(ctx.session, province_id, ids, previous.as_of, strict=False)
    by_id = {i.id: i for i in candidates}
    falls = []
    for key, reading in now.items():
        old = then.get(key)
        if old is None or old.as_of >= reading.as_of or reading.value is None or old.value is None:
            continue
        delta = reading.value - old.value
        if delta < 0:
            falls.append({"label": by_id[reading.indicator_id].label, "delta": delta})
    falls.sort(key=lambda f: float(f["delta"]))  # type: ignore[arg-type]
    return falls[:3]


def overdue_dossiers(ctx: RuleContext) -> list[AlertDraft]:
    """Each dossier that became overdue (unfinished past its due time), once."""
    now_local = ctx.clock.now().replace(tzinfo=None)
    return [
        AlertDraft(
            identity=f"overdue:{dossier.code}",
            rule="overdue",
            audience=Audience.UNIT,
            unit_id=unit.id,
            period_key=dossier.code,
            payload={
                "unit": unit.name,
                "code": dossier.code,
                "procedure": dossier.procedure or "",
                "due": dossier.due_at.isoformat() if dossier.due_at else None,
            },
        )
        for dossier, unit in queries.overdue_unfinished(ctx.session, now_local)
    ]


def overdue_counts_rose(ctx: RuleContext) -> list[AlertDraft]:
    """Where only per-unit counts exist: a unit's count of overdue dossiers rose."""
    indicator = ctx.catalogue.get("OVERDUE_COUNT")
    return [
        AlertDraft(
            identity=f"overdue-count:{c.unit.id}:{c.snapshot.id}",
            rule="overdue_count",
            audience=Audience.UNIT,
            unit_id=c.unit.id,
            indicator_id=indicator.id,
            period_key=str(c.snapshot.id),
            value=c.new,
            payload=c.payload(),
        )
        for c in changes(ctx, [indicator.id])
        if c.delta > 0
    ]


def publication_deadlines(ctx: RuleContext) -> list[AlertDraft]:
    """Open publication tasks at the configured working days before their deadline, and
    once when overdue.  A task first seen late gets only its nearest stage."""
    stages = sorted(set(ctx.config.alerts.deadline_stages), reverse=True)
    today = ctx.today
    drafts = []
    for task, unit in queries.all_open_publication_tasks(ctx.session):
        if task.deadline is None:
            continue
        left = ctx.calendar.working_days_between(today, task.deadline)
        if left < 0:
            stage = "overdue"
        else:
            reached = [s for s in stages if left <= s]
            if not reached:
                continue
            stage = str(min(reached))
        drafts.append(
            AlertDraft(
                identity=f"deadline:{task.id}:{stage}",
                rule="deadline",
                audience=Audience.DEADLINE,
                unit_id=unit.id,
                period_key=stage,
                value=float(left),
                urgent=stage in ("0", "overdue"),
                payload={
                    "unit": unit.name,
                    "task": task.ministry_decision_no,
                    "decision": task.ministry_decision,
                    "deadline": task.deadline.isoformat(),
                    "left": left,
                    "stage": stage,
                },
            )
        )
    return drafts


def stale_data(ctx: RuleContext) -> list[AlertDraft]:
    """No new snapshot from a source for N days: the admins hear of it once per gap."""
    limit = ctx.config.alerts.stale_days
    drafts = []
    for source, newest in queries.newest_snapshot_by_source(ctx.session):
        age = (ctx.today - newest).days
        if age < limit:
            continue
        drafts.append(
            AlertDraft(
                identity=f"stale:{source}:{newest.isoformat()}",
                rule="stale",
                audience=Audience.ADMINS,
                period_key=newest.isoformat(),
                value=float(age),
                payload={"source": source, "last_date": newest.isoformat(), "days": age},
            )
        )
    return drafts


def escalations(ctx: RuleContext) -> list[AlertDraft]:
    """Overdue and deadline alerts nobody acknowledged within N working days go, once,
    to the leaders."""
    days = ctx.config.alerts.escalate_after_working_days
    cutoff_day = ctx.calendar.add_working_days(ctx.today, -days)
    cutoff = ctx.clock.now().replace(
        year=cutoff_day.year, month=cutoff_day.month, day=cutoff_day.day
    )
    drafts = []
    for alert in unacknowledged_for_escalation(
        ctx.session, ["overdue", "overdue_count", "deadline"], cutoff
    ):
        drafts.append(
            AlertDraft(
                identity=f"escalation:{alert.id}",
                rule="escalation",
                audience=Audience.LEADERS,
                unit_id=alert.unit_id,
                period_key=str(alert.id),
                payload={
                    "alert_id": alert.id,
                    "rule": alert.rule,
                    "original": alert.payload,
                    "created": alert.created_at.isoformat(),
                    "working_days": days,
                },
            )
        )
    return drafts


#: Rules that run when new data arrives (after every import or sync).
DATA_RULES: list[Rule] = [
    indicator_drops,
    below_roadmap,
    province_rank_drop,
    overdue_counts_rose,
    overdue_dossiers,
]
#: Rules that depend on the calendar (the daily check).
TIME_RULES: list[Rule] = [overdue_dossiers, publication_deadlines]
ALL_RULES: list[Rule] = [*DATA_RULES, publication_deadlines, stale_data, escalations]


def evaluate(ctx: RuleContext, rules: list[Rule]) -> list[AlertDraft]:
    """Every draft the rules find now (duplicates by identity removed)."""
    seen: dict[str, AlertDraft] = {}
    for rule in rules:
        for draft in rule(ctx):
            seen.setdefault(draft.identity, draft)
    return list(seen.values())
