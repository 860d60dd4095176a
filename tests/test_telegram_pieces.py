"""Pieces of the Telegram transport that need no network."""

import logging
from pathlib import Path

import pytest

from bot.telegram.redaction import RedactToken
from bot.telegram.replies import keyboard, split_text
from core.config import ConfigError, read_token
from core.reply import Button, Reply


def test_long_text_is_split_on_line_boundaries() -> None:
    lines = [f"dòng {n:04d} " + "x" * 90 for n in range(100)]
    chunks = split_text("\n".join(lines))
    assert len(chunks) == 3
    assert all(len(c) <= 4096 for c in chunks)
    assert "\n".join(chunks).splitlines() == lines


def test_a_single_overlong_line_is_cut_hard() -> None:
    chunks = split_text("a" * 5000)
    assert [len(c) for c in chunks] == [4096, 904]


def test_buttons_over_telegrams_64_byte_limit_are_left_out() -> None:
    reply = Reply("x", buttons=[[Button("ok", "/unit #1"), Button("too long", "/" + "u" * 70)]])
    markup = keyboard(reply)
    assert markup is not None
    assert [b.callback_data for row in markup.inline_keyboard for b in row] == ["/unit #1"]


def test_the_token_comes_from_the_environment_or_a_file(tmp_path: Path) -> None:
    token = read_token({"TELEGRAM_BOT_TOKEN": " 1:abc \n"})
    assert token is not None and token.get_secret_value() == "1:abc"
    assert "1:abc" not in repr(token) and "1:abc" not in str(token)
    secret = tmp_path / "token"
    secret.write_text("2:def\n", encoding="utf-8")
    from_file = read_token({"TELEGRAM_BOT_TOKEN_FILE": str(secret)})
    assert from_file is not None and from_file.get_secret_value() == "2:def"
    assert read_token({}) is None
    with pytest.raises(ConfigError):
        read_token({"TELEGRAM_BOT_TOKEN_FILE": str(tmp_path / "missing")})


def test_log_records_never_carry_the_token() -> None:
    record = logging.LogRecord(
        "httpx",
        logging.INFO,
        __file__,
        1,
        'HTTP Request: POST %s "200 OK"',
        ("https://api.telegram.org/bot1:SECRET/getUpdates",),
        None,
    )
    RedactToken("1:SECRET").filter(record)
    assert "SECRET" not in record.getMessage()
    assert "bot<token>/getUpdates" in record.getMessage()


def test_cron_jobs_start_late_after_a_stall_and_a_catch_up_job_runs_every_minute(
    services: object,
) -> None:
    """APScheduler skips a run more than a second late unless told otherwise: the grace is
    set on purpose, and a minutely job catches up and retries what is still owed."""
    from app.services import Services
    from bot.telegram.application import build_application
    from bot.telegram.schedules import CATCH_UP_EVERY, CATCH_UP_JOB, schedule_jobs

    assert isinstance(services, Services)
    application = build_application(services, "123:TOKEN")
    schedule_jobs(application)
    job_queue = application.job_queue
    assert job_queue is not None
    (daily,) = job_queue.get_jobs_by_name("daily_checks")
    assert daily.job.misfire_grace_time == services.config.schedules.grace_hours * 3600
    assert daily.job.coalesce is True
    (catch_up,) = job_queue.get_jobs_by_name(CATCH_UP_JOB)
    assert catch_up.job.trigger.interval.total_seconds() == CATCH_UP_EVERY
