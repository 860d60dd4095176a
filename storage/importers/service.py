"""Running one import: detect, validate everything, then store all of it or nothing."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from core.clock import Clock
from core.parsing import is_blank
from core.vnformat import fmt_count, fmt_date
from core.workdays import WorkCalendar
from storage.db import database_problem
from storage.importers.base import (
    DEFAULT_OPTIONS,
    Detected,
    ImportContext,
    Importer,
    ImportOptions,
    ImportSettings,
    Problem,
    Progress,
)
from storage.importers.dossiers import DossiersImporter
from storage.importers.indicators import IndicatorsImporter
from storage.importers.overdue import OverdueImporter
from storage.importers.publications import PublicationsImporter
from storage.importers.reader import Sheet, UnreadableFile, read_sheets
from storage.importers.scores import ScoresImporter
from storage.importers.targets import TargetsImporter
from storage.importers.units import UnitsImporter
from storage.models import ImportFile

IMPORTERS: dict[str, Importer[Any]] = {
    importer.kind: importer
    for importer in (
        ScoresImporter(),
        DossiersImporter(),
        OverdueImporter(),
        PublicationsImporter(),
        TargetsImporter(),
        UnitsImporter(),
        IndicatorsImporter(),
    )
}
KINDS = tuple(IMPORTERS)


#: What a person reads when the database refused the data (the details go to the log).
def database_failed(exc: SQLAlchemyError) -> str:
    """The refusal of an import the database failed, in words for users."""
    return f"{database_problem(exc)}; chưa lưu gì của tệp này"


UNEXPECTED = (
    "lỗi không mong đợi khi kiểm tra tệp, chưa lưu gì; lỗi đã được ghi vào nhật ký của bot, "
    "hãy báo quản trị viên kèm tệp này"
)

log = logging.getLogger(__name__)
#: Cells listed at most per sheet for one problem found in many cells.
MAX_LISTED = 20


@dataclass
class ImportOutcome:
    """What happened; ``ok`` False means nothing was stored."""

    file_name: str
    ok: bool
    kinds: list[str] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    import_id: int | None = None
    duplicate_of: ImportFile | None = None
    dry_run: bool = False
    rows: int = 0

    def refuse(self, message: str) -> None:
        """Nothing was stored after all (the caller's commit failed)."""
        self.errors.append(Problem(message))
        self.ok = False
        self.import_id = None
        self.summary = []

    def report(self, listed: int | None = None) -> str:
        """The outcome in Vietnamese, for the terminal or a chat; with ``listed``, at most
        that many errors and warnings each (the rest counted, for a chat message)."""
        lines: list[str] = []
        if self.duplicate_of is not None:
            when = self.duplicate_of.imported_at
            lines.append(
                f"Tệp «{self.file_name}» đã được nhập ngày {fmt_date(when)} "
                f"(lần nhập số {self.duplicate_of.id}); không thay đổi gì."
            )
            return "\n".join(lines)
        if not self.ok:
            lines.append(
                f"Không nhập tệp «{self.file_name}»: có {fmt_count(len(self.errors))} lỗi, "
                "chưa lưu gì vào cơ sở dữ liệu. Hãy sửa các lỗi sau rồi nhập lại:"
            )
            lines.extend(_listed(self.errors, listed, "lỗi"))
        else:
            head = "Chạy thử (không lưu gì)" if self.dry_run else "Đã nhập"
            kinds = ", ".join(IMPORTERS[k].label for k in self.kinds)
            lines.append(
                f"{head} tệp «{self.file_name}» ({kinds}), {fmt_count(self.rows)} dòng dữ liệu."
            )
            lines.extend(f"  - {s}" for s in self.summary)
        if self.warnings:
            lines.append(f"Cảnh báo ({fmt_count(len(self.warnings))}):")
            lines.extend(_listed(self.warnings, listed, "cảnh báo"))
        return "\n".join(lines)


def _listed(problems: list[Problem], listed: int | None, what: str) -> list[str]:
    shown = problems if listed is None else problems[:listed]
    lines = [f"  - {p.describe()}" for p in shown]
    if len(problems) > len(shown):
        lines.append(
            f"  … và {fmt_count(len(problems) - len(shown))} {what} khác (xem báo cáo đầy đủ "
            "trong tệp đính kèm)"
        )
    return lines


def run_import(
    session: Session,
    settings: ImportSettings,
    clock: Clock,
    calendar: WorkCalendar,
    path: Path,
    options: ImportOptions = DEFAULT_OPTIONS,
    *,
    progress: Progress | None = None,
    data: bytes | None = None,
    file_name: str | None = None,
) -> ImportOutcome:
    """Check one file and, when it has no error, write it in the session's transaction.

    The caller owns the unit of work: it commits when ``outcome.import_id`` is set (a
    stored, non-dry-run import) and rolls back otherwise (an error, a dry run: what was
    written to check the file must not remain). Nothing a file holds escapes as an
    exception: a database failure or a fault of this code is a refusal, logged with its
    traceback."""
    name = file_name or path.name
    try:
        return _run_import(session, settings, clock, calendar, path, options, progress, data, name)
    except SQLAlchemyError as exc:
        message = database_failed(exc)
    except Exception:
        message = UNEXPECTED
    log.exception("importing %s failed", name)
    outcome = ImportOutcome(name, ok=False, dry_run=options.dry_run)
    outcome.errors.append(Problem(message))
    return outcome


def _run_import(
    session: Session,
    settings: ImportSettings,
    clock: Clock,
    calendar: WorkCalendar,
    path: Path,
    options: ImportOptions,
    progress: Progress | None,
    data: bytes | None,
    name: str,
) -> ImportOutcome:
    kind, source, dry_run = options.kind, options.source, options.dry_run
    outcome = ImportOutcome(name, ok=False, dry_run=dry_run)
    if kind is not None and kind not in IMPORTERS:
        outcome.errors.append(Problem(f"loại dữ liệu «{kind}» không có (chọn: {', '.join(KINDS)})"))
        return outcome
    limits = settings.read_limits
    try:
        if data is None and path.stat().st_size > limits.max_file_bytes:
            outcome.errors.append(Problem(str(limits.file_too_big())))
            return outcome
        raw = data if data is not None else path.read_bytes()
    except OSError as exc:
        outcome.errors.append(Problem(f"không mở được tệp: {exc.strerror or exc}"))
        return outcome
    digest = hashlib.sha256(raw).hexdigest()
    previous = session.scalars(select(ImportFile).filter_by(sha256=digest)).one_or_none()
    if previous is not None:
        outcome.ok = True
        outcome.duplicate_of = previous
        return outcome
    try:
        sheets = read_sheets(Path(name), raw, limits)
    except UnreadableFile as exc:
        outcome.errors.append(Problem(str(exc)))
        return outcome
    uncomputed = [
        Problem(
            "ô có công thức nhưng tệp không lưu giá trị đã tính (hãy mở tệp bằng Excel, lưu lại "
            "rồi nhập lại); không coi là «không có dữ liệu»",
            sheet.name,
            int(cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ") or 0) or None,
            cell.rstrip("0123456789"),
        )
        for sheet in sheets
        for cell in sheet.uncomputed[:MAX_LISTED]
    ]
    if uncomputed:
        outcome.errors.extend(uncomputed)
        return outcome
    if not any(not is_blank(cell) for sheet in sheets for row in sheet.rows for cell in row):
        outcome.errors.append(Problem("tệp trống, không có dữ liệu nào"))
        return outcome
    ctx = ImportContext(
        session=session,
        settings=settings,
        clock=clock,
        calendar=calendar,
        file_name=name,
        as_of=options.as_of,
        source=source,
        create_units=options.create_units,
        dates_confirmed=options.dates_confirmed,
        complete=(
            options.complete
            if options.complete is not None
            else source in settings.complete_sources
        ),
        progress=progress,
    )
    detected = _detect(sheets, kind, ctx)
    if progress:
        progress("đọc", sum(len(d.header.sheet.rows) for d in detected), None)
    parsed: list[tuple[Detected, list[object]]] = []
    for item in detected:
        records = item.importer.parse(item, ctx)
        parsed.append((item, records))
        outcome.rows += len(item.header.data_rows())
        for row_no, text in sorted(item.header.footnotes.items()):
            ctx.problems.warn(
                f"dòng chú thích dưới bảng («{text[:60]}»), không phải số liệu: bỏ qua",
                item.header.sheet.name,
                row_no,
            )
    if progress:
        progress("kiểm tra", sum(len(r) for _, r in parsed), None)
    if not ctx.problems.errors and not any(records for _, records in parsed):
        ctx.problems.error("tệp không có dòng dữ liệu nào")
    outcome.kinds = sorted({item.importer.kind for item, _ in parsed})
    if ctx.problems.errors:
        outcome.errors = ctx.problems.errors
        outcome.warnings = ctx.problems.warnings
        return outcome
    try:
        import_file = ImportFile(
            file_name=name,
            sha256=digest,
            kind=",".join(outcome.kinds),
            source=source,
            row_count=outcome.rows,
            summary="",
            imported_at=clock.now(),
        )
        session.add(import_file)
        session.flush()
        for item, records in parsed:
            outcome.summary.extend(item.importer.store(records, ctx, import_file))
        if ctx.created_unit_names:
            outcome.summary.append(
                "Đơn vị mới được tạo (--create-units): " + "; ".join(ctx.created_unit_names)
            )
        import_file.summary = json.dumps(
            {
                "summary": outcome.summary,
                "warnings": [w.describe() for w in ctx.problems.warnings],
            },
            ensure_ascii=False,
        )
        session.flush()
        if not ctx.problems.errors and not dry_run:
            outcome.import_id = import_file.id
    except SQLAlchemyError as exc:
        log.exception("storing %s failed", outcome.file_name)
        ctx.problems.error(database_failed(exc))
    outcome.errors = ctx.problems.errors
    outcome.warnings = ctx.problems.warnings
    outcome.ok = not outcome.errors
    if not outcome.ok:
        outcome.summary = []
    return outcome


def _detect(sheets: list[Sheet], kind: str | None, ctx: ImportContext) -> list[Detected]:
    importers = [IMPORTERS[kind]] if kind else list(IMPORTERS.values())
    detected: list[Detected] = []
    skipped: list[str] = []
    for sheet in sheets:
        if not any(any(c is not None for c in row) for row in sheet.rows):
            continue
        found = [d for d in (imp.detect(sheet, ctx) for imp in importers) if d is not None]
        if found:
            detected.append(max(found, key=lambda d: d.score))
        else:
            skipped.append(sheet.name)
    if not detected:
        wanted = f"loại «{kind}»" if kind else "loại dữ liệu nào"
        ctx.problems.error(
            f"không nhận ra tiêu đề cột của {wanted} trong tệp "
            "(xem các mẫu trong thư mục examples/ và README)"
        )
    else:
        for name in skipped:
            ctx.problems.warn("không nhận ra tiêu đề cột, bỏ qua sheet này", name)
    return detected
