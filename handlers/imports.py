"""Importing a file as one unit of work: the terminal, a file sent to the bot, the demo and
the tests all import through :func:`import_file`."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from core.config import Config
from core.reply import Reply
from core.textnorm import strip_diacritics
from handlers.services import Services
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
) -> ImportOutcome:
    """Check a file and store all of it or nothing, in one transaction."""
    with services.session_factory() as session:
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
        if outcome.import_id is not None:
            try:
                session.commit()
            except SQLAlchemyError as exc:
                session.rollback()
                log.exception("committing the import of %s failed", outcome.file_name)
                outcome.refuse(database_failed(exc))
            else:
                _refresh_statistics(services)
        return outcome


#: A report longer than this goes as a summary and the whole report as a document (a file
#: of 5,000 errors is one message and one file, not two hundred messages).
REPORT_IN_MESSAGE = 3500
LISTED_IN_SUMMARY = 15


def import_reply(outcome: ImportOutcome) -> Reply:
    """An import's outcome as a chat reply."""
    report = outcome.report()
    if len(report) <= REPORT_IN_MESSAGE:
        return Reply(report)
    stem = re.sub(r"[^0-9A-Za-z_-]+", "_", strip_diacritics(Path(outcome.file_name).stem))
    return Reply(
        outcome.report(listed=LISTED_IN_SUMMARY),
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
