"""Dossiers exported by the provincial one-stop system; re-importing updates by code."""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.parsing import checked_text, parse_datetime
from core.textnorm import fold
from core.vnformat import fmt_count, fmt_date
from storage.importers.base import (
    MISSING_UNIT,
    Column,
    Field,
    ImportContext,
    Importer,
    Row,
    UnitRef,
    optional_text,
    required_text,
)
from storage.importers.upsert import UpsertCounts, counted_upsert
from storage.models import Dossier, DossierState, ImportFile

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
DOSSIER_FIELDS = (
    "unit_id",
    "procedure",
    "received_at",
    "due_at",
    "finished_at",
    "status",
    "state",
    "closed_at",
)
#: The stored columns a file's values are compared with.
_STORED = tuple(getattr(Dossier, name) for name in DOSSIER_FIELDS)


#: What status texts mean, first match wins (folded: no case, no diacritics). Returned and
#: withdrawn come before "trả kết quả", supplements before processing.
_STATUS_WORDS: tuple[tuple[str, DossierState], ...] = (
    ("rut", DossierState.WITHDRAWN),
    ("tra lai", DossierState.RETURNED),
    ("tu choi", DossierState.RETURNED),
    ("khong giai quyet", DossierState.RETURNED),
    ("khong tiep nhan", DossierState.RETURNED),
    ("huy", DossierState.RETURNED),
    ("bo sung", DossierState.SUPPLEMENT),
    ("tam dung", DossierState.SUPPLEMENT),
    ("cho cong dan", DossierState.SUPPLEMENT),
    ("tra ket qua", DossierState.FINISHED),
    ("hoan thanh", DossierState.FINISHED),
    ("da giai quyet", DossierState.FINISHED),
    ("da xu ly", DossierState.FINISHED),
    ("ket thuc", DossierState.FINISHED),
    ("co ket qua", DossierState.FINISHED),
    ("dang", DossierState.PROCESSING),
    ("tiep nhan", DossierState.PROCESSING),
    ("cho xu ly", DossierState.PROCESSING),
    ("xu ly", DossierState.PROCESSING),
    ("moi", DossierState.PROCESSING),
)


@functools.lru_cache(maxsize=4096)
def read_status(text: str | None) -> DossierState | None:
    """What a status cell means; None when it says nothing the bot knows (remembered: an
    export repeats a handful of statuses on every row)."""
    if text is None:
        return None
    folded = f" {fold(text)} "
    for words, state in _STATUS_WORDS:
        if f" {words} " in folded:
            return state
    return None


@dataclass
class DossierRecord:
    code: str
    unit: UnitRef
    procedure: str | None
    received_at: datetime | None
    due_at: datetime | None
    finished_at: datetime | None
    status: str | None
    state: DossierState
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
            "state": self.state,
            "closed_at": None,  # listed again: open again if a complete list had closed it
        }


#: How the import summary names dossiers that are not overdue because of their state.
STATE_LABELS = {
    DossierState.SUPPLEMENT: "hồ sơ chờ công dân bổ sung (tạm dừng tính thời gian)",
    DossierState.WITHDRAWN: "hồ sơ đã rút",
    DossierState.RETURNED: "hồ sơ trả lại, không giải quyết",
}


#: Dossier codes are about 25 characters ("000.00.16.H10-250410-0001").
MAX_CODE = 100


def _code(cell: object) -> str:
    """A dossier code as written (a number Excel turned into 1234.0 reads "1234")."""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return checked_text(cell, MAX_CODE)


class DossiersImporter(Importer[DossierRecord]):
    kind = "dossiers"
    label = "hồ sơ TTHC"
    fields = (
        Field(CODE, _code, required="thiếu mã hồ sơ"),
        Field(PROCEDURE, optional_text),
        Field(UNIT, required_text, required=MISSING_UNIT),
        Field(RECEIVED, parse_datetime),
        Field(DUE, parse_datetime),
        Field(FINISHED, parse_datetime),
        Field(STATUS, optional_text),
    )
    required = frozenset({"code", "unit", "due"})

    key_field = "code"

    def key(self, row: Row) -> str | None:
        code: str | None = row["code"]
        return code

    def duplicate(self, row: Row, first_row: int) -> str:
        return f"mã hồ sơ {row['code']} trùng với dòng {first_row}"

    def record(self, row: Row, ctx: ImportContext) -> DossierRecord | None:
        received, due, finished = row["received"], row["due"], row["finished"]
        if received and due and due < received:
            row.error(ctx, "ngày hẹn trả trước ngày tiếp nhận", "due")
        if received and finished and finished < received:
            row.error(ctx, "ngày kết thúc xử lý trước ngày tiếp nhận", "finished")
        unit = ctx.unit_of(row, on=(received or due or ctx.now().replace(tzinfo=None)).date())
        if unit is None:
            return None
        return DossierRecord(
            code=row["code"],
            unit=unit,
            procedure=row["procedure"],
            received_at=received,
            due_at=due,
            finished_at=finished,
            status=row["status"],
            state=self._state(row, ctx),
            row=row.number,
        )

    @staticmethod
    def _state(row: Row, ctx: ImportContext) -> DossierState:
        """The status column's meaning; a finish date means finished unless the status says
        withdrawn or returned; a status nobody knows is a warning (read as being handled)."""
        said = read_status(row["status"])
        if said is None and row["status"] is not None:
            row.warn(ctx, f"không hiểu trạng thái «{row['status']}», coi là đang xử lý", "status")
        if row["finished"] is not None and said not in (
            DossierState.WITHDRAWN,
            DossierState.RETURNED,
        ):
            return DossierState.FINISHED
        return said or DossierState.PROCESSING

    def store(
        self, records: list[DossierRecord], ctx: ImportContext, import_file: ImportFile
    ) -> list[str]:
        session = ctx.session
        counts = UpsertCounts()
        stamp = {"import_id": import_file.id, "updated_at": ctx.now()}
        for start in range(0, len(records), 1000):
            chunk = records[start : start + 1000]
            existing = {  # the stored values as columns: a daily export repeats most
                d.code: d
                for d in session.execute(
                    select(Dossier.id, Dossier.code, *_STORED).where(
                        Dossier.code.in_([r.code for r in chunk])
                    )
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
        closed = self._close_absent(records, ctx) if ctx.complete else None
        now_local = ctx.now().replace(tzinfo=None)
        overdue = sum(
            Dossier.overdue_open_of(r.finished_at, r.state, r.due_at, now_local) for r in records
        )
        late = sum(Dossier.late_of(r.finished_at, r.due_at) for r in records)
        states = Counter(r.state for r in records)
        lines = [
            f"Hồ sơ: {counts.describe('hồ sơ')}",
            f"Trong tệp: {fmt_count(overdue)} hồ sơ quá hạn chưa giải quyết, "
            f"{fmt_count(late)} hồ sơ đã giải quyết nhưng trễ hạn",
        ]
        paused = [
            f"{states[state]} {label}" for state, label in STATE_LABELS.items() if states[state]
        ]
        if paused:
            lines.append("Không tính quá hạn: " + ", ".join(paused))
        if closed is not None:
            day, count = closed
            lines.append(
                f"Danh sách đầy đủ ngày {fmt_date(day)}: {count} hồ sơ đang mở không có trong tệp "
                "được coi là đã đóng (vẫn lưu lại)"
            )
        return lines

    @staticmethod
    def _close_absent(records: list[DossierRecord], ctx: ImportContext) -> tuple[date, int]:
        """The file is the complete list of open dossiers at its date: those still open in
        the database but absent from it are closed as of that date (kept, not deleted)."""
        day = ctx.as_of or ctx.now().date()
        count = close_absent_dossiers(ctx.session, {r.code for r in records}, day, ctx.now())
        return day, count


def close_absent_dossiers(session: Session, listed: set[str], day: date, now: datetime) -> int:
    """Close, as of ``day``, every dossier still open (being handled or waiting for a
    supplement) whose code a complete list does not hold; how many."""
    open_states = [DossierState.PROCESSING.value, DossierState.SUPPLEMENT.value]
    codes = [
        code
        for code in session.scalars(
            select(Dossier.code).where(
                Dossier.finished_at.is_(None), Dossier.state.in_(open_states)
            )
        )
        if code not in listed
    ]
    for start in range(0, len(codes), 1000):
        session.execute(
            update(Dossier)
            .where(Dossier.code.in_(codes[start : start + 1000]))
            .values(state=DossierState.CLOSED.value, closed_at=day, updated_at=now)
            .execution_options(synchronize_session=False)
        )
    return len(codes)
