"""The unit registry: names, kinds, aliases, parents, portal ids and validity dates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from core.parsing import is_blank, parse_date
from core.textnorm import clean_cell_text
from storage.importers.base import (
    Column,
    Detected,
    ImportContext,
    Importer,
    add_unit_alias,
    find_header,
)
from storage.importers.reader import Sheet
from storage.models import ImportFile, Unit
from storage.units import KIND_LABELS, find_unit, parse_kind, unit_keys

NAME = Column("name", keys=("tendonvi", "ten", "donvi", "name", "tencoquan", "coquandonvi"))
KIND = Column("kind", keys=("loai", "loaidonvi", "cap", "capdonvi", "kind"))
ALIASES = Column(
    "aliases", keys=("bidanh", "tenkhac", "tengoikhac", "aliases", "cachviet", "tenviettat")
)
PARENT = Column("parent", keys=("donvicha", "truchuoc", "thuoc", "parent", "donviquanly"))
PORTAL_ID = Column(
    "portal_id",
    keys=("madonvicong", "departmentid", "macong", "portalid", "idcong", "madvcqg", "iddvcqg"),
)
VALID_FROM = Column("valid_from", keys=("hieuluctu", "tungay", "validfrom", "ngaythanhlap"))
VALID_TO = Column(
    "valid_to", keys=("hieulucden", "denngay", "validto", "ngaygiaithe", "ngaysapnhap")
)
STT = Column("stt", keys=("stt", "tt"))
_ALIAS_SPLIT = re.compile(r"[;|\n]")


@dataclass
class UnitRecord:
    name: str
    kind: str
    aliases: list[str]
    parent: str | None
    portal_id: str | None
    valid_from: date | None
    valid_to: date | None
    row: int


class UnitsImporter(Importer):
    kind = "units"
    label = "danh mục đơn vị"

    def detect(self, sheet: Sheet, ctx: ImportContext) -> Detected | None:
        columns = [NAME, KIND, ALIASES, PARENT, PORTAL_ID, VALID_FROM, VALID_TO, STT]
        found = find_header(sheet, columns, {"name", "kind"})
        return Detected(self, found[1], found[0]) if found else None

    def parse(self, detected: Detected, ctx: ImportContext) -> list[Any]:
        header = detected.header
        sheet = header.sheet.name
        records: list[UnitRecord] = []
        names_in_file: dict[str, int] = {}
        alias_owner: dict[str, tuple[str, int]] = {}
        for row_no, row in header.data_rows():
            name_cell = header.get(row, "name")
            if is_blank(name_cell):
                ctx.problems.error("thiếu tên đơn vị", sheet, row_no, header.position("name"))
                continue
            name = clean_cell_text(name_cell)
            name_key = unit_keys(name)[0]
            if name_key in names_in_file:
                ctx.problems.error(
                    f"đơn vị trùng với dòng {names_in_file[name_key]}",
                    sheet,
                    row_no,
                    header.position("name"),
                )
                continue
            names_in_file[name_key] = row_no
            kind = parse_kind(str(header.get(row, "kind") or ""))
            if kind is None:
                ctx.problems.error(
                    f"loại đơn vị «{clean_cell_text(header.get(row, 'kind') or '')}» không hợp lệ "
                    "(tỉnh, sở, huyện, xã, chi nhánh, khác)",
                    sheet,
                    row_no,
                    header.position("kind"),
                )
                continue
            aliases = []
            if not is_blank(header.get(row, "aliases")):
                aliases = [
                    a.strip()
                    for a in _ALIAS_SPLIT.split(str(header.get(row, "aliases")))
                    if a.strip()
                ]
            for alias in aliases:
                key = unit_keys(alias)[0]
                owner = alias_owner.setdefault(key, (name_key, row_no))
                if owner[0] != name_key:
                    ctx.problems.error(
                        f"bí danh «{alias}» đã dùng cho đơn vị ở dòng {owner[1]}",
                        sheet,
                        row_no,
                        header.position("aliases"),
                    )
            dates = {}
            row_ok = True
            for field_name in ("valid_from", "valid_to"):
                ok, parsed = ctx.row_cell(parse_date, header, row, row_no, field_name)
                dates[field_name] = parsed
                row_ok &= ok
            if (
                dates["valid_from"]
                and dates["valid_to"]
                and dates["valid_to"] < dates["valid_from"]
            ):
                ctx.problems.error(
                    "ngày hết hiệu lực trước ngày bắt đầu",
                    sheet,
                    row_no,
                    header.position("valid_to"),
                )
                row_ok = False
            parent = header.get(row, "parent")
            parent_name = None if is_blank(parent) else clean_cell_text(parent)
            if parent_name and unit_keys(parent_name)[0] not in names_in_file:
                match = find_unit(ctx.session, parent_name)
                if match.unit is None:
                    ctx.problems.error(
                        f"đơn vị cha «{parent_name}» chưa có (ghi ở dòng trước hoặc đã nhập)",
                        sheet,
                        row_no,
                        header.position("parent"),
                    )
                    row_ok = False
            portal = header.get(row, "portal_id")
            if not row_ok:
                continue
            records.append(
                UnitRecord(
                    name,
                    kind.value,
                    aliases,
                    parent_name,
                    None if is_blank(portal) else clean_cell_text(portal),
                    dates["valid_from"],
                    dates["valid_to"],
                    row_no,
                )
            )
        return records

    def store(self, records: list[Any], ctx: ImportContext, import_file: ImportFile) -> list[str]:
        session = ctx.session
        inserted = updated = 0
        by_key: dict[str, Unit] = {}
        for record in records:
            name_key, core = unit_keys(record.name)
            unit = None
            if record.portal_id:
                unit = session.scalars(select(Unit).filter_by(portal_id=record.portal_id)).first()
            if unit is None:
                unit = session.scalars(select(Unit).filter_by(name_key=name_key)).first()
            if unit is None:
                unit = Unit(
                    name=record.name,
                    name_key=name_key,
                    core_key=core,
                    kind=record.kind,
                    created_at=ctx.now(),
                )
                session.add(unit)
                inserted += 1
            else:
                updated += 1
            unit.name, unit.name_key, unit.core_key = record.name, name_key, core
            unit.kind = record.kind
            unit.portal_id = record.portal_id or unit.portal_id
            unit.valid_from = record.valid_from
            unit.valid_to = record.valid_to
            if record.parent:
                parent = by_key.get(unit_keys(record.parent)[0])
                parent = parent or find_unit(session, record.parent).unit
                unit.parent = parent
            session.flush()
            by_key[name_key] = unit
            for alias in record.aliases:
                if not add_unit_alias(session, unit, alias):
                    ctx.problems.error(
                        f"bí danh «{alias}» đã là tên của đơn vị khác", None, record.row
                    )
        session.flush()
        kinds: dict[str, int] = {}
        for record in records:
            kinds[record.kind] = kinds.get(record.kind, 0) + 1
        detail = ", ".join(f"{n} {KIND_LABELS[k]}" for k, n in sorted(kinds.items()))
        return [f"Đơn vị: {inserted} mới, {updated} cập nhật ({detail})"]
