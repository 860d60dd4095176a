"""Yearly targets with the quarterly roadmap per kind of unit (seed 004's appendix)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from core.parsing import is_blank, parse_value, parse_year, shown
from core.textnorm import clean_cell_text, fold
from core.vnformat import fmt_percent
from storage.importers.base import Column, Detected, Header, ImportContext, Importer, find_header
from storage.importers.reader import Sheet
from storage.importers.upsert import UpsertCounts, counted_upsert
from storage.models import ImportFile, Target, UnitKind
from storage.units import KIND_LABELS, parse_kind

INDICATOR = Column(
    "indicator",
    keys=(
        "nhiemvu",
        "chiso",
        "chitieu",
        "tenchitieu",
        "tenchiso",
        "machiso",
        "indicator",
        "noidung",
    ),
)
UNIT_KIND = Column(
    "unit_kind",
    keys=(
        "coquanchutrithuchien",
        "coquanchutri",
        "capdonvi",
        "loaidonvi",
        "doituong",
        "cap",
        "unitkind",
        "donvi",
    ),
)
YEAR = Column("year", keys=("nam", "year"))
YEARLY = Column(
    "yearly",
    keys=("chitieunam", "muctieu", "yearly", "chitieucanam"),
    prefixes=("chitieuthuchientrongnam", "chitieunam"),
)
Q1 = Column("q1", keys=("quyi", "quy1", "q1"))
Q2 = Column("q2", keys=("quyii", "quy2", "q2"))
Q3 = Column("q3", keys=("quyiii", "quy3", "q3"))
Q4 = Column("q4", keys=("quyiv", "quy4", "q4"))
STT = Column("stt", keys=("stt", "tt"))
COLUMNS = [INDICATOR, UNIT_KIND, YEAR, YEARLY, Q1, Q2, Q3, Q4, STT]


def unit_kinds_in(text: str) -> set[str]:
    """Kinds of unit a "Cơ quan chủ trì" cell names.

    "Các sở, ngành …; UBND cấp huyện, UBND cấp xã" gives department, district, commune.
    """
    single = parse_kind(text)
    if single is not None:
        return {single.value}
    key = fold(text)
    kinds = set()
    if re.search(r"\bcap xa\b|\bubnd xa\b|\bxa phuong\b", key):
        kinds.add(UnitKind.COMMUNE.value)
    if re.search(r"\bcap huyen\b|\bubnd huyen\b", key):
        kinds.add(UnitKind.DISTRICT.value)
    if re.search(r"\bso\b|\bnganh\b", key):
        kinds.add(UnitKind.DEPARTMENT.value)
    if re.search(r"\bchi nhanh\b|\bdat dai\b", key):
        kinds.add(UnitKind.LAND_OFFICE.value)
    if not kinds and re.search(r"\btinh\b", key):
        kinds.add(UnitKind.PROVINCE.value)
    return kinds


#: The yearly target and the four quarterly minima, compared on re-import.
TARGET_FIELDS = ("yearly", "q1", "q2", "q3", "q4")


@dataclass
class TargetRecord:
    indicator_id: int
    unit_kind: str
    year: int
    values: dict[str, float | None]
    row: int


class TargetsImporter(Importer[TargetRecord]):
    """Its layouts are not one column per field (dates or quarters as columns), so it reads
    rows in its own :meth:`parse`."""

    kind = "targets"
    label = "chỉ tiêu năm và lộ trình theo quý"

    def detect(self, sheet: Sheet, ctx: ImportContext) -> Detected | None:
        found = find_header(sheet, COLUMNS, {"indicator", "unit_kind", "q1", "q2", "q3", "q4"})
        return Detected(self, found[1], found[0]) if found else None

    def _year_from_header(self, header: Header) -> int | None:
        if "yearly" not in header.fields:
            return None
        match = re.search(r"(\d{4})", header.labels[header.fields["yearly"]])
        return int(match.group(1)) if match else None

    def parse(self, detected: Detected, ctx: ImportContext) -> list[TargetRecord]:
        header = detected.header
        sheet = header.sheet.name
        header_year = self._year_from_header(header)
        records: list[TargetRecord] = []
        seen: dict[tuple[int, str, int], int] = {}
        current_indicator: str | None = None
        for row_no, row in header.data_rows():
            indicator_cell = header.get(row, "indicator")
            value_names = [n for n in TARGET_FIELDS if n in header.fields]
            has_values = any(not is_blank(header.get(row, n)) for n in value_names)
            if not is_blank(indicator_cell):
                current_indicator = clean_cell_text(indicator_cell)
            if not has_values and is_blank(header.get(row, "unit_kind")):
                continue  # a section heading such as "II. Nâng cao chất lượng phục vụ …"
            if current_indicator is None:
                ctx.problems.error(
                    "thiếu tên chỉ tiêu", sheet, row_no, header.position("indicator")
                )
                continue
            lookup = ctx.catalogue.find(current_indicator)
            if lookup.indicator is None:
                ctx.problems.error(
                    lookup.problem or "", sheet, row_no, header.position("indicator")
                )
                continue
            kind_cell = header.get(row, "unit_kind")
            kinds = unit_kinds_in(str(kind_cell)) if not is_blank(kind_cell) else set()
            if not kinds:
                ctx.problems.error(
                    f"không xác định được cấp đơn vị từ «{shown(kind_cell or '')}» "
                    "(ví dụ: sở, ngành; UBND cấp huyện; UBND cấp xã)",
                    sheet,
                    row_no,
                    header.position("unit_kind"),
                )
                continue
            year = header_year
            if "year" in header.fields and not is_blank(header.get(row, "year")):
                ok, year = ctx.row_cell(parse_year, header, row, row_no, "year")
                if not ok:
                    continue
            if year is None:
                ctx.problems.error(
                    "thiếu năm của chỉ tiêu (cột «Năm» hoặc tiêu đề «Chỉ tiêu thực hiện trong "
                    "năm 2024»)",
                    sheet,
                    row_no,
                )
                continue
            values: dict[str, float | None] = {}
            row_ok = True
            for name in TARGET_FIELDS:
                if name not in header.fields:
                    values[name] = None
                    continue
                ok, parsed = ctx.row_cell(parse_value, header, row, row_no, name)
                if ok and parsed.value is not None and not 0 <= parsed.value <= 100:
                    ctx.problems.error(
                        f"chỉ tiêu {fmt_percent(parsed.value)} phải từ 0 đến 100%",
                        sheet,
                        row_no,
                        header.position(name),
                    )
                    ok = False
                values[name] = parsed.value if ok else None
                row_ok &= ok
            if not row_ok:
                continue
            for kind in sorted(kinds):
                key = (lookup.indicator.id, kind, year)
                if key in seen:
                    ctx.problems.error(
                        f"chỉ tiêu «{lookup.indicator.label}» cho cấp {KIND_LABELS[kind]} "
                        f"năm {year} đã có ở dòng {seen[key]}",
                        sheet,
                        row_no,
                    )
                    continue
                seen[key] = row_no
                records.append(TargetRecord(lookup.indicator.id, kind, year, values, row_no))
        return records

    def store(
        self, records: list[TargetRecord], ctx: ImportContext, import_file: ImportFile
    ) -> list[str]:
        session = ctx.session
        counts = UpsertCounts()
        existing: dict[tuple[int, str, int], Target] = {
            (t.indicator_id, t.unit_kind, t.year): t
            for t in session.scalars(
                select(Target).where(Target.year.in_({r.year for r in records}))
            )
        }
        counted_upsert(
            session,
            Target,
            existing,
            (
                (
                    (r.indicator_id, r.unit_kind, r.year),
                    {
                        "indicator_id": r.indicator_id,
                        "unit_kind": r.unit_kind,
                        "year": r.year,
                        **r.values,
                    },
                )
                for r in records
            ),
            compare=TARGET_FIELDS,
            stamp={"import_id": import_file.id},
            counts=counts,
        )
        session.flush()
        years = sorted({r.year for r in records})
        return [f"Chỉ tiêu: {counts.describe()} (năm {', '.join(map(str, years))})"]
