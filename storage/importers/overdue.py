"""Per-unit counts of overdue dossiers at a date (seeds 001 and 003).

Stored as values of the indicator OVERDUE_COUNT so that history, corrections
and audit work as for every other figure.
"""

from __future__ import annotations

from core.parsing import ValueProblem, parse_count, parse_date
from core.textnorm import clean_cell_text
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
from storage.units import parse_kind

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
        raise ValueProblem(f"không hiểu cấp đơn vị «{clean_cell_text(cell)}»")
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

    def store(
        self, records: list[ObservationRecord], ctx: ImportContext, import_file: ImportFile
    ) -> list[str]:
        counts = store_observations(records, ctx, import_file)
        total = sum(int(r.value) for r in records if r.value is not None)
        units = sum(1 for r in records if r.value)
        lines = summary_lines(counts, "Số hồ sơ quá hạn")
        lines.append(f"Tổng cộng {fmt_count(total)} hồ sơ quá hạn tại {units} đơn vị")
        return lines
