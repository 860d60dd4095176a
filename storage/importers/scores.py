"""Scores and ratios: the long layout, the office's dated tables, and the wide layout.

- long: one row per (date, unit, indicator, value) with optional rank.
- unit table (seed 001): ``STT | ĐƠN VỊ | ĐIỂM ĐÁNH GIÁ (27/3/2025) | … | TĂNG, GIẢM``:
  each dated column is a snapshot of the 766 total score.
- province table (seed 001): ``TT | Chỉ số | Năm 2024 | <date> | <date> | Điểm tăng; giảm``:
  the province's indicators, one snapshot per dated column.
- wide: one row per unit, one column per indicator, date from ``--as-of``.

A column of changes is never stored: it is compared with the computed change
and a mismatch is a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from core.parsing import (
    FIRST_YEAR,
    LAST_YEAR,
    ValueProblem,
    find_date,
    is_blank,
    is_no_data,
    parse_decimal,
    parse_rank,
    parse_value,
    shown,
)
from core.textnorm import clean_cell_text
from core.vnformat import fmt_change, fmt_count, fmt_date, fmt_number, fmt_percent
from storage.importers.base import (
    Column,
    Detected,
    Header,
    ImportContext,
    Importer,
    UnitRef,
    find_header,
)
from storage.importers.observations import (
    ObservationRecord,
    check_dates,
    check_duplicates,
    normalize_source,
    parse_period,
    store_observations,
    summary_lines,
)
from storage.importers.reader import Sheet
from storage.models import ImportFile, Indicator, Period

UNIT = Column(
    "unit",
    keys=(
        "donvi",
        "tendonvi",
        "diaphuong",
        "tendiaphuong",
        "coquan",
        "coquandonvi",
        "tencoquandonvi",
        "unit",
    ),
)
INDICATOR = Column(
    "indicator",
    keys=(
        "chiso",
        "chitieu",
        "machiso",
        "tenchiso",
        "machitieu",
        "tenchitieu",
        "tieuchi",
        "nhomchiso",
        "indicator",
        "code",
        "noidung",
    ),
)
VALUE = Column(
    "value",
    keys=("giatri", "diem", "tyle", "value", "score", "ketqua", "tylediem", "diemso"),
)
AS_OF = Column(
    "as_of",
    keys=(
        "ngay",
        "ngaydulieu",
        "tinhdenngay",
        "ngaysolieu",
        "asof",
        "date",
        "ngaycapnhat",
        "thoidiem",
        "ngayxuatdulieu",
    ),
)
RANK = Column("rank", keys=("xephang", "thuhang", "rank", "hang", "vitrixephang"))
RANK_OF = Column("rank_of", keys=("tongso", "trentongso", "outof", "rankof", "sotinh", "tren"))
SOURCE = Column("source", keys=("nguon", "nguondulieu", "source"))
PERIOD = Column("period", keys=("ky", "loaiky", "period"))
MAX_SCORE = Column("max_score", keys=("diemtoida", "maxscore", "toida"))
NUMERATOR = Column("numerator", keys=("tuso", "numerator"))
DENOMINATOR = Column("denominator", keys=("mauso", "denominator"))
STT = Column("stt", keys=("stt", "tt", "sothutu"))
CHANGE = Column("change", contains=("tanggiam",))

LONG_COLUMNS = [
    UNIT,
    INDICATOR,
    VALUE,
    AS_OF,
    RANK,
    RANK_OF,
    SOURCE,
    PERIOD,
    MAX_SCORE,
    NUMERATOR,
    DENOMINATOR,
    STT,
]
_YEAR_KEY = re.compile(r"^nam(\d{4})$")


@dataclass(frozen=True)
class DatedColumn:
    index: int
    as_of: date
    period: str


def dated_columns(header_labels: list[str], keys: list[str], taken: set[int]) -> list[DatedColumn]:
    """Columns whose header carries a date ("ĐIỂM ĐÁNH GIÁ (08/4/2025)") or a year ("Năm 2024")."""
    found = []
    for index, (label, key) in enumerate(zip(header_labels, keys, strict=True)):
        if index in taken or not label:
            continue
        year = _YEAR_KEY.match(key)
        if year:
            if FIRST_YEAR <= int(year.group(1)) <= LAST_YEAR:  # "Năm 0000" is refused
                found.append(
                    DatedColumn(index, date(int(year.group(1)), 12, 31), Period.YEAR.value)
                )
            continue
        day = _label_date(label)
        if day is not None:
            found.append(DatedColumn(index, day, Period.DAY.value))
    return found


def _label_date(label: str) -> date | None:
    """The date in a column's header, if it holds a valid one ("(31/02/2025)" does not)."""
    try:
        return find_date(label)
    except ValueProblem:
        return None


class ScoresImporter(Importer[ObservationRecord]):
    """Its layouts are not one column per field (dates or quarters as columns), so it reads
    rows in its own :meth:`parse`."""

    kind = "scores"
    label = "điểm số, tỷ lệ"

    def detect(self, sheet: Sheet, ctx: ImportContext) -> Detected | None:
        candidates: list[Detected] = []
        long = find_header(sheet, LONG_COLUMNS, {"unit", "indicator", "value"})
        if long:
            candidates.append(Detected(self, long[1], long[0], "long"))
        for layout, required in (("unit_table", "unit"), ("province_table", "indicator")):
            columns = [UNIT if required == "unit" else INDICATOR, STT, CHANGE]

            def accept(
                labels: list[str], keys: list[str], fields: dict[str, int], layout: str = layout
            ) -> int | None:
                if layout == "unit_table" and "indicator" in fields:
                    return None
                dated = dated_columns(labels, keys, set(fields.values()))
                return len(dated) * 10 if dated else None

            found = find_header(sheet, columns, {required}, accept)
            if found:
                candidates.append(Detected(self, found[1], found[0], layout))
        wide = find_header(sheet, [UNIT, STT, AS_OF], {"unit"}, self._wide_acceptor(ctx))
        if wide:
            candidates.append(Detected(self, wide[1], wide[0], "wide"))
        return max(candidates, key=lambda d: d.score) if candidates else None

    @staticmethod
    def _wide_acceptor(ctx: ImportContext) -> Any:
        def accept(labels: list[str], keys: list[str], fields: dict[str, int]) -> int | None:
            taken = set(fields.values())
            count = 0
            for index, label in enumerate(labels):
                if index in taken or not label or _label_date(label) is not None:
                    continue
                indicator = ctx.catalogue.find(label).indicator
                # Counts of overdue dossiers belong to the "overdue" kind.
                if indicator is not None and indicator.category != "count":
                    count += 1
            return count * 10 if count else None

        return accept

    def parse(self, detected: Detected, ctx: ImportContext) -> list[ObservationRecord]:
        parser = {
            "long": self._parse_long,
            "unit_table": self._parse_unit_table,
            "province_table": self._parse_province_table,
            "wide": self._parse_wide,
        }[detected.layout]
        records = parser(detected.header, ctx)
        check_duplicates(records, ctx)
        check_dates(records, ctx)
        return records

    # -- helpers -----------------------------------------------------------------

    def _source(self, header: Header, row: list[object], ctx: ImportContext) -> str:
        if ctx.source:
            return normalize_source(ctx.source)
        cell = header.get(row, "source")
        if not is_blank(cell):
            return normalize_source(str(cell))
        return ctx.settings.score_source

    def _fill_value(
        self,
        record: ObservationRecord,
        indicator: Indicator,
        cell: object,
        ctx: ImportContext,
        column: str,
    ) -> bool:
        ok, parsed = ctx.cell_value(
            parse_value, cell, sheet=record.sheet, row=record.row, column=column
        )
        if not ok:
            return False
        value = parsed.value
        maximum = parsed.max_score
        if value is not None:
            problem = _check_range(indicator, value, maximum)
            if problem:
                ctx.problems.error(problem, record.sheet, record.row, column)
                return False
        if indicator.measure == "point":
            record.value = value
            record.max_score = maximum
        else:
            record.value = value
            if maximum is not None:
                ctx.problems.error(
                    f"«{shown(cell)}»: chỉ số «{indicator.label}» là tỷ lệ %, "
                    "không ghi dạng điểm/điểm tối đa",
                    record.sheet,
                    record.row,
                    column,
                )
                return False
        return True

    def _province(
        self, ctx: ImportContext, sheet: str, row: int, on: date | None
    ) -> UnitRef | None:
        name = ctx.settings.province
        match = ctx.unit_lookup.find(name, on=on)
        if match.unit is None and not ctx.create_units:
            ctx.problems.error(
                f"chưa có đơn vị tỉnh «{name}» (mục [office] province trong config.toml) "
                "trong danh mục đơn vị; hãy nhập danh mục đơn vị trước",
                sheet,
                row,
            )
            return None
        return ctx.resolve_unit(name, sheet=sheet, row=row, column="—", on=on)

    def _check_change(
        self,
        header: Header,
        row_no: int,
        row: list[object],
        dated: list[DatedColumn],
        values: dict[int, float | None],
        ctx: ImportContext,
    ) -> None:
        index = header.fields.get("change")
        days = [d for d in dated if d.period == Period.DAY.value]
        if index is None or len(days) < 2 or index >= len(row) or is_no_data(row[index]):
            return
        previous, latest = days[-2], days[-1]
        old, new = values.get(previous.index), values.get(latest.index)
        try:
            given = parse_decimal(str(row[index]).replace("%", ""))
        except ValueProblem:
            ctx.problems.warn(
                f"không đọc được mức tăng, giảm «{shown(row[index])}»; đã bỏ qua "
                "(mức tăng, giảm luôn được tính từ số liệu)",
                header.sheet.name,
                row_no,
                header.label(index),
            )
            return
        if old is None or new is None:
            ctx.problems.warn(
                f"ghi mức tăng, giảm {fmt_change(given)} nhưng thiếu số liệu để so sánh",
                header.sheet.name,
                row_no,
                header.label(index),
            )
            return
        computed = new - old
        if abs(computed - given) > 0.011:
            ctx.problems.warn(
                f"ghi mức tăng, giảm {fmt_change(given)} nhưng tính được {fmt_change(computed)} "
                f"({fmt_date(latest.as_of)} so với {fmt_date(previous.as_of)}); "
                "không lưu cột này, mức thay đổi luôn được tính từ số liệu",
                header.sheet.name,
                row_no,
                header.label(index),
            )

    # -- layouts -----------------------------------------------------------------

    def _parse_long(self, header: Header, ctx: ImportContext) -> list[ObservationRecord]:
        sheet = header.sheet.name
        records = []
        if not ctx.has_dates(header):
            return []
        for row_no, row in header.data_rows():
            as_of = ctx.row_as_of(header, row, row_no)
            if as_of is None:
                continue
            unit = ctx.row_unit(header, row, row_no, on=as_of)
            lookup = ctx.catalogue.find(clean_cell_text(header.get(row, "indicator") or ""))
            if lookup.indicator is None:
                ctx.problems.error(
                    lookup.problem or "", sheet, row_no, header.position("indicator")
                )
            period = Period.DAY.value
            if not is_blank(header.get(row, "period")):
                found = parse_period(str(header.get(row, "period")))
                if found is None:
                    ctx.problems.error(
                        f"kỳ «{header.get(row, 'period')}» không hợp lệ (ngày, tháng, quý, năm)",
                        sheet,
                        row_no,
                        header.position("period"),
                    )
                    continue
                period = found.value
            if unit is None or lookup.indicator is None:
                continue
            record = ObservationRecord(
                as_of,
                period,
                self._source(header, row, ctx),
                unit,
                lookup.indicator.id,
                sheet,
                row_no,
            )
            if not self._fill_value(
                record, lookup.indicator, header.get(row, "value"), ctx, header.position("value")
            ):
                continue
            if not self._fill_extras(record, header, row, row_no, ctx):
                continue
            records.append(record)
            if ctx.progress and len(records) % ctx.settings.progress_every == 0:
                ctx.progress("kiểm tra", len(records), None)
        return records

    def _fill_extras(
        self,
        record: ObservationRecord,
        header: Header,
        row: list[object],
        row_no: int,
        ctx: ImportContext,
    ) -> bool:
        sheet = header.sheet.name
        ok = True
        if "rank" in header.fields:
            good, parsed = ctx.row_cell(parse_rank, header, row, row_no, "rank")
            if good:
                record.rank, record.rank_of = parsed
            ok &= good
        if "rank_of" in header.fields and not is_blank(header.get(row, "rank_of")):
            good, parsed = ctx.row_cell(parse_rank, header, row, row_no, "rank_of")
            if good:
                if record.rank_of is not None and parsed[0] != record.rank_of:
                    ctx.problems.error(
                        f"tổng số {parsed[0]} khác với thứ hạng {record.rank}/{record.rank_of}",
                        sheet,
                        row_no,
                        header.position("rank_of"),
                    )
                    good = False
                record.rank_of = parsed[0]
            ok &= good
        if record.rank is not None and record.rank_of is not None and record.rank > record.rank_of:
            ctx.problems.error(
                f"thứ hạng {record.rank} lớn hơn tổng số {record.rank_of}",
                sheet,
                row_no,
                header.position("rank"),
            )
            ok = False
        for name in ("max_score", "numerator", "denominator"):
            if name in header.fields:
                good, parsed = ctx.row_cell(parse_value, header, row, row_no, name)
                if good and parsed.value is not None:
                    setattr(record, name, parsed.value)
                ok &= good
        return ok

    def _parse_dated(
        self, header: Header, ctx: ImportContext, by_unit: bool
    ) -> list[ObservationRecord]:
        sheet = header.sheet.name
        taken = set(header.fields.values())
        dated = dated_columns(header.labels, header.keys, taken)
        for index, (label, key) in enumerate(zip(header.labels, header.keys, strict=True)):
            if index in taken:
                continue
            year = _YEAR_KEY.match(key)
            if year and not FIRST_YEAR <= int(year.group(1)) <= LAST_YEAR:  # "Năm 0000"
                ctx.problems.error(
                    f"tiêu đề cột có năm sai: {year.group(1)} không nằm trong "
                    f"{FIRST_YEAR}–{LAST_YEAR}",
                    sheet,
                    header.last_row + 1,
                    header.label(index),
                )
                continue
            try:
                find_date(label)
            except ValueProblem as exc:  # "ĐIỂM ĐÁNH GIÁ (31/02/2025)": its column is not read
                ctx.problems.error(
                    f"tiêu đề cột có ngày sai: {exc}",
                    sheet,
                    header.last_row + 1,
                    header.label(index),
                )
        records: list[ObservationRecord] = []
        total = ctx.catalogue.get("TOTAL")
        latest_day = max(d.as_of for d in dated)
        for row_no, row in header.data_rows():
            if by_unit:
                unit = ctx.row_unit(header, row, row_no, on=latest_day)
                indicator: Indicator | None = total
            else:
                unit = self._province(ctx, sheet, row_no, latest_day)
                lookup = ctx.catalogue.find(clean_cell_text(header.get(row, "indicator") or ""))
                indicator = lookup.indicator
                if indicator is None:
                    ctx.problems.error(
                        lookup.problem or "", sheet, row_no, header.position("indicator")
                    )
            if unit is None or indicator is None:
                continue
            values: dict[int, float | None] = {}
            row_ok = True
            for column in dated:
                cell = row[column.index] if column.index < len(row) else None
                record = ObservationRecord(
                    column.as_of,
                    column.period,
                    self._source(header, row, ctx),
                    unit,
                    indicator.id,
                    sheet,
                    row_no,
                )
                if self._fill_value(record, indicator, cell, ctx, header.label(column.index)):
                    records.append(record)
                    values[column.index] = record.value
                else:
                    row_ok = False
            if row_ok:
                self._check_change(header, row_no, row, dated, values, ctx)
        return records

    def _parse_unit_table(self, header: Header, ctx: ImportContext) -> list[ObservationRecord]:
        return self._parse_dated(header, ctx, by_unit=True)

    def _parse_province_table(self, header: Header, ctx: ImportContext) -> list[ObservationRecord]:
        return self._parse_dated(header, ctx, by_unit=False)

    def _parse_wide(self, header: Header, ctx: ImportContext) -> list[ObservationRecord]:
        sheet = header.sheet.name
        if not ctx.has_dates(header):
            return []
        taken = set(header.fields.values())
        columns: list[tuple[int, Indicator]] = []
        for index, label in enumerate(header.labels):
            if index in taken or not label:
                continue
            lookup = ctx.catalogue.find(label)
            if lookup.indicator is None:
                ctx.problems.error(
                    lookup.problem or "", sheet, header.last_row + 1, header.label(index)
                )
            else:
                columns.append((index, lookup.indicator))
        records = []
        for row_no, row in header.data_rows():
            as_of = ctx.row_as_of(header, row, row_no)
            if as_of is None:
                continue
            unit = ctx.row_unit(header, row, row_no, on=as_of)
            if unit is None:
                continue
            for index, indicator in columns:
                record = ObservationRecord(
                    as_of,
                    Period.DAY.value,
                    self._source(header, row, ctx),
                    unit,
                    indicator.id,
                    sheet,
                    row_no,
                )
                cell = row[index] if index < len(row) else None
                if self._fill_value(record, indicator, cell, ctx, header.label(index)):
                    records.append(record)
        return records

    def store(
        self, records: list[ObservationRecord], ctx: ImportContext, import_file: ImportFile
    ) -> list[str]:
        counts = store_observations(records, ctx, import_file)
        no_data = sum(1 for r in records if r.value is None and r.rank is None)
        lines = summary_lines(counts, "Điểm số, tỷ lệ")
        if no_data:
            lines.append(
                f"{fmt_count(no_data)} giá trị «không có dữ liệu» được lưu là trống (không phải 0)"
            )
        return lines


def _check_range(indicator: Indicator, value: float, maximum: float | None) -> str | None:
    if value < 0:
        return f"giá trị {fmt_number(value)} âm, không hợp lệ cho «{indicator.label}»"
    if indicator.measure == "percent" and value > 100:
        return f"tỷ lệ {fmt_percent(value)} vượt quá 100% («{indicator.label}»)"
    limit = maximum if maximum is not None else indicator.max_score
    if indicator.measure == "point" and limit is not None and value > limit:
        return (
            f"điểm {fmt_number(value)} vượt quá điểm tối đa {fmt_number(limit)} "
            f"của «{indicator.label}»"
        )
    return None
