"""Per-unit counts of overdue dossiers at a date (seeds 001 and 003).

Stored as values of the indicator OVERDUE_COUNT so that history, corrections
and audit work as for every other figure.
"""

from __future__ import annotations

from typing import Any

from core.parsing import is_blank, parse_count
from storage.importers.base import Column, Detected, ImportContext, Importer, find_header
from storage.importers.observations import (
    ObservationRecord,
    check_duplicates,
    normalize_source,
    store_observations,
    summary_lines,
)
from storage.importers.reader import Sheet
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


class OverdueImporter(Importer):
    kind = "overdue"
    label = "số hồ sơ quá hạn theo đơn vị"

    def detect(self, sheet: Sheet, ctx: ImportContext) -> Detected | None:
        found = find_header(sheet, [UNIT, COUNT, AS_OF, SOURCE, KIND, STT], {"unit", "count"})
        return Detected(self, found[1], found[0]) if found else None

    def parse(self, detected: Detected, ctx: ImportContext) -> list[Any]:
        header = detected.header
        sheet = header.sheet.name
        if not ctx.has_dates(header):
            return []
        indicator = ctx.catalogue.get("OVERDUE_COUNT")
        records: list[ObservationRecord] = []
        for row_no, row in header.data_rows():
            as_of = ctx.row_as_of(header, row, row_no)
            if as_of is None:
                continue
            kinds = None
            kind_cell = header.get(row, "kind")
            if not is_blank(kind_cell):
                kind = parse_kind(str(kind_cell))
                if kind is None:
                    ctx.problems.error(
                        f"không hiểu cấp đơn vị «{kind_cell}»",
                        sheet,
                        row_no,
                        header.position("kind"),
                    )
                    continue
                kinds = frozenset({kind.value})
            unit = ctx.row_unit(header, row, row_no, on=as_of, kinds=kinds)
            ok, count = ctx.row_cell(parse_count, header, row, row_no, "count")
            if unit is None or not ok:
                continue
            if ctx.source:
                source = normalize_source(ctx.source)
            elif not is_blank(header.get(row, "source")):
                source = normalize_source(str(header.get(row, "source")))
            else:
                source = ctx.settings.count_source
            records.append(
                ObservationRecord(
                    as_of,
                    Period.DAY.value,
                    source,
                    unit,
                    indicator.id,
                    sheet,
                    row_no,
                    value=None if count is None else float(count),
                )
            )
        check_duplicates(records, ctx)
        return records

    def store(self, records: list[Any], ctx: ImportContext, import_file: ImportFile) -> list[str]:
        counts = store_observations(records, ctx, import_file)
        total = sum(int(r.value) for r in records if r.value is not None)
        units = sum(1 for r in records if r.value)
        lines = summary_lines(counts, "Số hồ sơ quá hạn")
        lines.append(f"Tổng cộng {total} hồ sơ quá hạn tại {units} đơn vị")
        return lines
