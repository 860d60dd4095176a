"""Units ranked within their kind: the table of a kind for an indicator (kept until the data
changes: the one cache of these queries), a unit's place in it, the table as of a day."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from storage.models import (
    ImportFile,
    Observation,
    Snapshot,
    Unit,
    ends_or_begins_between,
)
from storage.queries.readings import UnitName, newest_readings


@dataclass(frozen=True)
class KindRank:
    rank: int | None
    ranked: int
    listed: int


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
        for unit_id, reading in newest_readings(
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
        for unit_id, reading in newest_readings(
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
