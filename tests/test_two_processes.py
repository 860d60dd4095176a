"""Two real bot processes in webhook mode on one PostgreSQL database: every alert reaches
its chat exactly once, even when a delivery round takes longer than the claim lease."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from app.alerts.rules.source import SourcePayload, source_alert
from bot.app import build_services
from core.config import Config
from storage.alerts import store_alerts
from storage.models import AlertStatus, Delivery
from tests.conftest import EMPTY, PG_URL, Templates, _copy, start_bot
from tests.fake_telegram import FakeTelegram
from tests.test_telegram_e2e import _free_port

TOKEN = "777:two-processes"
CHATS = [-100_000 - n for n in range(30)]
LEASE_SECONDS = 3
SEND_DELAY = 0.3  # 30 chats shared by two processes: a round lasts well beyond the lease

pytestmark = pytest.mark.skipif(not PG_URL, reason="TTHC_TEST_POSTGRES_URL is not set")


@pytest.fixture
def database(templates: Templates, tmp_path: Path) -> Iterator[str]:
    yield from _copy(templates, "postgresql", EMPTY, tmp_path)


def _config(folder: Path, url: str, fake: FakeTelegram, port: int) -> Path:
    path = folder / "config.toml"
    path.write_text(
        f'[database]\nurl = "{url}"\n'
        f'[telegram]\nbase_url = "{fake.base_url}"\nbase_file_url = "{fake.base_file_url}"\n'
        f'[telegram.webhook]\nlisten = "127.0.0.1"\nport = {port}\npath = "hook"\n'
        'url = "https://bot.example.invalid"\n'
        f'[alerts]\nclaim_lease_seconds = {LEASE_SECONDS}\nquiet_hours = ""\n'
        "quiet_weekends = false\n"
        "[schedules]\ndeliver_every_seconds = 1\n",
        encoding="utf-8",
    )
    return path


def _sent(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            stmt = select(func.count()).where(Delivery.status == AlertStatus.SENT.value)
            return int(connection.scalar(stmt) or 0)
    finally:
        engine.dispose()


def test_two_bot_processes_on_one_database_never_send_twice(database: str, tmp_path: Path) -> None:
    services = build_services(Config.model_validate({"database": {"url": database}}))
    try:
        with services.session_factory.begin() as session:
            drafts = [
                source_alert(
                    f"two-processes:{chat}",
                    SourcePayload(kind="inbox", ok=True, subject=f"tep_{-chat}.csv", lines=[]),
                )
                for chat in CHATS
            ]
            for draft, chat in zip(drafts, CHATS, strict=True):
                draft.chats = [chat]
            store_alerts(session, drafts, services.clock.now())
    finally:
        services.close()
    fake = FakeTelegram(TOKEN).start()
    fake.send_delay = SEND_DELAY
    processes = []
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "TTHC_"))}
    env["TELEGRAM_BOT_TOKEN"] = TOKEN
    try:
        for number in (1, 2):
            folder = tmp_path / f"bot{number}"
            folder.mkdir()
            config = _config(folder, database, fake, _free_port())
            processes.append(
                start_bot(folder, {**env, "TTHC_CONFIG": str(config)}, "run", "--webhook")
            )
        fake.wait_until(
            lambda calls: sum(c.method == "sendMessage" for c in calls) >= len(CHATS),
            timeout=120,
        )
        deadline = time.monotonic() + 30
        while _sent(database) < len(CHATS):  # each send is recorded right after it
            assert time.monotonic() < deadline, "the deliveries were not recorded as sent"
            assert all(p.poll() is None for p in processes), "a bot process stopped"
            threading.Event().wait(0.1)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        fake.stop()
    sent = [int(c.params["chat_id"]) for c in fake.calls if c.method == "sendMessage"]
    assert sorted(sent) == sorted(CHATS)  # each chat exactly once
    logs = [(tmp_path / f"bot{n}" / "bot.log").read_text(encoding="utf-8") for n in (1, 2)]
    assert all("Traceback" not in log for log in logs), logs
