"""The JobQueue: cron jobs from config.toml and the delivery loop, with deterministic names
(replaced, never duplicated), and the runs missed while the bot was down."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.ext import Application

from app.alerts.engine import extend_to_new_recipients
from bot.telegram.alerts import deliver_job
from bot.telegram.context import SERVICES_KEY, BotContext
from bot.telegram.notices import NOTICE_EVERY, error_notice_job
from jobs import runner
from jobs.runner import job_specs, run_due

log = logging.getLogger(__name__)

DELIVER_JOB = "deliver"
WELCOME_JOB = "welcome"
CATCH_UP_JOB = "catch_up"
NOTICE_JOB = "error_notice"
#: How often runs missed by a stalled process, and failed runs, are looked for (seconds).
CATCH_UP_EVERY = 60
#: How often open alerts are extended to people who joined a unit since (seconds).
WELCOME_EVERY = 60


def _scheduled(name: str) -> Callable[[BotContext], Coroutine[Any, Any, None]]:
    async def callback(context: BotContext) -> None:
        await asyncio.to_thread(run_due, context.services, {name})

    callback.__name__ = f"scheduled_{name}"
    return callback


def schedule_jobs(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Register every job once under its name (an old job of that name is removed)."""
    services = application.bot_data[SERVICES_KEY]
    if services.demo:
        log.warning("running on the demo database: no schedules, no alert delivery")
        return
    job_queue = application.job_queue
    assert job_queue is not None, "python-telegram-bot[job-queue] is required"
    for spec in job_specs(services):
        for old in job_queue.get_jobs_by_name(spec.name):
            old.schedule_removal()
        job_queue.run_custom(
            _scheduled(spec.name),
            job_kwargs={
                "trigger": spec.trigger(services.config.tz),
                # A run the scheduler could not start on time (the process stalled) still
                # starts late, once; the claim and run_due's grace decide whether it runs.
                # (None would mean "however late": grace_hours = 0 keeps APScheduler's 1 s)
                "misfire_grace_time": max(1, services.config.schedules.grace_hours * 3600),
                "coalesce": True,
            },
            name=spec.name,
        )
    for old in job_queue.get_jobs_by_name(DELIVER_JOB):
        old.schedule_removal()
    job_queue.run_repeating(
        deliver_job,
        interval=services.config.schedules.deliver_every_seconds,
        first=0,  # what waited while the bot was down goes out as soon as it is back
        name=DELIVER_JOB,
    )
    for old in job_queue.get_jobs_by_name(WELCOME_JOB):
        old.schedule_removal()
    job_queue.run_repeating(welcome_job, interval=WELCOME_EVERY, first=2, name=WELCOME_JOB)
    for old in job_queue.get_jobs_by_name(CATCH_UP_JOB):
        old.schedule_removal()
    job_queue.run_repeating(
        catch_up_job, interval=CATCH_UP_EVERY, first=CATCH_UP_EVERY, name=CATCH_UP_JOB
    )
    for old in job_queue.get_jobs_by_name(NOTICE_JOB):
        old.schedule_removal()
    job_queue.run_repeating(error_notice_job, interval=NOTICE_EVERY, first=5, name=NOTICE_JOB)


async def catch_up_job(context: BotContext) -> None:
    """Runs missed while the process stalled, and failed runs due again, without a restart."""
    ran = await asyncio.to_thread(runner.catch_up, context.services)
    if ran:
        log.info("caught up: %s", ", ".join(ran))


async def welcome_job(context: BotContext) -> None:
    """Open alerts still relevant reach whoever joined their unit since they were raised."""
    added = await asyncio.to_thread(extend_to_new_recipients, context.services)
    if added:
        log.info("open alerts extended to %d new recipients", added)


async def catch_up(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """The runs missed while the bot was down, once each (within their grace)."""
    services = application.bot_data[SERVICES_KEY]
    if services.demo:
        return
    ran = await asyncio.to_thread(runner.catch_up, services)
    if ran:
        log.info("caught up on missed runs: %s", ", ".join(ran))
