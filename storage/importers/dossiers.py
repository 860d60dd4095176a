"""Dossiers exported by the provincial one-stop system; re-importing updates by code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from core.parsing import is_blank, parse_datetime
from core.textnorm import clean_cell_text
from storage.importers.base import (
    Column,
    Detected,
    ImportContext,
    Importer,
    UnitRef,
    find_header,
)
from storage.importers.reader import Sheet
from storage.importers.upsert import UpsertCounts, counted_upsert
from storage.models import Dossier, ImportFile

CODE = Column("code", keys=("mahoso", "mahs", "sohoso", "dossiercode", "code", "mahosotthc"))
PROCEDURE = Column(
    "procedure",
    keys=(
        "tentthc",
        "thutuc",
        "tenthutuc",
        "thutuchanhchinh",
        "tenthutuchanhchinh",
        "procedure",
        "tthc",
    ),
)
UNIT = Column(
    "unit",
    keys=(
        "donvi",
        "coquan",
        "donvixuly",
        "coquangiaiquyet",
        "donvigiaiquyet",
        "tendonvi",
        "coquantiepnhan",
        "unit",
    ),
)
RECEIVED = Column(
    "received", keys=("ngaytiepnhan", "ngaynop", "ngaynhan", "received", "thoigiantiepnhan")
)
DUE = Column(
    "due",
    keys=(
        "ngayhentra",
        "hanxuly",
        "ngayhenxuly",
        "hangiaiquyet",
        "ngayhentraketqua",
        "due",
        "hanxulyhoso",
    ),
)
FINISHED = Column(
    "finished",
    keys=(
        "ngayketthucxuly",
        "ngaytraketqua",
        "ngayketthuc",
        "ngayhoanthanh",
        "finished",
        "ngaycoketqua",
        "ngayxulyxong",
    ),
)
STATUS = Column("status", keys=("trangthai", "tinhtrang", "status", "trangthaihoso"))


#: What a re-import compares (and updates) of a dossier already stored under its code.
DOSSIER_FIELDS = ("unit_id", "procedure", "received_at", "due_at", "finished_at", "status")


@dataclass
class DossierRecord:
    code: str
    unit: UnitRef
    procedure: str | None
    received_at: datetime | None
    due_at: datetime | None
    finished_at: datetime | None
    status: str | None
    row: int

    def columns(self, unit_id: int) -> dict[str, Any]:
        return {
            "code": self.code,
            "unit_id": unit_id,
            "procedure": self.procedure,
            "received_at": self.received_at,
            "due_at": self.due_at,
            "finished_at": self.finished_at,
            "status": self.status,
        }

    def as_model(self) -> Dossier:
        """An unsaved dossier with these dates (to apply the model's definitions)."""
        return Dossier(due_at=self.due_at, finished_at=self.finished_at)


class DossiersImporter(Importer):
    kind = "dossiers"
    label = "hồ sơ TTHC"

    def detect(self, sheet: Sheet, ctx: ImportContext) -> Detected | None:
        columns = [CODE, PROCEDURE, UNIT, RECEIVED, DUE, FINISHED, STATUS]
        found = find_header(sheet, columns, {"code", "unit", "due"})
        return Detected(self, found[1], found[0]) if found else None

    def parse(self, detected: Detected, ctx: ImportContext) -> list[Any]:
        header = detected.header
        sheet = header.sheet.name
        records: list[DossierRecord] = []
        seen: dict[str, int] = {}
        for row_no, row in header.data_rows():
            code_cell = header.get(row, "code")
            if is_blank(code_cell):
                ctx.problems.error("thiếu mã hồ sơ", sheet, row_no, header.position("code"))
                continue
            code = clean_cell_text(code_cell)
            if isinstance(code_cell, float) and code_cell.is_integer():
                code = str(int(code_cell))
            if code in seen:
                ctx.problems.error(
                    f"mã hồ sơ {code} trùng với dòng {seen[code]}",
                    sheet,
                    row_no,
                    header.position("code"),
                )
                continue
            seen[code] = row_no
            times: dict[str, datetime | None] = {}
            row_ok = True
            for name in ("received", "due", "finished"):
                if name not in header.fields:
                    times[name] = None
                    continue
                ok, parsed = ctx.row_cell(parse_datetime, header, row, row_no, name)
                times[name] = parsed
                row_ok &= ok
            received, due, finished = times["received"], times["due"], times["finished"]
            if received and due and due < received:
                ctx.problems.error(
                    "ngày hẹn trả trước ngày tiếp nhận", sheet, row_no, header.position("due")
                )
                row_ok = False
            if received and finished and finished < received:
                ctx.problems.error(
                    "ngày kết thúc xử lý trước ngày tiếp nhận",
                    sheet,
                    row_no,
                    header.position("finished"),
                )
                row_ok = False
            unit = ctx.row_unit(
                header,
                row,
                row_no,
                on=(received or due or ctx.now().replace(tzinfo=None)).date(),
            )
            if unit is None or not row_ok:
                continue
            procedure = header.get(row, "procedure")
            status = header.get(row, "status")
            records.append(
                DossierRecord(
                    code=code,
                    unit=unit,
                    procedure=None if is_blank(procedure) else clean_cell_text(procedure),
                    received_at=received,
                    due_at=due,
                    finished_at=finished,
                    status=None if is_blank(status) else clean_cell_text(status),
                    row=row_no,
                )
            )
            if ctx.progress and len(records) % ctx.settings.progress_every == 0:
                ctx.progress("kiểm tra", len(records), None)
        return records

    def store(self, records: list[Any], ctx: ImportContext, import_file: ImportFile) -> list[str]:
        session = ctx.session
        counts = UpsertCounts()
        stamp = {"import_id": import_file.id, "updated_at": ctx.now()}
        for start in range(0, len(records), 1000):
            chunk: list[DossierRecord] = records[start : start + 1000]
            existing = {
                d.code: d
                for d in session.scalars(
                    select(Dossier).where(Dossier.code.in_([r.code for r in chunk]))
                )
            }
            counted_upsert(
                session,
                Dossier,
                existing,
                ((r.code, r.columns(ctx.unit_id(r.unit))) for r in chunk),
                compare=DOSSIER_FIELDS,
                stamp=stamp,
                counts=counts,
            )
            if ctx.progress:
                ctx.progress("lưu", start + len(chunk), len(records))
        inserted, updated, unchanged = counts.inserted, counts.updated, counts.unchanged
        now_local = ctx.now().replace(tzinfo=None)
        dossiers = [r.as_model() for r in records]
        overdue = sum(1 for d in dossiers if d.is_overdue_open(now_local))
        late = sum(1 for d in dossiers if d.finished_late)
        return [
            f"Hồ sơ: {inserted} hồ sơ mới, {updated} hồ sơ cập nhật, {unchanged} không đổi",
            f"Trong tệp: {overdue} hồ sơ quá hạn chưa giải quyết, "
            f"{late} hồ sơ đã giải quyết nhưng trễ hạn",
        ]
