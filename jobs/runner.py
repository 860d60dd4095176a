"""Cron schedules from config.toml, claimed runs, catching up after downtime or a stall, and
attempting failed runs again."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from apscheduler.triggers.cron import CronTrigger

from app.alerts.base import When
from app.alerts.engine import after_new_data, raise_alerts
from app.alerts.registry import rules_for
from app.inbox import scan_inbox
from app.portal_sync import sync_latest
from app.runs import AFTER_IMPORT, JobSpec, attempt, run_once, succeeded
from app.services import Services
from storage import job_runs

__all__ = ["JobSpec", "catch_up", "job_specs", "retry_failed", "run_due", "run_once"]

log = logging.getLogger(__name__)


def job_specs(services: Services) -> list[JobSpec]:
    schedules = services.config.schedules
    return [
        JobSpec(
            "weekly_summary",
            schedules.weekly_summary,
            _raising(When.WEEKLY),
            same_day_only=True,
        ),
        JobSpec(
            "daily_checks", schedules.daily_checks, _raising(When.DAILY), working_days_only=True
        ),
        JobSpec("stale_check", schedules.stale_check, _raising(When.STALE)),
        JobSpec("escalation", schedules.escalation, _raising(When.ESCALATION)),
        JobSpec("dvcqg_sync", schedules.dvcqg_sync, sync_latest),
        JobSpec("inbox", schedules.inbox, scan_inbox),
    ]


def _raising(when: When) -> Callable[[Services], object]:
    """A job action that runs the rules of one occasion."""
    rules = rules_for(when)
    return lambda services: raise_alerts(services, rules)


def last_fire_time(trigger: CronTrigger, now: datetime) -> datetime | None:
    """The newest time at or before ``now`` the trigger fired (looking back eight days)."""
    fire = trigger.get_next_fire_time(None, now - timedelta(days=8))
    last = None
    while fire is not None and fire <= now:
        last = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    return last


def within_grace(services: Services, spec: JobSpec, scheduled_for: datetime, now: datetime) -> bool:
    if spec.same_day_only:
        tz = services.config.tz
        return scheduled_for.astimezone(tz).date() == now.astimezone(tz).date()
    return now - scheduled_for <= timedelta(hours=services.config.schedules.grace_hours)


def run_due(services: Services, names: set[str] | None = None) -> list[str]:
    """Run each job whose latest occurrence has not run yet and is within its grace.

    Called by the scheduler at each cron time and once at start (catching up).
    """
    now = services.clock.now()
    ran = []
    for spec in job_specs(services):
        if names is not None and spec.name not in names:
            continue
        scheduled = last_fire_time(spec.trigger(services.config.tz), now)
        if scheduled is None or not within_grace(services, spec, scheduled, now):
            continue
        local_day = scheduled.astimezone(services.config.tz).date()
        if spec.working_days_only and not services.calendar.is_working_day(local_day):
            continue  # a public holiday on a weekday: no deadline or overdue check
        if run_once(services, spec, scheduled):
            ran.append(spec.name)
    return ran


def retry_failed(services: Services) -> list[str]:
    """Attempt again each run whose action failed (after a pause growing with each attempt)
    or that a dead process left unfinished, while attempts remain ([schedules] retries);
    each claimed by one process only. The names of those that now succeeded."""
    schedules = services.config.schedules
    actions: dict[str, Callable[[Services], object]] = {
        spec.name: spec.action for spec in job_specs(services)
    }
    actions[AFTER_IMPORT] = after_new_data
    now = services.clock.now()
    with services.session_factory() as session:
        runs = job_runs.retryable(
            session,
            now,
            max_attempts=schedules.retries + 1,
            first_delay=timedelta(minutes=schedules.retry_minutes),
            interrupted_after=timedelta(hours=schedules.interrupted_after_hours),
        )
        session.expunge_all()
    done = []
    for run in runs:
        action = actions.get(run.name)
        if action is None:
            continue  # a job no longer configured
        with services.session_factory.begin() as session:
            if not job_runs.reclaim(session, run, now):
                continue
        log.info("attempting %s (run %d) again, attempt %d", run.name, run.id, run.attempts + 1)
        if attempt(services, run.name, run.id, succeeded(action)) is not None:
            done.append(run.name)
    return done


def catch_up(services: Services) -> list[str]:
    """What the bot does every minute: runs missed (the process was down or stalled past a
    cron time) within their grace, then failed runs due for another attempt."""
    return run_due(services) + retry_failed(services)
