"""Overdue dossiers: a unit's overdue summary, counts per unit, the lists of overdue dossiers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import String, func, literal, select
from sqlalchemy.orm import Session, aliased

from core.records import OverdueSummary
from storage.models import (
    Alert,
    Dossier,
    Indicator,
    Observation,
    Snapshot,
    Unit,
)
from storage.queries.readings import UnitName


def overdue_for_unit(session: Session, unit_id: int, now_local: datetime) -> OverdueSummary:
    return overdue_for_units(session, [unit_id], now_local)[unit_id]


def overdue_for_units(
    session: Session, unit_ids: list[int], now_local: datetime
) -> dict[int, OverdueSummary]:
    """Each unit's overdue dossiers (from the dossier lists) and its newest per-unit count, in
    two statements however many units are asked (a unit and the units merged into it)."""
    if not unit_ids:
        return {}
    lists = {
        row[0]: row[1:]
        for row in session.execute(
            select(
                Dossier.unit_id,
                func.count().filter(Dossier.overdue_open(now_local)),
                func.count().filter(Dossier.finished_late),
                func.count(),
                func.min(Dossier.due_at).filter(Dossier.overdue_open(now_local)),
            )
            .where(Dossier.unit_id.in_(unit_ids))
            .group_by(Dossier.unit_id)
        )
    }
    order = func.row_number().over(
        partition_by=Observation.unit_id, order_by=(Snapshot.as_of.desc(), Snapshot.id.desc())
    )
    counted = (
        select(
            Observation.unit_id,
            Observation.indicator_id,
            Observation.value,
            Snapshot.as_of,
            Snapshot.source,
            order.label("rn"),
        )
        .join(Snapshot, Snapshot.id == Observation.snapshot_id)
        .join(Indicator, Indicator.id == Observation.indicator_id)
        .where(Observation.unit_id.in_(unit_ids), Indicator.code == "OVERDUE_COUNT")
        .subquery()
    )
    # The newest list of counts of the same source (asked for each unit's newest count only):
    # a unit missing from it has an old count
    listed_snapshot, listed = aliased(Snapshot), aliased(Observation)
    newest_list = (
        select(func.max(listed_snapshot.as_of))
        .join(listed, listed.snapshot_id == listed_snapshot.id)
        .where(listed.indicator_id == counted.c.indicator_id)
        .where(listed_snapshot.source == counted.c.source)
        .scalar_subquery()
    )
    rows = session.execute(
        select(counted, newest_list.label("newest_list")).where(counted.c.rn == 1)
    )
    counts = {row.unit_id: row for row in rows}
    found = {}
    for unit_id in unit_ids:
        overdue, late, known, oldest = lists.get(unit_id, (0, 0, 0, None))
        count = counts.get(unit_id)
        newer = None
        if count is not None and count.newest_list is not None:
            newer = count.newest_list if count.newest_list > count.as_of else None
        found[unit_id] = OverdueSummary(
            dossiers_overdue=overdue,
            dossiers_finished_late=late,
            dossiers_known=known,
            oldest_due=oldest,
            count_value=count.value if count is not None else None,
            count_as_of=count.as_of if count is not None else None,
            count_source=count.source if count is not None else None,
            newer_list_as_of=newer,
        )
    return found


@dataclass(frozen=True)
class CountRow:
    unit: UnitName
    count: int
    oldest_due: datetime | None


def overdue_counts(
    session: Session, until: date | None = None
) -> tuple[date | None, str | None, list[CountRow]]:
    """Per-unit overdue counts of the newest OVERDUE_COUNT snapshot (at or before ``until``),
    largest first."""
    indicator_id = session.scalar(select(Indicator.id).where(Indicator.code == "OVERDUE_COUNT"))
    holds = (
        select(Observation.id)
        .where(Observation.snapshot_id == Snapshot.id, Observation.indicator_id == indicator_id)
        .exists()
    )
    newest = select(Snapshot.id, Snapshot.as_of, Snapshot.source).where(holds)
    if until is not None:
        newest = newest.where(Snapshot.as_of <= until)
    latest = session.execute(  # newest snapshot first, each probed by index
        newest.order_by(Snapshot.as_of.desc(), Snapshot.id.desc()).limit(1)
    ).first()
    if latest is None:
        return None, None, []
    stmt = (
        select(Unit.id, Unit.name, Observation.value)
        .join(Observation, Observation.unit_id == Unit.id)
        .join(Indicator, Indicator.id == Observation.indicator_id)
        .where(Observation.snapshot_id == latest[0], Indicator.code == "OVERDUE_COUNT")
        .where(Observation.value > 0)
        .order_by(Observation.value.desc(), Unit.name)
    )
    rows = [
        CountRow(UnitName(unit_id, name), int(value or 0), None)
        for unit_id, name, value in session.execute(stmt)
    ]
    return latest[1], latest[2], rows


def overdue_dossier_counts(session: Session, now_local: datetime) -> list[CountRow]:
    """Per unit: dossiers unfinished past their due time, with the oldest due time (counted
    per unit first, then named: units as columns)."""
    counted = (
        select(
            Dossier.unit_id,
            func.count().label("n"),
            func.min(Dossier.due_at).label("oldest"),
        )
        .where(Dossier.overdue_open(now_local))
        .group_by(Dossier.unit_id)
        .subquery()
    )
    stmt = (
        select(Unit.id, Unit.name, counted.c.n, counted.c.oldest)
        .join(counted, counted.c.unit_id == Unit.id)
        .order_by(counted.c.n.desc(), Unit.name)
    )
    return [
        CountRow(UnitName(unit_id, name), n, oldest)
        for unit_id, name, n, oldest in session.execute(stmt)
    ]


def overdue_dossiers_of(session: Session, unit_id: int, now_local: datetime) -> list[Dossier]:
    """A unit's dossiers unfinished past their due time, oldest due first."""
    stmt = (
        select(Dossier)
        .where(Dossier.unit_id == unit_id, Dossier.overdue_open(now_local))
        .order_by(Dossier.due_at)
    )
    return list(session.scalars(stmt))


@dataclass(frozen=True)
class OverdueRow:
    """A dossier unfinished past its due time, as the overdue alert tells it."""

    code: str
    procedure: str | None
    due_at: datetime | None
    unit_id: int
    unit_name: str


def overdue_unfinished(
    session: Session, now_local: datetime, not_alerted_as: str | None = None
) -> list[OverdueRow]:
    """Every dossier unfinished past its due time, with its unit, by unit and oldest first
    (columns, not objects: there are thousands). With ``not_alerted_as``, only those without
    a stored alert of identity ``not_alerted_as + code`` (one probe of the unique index each)."""
    stmt = (
        select(Dossier.code, Dossier.procedure, Dossier.due_at, Unit.id, Unit.name)
        .join(Unit, Unit.id == Dossier.unit_id)
        .where(Dossier.overdue_open(now_local))
        .order_by(Dossier.unit_id, Dossier.due_at)
    )
    if not_alerted_as is not None:
        identity = literal(not_alerted_as, String) + Dossier.code
        stmt = stmt.where(~select(Alert.id).where(Alert.identity == identity).exists())
    return [OverdueRow(*row) for row in session.execute(stmt)]
