"""Writing indicator values into snapshots, keeping replaced values for audit."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from functools import partial
from typing import Any, cast

from sqlalchemy import Table, insert, select

from core.textnorm import fold
from core.vnformat import fmt_count, fmt_date
from storage.importers.base import ImportContext, UnitRef
from storage.importers.upsert import UpsertCounts, counted_upsert
from storage.models import (
    OBSERVATION_FIELDS,
    ImportFile,
    Observation,
    ObservationRevision,
    Period,
    Snapshot,
)
from storage.queries import snapshot_dates, units_of_previous_snapshot

_SOURCE_ALIASES = {
    "dvcqg": "DVCQG",
    "cong dvcqg": "DVCQG",
    "cong dich vu cong quoc gia": "DVCQG",
    "dich vu cong quoc gia": "DVCQG",
    "quoc gia": "DVCQG",
    "dvc tinh": "DVC_TINH",
    "cong dvc tinh": "DVC_TINH",
    "he thong dvc tinh": "DVC_TINH",
    "cong dich vu cong tinh": "DVC_TINH",
    "he thong thong tin giai quyet tthc tinh": "DVC_TINH",
}

_PERIOD_WORDS = {
    "day": Period.DAY,
    "ngay": Period.DAY,
    "tinh den ngay": Period.DAY,
    "month": Period.MONTH,
    "thang": Period.MONTH,
    "quarter": Period.QUARTER,
    "quy": Period.QUARTER,
    "year": Period.YEAR,
    "nam": Period.YEAR,
}


def normalize_source(text: str) -> str:
    """ "Cổng DVCQG" -> "DVCQG", "DVC tỉnh" -> "DVC_TINH", anything else upper snake case."""
    key = fold(text)
    return _SOURCE_ALIASES.get(key) or key.upper().replace(" ", "_")[:40]


def parse_period(text: str) -> Period | None:
    return _PERIOD_WORDS.get(fold(text))


@dataclass
class ObservationRecord:
    """One value read from a file, before it is stored."""

    as_of: date
    period: str
    source: str
    unit: UnitRef
    indicator_id: int
    sheet: str
    row: int
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    score: float | None = None
    max_score: float | None = None
    rank: int | None = None
    rank_of: int | None = None
    quality_status: str | None = None
    quality_message: str | None = None

    def values(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in OBSERVATION_FIELDS}

    def key(self) -> tuple[date, str, str, int, int]:
        unit = self.unit if isinstance(self.unit, int) else id(self.unit)
        return (self.as_of, self.period, self.source, unit, self.indicator_id)


assert set(OBSERVATION_FIELDS) <= {f.name for f in fields(ObservationRecord)}


def check_dates(records: list[ObservationRecord], ctx: ImportContext) -> None:
    """A snapshot date in the future, or far (``far_days``) from today, from the file's other
    dates and from the source's stored snapshots, is refused unless ``--as-of`` confirms it
    (a typo such as seed 001's "04/8/2025" for 08/4/2025 would make a phantom snapshot)."""
    if ctx.dates_confirmed:
        return
    today = ctx.now().date()
    far = ctx.settings.far_days
    first: dict[tuple[str, date], ObservationRecord] = {}
    for record in records:
        first.setdefault((record.source, record.as_of), record)
    in_file: dict[str, set[date]] = defaultdict(set)
    for source, day in first:
        in_file[source].add(day)
    for (source, day), record in sorted(first.items(), key=lambda kv: kv[0][1]):
        if day == ctx.as_of:
            continue  # confirmed on the command line
        confirm = f"nếu đúng, nhập lại với --as-of {fmt_date(day)}"
        if day > today:
            ctx.problems.error(
                f"ngày số liệu {fmt_date(day)} ở tương lai (hôm nay {fmt_date(today)}); "
                f"hãy kiểm tra lại ngày ({confirm})",
                record.sheet,
                record.row,
            )
            continue
        near = [today, *(d for d in in_file[source] if d != day)]
        near += snapshot_dates(ctx.session, source, day, far)
        if all(abs((day - other).days) > far for other in near):
            ctx.problems.error(
                f"ngày số liệu {fmt_date(day)} cách hôm nay và các kỳ số liệu khác hơn "
                f"{far} ngày; hãy kiểm tra lại ngày ({confirm})",
                record.sheet,
                record.row,
            )


def check_duplicates(records: list[ObservationRecord], ctx: ImportContext) -> None:
    """The same unit, indicator and date twice with different values is an error."""
    seen: dict[object, ObservationRecord] = {}
    for record in records:
        first = seen.setdefault(record.key(), record)
        if first is not record and first.values() != record.values():
            ctx.problems.error(
                f"trùng với dòng {first.row} (cùng đơn vị, chỉ số và ngày) nhưng khác giá trị",
                record.sheet,
                record.row,
            )


@dataclass
class StoreCounts:
    inserted: int = 0
    replaced: int = 0
    unchanged: int = 0
    snapshots: int = 0
    #: Per snapshot date: the units the previous snapshot covered that this file does not.
    uncovered: dict[date, list[str]] = field(default_factory=dict)


def store_observations(
    records: list[ObservationRecord], ctx: ImportContext, import_file: ImportFile
) -> StoreCounts:
    """Insert new values, replace changed ones (old version kept), count the unchanged."""
    session = ctx.session
    now = ctx.now()
    counts = StoreCounts()
    by_snapshot: dict[tuple[str, str, date], dict[tuple[int, int], ObservationRecord]] = (
        defaultdict(dict)
    )
    for record in records:
        unit_id = ctx.unit_id(record.unit)
        by_snapshot[(record.source, record.period, record.as_of)][
            (unit_id, record.indicator_id)
        ] = record
    counts.snapshots = len(by_snapshot)
    done = 0
    for (source, period, as_of), items in sorted(by_snapshot.items(), key=lambda kv: kv[0][2]):
        indicators = sorted({indicator_id for _, indicator_id in items})
        covered = {unit_id for unit_id, _ in items}
        usual = units_of_previous_snapshot(
            ctx.session, source, period, as_of, indicators, sorted(covered)
        )
        missing = [unit.name for unit in usual if unit.id not in covered]
        if missing:
            counts.uncovered[as_of] = missing
        snapshot = session.scalars(
            select(Snapshot).filter_by(source=source, period=period, as_of=as_of)
        ).one_or_none()
        if snapshot is None:
            snapshot = Snapshot(source=source, period=period, as_of=as_of, created_at=now)
            session.add(snapshot)
            session.flush()
        # The stored values as columns, not objects: a daily file meets thousands of them.
        existing: dict[tuple[int, int], Any] = {}
        unit_ids = sorted({unit_id for unit_id, _ in items})
        for start in range(0, len(unit_ids), 500):
            chunk = unit_ids[start : start + 500]
            for obs in session.execute(
                select(*_STORED_COLUMNS).where(
                    Observation.snapshot_id == snapshot.id, Observation.unit_id.in_(chunk)
                )
            ):
                existing[(obs.unit_id, obs.indicator_id)] = obs
        revisions: list[dict[str, object]] = []
        stored = UpsertCounts()
        counted_upsert(
            session,
            Observation,
            existing,
            (
                (
                    (unit_id, indicator_id),
                    {
                        "snapshot_id": snapshot.id,
                        "unit_id": unit_id,
                        "indicator_id": indicator_id,
                        **record.values(),
                    },
                )
                for (unit_id, indicator_id), record in items.items()
            ),
            compare=OBSERVATION_FIELDS,
            stamp={"import_id": import_file.id, "updated_at": now},
            counts=stored,
            before_update=partial(_keep_revision, revisions, import_file.id, now),
        )
        if revisions:
            session.execute(insert(cast(Table, ObservationRevision.__table__)), revisions)
        counts.inserted += stored.inserted
        counts.replaced += stored.updated
        counts.unchanged += stored.unchanged
        done += len(items)
        if ctx.progress:
            ctx.progress("lưu", done, len(records))
    return counts


#: What the store compares and what a revision keeps of a stored observation.
_STORED_COLUMNS = (
    Observation.id,
    Observation.unit_id,
    Observation.indicator_id,
    Observation.import_id,
    *(getattr(Observation, name) for name in OBSERVATION_FIELDS),
)


def _keep_revision(
    revisions: list[dict[str, object]], import_id: int, now: datetime, old: Any
) -> None:
    """The version a corrected file replaces, kept for audit."""
    revisions.append(
        {
            "observation_id": old.id,
            "import_id": old.import_id,
            "replaced_by_import_id": import_id,
            "replaced_at": now,
            **{name: getattr(old, name) for name in OBSERVATION_FIELDS},
        }
    )


#: Units named in the summary line about a file that covers only part of them.
PARTIAL_NAMES = 5


def summary_lines(counts: StoreCounts, what: str) -> list[str]:
    lines = [
        f"{what}: {fmt_count(counts.inserted)} giá trị mới trong "
        f"{fmt_count(counts.snapshots)} kỳ số liệu"
    ]
    if counts.replaced:
        lines.append(
            f"{fmt_count(counts.replaced)} giá trị đã có được thay bằng số liệu mới "
            "(bản cũ được lưu lại để đối chiếu)"
        )
    if counts.unchanged:
        lines.append(f"{fmt_count(counts.unchanged)} giá trị trùng với số liệu đã có, giữ nguyên")
    for day, names in sorted(counts.uncovered.items()):
        shown = "; ".join(names[:PARTIAL_NAMES]) + (" …" if len(names) > PARTIAL_NAMES else "")
        lines.append(
            f"Ngày {fmt_date(day)}: {fmt_count(len(names))} đơn vị thường có số liệu không có "
            f"trong tệp này ({shown}); số liệu mới nhất của các đơn vị đó vẫn là kỳ trước"
        )
    return lines
