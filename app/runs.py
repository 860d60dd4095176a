"""Running one occurrence of a job exactly once, and again after a failure.

Each occurrence (a job's name and the time it was due) is claimed by inserting its
``job_runs`` row, so no two processes run it. When the action fails, the row keeps the
failure and the running bot attempts it again, a bounded number of times with a growing
pause (:func:`jobs.runner.retry_failed`); a run the process died in is attempted again too.
The alert step after an import is such an occurrence: an import that was stored is reported
as stored even when its alerts could not be raised yet.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.exc import IntegrityError

from app.alerts.engine import after_new_data
from app.services import Services
from storage import job_runs
from storage.models import JobRun

log = logging.getLogger(__name__)

T = TypeVar("T")

#: The name of the alert step that follows each import.
AFTER_IMPORT = "after_import"


@dataclass(frozen=True)
class JobSpec:
    """A scheduled job: its name, cron expression, how late a missed run may still happen."""

    name: str
    cron: str
    action: Callable[[Services], object]
    same_day_only: bool = False
    working_days_only: bool = False

    def trigger(self, tz: ZoneInfo) -> CronTrigger:
        return CronTrigger.from_crontab(self.cron, timezone=tz)


def claim(services: Services, name: str, scheduled_for: datetime) -> int | None:
    """The new run's id, or None when this occurrence was claimed already."""
    try:
        with services.session_factory.begin() as session:
            run = JobRun(name=name, scheduled_for=scheduled_for, started_at=services.clock.now())
            session.add(run)
    except IntegrityError:
        return None  # this run already happened (or another process is doing it)
    return run.id


def attempt(
    services: Services, name: str, run_id: int, action: Callable[[Services], T]
) -> T | None:
    """Run a claimed occurrence: its result, or None after recording the failure (logged with
    its traceback; the bot attempts it again later)."""
    started = time.monotonic()
    try:
        result = action(services)
    except Exception as exc:
        log.exception("job %s (run %d) failed; it will be attempted again", name, run_id)
        with services.session_factory.begin() as session:
            job_runs.record_failure(
                session, run_id, services.clock.now(), f"{type(exc).__name__}: {exc}"
            )
        return None
    with services.session_factory.begin() as session:
        job_runs.record_success(session, run_id, services.clock.now())
    log.info("job %s (run %d) done in %.0f ms", name, run_id, (time.monotonic() - started) * 1000)
    return result


def run_once(services: Services, spec: JobSpec, scheduled_for: datetime) -> bool:
    """Run one scheduled occurrence unless it already ran; True when it ran now, and well."""
    run_id = claim(services, spec.name, scheduled_for)
    if run_id is None:
        return False
    log.info("running %s scheduled for %s", spec.name, scheduled_for.isoformat())
    return attempt(services, spec.name, run_id, succeeded(spec.action)) is not None


def succeeded(action: Callable[[Services], object]) -> Callable[[Services], bool]:
    """An action whose success is ``True`` (its own result may be None)."""

    def run(services: Services) -> bool:
        action(services)
        return True

    return run


def after_import(services: Services) -> Any | None:
    """The alert rules and re-checks after an import was stored (``after_new_data``): their
    result, or None when they failed; the failure is recorded and the running bot attempts
    them again, so the import itself still counts as done."""
    # Each import's step is a run of its own: two imports in the same instant (a frozen
    # clock, two processes) take the next free microsecond, never each other's step.
    when = services.clock.now()
    while (run_id := claim(services, AFTER_IMPORT, when)) is None:
        when += timedelta(microseconds=1)
    return attempt(services, AFTER_IMPORT, run_id, after_new_data)
