"""Claims of scheduled runs (``job_runs``): one row per occurrence, failures kept, a failed
or interrupted run claimed again by exactly one process."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from storage.models import JobRun


def record_failure(session: Session, run_id: int, now: datetime, error: str) -> None:
    session.execute(
        update(JobRun).where(JobRun.id == run_id).values(failed_at=now, error=error[:1000])
    )


def record_success(session: Session, run_id: int, now: datetime) -> None:
    session.execute(
        update(JobRun)
        .where(JobRun.id == run_id)
        .values(finished_at=now, failed_at=None, error=None)
    )


def retryable(
    session: Session,
    now: datetime,
    *,
    max_attempts: int,
    first_delay: timedelta,
    interrupted_after: timedelta,
) -> list[JobRun]:
    """Runs to attempt again: failed ones whose pause (``first_delay``, doubling with each
    attempt) is over, and ones started long ago that never finished nor failed (the process
    died during the run), while attempts remain."""
    candidates = session.scalars(
        select(JobRun)
        .where(
            JobRun.finished_at.is_(None),
            JobRun.attempts < max_attempts,
            or_(JobRun.failed_at.is_not(None), JobRun.started_at <= now - interrupted_after),
        )
        .order_by(JobRun.scheduled_for)
    ).all()
    return [
        run
        for run in candidates
        if run.failed_at is None or now - run.failed_at >= first_delay * 2 ** (run.attempts - 1)
    ]


def reclaim(session: Session, run: JobRun, now: datetime) -> bool:
    """Claim a retryable run for one more attempt; False when another process did first."""
    result = session.execute(
        update(JobRun)
        .where(JobRun.id == run.id, JobRun.attempts == run.attempts, JobRun.finished_at.is_(None))
        .values(attempts=run.attempts + 1, started_at=now, failed_at=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0) == 1  # type: ignore[attr-defined]


def last_runs(session: Session) -> list[JobRun]:
    """The newest run of each job, by name."""
    newest = (
        select(JobRun.name, func.max(JobRun.scheduled_for).label("scheduled_for"))
        .group_by(JobRun.name)
        .subquery()
    )
    return list(
        session.scalars(
            select(JobRun)
            .join(
                newest,
                (JobRun.name == newest.c.name) & (JobRun.scheduled_for == newest.c.scheduled_for),
            )
            .order_by(JobRun.name)
        )
    )
