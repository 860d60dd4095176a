"""Edits to the indicator catalogue: the list changes over the years, so it is data."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from core.parsing import is_blank, parse_value
from core.textnorm import clean_cell_text, fold
from storage.importers.base import Column, Detected, ImportContext, Importer, find_header
from storage.importers.reader import Sheet
from storage.models import ImportFile, Indicator, IndicatorAlias, IndicatorCategory

CODE = Column("code", keys=("ma", "machiso", "code", "machitieu"))
NAME = Column("name", keys=("ten", "tenchiso", "name", "tenchitieu", "chiso"))
SHORT = Column("short_name", keys=("tenngan", "shortname", "tenrutgon"))
CATEGORY = Column("category", keys=("loai", "loaichiso", "category"))
GROUP = Column("group", keys=("nhom", "manhom", "group", "nhomchiso"))
MEASURE = Column("measure", keys=("donvitinh", "measure", "dvt"))
MAX_SCORE = Column("max_score", keys=("diemtoida", "maxscore", "toida"))
DIRECTION = Column("direction", keys=("chieu", "caohontot", "higherisbetter", "direction"))
TRACKED = Column("tracked", keys=("theodoi", "tracked", "chitieutheodoi"))
ALIASES = Column("aliases", keys=("bidanh", "tenkhac", "aliases"))
ACTIVE = Column("active", keys=("sudung", "active", "conhieuluc"))
SORT = Column("sort_order", keys=("thutu", "sortorder", "stt"))

_CATEGORIES = {
    "total": "total",
    "tong": "total",
    "tong diem": "total",
    "group": "group",
    "nhom": "group",
    "metric": "metric",
    "tieu chi": "metric",
    "chi so thanh phan": "metric",
    "ratio": "ratio",
    "ty le": "ratio",
    "chi tieu": "ratio",
    "count": "count",
    "so luong": "count",
    "dem": "count",
}
_MEASURES = {
    "point": "point",
    "diem": "point",
    "percent": "percent",
    "%": "percent",
    "phan tram": "percent",
    "ty le": "percent",
    "count": "count",
    "so luong": "count",
    "ho so": "count",
}
_YES = {"co", "x", "yes", "true", "1", "cao hon tot", "tang", "higher"}
_NO = {"khong", "no", "false", "0", "thap hon tot", "giam", "lower"}


def _flag(cell: object) -> bool | None:
    if is_blank(cell):
        return None
    key = fold(str(cell)) if not isinstance(cell, int | float) else str(int(cell))
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise ValueError(key)


@dataclass
class IndicatorRecord:
    code: str
    values: dict[str, Any]
    aliases: list[str]
    row: int


class IndicatorsImporter(Importer):
    kind = "indicators"
    label = "danh mục chỉ số"

    def detect(self, sheet: Sheet, ctx: ImportContext) -> Detected | None:
        columns = [
            CODE,
            NAME,
            SHORT,
            CATEGORY,
            GROUP,
            MEASURE,
            MAX_SCORE,
            DIRECTION,
            TRACKED,
            ALIASES,
            ACTIVE,
            SORT,
        ]
        found = find_header(sheet, columns, {"code", "name", "category", "measure"})
        return Detected(self, found[1], found[0]) if found else None

    def parse(self, detected: Detected, ctx: ImportContext) -> list[Any]:
        header = detected.header
        sheet = header.sheet.name
        records: list[IndicatorRecord] = []
        for row_no, row in header.data_rows():
            code = clean_cell_text(header.get(row, "code") or "").upper()
            name = clean_cell_text(header.get(row, "name") or "")
            if not re.fullmatch(r"[A-Z0-9_]{1,64}", code):
                ctx.problems.error(
                    f"mã chỉ số «{code}» chỉ gồm chữ in hoa, số và dấu _",
                    sheet,
                    row_no,
                    header.position("code"),
                )
                continue
            if not name:
                ctx.problems.error("thiếu tên chỉ số", sheet, row_no, header.position("name"))
                continue
            category = _CATEGORIES.get(fold(str(header.get(row, "category") or "")))
            measure = _MEASURES.get(
                fold(str(header.get(row, "measure") or ""))
                or str(header.get(row, "measure") or "").strip()
            )
            if category is None:
                ctx.problems.error(
                    "loại chỉ số phải là tổng, nhóm, tiêu chí, tỷ lệ hoặc số lượng",
                    sheet,
                    row_no,
                    header.position("category"),
                )
                continue
            if measure is None:
                ctx.problems.error(
                    "đơn vị tính phải là điểm, % hoặc số lượng",
                    sheet,
                    row_no,
                    header.position("measure"),
                )
                continue
            values: dict[str, Any] = {
                "name": name,
                "category": IndicatorCategory(category).value,
                "measure": measure,
            }
            if "short_name" in header.fields:
                short = header.get(row, "short_name")
                values["short_name"] = None if is_blank(short) else clean_cell_text(short)
            if "group" in header.fields:
                group = header.get(row, "group")
                values["group_code"] = None if is_blank(group) else clean_cell_text(group).upper()
            if "max_score" in header.fields:
                ok, parsed = ctx.row_cell(parse_value, header, row, row_no, "max_score")
                if not ok:
                    continue
                values["max_score"] = parsed.value
            if "sort_order" in header.fields and not is_blank(header.get(row, "sort_order")):
                ok, parsed = ctx.row_cell(parse_value, header, row, row_no, "sort_order")
                if not ok:
                    continue
                values["sort_order"] = int(parsed.value or 0)
            flags_ok = True
            for column, attribute in (
                ("direction", "higher_is_better"),
                ("tracked", "tracked"),
                ("active", "active"),
            ):
                if column not in header.fields:
                    continue
                try:
                    flag = _flag(header.get(row, column))
                except ValueError:
                    ctx.problems.error(
                        "ghi «có» hoặc «không»", sheet, row_no, header.position(column)
                    )
                    flags_ok = False
                    continue
                if flag is not None:
                    values[attribute] = flag
            if not flags_ok:
                continue
            aliases = []
            if not is_blank(header.get(row, "aliases")):
                aliases = [
                    a.strip()
                    for a in re.split(r"[;|\n]", str(header.get(row, "aliases")))
                    if a.strip()
                ]
            records.append(IndicatorRecord(code, values, aliases, row_no))
        return records

    def store(self, records: list[Any], ctx: ImportContext, import_file: ImportFile) -> list[str]:
        session = ctx.session
        inserted = updated = 0
        max_order = max((i.sort_order for i in session.scalars(select(Indicator))), default=0)
        for record in records:
            indicator = session.scalars(select(Indicator).filter_by(code=record.code)).first()
            if indicator is None:
                max_order += 10
                indicator = Indicator(
                    code=record.code,
                    sort_order=max_order,
                    higher_is_better=True,
                    tracked=False,
                    active=True,
                )
                session.add(indicator)
                inserted += 1
            else:
                updated += 1
            for name, value in record.values.items():
                setattr(indicator, name, value)
            known = {a.alias for a in indicator.aliases}
            for alias in record.aliases:
                if alias in known:
                    continue
                clash = session.scalars(select(IndicatorAlias).filter_by(alias=alias)).first()
                if clash is not None:
                    ctx.problems.error(
                        f"tên khác «{alias}» đã dùng cho chỉ số khác", None, record.row
                    )
                    continue
                indicator.aliases.append(IndicatorAlias(alias=alias))
        session.flush()
        return [f"Danh mục chỉ số: {inserted} chỉ số mới, {updated} chỉ số cập nhật"]
