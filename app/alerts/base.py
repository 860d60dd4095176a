"""What an alert rule is: a name, a label, an order, ``detect`` and ``render``.

Each rule lives in one module of :mod:`app.alerts.rules` and exports one
:class:`AlertRule`; the engine, the delivery, ``/alerts`` and ``tthc-bot alerts preview``
loop over :mod:`app.alerts.registry` and never spell a rule's name themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from core.clock import Clock
from core.config import Config
from core.workdays import WorkCalendar
from storage.alerts import AlertDraft, Audience
from storage.catalogue import Catalogue
from storage.models import Snapshot, Unit, UnitKind
from storage.queries.snapshots import Pair, latest_snapshots, snapshot_pairs, units_by_id


class When(StrEnum):
    """What makes a rule run."""

    DATA = "data"  # new data arrived (an import, a file sent to the bot)
    DAILY = "daily"  # the daily deadline and overdue check
    STALE = "stale"  # the stale-data check
    ESCALATION = "escalation"  # the escalation check
    WEEKLY = "weekly"  # the weekly summary


class Payload(BaseModel):
    """What an alert says, stored as JSON with the alert (frozen, typed per rule)."""

    model_config = ConfigDict(frozen=True, extra="ignore")


P = TypeVar("P", bound=Payload)


@dataclass
class RuleContext:
    """What a rule reads: one session, the config, the clock, the calendar, the catalogue."""

    session: Session
    config: Config
    clock: Clock
    calendar: WorkCalendar
    catalogue: Catalogue
    #: Every rule by name (the escalation rule looks at the others).
    rules: Mapping[str, AlertRule[Any]]
    #: Only findings not stored yet are wanted (raising alerts): a rule whose findings stay
    #: true for long (each overdue dossier) may leave out those already stored, instead of
    #: finding thousands again each run for the store to skip. Previews and the extension to
    #: new recipients want every finding.
    new_only: bool = False
    #: What several rules read, read once per run: the newest snapshots, each one's pairs
    #: of values (every indicator), the units.
    _latest: list[Snapshot] | None = field(default=None, repr=False)
    _pairs: dict[int, list[Pair]] = field(default_factory=dict, repr=False)
    _units: dict[int, Unit] = field(default_factory=dict, repr=False)

    @property
    def today(self) -> date:
        return self.clock.now().date()

    def units(self, ids: set[int]) -> dict[int, Unit]:
        if missing := ids - self._units.keys():
            self._units.update(units_by_id(self.session, sorted(missing)))
        return {i: self._units[i] for i in ids if i in self._units}

    def latest_snapshots(self) -> list[Snapshot]:
        """The newest snapshot of every (source, period)."""
        if self._latest is None:
            self._latest = latest_snapshots(self.session)
        return self._latest

    def snapshot_pairs(self, snapshot: Snapshot, indicator_ids: Iterable[int]) -> list[Pair]:
        """The snapshot's values of these indicators with the previous comparable ones; the
        pairs of all indicators are found once per run and shared by the rules."""
        if snapshot.id not in self._pairs:
            self._pairs[snapshot.id] = snapshot_pairs(self.session, snapshot)
        wanted = set(indicator_ids)
        return [p for p in self._pairs[snapshot.id] if p.indicator_id in wanted]


@dataclass(frozen=True)
class Draft(Generic[P]):
    """What a rule found, before it is stored; ``identity`` makes it happen once."""

    identity: str
    audience: Audience
    payload: P
    unit_id: int | None = None
    indicator_id: int | None = None
    period_key: str | None = None
    #: The snapshot it is about, when it is about one (re-checked after a correction).
    snapshot_id: int | None = None
    value: float | None = None
    urgent: bool = False


@dataclass(frozen=True)
class RenderContext:
    """What rendering needs besides the payloads."""

    list_limit: int
    rules: Mapping[str, AlertRule[Any]]


@dataclass(frozen=True)
class AlertRule(Generic[P]):
    """One rule: how it finds alerts, how their message reads, and when it runs."""

    #: The stored name of its alerts (``alerts.rule``); the registry derives ``RuleName``.
    name: str
    #: How /alerts names it.
    label: str
    #: Place of its section in a message grouping several kinds of alert.
    order: int
    payload_type: type[P]
    detect: Callable[[RuleContext], list[Draft[P]]]
    render: Callable[[Sequence[P], RenderContext], str]
    when: frozenset[When]
    #: Unacknowledged alerts of this rule are escalated to the leaders.
    escalates: bool = False
    #: The message comes with the province's rank chart.
    with_chart: bool = False
    #: Its open alerts also go to whoever joins the unit later (still relevant as found).
    follows_new_recipients: bool = False
    #: Its alerts are about one snapshot (``snapshot_id``): a corrected file re-checks them.
    correctable: bool = False
    #: Called with the stored alert's payload after it was stored (e.g. mark what it escalates).
    after_store: Callable[[Session, P, datetime], None] | None = None

    def find(self, ctx: RuleContext) -> list[AlertDraft]:
        """Detect, and turn the typed drafts into what the queue stores."""
        return [
            AlertDraft(
                identity=d.identity,
                rule=self.name,
                audience=d.audience,
                payload=d.payload.model_dump(mode="json"),
                unit_id=d.unit_id,
                indicator_id=d.indicator_id,
                period_key=d.period_key,
                snapshot_id=d.snapshot_id,
                value=d.value,
                urgent=d.urgent,
            )
            for d in self.detect(ctx)
        ]

    def parse(self, stored: Mapping[str, Any]) -> P:
        return self.payload_type.model_validate(stored)

    def render_stored(self, stored: Sequence[Mapping[str, Any]], ctx: RenderContext) -> str:
        return self.render([self.parse(p) for p in stored], ctx)


def unit_audience(unit: Unit) -> Audience:
    """A unit's alerts go to the unit; the province's own figures go to leaders and admins."""
    return Audience.LEADERS if unit.kind == UnitKind.PROVINCE.value else Audience.UNIT


def by_unit(items: Sequence[P], unit: Callable[[P], str]) -> list[tuple[str, list[P]]]:
    """Payloads grouped by unit name, units in alphabetical order."""
    groups: dict[str, list[P]] = {}
    for item in items:
        groups.setdefault(unit(item), []).append(item)
    return sorted(groups.items())
