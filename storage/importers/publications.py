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

from core.parsing import ValueProblem, find_date, is_blank, parse_date
from core.textnorm import clean_cell_text, strip_diacritics
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
from storage.models import ImportFile, PublicationTask

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


class PublicationsImporter(Importer):
    kind = "publications"
    label = "nhiệm vụ công bố TTHC"

    def detect(self, sheet: Sheet, ctx: ImportContext) -> Detected | None:
        columns = [
            DECISION,
            LEAD_UNIT,
            CONTENT,
            LETTER,
            SUBMISSION,
            DEADLINE,
            EFFECTIVE,
            PROVINCE_DECISION,
            PROVINCE_DECISION_DATE,
            NOTE,
            STT,
        ]
        found = find_header(sheet, columns, {"decision", "lead_unit"})
        return Detected(self, found[1], found[0]) if found else None

    def parse(self, detected: Detected, ctx: ImportContext) -> list[Any]:
        header = detected.header
        sheet = header.sheet.name
        records: list[TaskRecord] = []
        seen: dict[tuple[str, object], int] = {}
        days_before = ctx.settings.working_days_before_effect
        for row_no, row in header.data_rows():
            decision_cell = header.get(row, "decision")
            if is_blank(decision_cell):
                ctx.problems.error(
                    "thiếu quyết định công bố của bộ, ngành",
                    sheet,
                    row_no,
                    header.position("decision"),
                )
                continue
            decision = clean_cell_text(decision_cell)
            number, decision_date = document_number_and_date(decision)
            if number is None:
                ctx.problems.error(
                    f"không tìm thấy số quyết định trong «{decision[:80]}» "
                    "(ví dụ: Quyết định số 503/QĐ-BTTTT ngày 09/4/2024)",
                    sheet,
                    row_no,
                    header.position("decision"),
                )
                continue
            texts = {
                name: (
                    None
                    if is_blank(header.get(row, name))
                    else clean_cell_text(header.get(row, name))
                )
                for name in ("content", "letter", "submission", "province_decision", "note")
            }
            dates: dict[str, date | None] = {}
            row_ok = True
            for name in ("deadline", "effective", "province_decision_date"):
                ok, parsed = ctx.row_cell(parse_date, header, row, row_no, name)
                dates[name] = parsed
                row_ok &= ok
            unit = ctx.row_unit(header, row, row_no, "lead_unit", on=decision_date)
            if unit is None or not row_ok:
                continue
            letter_no, letter_date = document_number_and_date(texts["letter"] or "")
            _, submission_date = document_number_and_date(texts["submission"] or "")
            province_date = dates["province_decision_date"]
            if province_date is None and texts["province_decision"]:
                province_date = document_number_and_date(texts["province_decision"])[1]
            deadline, basis = dates["deadline"], "given"
            if deadline is None and texts["letter"]:
                deadline, basis = deadline_in_text(texts["letter"]), "letter"
            if deadline is None and dates["effective"] is not None:
                deadline = ctx.calendar.add_working_days(dates["effective"], -days_before)
                basis = "computed"
            if deadline is None:
                ctx.problems.warn(
                    "chưa xác định được hạn xử lý (không có hạn, công văn có hạn hoặc ngày "
                    "hiệu lực); nhiệm vụ vẫn được lưu",
                    sheet,
                    row_no,
                )
            key = (number.upper(), unit if isinstance(unit, int) else id(unit))
            if key in seen:
                ctx.problems.error(
                    f"nhiệm vụ trùng với dòng {seen[key]} (cùng quyết định, đơn vị)", sheet, row_no
                )
                continue
            seen[key] = row_no
            records.append(
                TaskRecord(
                    values={
                        "ministry_decision": decision,
                        "ministry_decision_no": number,
                        "ministry_decision_date": decision_date,
                        "content": texts["content"],
                        "effective_date": dates["effective"],
                        "deadline": deadline,
                        "deadline_basis": basis if deadline else None,
                        "office_letter": texts["letter"],
                        "office_letter_date": letter_date if letter_no else None,
                        "unit_submission": texts["submission"],
                        "submission_date": submission_date,
                        "province_decision": texts["province_decision"],
                        "province_decision_date": province_date,
                        "note": texts["note"],
                    },
                    lead_unit=unit,
                    row=row_no,
                )
            )
        return records

    def store(self, records: list[Any], ctx: ImportContext, import_file: ImportFile) -> list[str]:
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
        inserted, updated, unchanged = counts.inserted, counts.updated, counts.unchanged
        session.flush()
        today = ctx.now().date()
        tasks = [PublicationTask(**record.values) for record in records]
        open_late = sum(
            1 for t in tasks if t.is_open and t.deadline is not None and t.deadline < today
        )
        return [
            f"Nhiệm vụ công bố TTHC: {inserted} mới, {updated} cập nhật, {unchanged} không đổi",
            f"{open_late} nhiệm vụ chưa có quyết định công bố của tỉnh và đã quá hạn",
        ]
