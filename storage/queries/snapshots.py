"""Snapshots as a whole: the newest of each source, the pairs of values a rule compares, the
sources' gaps, what an import compares a new snapshot with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from core.records import Reading, SourceGap
from storage.models import (
    Chat,
    ImportFile,
    Observation,
    Person,
    Snapshot,
    Unit,
)
from storage.queries.readings import UnitName, newest_readings


def units_by_id(session: Session, ids: list[int]) -> dict[int, Unit]:
    return {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(ids)))} if ids else {}


@dataclass(frozen=True)
class Pair:
    """A value in a snapshot and the previous comparable one (same source and period)."""

    unit_id: int
    indicator_id: int
    new: Reading
    old: Reading | None


def latest_snapshots(session: Session) -> list[Snapshot]:
    """The newest snapshot of every (source, period)."""
    newest = (
        select(Snapshot.source, Snapshot.period, func.max(Snapshot.as_of).label("as_of"))
        .group_by(Snapshot.source, Snapshot.period)
        .subquery()
    )
    stmt = select(Snapshot).join(
        newest,
        (Snapshot.source == newest.c.source)
        & (Snapshot.period == newest.c.period)
        & (Snapshot.as_of == newest.c.as_of),
    )
    return list(session.scalars(stmt))


def snapshot_pairs(
    session: Session, snapshot: Snapshot, indicator_ids: list[int] | None = None
) -> list[Pair]:
    """Every value of a snapshot with the previous comparable value of the same unit and
    indicator (the newest earlier reading of the same source and period).

    A join of two snapshots — this one and the one before it, by index — whatever the
    length of history; only values the snapshot before does not hold look further back."""
    current = _snapshot_readings(session, snapshot, indicator_ids)
    before = session.scalars(
        select(Snapshot)
        .where(
            Snapshot.source == snapshot.source,
            Snapshot.period == snapshot.period,
            Snapshot.as_of < snapshot.as_of,
        )
        .order_by(Snapshot.as_of.desc(), Snapshot.id.desc())
        .limit(1)
    ).first()
    previous = _snapshot_readings(session, before, indicator_ids) if before else {}
    missing = [key for key in current if key not in previous]
    if missing and before is not None:
        units = sorted({unit_id for unit_id, _ in missing})
        indicators = sorted({indicator_id for _, indicator_id in missing})
        wanted = set(missing)
        for unit_id, reading in newest_readings(
            session, snapshot, units, indicators, depth=1, including=False
        ):
            if (unit_id, reading.indicator_id) in wanted:
                previous[(unit_id, reading.indicator_id)] = reading
    return [
        Pair(unit_id, indicator_id, reading, previous.get((unit_id, indicator_id)))
        for (unit_id, indicator_id), reading in current.items()
    ]


def _snapshot_readings(
    session: Session, snapshot: Snapshot, indicator_ids: list[int] | None
) -> dict[tuple[int, int], Reading]:
    """A snapshot's values by (unit, indicator): the observations' own columns, run as a
    Core statement fetched at once (a nation's snapshot is 85,000 rows; ORM row handling
    doubled the time), the snapshot's columns taken from the snapshot."""
    stmt = select(
        Observation.unit_id,
        Observation.indicator_id,
        Observation.value,
        Observation.max_score,
        Observation.rank,
        Observation.rank_of,
    ).where(Observation.snapshot_id == snapshot.id)
    if indicator_ids is not None:
        stmt = stmt.where(Observation.indicator_id.in_(indicator_ids))
    as_of, period, source, snapshot_id = (
        snapshot.as_of,
        snapshot.period,
        snapshot.source,
        snapshot.id,
    )
    return {
        (unit_id, indicator_id): Reading(
            as_of, period, source, value, max_score, rank, rank_of, snapshot_id, indicator_id
        )
        for unit_id, indicator_id, value, max_score, rank, rank_of in session.connection()
        .execute(stmt)
        .all()
    }


class NewestSnapshot(NamedTuple):
    source: str
    as_of: date
    period: str
    #: When it was stored (imported or synced).
    created_at: datetime


def newest_snapshot_by_source(session: Session) -> list[NewestSnapshot]:
    """Each source with the date, period and storing time of its newest snapshot."""
    newest = func.row_number().over(
        partition_by=Snapshot.source, order_by=(Snapshot.as_of.desc(), Snapshot.id.desc())
    )
    ranked = select(
        Snapshot.source, Snapshot.as_of, Snapshot.period, Snapshot.created_at, newest.label("n")
    ).subquery()
    stmt = select(ranked.c.source, ranked.c.as_of, ranked.c.period, ranked.c.created_at).where(
        ranked.c.n == 1
    )
    return [
        NewestSnapshot(source, as_of, str(period), created_at)
        for source, as_of, period, created_at in session.execute(stmt)
    ]


def source_gaps(
    session: Session, unit_ids: list[int] | None = None, exclude: tuple[str, ...] = ()
) -> list[SourceGap]:
    """For each unit, indicator and pair of sources, the newest date both have a value for
    (no data on either side is no gap), largest difference first."""
    # First the pairs of snapshots of two sources at the same date and period (few, from
    # the snapshots alone), then their values joined by the snapshot-led index: never every
    # reading of a unit against every other one.
    snap_a, snap_b = aliased(Snapshot), aliased(Snapshot)
    pairs = select(
        snap_a.id.label("a_id"),
        snap_b.id.label("b_id"),
        snap_a.as_of.label("as_of"),
        snap_a.source.label("source_a"),
        snap_b.source.label("source_b"),
    ).join(
        snap_b,
        (snap_b.as_of == snap_a.as_of)
        & (snap_b.period == snap_a.period)
        & (snap_b.source > snap_a.source),
    )
    if exclude:
        pairs = pairs.where(snap_a.source.not_in(exclude), snap_b.source.not_in(exclude))
    if session.execute(pairs.limit(1)).first() is None:
        return []
    both = pairs.subquery()
    first, second = aliased(Observation), aliased(Observation)
    stmt = (
        select(
            first.unit_id,
            first.indicator_id,
            both.c.as_of,
            both.c.source_a,
            first.value,
            both.c.source_b,
            second.value,
        )
        .join(first, first.snapshot_id == both.c.a_id)
        .join(
            second,
            (second.snapshot_id == both.c.b_id)
            & (second.unit_id == first.unit_id)
            & (second.indicator_id == first.indicator_id),
        )
        .where(first.value.is_not(None), second.value.is_not(None))
    )
    if unit_ids is not None:
        stmt = stmt.where(first.unit_id.in_(unit_ids))
    newest: dict[tuple[int, int, str, str], SourceGap] = {}
    for unit_id, indicator_id, as_of, source_a, value_a, source_b, value_b in session.execute(stmt):
        key = (unit_id, indicator_id, source_a, source_b)
        if value_a is None or value_b is None:
            continue  # excluded by the query; for the type checker
        if key not in newest or newest[key].as_of < as_of:
            newest[key] = SourceGap(
                unit_id, indicator_id, as_of, source_a, value_a, source_b, value_b
            )
    return sorted(newest.values(), key=lambda g: (-abs(g.gap), g.as_of))


def has_snapshots(session: Session) -> bool:
    """Whether any data is stored yet."""
    return session.scalar(select(Snapshot.id).limit(1)) is not None


def snapshot_dates(session: Session, source: str, around: date, days: int) -> list[date]:
    """The source's snapshot dates within ``days`` of ``around``."""
    stmt = (
        select(Snapshot.as_of)
        .where(
            Snapshot.source == source,
            Snapshot.as_of.between(around - timedelta(days=days), around + timedelta(days=days)),
        )
        .distinct()
    )
    return list(session.scalars(stmt))


def units_of_previous_snapshot(
    session: Session,
    source: str,
    period: str,
    before: date,
    indicator_ids: list[int],
    unit_ids: list[int],
) -> list[UnitName]:
    """The units, of the kinds of ``unit_ids``, the previous snapshot of a source and period
    (before ``before``) had values of these indicators for: who such a file usually covers
    (asked for each date of an import: names as columns, not objects)."""
    previous = session.scalar(
        select(Snapshot.id)
        .where(Snapshot.source == source, Snapshot.period == period, Snapshot.as_of < before)
        .where(
            select(Observation.id)
            .where(
                Observation.snapshot_id == Snapshot.id,
                Observation.indicator_id.in_(indicator_ids),
            )
            .exists()
        )
        .order_by(Snapshot.as_of.desc(), Snapshot.id.desc())
        .limit(1)
    )
    if previous is None:
        return []
    stmt = (
        select(Unit.id, Unit.name)
        .join(Observation, Observation.unit_id == Unit.id)
        .where(Observation.snapshot_id == previous, Observation.indicator_id.in_(indicator_ids))
        .where(Unit.kind.in_(select(Unit.kind).where(Unit.id.in_(unit_ids))))
        .distinct()
        .order_by(Unit.name)
    )
    return [UnitName(unit_id, name) for unit_id, name in session.execute(stmt)]


def in_use(session: Session) -> bool:
    """Whether real work has started here: a file imported or a person or group registered."""
    for model in (ImportFile, Person, Chat):
        if session.scalar(select(model.id).limit(1)) is not None:
            return True
    return False
