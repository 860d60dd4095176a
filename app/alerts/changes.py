"""Values that changed between the newest snapshot of a source and the one before it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.alerts.base import Payload, RuleContext
from storage.models import Snapshot, Unit


class ChangePayload(Payload):
    """A unit's value then and now (shared by the drop and overdue-count alerts)."""

    unit: str
    old: float
    new: float
    delta: float
    old_date: date
    new_date: date
    source: str


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

    def fields(self) -> dict[str, object]:
        return {
            "unit": self.unit.name,
            "old": self.old,
            "new": self.new,
            "delta": self.delta,
            "old_date": self.old_as_of,
            "new_date": self.snapshot.as_of,
            "source": self.snapshot.source,
        }


def changes(ctx: RuleContext, indicator_ids: list[int]) -> list[Change]:
    """Values that have data both now and in the previous comparable snapshot (no data
    on either side is never a change)."""
    found = []
    for snapshot in ctx.latest_snapshots():
        pairs = [
            p
            for p in ctx.snapshot_pairs(snapshot, indicator_ids)
            if p.old is not None and p.new.value is not None and p.old.value is not None
        ]
        units = ctx.units({p.unit_id for p in pairs})
        for pair in pairs:
            assert pair.old is not None and pair.old.value is not None
            assert pair.new.value is not None
            if units[pair.unit_id].ends_or_begins_between(pair.old.as_of, snapshot.as_of):
                continue  # a merger in between: not a change of the same unit
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
