"""A unit's readings: the newest values of indicators, their history, the snapshot a card
shows, the values before a day, the targets of a year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from core.records import Reading
from storage.models import (
    Indicator,
    Observation,
    Snapshot,
    Target,
)


def _reading_select() -> Any:  # Select[...] is typed differently in SQLAlchemy 2.0 and 2.1
    return select(
        Snapshot.as_of,
        Snapshot.period,
        Snapshot.source,
        Observation.value,
        Observation.max_score,
        Observation.rank,
        Observation.rank_of,
        Snapshot.id,
        Observation.indicator_id,
    ).join(Snapshot, Snapshot.id == Observation.snapshot_id)


def _reading(row: Any) -> Reading:
    return Reading(*row[:9])


def history(session: Session, unit_id: int, indicator_id: int) -> list[Reading]:
    """Every reading of one indicator for one unit, oldest first."""
    stmt = (
        _reading_select()
        .where(Observation.unit_id == unit_id, Observation.indicator_id == indicator_id)
        .order_by(Snapshot.as_of, Snapshot.id)
    )
    return [_reading(row) for row in session.execute(stmt)]


def histories(
    session: Session, unit_ids: list[int], indicator_id: int, period: str
) -> dict[int, list[Reading]]:
    """Every reading of one indicator and period for each of these units, oldest first, in
    one statement (a unit's chart with the units merged into it)."""
    if not unit_ids:
        return {}
    stmt = (
        _reading_select()
        .add_columns(Observation.unit_id)
        .where(
            Observation.unit_id.in_(unit_ids),
            Observation.indicator_id == indicator_id,
            Snapshot.period == period,
        )
        .order_by(Snapshot.as_of, Snapshot.id)
    )
    found: dict[int, list[Reading]] = {unit_id: [] for unit_id in unit_ids}
    for row in session.execute(stmt):
        found[row.unit_id].append(_reading(row))
    return found


def newest_of_units(session: Session, unit_ids: list[int], indicator_id: int) -> dict[int, Reading]:
    """Each unit's newest reading of one indicator (of two series at the newest date, the
    first source by name), in one statement; units without any are absent."""
    if not unit_ids:
        return {}
    order = func.row_number().over(
        partition_by=Observation.unit_id,
        order_by=(Snapshot.as_of.desc(), Snapshot.source, Snapshot.period, Snapshot.id.desc()),
    )
    inner = (
        _reading_select()
        .add_columns(Observation.unit_id.label("unit_id"), order.label("rn"))
        .where(Observation.unit_id.in_(unit_ids), Observation.indicator_id == indicator_id)
        .subquery()
    )
    return {
        row.unit_id: _reading(row) for row in session.execute(select(inner).where(inner.c.rn == 1))
    }


#: Newest snapshot dates read per page by ``latest_readings`` before it falls back to a window
#: over the rest of a unit's history (the pages cover what a daily or weekly series needs).
_PAGES = (4, 28)


def latest_readings(
    session: Session, unit_id: int, indicator_ids: list[int] | None = None, depth: int = 2
) -> dict[int, list[Reading]]:
    """Per indicator: the newest reading and the ones before it from the same source and period.

    ``result[indicator_id][0]`` is the newest reading, ``[1]`` the previous comparable one
    (when there is one). Of two series (source, period) with a reading at the newest date, the
    first source by name is taken.

    The unit's readings are read in the snapshots of the newest dates, a page at a time (one
    probe of the unique index per snapshot), so the cost does not grow with the length of
    history; only series that the newest pages do not settle are looked up in the rest of it.
    """
    has = select(Observation.id).where(
        Observation.unit_id == unit_id, Observation.indicator_id == Indicator.id
    )
    candidates = select(Indicator.id).where(has.exists())
    if indicator_ids is not None:
        candidates = candidates.where(Indicator.id.in_(indicator_ids))
    open_ids = set(session.scalars(candidates))
    chosen: dict[int, tuple[str, str]] = {}
    result: dict[int, list[Reading]] = {}

    def take(reading: Reading) -> None:
        series = (reading.source, reading.period)
        if chosen.setdefault(reading.indicator_id, series) != series:
            return
        readings = result.setdefault(reading.indicator_id, [])
        readings.append(reading)
        if len(readings) >= depth:
            open_ids.discard(reading.indicator_id)

    oldest: date | None = None
    for page in _PAGES:
        if not open_ids:
            return result
        dates_stmt = select(Snapshot.as_of).distinct().order_by(Snapshot.as_of.desc()).limit(page)
        if oldest is not None:
            dates_stmt = dates_stmt.where(Snapshot.as_of < oldest)
        dates = list(session.scalars(dates_stmt))
        if not dates:
            return result
        oldest = dates[-1]
        stmt = (
            _reading_select()
            .where(
                Observation.unit_id == unit_id,
                Observation.indicator_id.in_(sorted(open_ids)),
                Snapshot.as_of.in_(dates),
            )
            .order_by(Snapshot.as_of.desc(), Snapshot.source, Snapshot.period)
        )
        for row in session.execute(stmt):
            reading = _reading(row)
            if reading.indicator_id in open_ids:
                take(reading)
    if open_ids and oldest is not None:
        partition = (Observation.indicator_id, Snapshot.source, Snapshot.period)
        order = func.row_number().over(partition_by=partition, order_by=Snapshot.as_of.desc())
        inner = (
            _reading_select()
            .add_columns(order.label("rn"))
            .where(
                Observation.unit_id == unit_id,
                Observation.indicator_id.in_(sorted(open_ids)),
                Snapshot.as_of < oldest,
            )
            .subquery()
        )
        stmt = (
            select(inner)
            .where(inner.c.rn <= depth)
            .order_by(inner.c.as_of.desc(), inner.c.source, inner.c.period)
        )
        for row in session.execute(stmt):
            reading = _reading(row)
            if reading.indicator_id in open_ids:
                take(reading)
    return result


def snapshot_values(session: Session, unit_id: int, snapshot_id: int) -> dict[int, Reading]:
    """Every indicator of one unit in one snapshot."""
    stmt = _reading_select().where(
        Observation.unit_id == unit_id, Observation.snapshot_id == snapshot_id
    )
    return {r.indicator_id: r for r in (_reading(row) for row in session.execute(stmt))}


def snapshot_table(
    session: Session, snapshot_id: int, indicator_ids: list[int]
) -> dict[int, dict[int, float | None]]:
    """Per unit of one snapshot, the values of these indicators (None is no data)."""
    stmt = select(Observation.unit_id, Observation.indicator_id, Observation.value).where(
        Observation.snapshot_id == snapshot_id, Observation.indicator_id.in_(indicator_ids)
    )
    table: dict[int, dict[int, float | None]] = {}
    for unit_id, indicator_id, value in session.execute(stmt):
        table.setdefault(unit_id, {})[indicator_id] = value
    return table


def snapshot_observations(
    session: Session, unit_id: int, snapshot_id: int
) -> tuple[Snapshot, dict[int, Observation]]:
    """One unit's observations of one snapshot, whole (numerator, denominator, quality)."""
    snapshot = session.get(Snapshot, snapshot_id)
    assert snapshot is not None
    stmt = select(Observation).where(
        Observation.unit_id == unit_id, Observation.snapshot_id == snapshot_id
    )
    return snapshot, {o.indicator_id: o for o in session.scalars(stmt)}


def latest_snapshot_with(session: Session, unit_id: int, indicator_ids: list[int]) -> int | None:
    """The newest snapshot holding a value of any of these indicators for the unit."""
    stmt = (
        select(Snapshot.id)
        .join(Observation, Observation.snapshot_id == Snapshot.id)
        .where(
            Observation.unit_id == unit_id,
            Observation.indicator_id.in_(indicator_ids),
            Observation.value.is_not(None),
        )
        .order_by(Snapshot.as_of.desc(), Snapshot.id.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()


def targets_for(session: Session, year: int, unit_kind: str) -> dict[int, Target]:
    """The roadmap of one year for one kind of unit, by indicator id."""
    stmt = select(Target).where(Target.year == year, Target.unit_kind == unit_kind)
    return {t.indicator_id: t for t in session.scalars(stmt)}


@dataclass(frozen=True)
class UnitName:
    """A unit as a table row names it (columns, not the whole object: tables list thousands)."""

    id: int
    name: str


def readings_until(
    session: Session, unit_id: int, indicator_ids: list[int], until: date
) -> dict[int, list[Reading]]:
    """Per indicator, every reading of one unit at or before ``until``, newest first (a
    notice reads one province's dozen indicators: their whole history is small)."""
    stmt = (
        _reading_select()
        .where(
            Observation.unit_id == unit_id,
            Observation.indicator_id.in_(indicator_ids),
            Snapshot.as_of <= until,
        )
        .order_by(Snapshot.as_of.desc(), Snapshot.source, Snapshot.period, Snapshot.id.desc())
    )
    found: dict[int, list[Reading]] = {}
    for row in session.execute(stmt):
        reading = _reading(row)
        found.setdefault(reading.indicator_id, []).append(reading)
    return found


def _one_per_series(
    session: Session,
    unit_id: int,
    indicator_ids: list[int],
    bounds: list[ColumnElement[bool]],
    newest_first: bool,
) -> dict[tuple[int, str, str], Reading]:
    """Per (indicator, source, period) of a unit: the newest (or the first) reading within
    ``bounds``, in one windowed query."""
    partition = (Observation.indicator_id, Snapshot.source, Snapshot.period)
    order = Snapshot.as_of.desc() if newest_first else Snapshot.as_of.asc()
    row_number = func.row_number().over(partition_by=partition, order_by=order)
    inner = (
        _reading_select()
        .add_columns(row_number.label("rn"))
        .where(
            Observation.unit_id == unit_id,
            Observation.indicator_id.in_(indicator_ids),
            *bounds,
        )
        .subquery()
    )
    result: dict[tuple[int, str, str], Reading] = {}
    for row in session.execute(select(inner).where(inner.c.rn == 1)):
        reading = _reading(row)
        result[(reading.indicator_id, reading.source, reading.period)] = reading
    return result


def readings_before(
    session: Session,
    unit_id: int,
    indicator_ids: list[int],
    cutoff: date,
    strict: bool,
    after: date | None = None,
) -> dict[tuple[int, str, str], Reading]:
    """Per (indicator, source, period): the newest reading on or before ``cutoff``
    (strictly before when ``strict``), and after ``after`` when given."""
    bounds = [Snapshot.as_of < cutoff if strict else Snapshot.as_of <= cutoff]
    if after is not None:
        bounds.append(Snapshot.as_of > after)
    return _one_per_series(session, unit_id, indicator_ids, bounds, newest_first=True)


def first_readings_from(
    session: Session, unit_id: int, indicator_ids: list[int], start: date, before: date
) -> dict[tuple[int, str, str], Reading]:
    """Per (indicator, source, period): the first reading on or after ``start`` and before
    ``before`` (a window's baseline)."""
    bounds = [Snapshot.as_of >= start, Snapshot.as_of < before]
    return _one_per_series(session, unit_id, indicator_ids, bounds, newest_first=False)


def newest_readings(
    session: Session,
    snapshot: Snapshot,
    unit_ids: list[int],
    indicator_ids: list[int],
    *,
    depth: int,
    including: bool,
) -> list[tuple[int, Reading]]:
    """(unit id, reading): each unit's ``depth`` newest readings of each indicator from the
    snapshot's source and period, up to the snapshot's date (``including`` it or not),
    newest first. For the few units the snapshots at hand do not cover."""
    partition = (Observation.unit_id, Observation.indicator_id)
    order = func.row_number().over(
        partition_by=partition, order_by=(Snapshot.as_of.desc(), Snapshot.id.desc())
    )
    until = Snapshot.as_of <= snapshot.as_of if including else Snapshot.as_of < snapshot.as_of
    found: list[tuple[int, Reading]] = []
    for start in range(0, len(unit_ids), 500):
        inner = (
            _reading_select()
            .add_columns(Observation.unit_id.label("unit_id"), order.label("rn"))
            .where(
                Snapshot.source == snapshot.source,
                Snapshot.period == snapshot.period,
                until,
                Observation.unit_id.in_(unit_ids[start : start + 500]),
                Observation.indicator_id.in_(indicator_ids),
            )
            .subquery()
        )
        stmt = select(inner).where(inner.c.rn <= depth).order_by(inner.c.unit_id, inner.c.rn)
        found.extend((row.unit_id, _reading(row)) for row in session.execute(stmt))
    return found
