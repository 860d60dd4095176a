"""Per-unit counts of overdue dossiers at a date (seeds 001 and 003).

Stored as values of the indicator OVERDUE_COUNT so that history, corrections
and audit work as for every other figure.
"""

from __future__ import annotations

from core.parsing import ValueProblem, parse_count, parse_date, shown
from core.vnformat import fmt_count
from storage.importers.base import (
    MISSING_UNIT,
    Column,
    Detected,
    Field,
    ImportContext,
    Importer,
    Row,
    optional_text,
    required_text,
)
from storage.importers.observations import (
    ObservationRecord,
    check_dates,
    check_duplicates,
    normalize_source,
    store_observations,
    summary_lines,
)
from storage.importers.scores import AS_OF, SOURCE, STT, UNIT
from storage.models import ImportFile, Period
from storage.queries.snapshots import units_of_previous_snapshot
from storage.units import parse_kind

#: The row number of a 0 written for a unit a complete list does not name.
ABSENT_ROW = 0

COUNT = Column(
    "count",
    keys=(
        "sohosoquahan",
        "hosoquahan",
        "quahan",
        "soluongquahan",
        "sohsquahan",
        "sohoso",
        "soluong",
        "overdue",
        "overduecount",
        "sohosotrehan",
        "hosotrehan",
        "trehan",
    ),
)
KIND = Column("kind", keys=("cap", "loaidonvi", "capdonvi", "loai", "kind"))


def _kind(cell: object) -> frozenset[str]:
    kind = parse_kind(str(cell))
    if kind is None:
        raise ValueProblem(f"không hiểu cấp đơn vị «{shown(cell)}»")
    return frozenset({kind.value})


class OverdueImporter(Importer[ObservationRecord]):
    kind = "overdue"
    label = "số hồ sơ quá hạn theo đơn vị"
    fields = (
        Field(UNIT, required_text, required=MISSING_UNIT),
        Field(COUNT, parse_count),
        Field(AS_OF, parse_date),
        Field(SOURCE, optional_text),
        Field(KIND, _kind),
        Field(STT, optional_text),
    )
    required = frozenset({"unit", "count"})

    def parse(self, detected: Detected, ctx: ImportContext) -> list[ObservationRecord]:
        if not ctx.has_dates(detected.header):
            return []
        records = super().parse(detected, ctx)
        if ctx.complete:
            records += self._zeros_for_absent(records, ctx)
        check_duplicates(records, ctx)
        check_dates(records, ctx)
        return records

    def record(self, row: Row, ctx: ImportContext) -> ObservationRecord | None:
        as_of = ctx.date_of(row)
        if as_of is None:
            return None
        unit = ctx.unit_of(row, on=as_of, kinds=row["kind"])
        if unit is None:
            return None
        source = ctx.source or row["source"]
        count = row["count"]
        return ObservationRecord(
            as_of,
            Period.DAY.value,
            normalize_source(source) if source else ctx.settings.count_source,
            unit,
            ctx.catalogue.get("OVERDUE_COUNT").id,
            row.sheet,
            row.number,
            value=None if count is None else float(count),
        )

    @staticmethod
    def _zeros_for_absent(
        records: list[ObservationRecord], ctx: ImportContext
    ) -> list[ObservationRecord]:
        """A complete list (``--complete``): a unit the previous list of the same source
        counted and this one does not name has no overdue dossier at this date (0)."""
        zeros = []
        dates = {(r.source, r.as_of): r for r in records}
        for (source, as_of), first in sorted(dates.items(), key=lambda kv: kv[0][1]):
            named = {r.unit for r in records if (r.source, r.as_of) == (source, as_of)}
            ids = sorted(u for u in named if isinstance(u, int))
            previous = units_of_previous_snapshot(
                ctx.session, source, Period.DAY.value, as_of, [first.indicator_id], ids
            )
            zeros += [
                ObservationRecord(
                    as_of,
                    Period.DAY.value,
                    source,
                    unit.id,
                    first.indicator_id,
                    first.sheet,
                    ABSENT_ROW,
                    value=0.0,
                )
                for unit in previous
                if unit.id not in named
            ]
        return zeros

    def store(
        self, records: list[ObservationRecord], ctx: ImportContext, import_file: ImportFile
    ) -> list[str]:
        counts = store_observations(records, ctx, import_file)
        total = sum(int(r.value) for r in records if r.value is not None)
        units = sum(1 for r in records if r.value)
        lines = summary_lines(counts, "Số hồ sơ quá hạn")
        lines.append(f"Tổng cộng {fmt_count(total)} hồ sơ quá hạn tại {fmt_count(units)} đơn vị")
        absent = sum(1 for r in records if r.row == ABSENT_ROW)
        if absent:
            lines.append(
                f"Danh sách đầy đủ: {fmt_count(absent)} đơn vị có trong danh sách trước nhưng "
                "không có trong tệp này được ghi 0 hồ sơ quá hạn"
            )
        return lines
