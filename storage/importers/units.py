"""The unit registry: names, kinds, aliases, parents, portal ids and validity dates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.parsing import ValueProblem, checked_text, parse_date, shown
from core.vnformat import fmt_count
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
from storage.units import KIND_LABELS, KIND_ORDER, find_unit, parse_kind, unit_keys

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
SUCCESSOR = Column(
    "successor",
    keys=(
        "donvikethua",
        "kethua",
        "donvitiepnhan",
        "sapnhapvao",
        "hopnhatvao",
        "donvisaukhisapnhap",
        "successor",
    ),
)
STT = Column("stt", keys=("stt", "tt"))
_ALIAS_SPLIT = re.compile(r"[;|\n]")


@dataclass
class UnitRecord:
    name: str
    kind: UnitKind
    aliases: tuple[str, ...]
    parent: str | None
    portal_id: str | None
    valid_from: date | None
    valid_to: date | None
    #: The unit that took over this one's work (the cell), None when blank; not read at all
    #: when the file has no such column (a registry of an earlier layout keeps successors).
    successor: str | None
    successor_read: bool
    row: int


def _kind(cell: object) -> UnitKind:
    kind = parse_kind(str(cell))
    if kind is None:
        raise ValueProblem(
            f"loại đơn vị «{shown(cell)}» không hợp lệ (tỉnh, sở, huyện, xã, chi nhánh, khác)"
        )
    return kind


def _aliases(cell: object) -> tuple[str, ...]:
    return tuple(checked_text(a) for a in _ALIAS_SPLIT.split(str(cell)) if a.strip())


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
        Field(SUCCESSOR, optional_text),
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
        alias may name one unit only.  A successor may be listed anywhere in the file."""
        earlier: set[str] = set()
        alias_owner: dict[str, tuple[str, int]] = {}
        merged: list[tuple[Row, UnitRecord]] = []

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
                and ctx.unit_lookup.find(parent).unit is None
            ):
                row.error(
                    ctx, f"đơn vị cha «{parent}» chưa có (ghi ở dòng trước hoặc đã nhập)", "parent"
                )
            earlier.add(name_key)
            if record.successor:
                merged.append((row, record))

        records = self.read(detected, ctx, check)
        in_file = {unit_keys(r.name)[0]: unit_keys(r.name)[0] for r in records}
        in_file.update((alias, owner) for alias, (owner, _) in alias_owner.items())
        successors: dict[str, str] = {}
        for row, record in merged:
            assert record.successor is not None
            name_key = unit_keys(record.name)[0]
            successor = in_file.get(unit_keys(record.successor)[0])
            if successor is None:
                known = ctx.unit_lookup.find(record.successor).unit
                successor = known.name_key if known is not None else None
            if successor is None:
                row.error(
                    ctx,
                    f"đơn vị kế thừa «{record.successor}» chưa có (ghi trong tệp này hoặc đã nhập)",
                    "successor",
                )
            elif successor == name_key:
                row.error(ctx, "đơn vị không thể tự kế thừa chính mình", "successor")
            else:
                successors[name_key] = successor
            if record.valid_to is None:
                row.error(
                    ctx,
                    "đơn vị có đơn vị kế thừa phải có ngày hết hiệu lực (ngày trước ngày sáp nhập)",
                    "valid_to",
                )
        for row, record in merged:
            if _in_a_cycle(unit_keys(record.name)[0], successors, ctx):
                row.error(ctx, "đơn vị kế thừa tạo thành vòng lặp (A → B → A)", "successor")
        return records

    def record(self, row: Row, ctx: ImportContext) -> UnitRecord | None:
        valid_from, valid_to = row["valid_from"], row["valid_to"]
        if valid_from and valid_to and valid_to < valid_from:
            row.error(ctx, "ngày hết hiệu lực trước ngày bắt đầu", "valid_to")
        return UnitRecord(
            row["name"],
            row["kind"],
            row["aliases"] or (),
            row["parent"],
            row["portal_id"],
            valid_from,
            valid_to,
            row["successor"],
            row.has("successor"),
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
        for record in records:
            if record.successor_read:
                unit = by_key[unit_keys(record.name)[0]]
                unit.successor = (
                    _stored(session, by_key, record.successor) if record.successor else None
                )
        session.flush()
        kinds: dict[str, int] = {}
        for record in records:
            kinds[record.kind] = kinds.get(record.kind, 0) + 1
        detail = ", ".join(
            f"{fmt_count(kinds[k])} {KIND_LABELS[k]}" for k in KIND_ORDER if k in kinds
        )
        return [f"Đơn vị: {fmt_count(inserted)} mới, {fmt_count(updated)} cập nhật ({detail})"]


def _stored(session: Session, by_key: dict[str, Unit], name: str) -> Unit | None:
    """A unit of this file (by name or alias) or of the registry."""
    key = unit_keys(name)[0]
    found = by_key.get(key)
    if found is None:
        found = next((u for u in by_key.values() if key in {a.alias_key for a in u.aliases}), None)
    return found or find_unit(session, name).unit


def _in_a_cycle(start: str, successors: dict[str, str], ctx: ImportContext) -> bool:
    """Whether following successors from ``start`` (this file's, then the registry's) comes
    back to it."""
    seen = {start}
    current = successors.get(start)
    while current is not None:
        if current in seen:
            return current == start
        seen.add(current)
        nxt = successors.get(current)
        if nxt is None:
            stored = ctx.session.scalars(select(Unit).filter_by(name_key=current)).first()
            nxt = stored.successor.name_key if stored and stored.successor else None
        current = nxt
    return False
