"""Named read queries: each answers one question a reply needs, in one or a few indexed queries."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, String, func, literal, or_, select, update
from sqlalchemy.orm import Session, aliased

from storage.models import (
    Alert,
    Chat,
    Dossier,
    DossierState,
    ImportFile,
    Indicator,
    Observation,
    Person,
    PublicationTask,
    Snapshot,
    Target,
    Unit,
    ends_or_begins_between,
)


@dataclass(frozen=True)
class Reading:
    """One observation with the snapshot it belongs to."""

    as_of: date
    period: str
    source: str
    value: float | None
    max_score: float | None
    rank: int | None
    rank_of: int | None
    snapshot_id: int
    indicator_id: int


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


@dataclass(frozen=True)
class KindRank:
    rank: int | None
    ranked: int
    listed: int


def targets_for(session: Session, year: int, unit_kind: str) -> dict[int, Target]:
    """The roadmap of one year for one kind of unit, by indicator id."""
    stmt = select(Target).where(Target.year == year, Target.unit_kind == unit_kind)
    return {t.indicator_id: t for t in session.scalars(stmt)}


@dataclass(frozen=True)
class OverdueSummary:
    """Overdue dossiers of one unit: from dossier lists and from per-unit counts."""

    #: Dossiers still to act on, past their due time (``Dossier.overdue_open``).
    dossiers_overdue: int
    #: Dossiers finished after their due time (``Dossier.finished_late``).
    dossiers_finished_late: int
    dossiers_known: int
    oldest_due: datetime | None
    count_value: float | None
    count_as_of: date | None
    count_source: str | None
    #: The newest list of counts of that source, when it is newer than the unit's count
    #: (the unit was not in it: its count is old, not current).
    newer_list_as_of: date | None = None


def overdue_for_unit(session: Session, unit_id: int, now_local: datetime) -> OverdueSummary:
    row = session.execute(
        select(
            func.count().filter(Dossier.overdue_open(now_local)),
            func.count().filter(Dossier.finished_late),
            func.count(),
            func.min(Dossier.due_at).filter(Dossier.overdue_open(now_local)),
        ).where(Dossier.unit_id == unit_id)
    ).one()
    count_stmt = (
        select(Observation.value, Snapshot.as_of, Snapshot.source)
        .join(Snapshot, Snapshot.id == Observation.snapshot_id)
        .join(Indicator, Indicator.id == Observation.indicator_id)
        .where(Observation.unit_id == unit_id, Indicator.code == "OVERDUE_COUNT")
        .order_by(Snapshot.as_of.desc())
        .limit(1)
    )
    count = session.execute(count_stmt).first()
    newer = None
    if count is not None:
        newest_list = session.scalar(
            select(func.max(Snapshot.as_of))
            .join(Observation, Observation.snapshot_id == Snapshot.id)
            .join(Indicator, Indicator.id == Observation.indicator_id)
            .where(Indicator.code == "OVERDUE_COUNT", Snapshot.source == count[2])
        )
        newer = newest_list if newest_list is not None and newest_list > count[1] else None
    return OverdueSummary(
        dossiers_overdue=row[0],
        dossiers_finished_late=row[1],
        dossiers_known=row[2],
        oldest_due=row[3],
        count_value=count[0] if count else None,
        count_as_of=count[1] if count else None,
        count_source=count[2] if count else None,
        newer_list_as_of=newer,
    )


def open_publication_tasks(session: Session, unit_id: int) -> list[PublicationTask]:
    """Tasks of a lead unit still waiting for the province's decision, nearest deadline first."""
    stmt = (
        select(PublicationTask)
        .where(PublicationTask.lead_unit_id == unit_id, PublicationTask.is_open)
        .order_by(PublicationTask.deadline.is_(None), PublicationTask.deadline)
    )
    return list(session.scalars(stmt))


def units_by_id(session: Session, ids: list[int]) -> dict[int, Unit]:
    return {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(ids)))} if ids else {}


@dataclass(frozen=True)
class UnitName:
    """A unit as a table row names it (columns, not the whole object: tables list thousands)."""

    id: int
    name: str


@dataclass(frozen=True)
class KindRow:
    """One unit's latest reading of an indicator and the reading before it (same source and
    period), each with its own date."""

    unit: UnitName
    value: float | None
    as_of: date
    before: float | None
    before_as_of: date | None


@dataclass(frozen=True)
class KindTable:
    """Every unit of one kind with data from the source and period of the newest snapshot:
    each unit's own latest reading (a file covering some units does not hide the others)."""

    as_of: date
    source: str
    rows: tuple[KindRow, ...]

    @property
    def previous_as_of(self) -> date | None:
        """The date compared with, when every unit's latest reading is of the newest date and
        they share one previous date (else each row carries its own dates)."""
        befores = {r.before_as_of for r in self.rows}
        if len(befores) == 1 and all(r.as_of == self.as_of for r in self.rows):
            return befores.pop()
        return None


def kinds_with_data(session: Session, indicator_id: int) -> list[str]:
    """Kinds of unit that have any value of this indicator. Each kind's units are probed by
    the (unit, indicator) index until one has a value: one probe for a kind with data, one
    per unit for a kind without, never a scan of the history (PostgreSQL scanned all
    observations for a kind without data when asked for the distinct kinds at once)."""
    has = (
        select(Observation.id)
        .where(Observation.unit_id == Unit.id, Observation.indicator_id == indicator_id)
        .exists()
    )
    kinds = sorted(str(kind) for kind in session.scalars(select(Unit.kind).distinct()))
    return [
        kind
        for kind in kinds
        if session.scalar(select(Unit.id).where(Unit.kind == kind, has).limit(1)) is not None
    ]


def _latest_snapshot_for_kind(
    session: Session,
    indicator_id: int,
    kind: str,
    before: Snapshot | None = None,
    until: date | None = None,
) -> Snapshot | None:
    # Newest snapshot first, each probed for a value of a unit of the kind: the newest
    # snapshots answer at once, whatever the length of history.
    holds = (
        select(Observation.id)
        .join(Unit, Unit.id == Observation.unit_id)
        .where(
            Observation.snapshot_id == Snapshot.id,
            Observation.indicator_id == indicator_id,
            Unit.kind == kind,
        )
        .exists()
    )
    stmt = select(Snapshot).where(holds)
    if before is not None:
        stmt = stmt.where(
            Snapshot.source == before.source,
            Snapshot.period == before.period,
            Snapshot.as_of < before.as_of,
        )
    if until is not None:
        stmt = stmt.where(Snapshot.as_of <= until)
    stmt = stmt.order_by(Snapshot.as_of.desc(), Snapshot.id.desc()).limit(1)
    return session.scalars(stmt).first()


#: Tables of a kind kept per database and data version (see :func:`data_version`).
_TABLE_CACHE_SIZE = 64
_tables: OrderedDict[tuple[object, ...], KindTable | None] = OrderedDict()
_tables_lock = threading.Lock()


def clear_table_cache() -> None:
    """Forget the kept tables (benchmarks measure computing them)."""
    with _tables_lock:
        _tables.clear()


def data_version(session: Session) -> tuple[int, str] | None:
    """What changes whenever the stored figures, dossiers or units do: every write of them is
    an import (a file, a portal answer), committed with a new ``import_files`` row. The
    file's checksum beside its id tells apart a database restored from a backup."""
    row = session.execute(
        select(ImportFile.id, ImportFile.sha256).order_by(ImportFile.id.desc()).limit(1)
    ).first()
    return (row[0], row[1]) if row is not None else None


def kind_table(session: Session, indicator_id: int, kind: str) -> KindTable | None:
    """:func:`compute_kind_table`, kept until the data changes: a burst of /top after the
    morning's figures reads the tables once (they are immutable, shared between threads)."""
    key = (str(session.get_bind().engine.url), data_version(session), indicator_id, kind)
    with _tables_lock:
        if key in _tables:
            _tables.move_to_end(key)
            return _tables[key]
    table = compute_kind_table(session, indicator_id, kind)
    with _tables_lock:
        _tables[key] = table
        while len(_tables) > _TABLE_CACHE_SIZE:
            _tables.popitem(last=False)
    return table


def compute_kind_table(session: Session, indicator_id: int, kind: str) -> KindTable | None:
    """The seed-001 table for one kind: each unit's latest and previous comparable values.

    Read from the newest snapshot and the one before it (two indexed lookups, whatever the
    length of history); only units missing from either fall back to their own history."""
    latest = _latest_snapshot_for_kind(session, indicator_id, kind)
    if latest is None:
        return None
    # A unit that ended before the table's date (merged, abolished) is not ranked with its
    # last figure among the units that exist.
    alive = or_(Unit.valid_to.is_(None), Unit.valid_to >= latest.as_of)
    # The newest snapshot's column brings each unit's name and validity along: the table's
    # thousands of units are not looked up again by id. Columns are read as Core rows (no
    # ORM row handling), the snapshots' dates once.
    newest = latest.as_of
    units: dict[int, Any] = {}
    readings: dict[int, list[tuple[float | None, date]]] = {}
    for row in _snapshot_column(session, latest.id, indicator_id, kind, alive, *_UNIT_COLUMNS):
        unit_id = row[0]
        units[unit_id] = row
        readings[unit_id] = [(row[1], newest)]
    # Units of the kind the newest snapshot lacks, probed for any value of the indicator
    # (usually none are left to probe: each probe is an index lookup).
    others = [
        unit_id
        for (unit_id,) in session.connection()
        .execute(select(Unit.id).where(Unit.kind == kind, alive))
        .all()
        if unit_id not in readings
    ]
    behind: list[int] = []
    for start in range(0, len(others), 900):
        behind.extend(
            session.scalars(
                select(Unit.id).where(
                    Unit.id.in_(others[start : start + 900]),
                    select(Observation.id)
                    .where(Observation.unit_id == Unit.id, Observation.indicator_id == indicator_id)
                    .exists(),
                )
            )
        )
    behind.sort()
    if behind:  # not in the newest snapshot: their own newest two readings
        for unit_id, reading in _newest_readings(
            session, latest, behind, [indicator_id], depth=2, including=True
        ):
            readings.setdefault(unit_id, []).append((reading.value, reading.as_of))
    before = _latest_snapshot_for_kind(session, indicator_id, kind, before=latest)
    current = [u for u, pair in readings.items() if pair[0][1] == newest]
    found: set[int] = set()
    if before is not None and current:
        # The kind's whole column, kept for the current units: a list of thousands of ids
        # in the statement cost more than the rows it left out.
        before_as_of, wanted = before.as_of, set(current)
        for unit_id, value in _snapshot_column(session, before.id, indicator_id, kind, alive):
            if unit_id in wanted:
                readings[unit_id].append((value, before_as_of))
                found.add(unit_id)
    missing = [u for u in current if u not in found]
    if missing:  # absent from the snapshot before: their own reading before the newest
        for unit_id, reading in _newest_readings(
            session, latest, missing, [indicator_id], depth=1, including=False
        ):
            readings[unit_id].append((reading.value, reading.as_of))
    ids = sorted(set(readings) - set(units))  # those behind the newest snapshot
    for start in range(0, len(ids), 900):
        stmt = select(Unit.id.label("unit_id"), *_UNIT_COLUMNS).where(
            Unit.id.in_(ids[start : start + 900])
        )
        units.update((row.unit_id, row) for row in session.execute(stmt))
    rows = []
    for unit_id, pair in readings.items():
        (value, as_of), previous = pair[0], (pair[1] if len(pair) > 1 else (None, None))
        unit = units[unit_id]
        if previous[1] is not None and ends_or_begins_between(
            unit.valid_from, unit.valid_to, previous[1], as_of
        ):
            previous = (None, None)  # never compared across the unit's end
        rows.append(KindRow(UnitName(unit_id, unit.name), value, as_of, previous[0], previous[1]))
    return KindTable(latest.as_of, latest.source, tuple(rows))


#: What a kind table shows and checks of a unit.
_UNIT_COLUMNS = (Unit.name, Unit.valid_from, Unit.valid_to)


def _snapshot_column(
    session: Session,
    snapshot_id: int,
    indicator_id: int,
    kind: str,
    alive: ColumnElement[bool],
    *columns: Any,
) -> Sequence[Any]:
    """One indicator's values of the units of a kind in one snapshot: (unit id, value, and
    the unit's ``columns``), Core rows fetched at once (iterating a Core result fetches row
    by row)."""
    stmt = (
        select(Observation.unit_id, Observation.value, *columns)
        .join(Unit, Unit.id == Observation.unit_id)
        .where(
            Observation.snapshot_id == snapshot_id,
            Observation.indicator_id == indicator_id,
            Unit.kind == kind,
            alive,
        )
    )
    return session.connection().execute(stmt).all()


def place_in_table(table: KindTable, unit_id: int) -> KindRank:
    """The unit's place among its kind: equal values share a place, units without data are
    listed but not ranked."""
    scored = [r for r in table.rows if r.value is not None]
    mine = next((r for r in table.rows if r.unit.id == unit_id), None)
    place = None
    if mine is not None and mine.value is not None:
        place = 1 + sum(1 for r in scored if (r.value or 0.0) > mine.value)
    return KindRank(place, len(scored), len(table.rows))


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


def all_open_publication_tasks(session: Session) -> list[tuple[PublicationTask, Unit]]:
    """Every task still waiting for the province's decision, with its lead unit."""
    stmt = (
        select(PublicationTask, Unit)
        .join(Unit, Unit.id == PublicationTask.lead_unit_id)
        .where(PublicationTask.is_open)
        .order_by(PublicationTask.deadline.is_(None), PublicationTask.deadline)
    )
    return [(task, unit) for task, unit in session.execute(stmt)]


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


@dataclass(frozen=True)
class DatedTable:
    """The units of one kind at one snapshot and at the snapshot compared with (same source
    and period): every unit that exists on the table's date, with None where it has no value
    (the portal "không thông báo dữ liệu")."""

    as_of: date
    before_as_of: date | None
    source: str
    rows: tuple[tuple[UnitName, float | None, float | None], ...]


def dated_kind_table(
    session: Session, indicator_id: int, kind: str, until: date, compare_to: date | None
) -> DatedTable | None:
    """The notice's table of a kind: the newest snapshot at or before ``until`` holding the
    kind, and the one compared with: the newest at or before ``compare_to``, else the one
    before (None: no such snapshot)."""
    latest = _latest_snapshot_for_kind(session, indicator_id, kind, until=until)
    if latest is None:
        return None
    before = _latest_snapshot_for_kind(session, indicator_id, kind, before=latest, until=compare_to)
    alive = or_(Unit.valid_to.is_(None), Unit.valid_to >= latest.as_of)
    born = or_(Unit.valid_from.is_(None), Unit.valid_from <= latest.as_of)
    now = dict(
        (unit_id, value)
        for unit_id, value in _snapshot_column(session, latest.id, indicator_id, kind, alive)
    )
    then = (
        dict(
            (unit_id, value)
            for unit_id, value in _snapshot_column(session, before.id, indicator_id, kind, alive)
        )
        if before is not None
        else {}
    )
    units = session.execute(select(Unit.id, Unit.name).where(Unit.kind == kind, alive, born))
    rows = tuple(
        (UnitName(unit_id, name), now.get(unit_id), then.get(unit_id)) for unit_id, name in units
    )
    return DatedTable(
        latest.as_of, before.as_of if before is not None else None, latest.source, rows
    )


def publication_tasks_open_on(session: Session, day: date) -> list[tuple[PublicationTask, Unit]]:
    """The tasks still waiting for the province's decision on ``day`` (decided later, or
    not yet), known by then, with their lead unit, by deadline."""
    stmt = (
        select(PublicationTask, Unit)
        .join(Unit, Unit.id == PublicationTask.lead_unit_id)
        .where(
            or_(
                PublicationTask.is_open,
                PublicationTask.province_decision_date > day,
            ),
            or_(
                PublicationTask.ministry_decision_date.is_(None),
                PublicationTask.ministry_decision_date <= day,
            ),
        )
        .order_by(PublicationTask.deadline.is_(None), PublicationTask.deadline)
    )
    return [(task, unit) for task, unit in session.execute(stmt)]


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
        for unit_id, reading in _newest_readings(
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


def _newest_readings(
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


@dataclass(frozen=True)
class SourceGap:
    """The same indicator of the same unit at the same date and period from two sources."""

    unit_id: int
    indicator_id: int
    as_of: date
    source_a: str
    value_a: float
    source_b: str
    value_b: float

    @property
    def gap(self) -> float:
        return self.value_b - self.value_a


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


def close_absent_dossiers(session: Session, listed: set[str], day: date, now: datetime) -> int:
    """Close, as of ``day``, every dossier still open (being handled or waiting for a
    supplement) whose code a complete list does not hold; how many."""
    open_states = [DossierState.PROCESSING.value, DossierState.SUPPLEMENT.value]
    codes = [
        code
        for code in session.scalars(
            select(Dossier.code).where(
                Dossier.finished_at.is_(None), Dossier.state.in_(open_states)
            )
        )
        if code not in listed
    ]
    for start in range(0, len(codes), 1000):
        session.execute(
            update(Dossier)
            .where(Dossier.code.in_(codes[start : start + 1000]))
            .values(state=DossierState.CLOSED.value, closed_at=day, updated_at=now)
            .execution_options(synchronize_session=False)
        )
    return len(codes)


def in_use(session: Session) -> bool:
    """Whether real work has started here: a file imported or a person or group registered."""
    for model in (ImportFile, Person, Chat):
        if session.scalar(select(model.id).limit(1)) is not None:
            return True
    return False
