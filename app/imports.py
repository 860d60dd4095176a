"""Importing a file: one unit of work, then the alert step.

:func:`import_file` checks a file and stores all of it or nothing (the demo and the tests
import through it); :func:`import_and_alert` is what the terminal, a file sent to the bot
and the inbox do: the import, then, when something was stored, the alert rules on the new
data (a run of its own, attempted again by the running bot when it fails).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from app.runs import after_import
from app.services import Services
from core.config import Config
from core.reply import Reply
from core.textnorm import strip_diacritics
from storage import db
from storage.importers import (
    DEFAULT_OPTIONS,
    ImportOptions,
    ImportOutcome,
    ImportSettings,
    Progress,
    run_import,
)
from storage.importers.reader import ReadLimits
from storage.importers.service import database_failed

log = logging.getLogger(__name__)


def import_settings(config: Config) -> ImportSettings:
    """The part of the configuration importers read."""
    return ImportSettings(
        score_source=config.imports.score_source,
        count_source=config.imports.count_source,
        progress_every=config.imports.progress_every,
        far_days=config.imports.far_days,
        complete_sources=tuple(config.imports.complete_sources),
        read_limits=read_limits(config),
        province=config.office.province,
        working_days_before_effect=config.publication.working_days_before_effect,
    )


def read_limits(config: Config) -> ReadLimits:
    """How much reading one file may take, from ``[import]``."""
    imports = config.imports
    return ReadLimits(
        max_file_mb=imports.max_file_mb,
        max_uncompressed_mb=imports.max_uncompressed_mb,
        max_rows=imports.max_rows,
        max_columns=imports.max_columns,
        seconds=imports.read_seconds,
        memory_mb=imports.read_memory_mb,
    )


def import_file(
    services: Services,
    path: Path,
    options: ImportOptions = DEFAULT_OPTIONS,
    *,
    progress: Progress | None = None,
    data: bytes | None = None,
    file_name: str | None = None,
    session: Session | None = None,
) -> ImportOutcome:
    """Check a file and store all of it or nothing, in one transaction: in ``session`` (the
    caller's unit of work, committed or rolled back here) or in one of its own."""
    if session is None:
        with services.session_factory() as own:
            return _import_in(services, own, path, options, progress, data, file_name)
    return _import_in(services, session, path, options, progress, data, file_name)


def _import_in(
    services: Services,
    session: Session,
    path: Path,
    options: ImportOptions,
    progress: Progress | None,
    data: bytes | None,
    file_name: str | None,
) -> ImportOutcome:
    outcome = run_import(
        session,
        import_settings(services.config),
        services.clock,
        services.calendar,
        path,
        options,
        progress=progress,
        data=data,
        file_name=file_name,
    )
    if outcome.duplicate_of is not None:
        pass  # imported before: nothing was written, the earlier import is reported
    elif outcome.import_id is None:
        session.rollback()  # an error or a dry run: nothing of the file remains
    else:
        try:
            session.commit()
        except SQLAlchemyError as exc:
            session.rollback()
            log.exception("committing the import of %s failed", outcome.file_name)
            outcome.refuse(database_failed(exc))
        else:
            _refresh_statistics(services)
    return outcome


@dataclass(frozen=True)
class AlertStep:
    """What the alert step after a stored import did; ``ran`` False: it failed (logged and
    recorded), and the running bot attempts it again."""

    ran: bool
    created: int = 0
    withdrawn: int = 0
    corrections: int = 0

    def lines(self) -> list[str]:
        if not self.ran:
            return [
                "Số liệu đã lưu, nhưng bước tạo cảnh báo bị lỗi (xem nhật ký); bot đang chạy "
                "sẽ tự chạy lại bước này."
            ]
        lines = []
        if self.created:
            lines.append(f"{self.created} cảnh báo mới được xếp hàng; bot đang chạy sẽ gửi đi.")
        if self.withdrawn:
            lines.append(f"{self.withdrawn} tin cảnh báo chưa gửi được rút lại vì số liệu đã sửa.")
        if self.corrections:
            lines.append(f"{self.corrections} tin đính chính được xếp hàng cho cảnh báo đã gửi.")
        return lines


def alert_step(services: Services) -> AlertStep:
    """The alert rules and re-checks on newly stored data (see :func:`app.runs.after_import`)."""
    followed = after_import(services)
    if followed is None:
        return AlertStep(ran=False)
    created, recheck = followed
    return AlertStep(True, len(created), recheck.withdrawn, len(recheck.corrections))


def import_and_alert(
    services: Services,
    path: Path,
    options: ImportOptions = DEFAULT_OPTIONS,
    *,
    progress: Progress | None = None,
    data: bytes | None = None,
    file_name: str | None = None,
    session: Session | None = None,
) -> tuple[ImportOutcome, AlertStep | None]:
    """Import a file (in ``session`` when the caller gives its unit of work), then raise the
    alerts its data calls for, as a run of its own; the step is None when nothing was
    stored (an error, a dry run, a file imported before)."""
    outcome = import_file(
        services, path, options, progress=progress, data=data, file_name=file_name, session=session
    )
    if not outcome.ok or outcome.import_id is None:
        return outcome, None
    return outcome, alert_step(services)


#: A report longer than this goes as a summary and the whole report as a document (a file
#: of 5,000 errors is one message and one file, not two hundred messages).
REPORT_IN_MESSAGE = 3500
LISTED_IN_SUMMARY = 15


def import_reply(outcome: ImportOutcome, step: AlertStep | None = None) -> Reply:
    """An import's outcome (and what its alert step did) as a chat reply."""
    after = step.lines() if step is not None else []
    report = "\n".join([outcome.report(), *after])
    if len(report) <= REPORT_IN_MESSAGE:
        return Reply(report)
    stem = re.sub(r"[^0-9A-Za-z_-]+", "_", strip_diacritics(Path(outcome.file_name).stem))
    return Reply(
        "\n".join([outcome.report(listed=LISTED_IN_SUMMARY), *after]),
        document=(report + "\n").encode("utf-8"),
        document_name=f"bao_cao_nhap_{stem.strip('_') or 'tep'}.txt",
    )


def _refresh_statistics(services: Services) -> None:
    """Statistics after an import changed the tables' sizes; the import is stored already, so
    a failure here is only logged."""
    try:
        db.refresh_statistics(services.engine)
    except SQLAlchemyError:
        log.exception("refreshing the planner's statistics failed")
