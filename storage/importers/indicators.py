"""Edits to the indicator catalogue: the list changes over the years, so it is data."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from core.parsing import ValueProblem, checked_text, parse_value
from core.textnorm import fold
from core.vnformat import fmt_count
from storage.importers.base import (
    Column,
    Field,
    ImportContext,
    Importer,
    Row,
    optional_text,
    required_text,
)
from storage.models import ImportFile, Indicator, IndicatorAlias, IndicatorCategory, Measure

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
_FLAGS = {"higher_is_better", "tracked", "active"}
_YES = {"co", "x", "yes", "true", "1", "cao hon tot", "tang", "higher"}
_NO = {"khong", "no", "false", "0", "thap hon tot", "giam", "lower"}


def _flag(cell: object) -> bool:
    key = fold(str(cell)) if not isinstance(cell, int | float) else str(int(cell))
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise ValueProblem("ghi «có» hoặc «không»")


def _code(cell: object) -> str:
    code = checked_text(cell, 50).upper()
    if not re.fullmatch(r"[A-Z0-9_]{1,64}", code):
        raise ValueProblem(f"mã chỉ số «{code}» chỉ gồm chữ in hoa, số và dấu _")
    return code


def _category(cell: object) -> IndicatorCategory:
    category = _CATEGORIES.get(fold(str(cell)))
    if category is None:
        raise ValueProblem("loại chỉ số phải là tổng, nhóm, tiêu chí, tỷ lệ hoặc số lượng")
    return IndicatorCategory(category)


def _measure(cell: object) -> Measure:
    measure = _MEASURES.get(fold(str(cell)) or str(cell).strip())
    if measure is None:
        raise ValueProblem("đơn vị tính phải là điểm, % hoặc số lượng")
    return Measure(measure)


def _number(cell: object) -> float | None:
    return parse_value(cell).value


def _group(cell: object) -> str:
    return checked_text(cell, 50).upper()


def _aliases(cell: object) -> tuple[str, ...]:
    return tuple(checked_text(a) for a in re.split(r"[;|\n]", str(cell)) if a.strip())


@dataclass
class IndicatorRecord:
    code: str
    values: dict[str, Any]
    aliases: tuple[str, ...]
    row: int


#: Optional columns and the indicator attribute each one sets when the column is present.
_OPTIONAL = {
    "short_name": "short_name",
    "group": "group_code",
    "max_score": "max_score",
    "direction": "higher_is_better",
    "tracked": "tracked",
    "active": "active",
}


class IndicatorsImporter(Importer[IndicatorRecord]):
    kind = "indicators"
    label = "danh mục chỉ số"
    fields = (
        Field(CODE, _code, required="thiếu mã chỉ số"),
        Field(NAME, required_text, required="thiếu tên chỉ số"),
        Field(SHORT, optional_text),
        Field(CATEGORY, _category, required="thiếu loại chỉ số"),
        Field(GROUP, _group),
        Field(MEASURE, _measure, required="thiếu đơn vị tính"),
        Field(MAX_SCORE, _number),
        Field(DIRECTION, _flag),
        Field(TRACKED, _flag),
        Field(ALIASES, _aliases),
        Field(ACTIVE, _flag),
        Field(SORT, _number),
    )
    required = frozenset({"code", "name", "category", "measure"})

    def record(self, row: Row, ctx: ImportContext) -> IndicatorRecord | None:
        values: dict[str, Any] = {
            "name": row["name"],
            "category": row["category"],
            "measure": row["measure"],
        }
        for column, attribute in _OPTIONAL.items():
            # A blank cell clears a text or score, and leaves a yes/no flag as it is.
            if row.has(column) and (row[column] is not None or attribute not in _FLAGS):
                values[attribute] = row[column]
        if row["sort_order"] is not None:
            values["sort_order"] = int(row["sort_order"])
        return IndicatorRecord(row["code"], values, row["aliases"] or (), row.number)

    def store(
        self, records: list[IndicatorRecord], ctx: ImportContext, import_file: ImportFile
    ) -> list[str]:
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
        return [
            f"Danh mục chỉ số: {fmt_count(inserted)} chỉ số mới, "
            f"{fmt_count(updated)} chỉ số cập nhật"
        ]
