"""Cron schedules from config.toml, claimed runs, and catching up after downtime."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.exc import IntegrityError

from handlers.services import Services
from jobs.alerts.base import When
from jobs.alerts.engine import raise_alerts
from jobs.alerts.registry import rules_for
from jobs.inbox import scan_inbox
from jobs.sources.dvcqg import sync_latest
from storage.models import JobRun

log = logging.getLogger(__name__)


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


def _claim(services: Services, name: str, scheduled_for: datetime) -> int | None:
    try:
        with services.session_factory.begin() as session:
            run = JobRun(name=name, scheduled_for=scheduled_for, started_at=services.clock.now())
            session.add(run)
    except IntegrityError:
        return None  # this run already happened (or another process is doing it)
    return run.id


def _finish(services: Services, run_id: int) -> None:
    with services.session_factory.begin() as session:
        run = session.get(JobRun, run_id)
        if run is not None:
            run.finished_at = services.clock.now()


def run_once(services: Services, spec: JobSpec, scheduled_for: datetime) -> bool:
    """Run one scheduled occurrence unless it already ran; True when it ran now."""
    run_id = _claim(services, spec.name, scheduled_for)
    if run_id is None:
        return False
    log.info("running %s scheduled for %s", spec.name, scheduled_for.isoformat())
    spec.action(services)
    _finish(services, run_id)
    return True


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
