"""A scheduled run whose action failed is attempted again, bounded, and its claim row says
what happened; an import is not reported as failed when the alert step after it fails, and
the running bot takes that step again (issue 11)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.alerts import engine
from app.runs import AFTER_IMPORT, after_import
from app.services import Services
from core.clock import FrozenClock
from jobs.runner import catch_up, retry_failed, run_due
from storage.models import Alert, JobRun
from tests.conftest import TZ, do_import, write_csv


class Flaky:
    """``raise_alerts`` failing its first ``failures`` calls (the database locked, say)."""

    def __init__(self, real: Callable[..., Any], failures: int) -> None:
        self.real, self.failures, self.calls = real, failures, 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        if self.calls <= self.failures:
            raise RuntimeError("database is locked")
        return self.real(*args, **kwargs)


def _runs(services: Services, name: str) -> list[JobRun]:
    with services.session_factory() as session:
        runs = list(session.scalars(select(JobRun).filter_by(name=name).order_by(JobRun.id)))
        session.expunge_all()
        return runs


def test_a_failed_run_is_attempted_again_with_a_growing_pause_then_given_up(
    demo: Services, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    flaky = Flaky(engine.raise_alerts, failures=10)
    monkeypatch.setattr("jobs.runner.raise_alerts", flaky)
    clock.current = datetime(2025, 5, 5, 7, 30, tzinfo=TZ)  # Monday: the daily checks are due
    assert "daily_checks" not in run_due(demo)
    (run,) = _runs(demo, "daily_checks")
    assert (run.attempts, run.finished_at) == (1, None)
    assert run.failed_at is not None and run.error == "RuntimeError: database is locked"
    assert run_due(demo) == []  # the occurrence is claimed: the cron path does not repeat it
    assert retry_failed(demo) == []  # the pause (5 minutes) is not over
    pauses = [5, 10, 20]  # [schedules] retry_minutes, doubling; retries = 3
    for attempt, pause in enumerate(pauses, start=2):
        clock.move(timedelta(minutes=pause - 1))
        assert retry_failed(demo) == []
        clock.move(timedelta(minutes=1))
        assert retry_failed(demo) == []  # attempted, failed again
        (run,) = _runs(demo, "daily_checks")
        assert run.attempts == attempt and run.failed_at is not None
    clock.move(timedelta(days=1))
    assert retry_failed(demo) == []
    assert flaky.calls == 4  # the first run and three more attempts, then no more
    (run,) = _runs(demo, "daily_checks")
    assert run.finished_at is None and run.error == "RuntimeError: database is locked"


def test_a_run_that_failed_once_succeeds_on_the_next_attempt(
    demo: Services, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("jobs.runner.raise_alerts", Flaky(engine.raise_alerts, failures=1))
    clock.current = datetime(2025, 5, 5, 7, 30, tzinfo=TZ)
    assert "daily_checks" not in run_due(demo)
    clock.move(timedelta(minutes=5))
    assert "daily_checks" in catch_up(demo)  # what the bot does every minute
    (run,) = _runs(demo, "daily_checks")
    assert (run.attempts, run.failed_at, run.error) == (2, None, None)
    assert run.finished_at is not None
    assert "daily_checks" not in catch_up(demo)


def test_a_run_the_process_died_in_is_attempted_again(demo: Services, clock: FrozenClock) -> None:
    clock.current = datetime(2025, 5, 5, 7, 30, tzinfo=TZ)
    with demo.session_factory.begin() as session:  # claimed, then the process was killed
        session.add(JobRun(name="daily_checks", scheduled_for=clock.now(), started_at=clock.now()))
    assert "daily_checks" not in run_due(demo)
    assert retry_failed(demo) == []
    clock.move(timedelta(hours=2))  # [schedules] interrupted_after_hours
    assert retry_failed(demo) == ["daily_checks"]
    assert _runs(demo, "daily_checks")[0].finished_at is not None


def _alerts(services: Services) -> int:
    with services.session_factory() as session:
        return session.scalar(select(func.count()).select_from(Alert)) or 0


def test_an_import_whose_alert_step_fails_is_stored_and_the_step_runs_again(
    demo: Services, clock: FrozenClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the terminal, the bot and the inbox do after a stored import (``after_import``)."""
    monkeypatch.setattr(engine, "raise_alerts", Flaky(engine.raise_alerts, failures=1))
    clock.current = datetime(2025, 4, 16, 9, tzinfo=TZ)
    rows = [["STT", "ĐƠN VỊ", "ĐIỂM ĐÁNH GIÁ (15/4/2025)"], ["1", "Sở Y tế", "40"]]
    before = _alerts(demo)
    outcome = do_import(demo, write_csv(tmp_path, "y_te.csv", rows))
    assert outcome.ok and outcome.import_id is not None
    assert after_import(demo) is None  # failed: recorded, not raised
    (step,) = _runs(demo, AFTER_IMPORT)
    assert step.failed_at is not None and _alerts(demo) == before
    clock.move(timedelta(minutes=5))
    assert retry_failed(demo) == [AFTER_IMPORT]
    assert _alerts(demo) > before  # the drop of Sở Y tế to 40 points, told after all


def test_two_imports_in_the_same_instant_each_take_their_alert_step(demo: Services) -> None:
    """The frozen clock does not move: the second step must not be taken for the first's."""
    assert after_import(demo) is not None
    assert after_import(demo) is not None
    steps = _runs(demo, AFTER_IMPORT)
    assert len(steps) == 2 and all(step.finished_at is not None for step in steps)
