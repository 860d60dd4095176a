"""TTHC publication tasks (seeds 000 and 002): a ministry's decision the province must follow.

The deadline is the one given, else the "Hạn xử lý dd/mm/yyyy" in the office's
letter, else computed as N working days (config, default 5) before the legal
document takes effect, skipping weekends and Vietnamese public holidays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from core.parsing import ValueProblem, checked_text, find_date, parse_date
from core.textnorm import strip_diacritics
from core.vnformat import fmt_count
from storage.importers.base import (
    MISSING_UNIT,
    Column,
    Detected,
    Field,
    ImportContext,
    Importer,
    Row,
    UnitRef,
    optional_text,
    required_text,
)
from storage.importers.upsert import UpsertCounts, counted_upsert
from storage.models import DeadlineBasis, ImportFile, PublicationTask

DECISION = Column(
    "decision",
    keys=(
        "quyetdinhcongbocuabonganh",
        "quyetdinhcuabonganh",
        "quyetdinhcongbocuabo",
        "quyetdinhcuabo",
        "noidungcongbo",
        "quyetdinhcongbo",
        "vanbancuabo",
        "ministrydecision",
    ),
)
CONTENT = Column("content", keys=("noidung", "trichyeu", "content"))
LEAD_UNIT = Column(
    "lead_unit",
    keys=(
        "donvithammuu",
        "donvithammuutrinh",
        "tencoquandonvi",
        "coquanchutri",
        "donvichutri",
        "coquanthammuu",
        "leadunit",
        "donvi",
    ),
)
LETTER = Column(
    "letter",
    keys=(
        "vanbantrienkhaicuavanphongubndtinh",
        "vanbantrienkhai",
        "congvanvanphong",
        "congvan",
        "vanbancuavanphong",
        "officeletter",
    ),
)
SUBMISSION = Column(
    "submission",
    keys=("vanbandonvithammuu", "totrinh", "vanbantrinh", "vanbancuadonvi", "submission"),
)
SUBMITTED = Column(
    "submitted", keys=("ngaytrinh", "ngaytotrinh", "ngaydonvitrinh", "submitted", "ngaynop")
)
DEADLINE = Column(
    "deadline", keys=("hanxuly", "hantrinh", "thoihan", "han", "deadline", "hanthammuu")
)
EFFECTIVE = Column(
    "effective",
    keys=("ngayhieuluc", "ngaycohieuluc", "hieuluc", "effectivedate", "ngayvanbancohieuluc"),
)
PROVINCE_DECISION = Column(
    "province_decision",
    keys=(
        "quyetdinhcongbocuatinh",
        "quyetdinhcuaubndtinh",
        "qdcongbocuatinh",
        "quyetdinhtinh",
        "quyetdinhcuatinh",
        "provincedecision",
        "quyetdinhcongbocuachutichubndtinh",
    ),
)
PROVINCE_DECISION_DATE = Column(
    "province_decision_date", keys=("ngayquyetdinhtinh", "ngayquyetdinhcuatinh", "ngaycongbo")
)
NOTE = Column("note", keys=("ghichu", "note"))
STT = Column("stt", keys=("stt", "tt"))

_NUMBER_WITH_DATE = re.compile(
    r"\bs[oố]\s*:?\s*(.+?)\s+ng[aà]y\s+(\d{1,2}\s*/\s*\d{1,2}\s*/\s*\d{4})", re.IGNORECASE
)
_NUMBER_ONLY = re.compile(r"(\d+[\w./\-]*/[\w.\-Đđ]+(?:[ \-][A-ZĐ]{2,}[\w\-]*)?)")
_DEADLINE_IN_TEXT = re.compile(
    r"han\s*(?:xu ly|trinh|tham muu|giai quyet)?\s*:?\s*(\d{1,2}/\d{1,2}/\d{4})"
)


def document_number_and_date(text: str) -> tuple[str | None, date | None]:
    """ "Quyết định số 503/QĐ-BTTTT ngày 09/4/2024 …" -> ("503/QĐ-BTTTT", 09/04/2024)."""
    match = _NUMBER_WITH_DATE.search(text)
    if match:
        try:
            return match.group(1).strip(" ,;"), find_date(match.group(2).replace(" ", ""))
        except ValueProblem:
            return match.group(1).strip(" ,;"), None
    number = _NUMBER_ONLY.search(text)
    return (number.group(1).strip() if number else None), None


def deadline_in_text(text: str) -> date | None:
    """The "(Hạn xử lý 23/5/2024)" inside the office's letter, if any."""
    match = _DEADLINE_IN_TEXT.search(strip_diacritics(text).lower())
    if not match:
        return None
    try:
        return find_date(match.group(1))
    except ValueProblem:
        return None


#: What a publications file says of a task (compared, and updated, on re-import).
TASK_FIELDS = (
    "ministry_decision",
    "ministry_decision_no",
    "ministry_decision_date",
    "content",
    "effective_date",
    "deadline",
    "deadline_basis",
    "office_letter",
    "office_letter_date",
    "unit_submission",
    "submission_date",
    "province_decision",
    "province_decision_date",
    "note",
)


@dataclass
class TaskRecord:
    values: dict[str, Any]
    lead_unit: UnitRef
    row: int


def _decision(cell: object) -> tuple[str, str, date | None]:
    """The ministry's decision as written, its number and its date."""
    text = checked_text(cell)
    number, day = document_number_and_date(text)
    if number is None:
        raise ValueProblem(
            f"không tìm thấy số quyết định trong «{text[:80]}» "
            "(ví dụ: Quyết định số 503/QĐ-BTTTT ngày 09/4/2024)"
        )
    return text, number, day


class PublicationsImporter(Importer[TaskRecord]):
    kind = "publications"
    label = "nhiệm vụ công bố TTHC"
    fields = (
        Field(DECISION, _decision, required="thiếu quyết định công bố của bộ, ngành"),
        Field(LEAD_UNIT, required_text, required=MISSING_UNIT),
        Field(CONTENT, optional_text),
        Field(LETTER, optional_text),
        Field(SUBMISSION, optional_text),
        Field(SUBMITTED, parse_date),
        Field(DEADLINE, parse_date),
        Field(EFFECTIVE, parse_date),
        Field(PROVINCE_DECISION, optional_text),
        Field(PROVINCE_DECISION_DATE, parse_date),
        Field(NOTE, optional_text),
        Field(STT, optional_text),
    )
    required = frozenset({"decision", "lead_unit"})

    def parse(self, detected: Detected, ctx: ImportContext) -> list[TaskRecord]:
        """One task per decision and lead unit in a file."""
        seen: dict[tuple[str, object], int] = {}

        def once(row: Row, record: TaskRecord) -> None:
            unit = record.lead_unit
            key = (
                record.values["ministry_decision_no"].upper(),
                unit if isinstance(unit, int) else id(unit),  # a unit created by this file
            )
            first = seen.setdefault(key, row.number)
            if first != row.number:
                row.error(ctx, f"nhiệm vụ trùng với dòng {first} (cùng quyết định, đơn vị)")

        return self.read(detected, ctx, once)

    def record(self, row: Row, ctx: ImportContext) -> TaskRecord | None:
        if row["decision"] is None:
            return None
        decision, number, decision_date = row["decision"]
        unit = ctx.unit_of(row, "lead_unit", on=decision_date)
        if unit is None:
            return None
        letter: str | None = row["letter"]
        letter_no, letter_date = document_number_and_date(letter or "")
        submission_date = row["submitted"] or document_number_and_date(row["submission"] or "")[1]
        province_date = row["province_decision_date"]
        if province_date is None and row["province_decision"]:
            province_date = document_number_and_date(row["province_decision"])[1]
        deadline, basis = row["deadline"], DeadlineBasis.GIVEN
        if deadline is None and letter:
            deadline, basis = deadline_in_text(letter), DeadlineBasis.LETTER
        if deadline is None and row["effective"] is not None:
            days_before = ctx.settings.working_days_before_effect
            deadline = ctx.calendar.add_working_days(row["effective"], -days_before)
            basis = DeadlineBasis.COMPUTED
        if deadline is None:
            row.warn(
                ctx,
                "chưa xác định được hạn xử lý (không có hạn, công văn có hạn hoặc ngày "
                "hiệu lực); nhiệm vụ vẫn được lưu",
            )
        return TaskRecord(
            values={
                "ministry_decision": decision,
                "ministry_decision_no": number,
                "ministry_decision_date": decision_date,
                "content": row["content"],
                "effective_date": row["effective"],
                "deadline": deadline,
                "deadline_basis": basis if deadline else None,
                "office_letter": letter,
                "office_letter_date": letter_date if letter_no else None,
                "unit_submission": row["submission"],
                "submission_date": submission_date,
                "province_decision": row["province_decision"],
                "province_decision_date": province_date,
                "note": row["note"],
            },
            lead_unit=unit,
            row=row.number,
        )

    def store(
        self, records: list[TaskRecord], ctx: ImportContext, import_file: ImportFile
    ) -> list[str]:
        session = ctx.session
        counts = UpsertCounts()
        rows = [
            (
                (record.values["ministry_decision_no"], ctx.unit_id(record.lead_unit)),
                record.values,
            )
            for record in records
        ]
        existing = {
            (task.ministry_decision_no, task.lead_unit_id): task
            for task in session.scalars(
                select(PublicationTask).where(
                    PublicationTask.ministry_decision_no.in_({no for (no, _), _ in rows})
                )
            )
        }
        counted_upsert(
            session,
            PublicationTask,
            existing,
            ((key, {"lead_unit_id": key[1], **values}) for key, values in rows),
            compare=TASK_FIELDS,
            stamp={"import_id": import_file.id, "updated_at": ctx.now()},
            counts=counts,
        )
        session.flush()
        today = ctx.now().date()
        tasks = [PublicationTask(**record.values) for record in records]
        open_late = sum(
            1 for t in tasks if t.is_open and t.deadline is not None and t.deadline < today
        )
        return [
            f"Nhiệm vụ công bố TTHC: {counts.describe()}",
            f"{fmt_count(open_late)} nhiệm vụ chưa có quyết định công bố của tỉnh và đã quá hạn",
        ]
