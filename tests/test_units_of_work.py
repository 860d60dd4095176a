"""One unit of work per Telegram update: who is asking is read in the transaction the answer
is committed in (the bot's Application in this process, against the fake Bot API server)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, select

from app.services import Services
from bot.app import build_services
from core.config import Config
from storage import people
from storage.alerts import chat_blocked, settings_row
from storage.models import Person, Role, Unit
from tests.fake_telegram import FakeTelegram
from tests.inprocess import InProcessBot

TOKEN = "5151:units-of-work"
ADMIN, FOCAL, BLOCKED, STRANGER = 11, 12, 13, 14
GROUP, UNREGISTERED = -21, -22


class Running:
    def __init__(self, services: Services, fake: FakeTelegram, log: Path) -> None:
        self.services, self.fake, self.log = services, fake, log
        self.begins = 0
        event.listen(services.engine, "begin", self._begin)

    def _begin(self, _connection: object) -> None:
        self.begins += 1

    def transactions(self, send: object) -> int:
        """The transactions the update that ``send`` posts opened, once it is handled."""
        before = self.begins
        update_id = send() if callable(send) else send
        pattern = re.compile(rf"update {update_id} (handled|ignored)")
        deadline = time.monotonic() + 30
        while not pattern.search(self.log.read_text(encoding="utf-8")):
            assert time.monotonic() < deadline, f"update {update_id} was not handled"
            time.sleep(0.02)
        return self.begins - before


@pytest.fixture
def running(demo: Services, tmp_path: Path) -> Iterator[Running]:
    fake = FakeTelegram(TOKEN).start()
    config = Config.model_validate(
        {
            "database": {"url": demo.config.database.url},
            "telegram": {
                "base_url": fake.base_url,
                "base_file_url": fake.base_file_url,
                "poll_timeout": 1,
            },
        }
    )
    services = build_services(config, demo.clock)
    now = demo.clock.now()
    with services.session_factory.begin() as session:
        phu_rieng = session.scalars(select(Unit).filter_by(name="UBND huyện Phú Riềng")).one()
        people.save_person(session, ADMIN, Role.ADMIN, None, now)
        people.save_person(session, FOCAL, Role.FOCAL, phu_rieng.id, now)
        people.save_person(session, BLOCKED, Role.LEADER, None, now)
        people.register_chat(session, GROUP, "Nhóm Phú Riềng", phu_rieng.id, now)
        settings_row(session, BLOCKED).blocked_at = now
    try:
        with InProcessBot(services, TOKEN, tmp_path / "bot.log", jobs=False, level=20):
            yield Running(services, fake, tmp_path / "bot.log")
    finally:
        services.close()
        fake.stop()


def test_each_update_is_one_transaction(running: Running) -> None:
    fake = running.fake
    assert running.transactions(lambda: fake.message(ADMIN, "/rank")) == 1
    assert running.transactions(lambda: fake.message(FOCAL, "/unit Phú Riềng")) == 1
    assert running.transactions(lambda: fake.message(FOCAL, "/overdue")) == 1
    assert running.transactions(lambda: fake.message(STRANGER, "/rank")) == 1
    message = {"message_id": 1, "date": 0, "chat": {"id": ADMIN, "type": "private"}, "text": "x"}
    assert running.transactions(lambda: fake.press(ADMIN, message, "/rank y")) == 1
    group = {"chat_id": GROUP, "chat_type": "group", "title": "Nhóm Phú Riềng"}
    assert running.transactions(lambda: fake.message(7, "xin chào cả nhóm", **group)) == 1
    assert running.transactions(lambda: fake.message(7, "/overdue", **group)) == 1
    elsewhere = {"chat_id": UNREGISTERED, "chat_type": "group", "title": "Lạ"}
    assert running.transactions(lambda: fake.message(7, "/rank", **elsewhere)) == 1
    # A write and what follows from it in the same transaction: access, and the open
    # alerts of the unit queued for the newcomer.
    assert running.transactions(lambda: fake.message(ADMIN, "/grant 99 focal Phú Riềng")) == 1
    with running.services.session_factory() as session:
        granted = session.scalars(select(Person).filter_by(telegram_id=99)).one()
        assert granted.role == Role.FOCAL.value


def test_a_chat_that_had_blocked_the_bot_is_reachable_once_it_writes(running: Running) -> None:
    # The answer, then the chat marked reachable: a failed answer never loses that.
    assert running.transactions(lambda: running.fake.message(BLOCKED, "/help")) == 2
    with running.services.session_factory() as session:
        assert not chat_blocked(session, BLOCKED)
    assert running.transactions(lambda: running.fake.message(BLOCKED, "/help")) == 1
