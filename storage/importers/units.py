"""The unit registry: names, kinds, aliases, parents, portal ids and validity dates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from core.parsing import ValueProblem, parse_date
from core.textnorm import clean_cell_text
from storage.importers.base import (
    MISSING_UNIT,
    Column,
    Detected,
    Field,
    ImportContext,
    Importer,
    Row,
    add_unit_alias,
    optional_text,
    required_text,
)
from storage.models import ImportFile, Unit, UnitKind
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
    kind: UnitKind
    aliases: list[str]
    parent: str | None
    portal_id: str | None
    valid_from: date | None
    valid_to: date | None
    row: int


def _kind(cell: object) -> UnitKind:
    kind = parse_kind(str(cell))
    if kind is None:
        raise ValueProblem(
            f"loại đơn vị «{clean_cell_text(cell)}» không hợp lệ "
            "(tỉnh, sở, huyện, xã, chi nhánh, khác)"
        )
    return kind


def _aliases(cell: object) -> list[str]:
    return [a.strip() for a in _ALIAS_SPLIT.split(str(cell)) if a.strip()]


class UnitsImporter(Importer[UnitRecord]):
    kind = "units"
    label = "danh mục đơn vị"
    fields = (
        Field(NAME, required_text, required=MISSING_UNIT),
        Field(KIND, _kind, required="thiếu loại đơn vị (tỉnh, sở, huyện, xã, chi nhánh, khác)"),
        Field(ALIASES, _aliases),
        Field(PARENT, optional_text),
        Field(PORTAL_ID, optional_text),
        Field(VALID_FROM, parse_date),
        Field(VALID_TO, parse_date),
        Field(STT, optional_text),
    )
    required = frozenset({"name", "kind"})
    key_field = "name"

    def key(self, row: Row) -> str | None:
        return unit_keys(row["name"])[0] if row["name"] else None

    def duplicate(self, row: Row, first_row: int) -> str:
        return f"đơn vị trùng với dòng {first_row}"

    def parse(self, detected: Detected, ctx: ImportContext) -> list[UnitRecord]:
        """Rows in order: a parent must be known already or listed on an earlier row, and an
        alias may name one unit only."""
        earlier: set[str] = set()
        alias_owner: dict[str, tuple[str, int]] = {}

        def check(row: Row, record: UnitRecord) -> None:
            name_key = unit_keys(record.name)[0]
            for alias in record.aliases:
                owner = alias_owner.setdefault(unit_keys(alias)[0], (name_key, row.number))
                if owner[0] != name_key:
                    row.error(
                        ctx, f"bí danh «{alias}» đã dùng cho đơn vị ở dòng {owner[1]}", "aliases"
                    )
            parent = record.parent
            if (
                parent
                and unit_keys(parent)[0] not in earlier
                and find_unit(ctx.session, parent).unit is None
            ):
                row.error(
                    ctx, f"đơn vị cha «{parent}» chưa có (ghi ở dòng trước hoặc đã nhập)", "parent"
                )
            earlier.add(name_key)

        return self.read(detected, ctx, check)

    def record(self, row: Row, ctx: ImportContext) -> UnitRecord | None:
        valid_from, valid_to = row["valid_from"], row["valid_to"]
        if valid_from and valid_to and valid_to < valid_from:
            row.error(ctx, "ngày hết hiệu lực trước ngày bắt đầu", "valid_to")
        return UnitRecord(
            row["name"],
            row["kind"],
            row["aliases"] or [],
            row["parent"],
            row["portal_id"],
            valid_from,
            valid_to,
            row.number,
        )

    def store(
        self, records: list[UnitRecord], ctx: ImportContext, import_file: ImportFile
    ) -> list[str]:
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
