"""Delivery against the fake Bot API server: exactly once, retries, blocked and migrated
chats, restarts in the middle of a batch, quiet hours, mute, and the weekly summary job."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.engine import make_url
from telegram import Bot
from telegram.request import HTTPXRequest

from app.alerts.delivery import DeliveryReport, deliver_pending
from bot.app import Services, build_services
from bot.telegram.alerts import TelegramTransport
from handlers.access import Asker
from handlers.router import answer
from jobs.runner import run_due
from storage import alerts as queue
from storage import people
from storage.alerts import AlertDraft, Audience, store_alerts
from storage.models import AlertStatus, Chat, Delivery, Role, Unit
from tests.conftest import TZ, chat_alerts, run_cli
from tests.fake_telegram import Call, Failure, FakeTelegram

TOKEN = "42:delivery-test"
FOCAL, LEADER, GROUP = 501, 502, -900


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    server = FakeTelegram(TOKEN).start()
    yield server
    server.stop()


@pytest.fixture
def setup(demo: Services) -> Services:
    with demo.session_factory() as session:
        phu = session.scalars(select(Unit.id).filter_by(name="UBND huyện Phú Riềng")).one()
        people.save_person(session, FOCAL, Role.FOCAL, phu, demo.clock.now())
        people.save_person(session, LEADER, Role.LEADER, None, demo.clock.now())
        people.register_chat(session, GROUP, "Phú Riềng", phu, demo.clock.now())
        session.commit()
    return demo


def unit_alerts(services: Services, count: int = 2, urgent: bool = False) -> None:
    with services.session_factory() as session:
        phu = session.scalars(select(Unit.id).filter_by(name="UBND huyện Phú Riềng")).one()
        drafts = [
            AlertDraft(
                identity=f"overdue:T{n}",
                rule="overdue",
                audience=Audience.UNIT,
                unit_id=phu,
                urgent=urgent,
                payload={
                    "unit": "UBND huyện Phú Riềng",
                    "code": f"T{n}",
                    "procedure": "Cấp phép",
                    "due": "2025-04-09T17:00:00",
                },
            )
            for n in range(count)
        ]
        store_alerts(session, drafts, services.clock.now())
        session.commit()


def send(services: Services, fake: FakeTelegram) -> DeliveryReport:
    async def go() -> DeliveryReport:
        request = HTTPXRequest(read_timeout=0.5, connect_timeout=2)
        bot = Bot(TOKEN, base_url=fake.base_url, request=request)
        async with bot:
            return await deliver_pending(services, TelegramTransport(bot))

    return asyncio.run(go())


def messages(fake: FakeTelegram, chat_id: int) -> list[Call]:
    return [c for c in fake.sent_to(chat_id) if c.method == "sendMessage"]


def silent(call: Call) -> bool:
    return str(call.params.get("disable_notification")).lower() == "true"


def statuses(services: Services) -> dict[str, int]:
    with services.session_factory() as session:
        rows = session.execute(select(Delivery.status, func.count()).group_by(Delivery.status))
        return {status: n for status, n in rows}


def test_an_alert_another_process_stored_meanwhile_is_skipped_with_its_deliveries(
    setup: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    unit_alerts(setup, 2)  # T0, T1 stored (by "the other process")
    before = statuses(setup)
    # This process looked up the stored identities before the other one committed.
    monkeypatch.setattr(queue, "known_identities", lambda _session, _identities: set())
    unit_alerts(setup, 3)  # T0, T1 again and a new T2: one statement, no error
    with setup.session_factory() as session:
        stored = session.scalars(select(queue.Alert.identity).order_by(queue.Alert.id)).all()
        assert stored == ["overdue:T0", "overdue:T1", "overdue:T2"]
    after = statuses(setup)
    assert after[AlertStatus.PENDING.value] == before[AlertStatus.PENDING.value] * 3 // 2


def test_each_recipient_gets_one_message_grouping_everything_new_exactly_once(
    setup: Services, fake: FakeTelegram
) -> None:
    unit_alerts(setup, 3)
    report = send(setup, fake)
    assert report.sent == 2  # the focal point and the unit's group; not the leader
    (message,) = messages(fake, FOCAL)
    assert "UBND huyện Phú Riềng: 3 hồ sơ mới quá hạn" in message.params["text"]
    assert json.loads(message.params["reply_markup"])["inline_keyboard"][0][0]["text"] == "Đã nhận"
    assert len(messages(fake, GROUP)) == 1 and messages(fake, LEADER) == []
    unit_alerts(setup, 3)  # the same identities again: nothing new
    assert send(setup, fake).sent == 0
    assert statuses(setup) == {"sent": 6}


def test_429_waits_the_retry_after_it_gives(setup: Services, fake: FakeTelegram) -> None:
    unit_alerts(setup)
    fake.fail(Failure("sendMessage", 429, "Too Many Requests: retry after 7", {"retry_after": 7}))
    report = send(setup, fake)
    assert report.retried == 1 and report.sent == 0  # the round stops: a flood wait is global
    with setup.session_factory() as session:
        due = set(session.scalars(select(Delivery.next_attempt_at)))
    assert due == {setup.clock.now() + timedelta(seconds=7)}
    assert send(setup, fake).sent == 0
    setup.clock.move(timedelta(seconds=7))  # type: ignore[attr-defined]
    assert send(setup, fake).sent == 2
    assert statuses(setup) == {"sent": 4}


@pytest.mark.parametrize(
    "failure",
    [
        Failure("sendMessage", 500),
        Failure("sendMessage", 502, "Bad Gateway"),
        Failure("sendMessage", 200, delay=1.5),
    ],
    ids=["500", "502", "timeout"],
)
def test_server_errors_and_timeouts_retry_with_backoff(
    setup: Services, fake: FakeTelegram, failure: Failure
) -> None:
    unit_alerts(setup)
    fake.fail(
        Failure(
            failure.method, failure.status, failure.description, chat_id=FOCAL, delay=failure.delay
        )
    )
    report = send(setup, fake)
    assert report.retried == 1 and report.sent == 1
    setup.clock.move(timedelta(seconds=15))  # type: ignore[attr-defined]
    assert send(setup, fake).sent == 1
    assert len(messages(fake, FOCAL)) == 1  # the failed attempt never reached the chat
    assert statuses(setup) == {"sent": 4}


def test_a_chat_that_blocked_the_bot_is_no_longer_tried(
    setup: Services, fake: FakeTelegram
) -> None:
    unit_alerts(setup, 1)
    fake.fail(Failure("sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=FOCAL))
    report = send(setup, fake)
    assert report.blocked == [FOCAL] and report.sent == 1
    with setup.session_factory() as session:
        assert FOCAL not in queue.recipients(
            session,
            Audience.UNIT,
            session.scalars(select(Unit.id).filter_by(name="UBND huyện Phú Riềng")).one(),
        )
    before = len(fake.calls)
    with setup.session_factory() as session:
        store_alerts(
            session,
            [
                AlertDraft(
                    "x:1",
                    "overdue",
                    Audience.UNIT,
                    {"unit": "U", "code": "Z", "procedure": "", "due": None},
                    unit_id=session.scalars(
                        select(Unit.id).filter_by(name="UBND huyện Phú Riềng")
                    ).one(),
                )
            ],
            setup.clock.now(),
        )
        session.commit()
    send(setup, fake)
    assert [c for c in fake.calls[before:] if str(c.params.get("chat_id")) == str(FOCAL)] == []


def test_a_group_upgraded_to_a_supergroup_continues_under_its_new_id(
    setup: Services, fake: FakeTelegram
) -> None:
    unit_alerts(setup, 1)
    fake.fail(
        Failure(
            "sendMessage",
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
            {"migrate_to_chat_id": -100900},
            chat_id=GROUP,
        )
    )
    report = send(setup, fake)
    assert report.migrated == [(GROUP, -100900)]
    assert send(setup, fake).sent == 1
    assert len(messages(fake, -100900)) == 1
    with setup.session_factory() as session:
        assert session.scalars(select(Chat.chat_id)).all() == [-100900]


def test_a_restart_in_the_middle_of_a_batch_loses_nothing_and_repeats_nothing(
    setup: Services, fake: FakeTelegram
) -> None:
    unit_alerts(setup, 2)
    with setup.session_factory.begin() as session:  # a sender claimed, then the process died
        claimed = queue.claim(session, FOCAL, "dead-worker", setup.clock.now(), False)
    assert len(claimed) == 2
    assert send(setup, fake).sent == 1  # the group; the focal point's batch is held
    assert messages(fake, FOCAL) == []
    setup.clock.move(timedelta(seconds=301))  # type: ignore[attr-defined]
    assert send(setup, fake).sent == 1
    assert len(messages(fake, FOCAL)) == 1
    assert send(setup, fake).sent == 0
    assert statuses(setup) == {"sent": 4}


def test_two_processes_never_send_the_same_delivery(setup: Services, fake: FakeTelegram) -> None:
    unit_alerts(setup, 4)
    other = build_services(setup.config, setup.clock)

    async def both() -> list[DeliveryReport]:
        bots = [Bot(TOKEN, base_url=fake.base_url) for _ in range(2)]
        async with bots[0], bots[1]:
            return await asyncio.gather(
                deliver_pending(setup, TelegramTransport(bots[0])),
                deliver_pending(other, TelegramTransport(bots[1])),
            )

    try:
        reports = asyncio.run(both())
    finally:
        other.close()
    assert sum(r.sent for r in reports) == 2
    assert len(messages(fake, FOCAL)) == 1 and len(messages(fake, GROUP)) == 1


def test_quiet_hours_hold_non_urgent_alerts_until_the_working_window(
    setup: Services, fake: FakeTelegram
) -> None:
    clock = setup.clock
    clock.current = datetime(2025, 4, 10, 22, 0, tzinfo=TZ)  # type: ignore[attr-defined]
    unit_alerts(setup, 1)
    assert send(setup, fake).sent == 0
    clock.current = datetime(2025, 4, 11, 6, 59, tzinfo=TZ)  # type: ignore[attr-defined]
    assert send(setup, fake).sent == 0
    clock.current = datetime(2025, 4, 11, 7, 5, tzinfo=TZ)  # type: ignore[attr-defined]
    assert send(setup, fake).sent == 2
    (message,) = messages(fake, FOCAL)
    assert silent(message)  # the edge of the window


def test_weekends_wait_for_the_next_working_day_but_urgent_alerts_go_silently(
    setup: Services, fake: FakeTelegram
) -> None:
    setup.clock.current = datetime(2025, 4, 12, 10, 0, tzinfo=TZ)  # type: ignore[attr-defined]
    unit_alerts(setup, 1)
    with setup.session_factory() as session:
        phu = session.scalars(select(Unit.id).filter_by(name="UBND huyện Phú Riềng")).one()
        store_alerts(
            session,
            [
                AlertDraft(
                    "deadline:9:0",
                    "deadline",
                    Audience.UNIT,
                    {
                        "unit": "UBND huyện Phú Riềng",
                        "task": "9/QĐ",
                        "decision": "",
                        "deadline": "2025-04-12",
                        "left": 0,
                        "stage": "0",
                    },
                    unit_id=phu,
                    urgent=True,
                )
            ],
            setup.clock.now(),
        )
        session.commit()
    assert send(setup, fake).sent == 2
    (message,) = messages(fake, FOCAL)
    assert "9/QĐ" in message.params["text"] and "T0" not in message.params["text"]
    assert silent(message)
    setup.clock.current = datetime(2025, 4, 14, 9, 0, tzinfo=TZ)  # type: ignore[attr-defined]
    assert send(setup, fake).sent == 2
    assert "T0" in messages(fake, FOCAL)[-1].params["text"]
    assert not silent(messages(fake, FOCAL)[-1])


def test_quiet_hours_can_be_turned_off_and_a_chat_muted(
    setup: Services, fake: FakeTelegram
) -> None:
    focal = Asker(Role.FOCAL.value, None, FOCAL, FOCAL)
    setup.clock.current = datetime(2025, 4, 10, 23, 0, tzinfo=TZ)  # type: ignore[attr-defined]
    assert "tắt" in answer(setup, "/settings quiet off", focal).text
    assert "Đã tắt tiếng đến 01:00" in answer(setup, "/mute 2h", focal).text
    unit_alerts(setup, 1)
    assert send(setup, fake).sent == 0  # the group keeps quiet hours; the focal point is muted
    setup.clock.move(timedelta(hours=2, minutes=1))  # type: ignore[attr-defined]
    assert send(setup, fake).sent == 1
    assert len(messages(fake, FOCAL)) == 1 and messages(fake, GROUP) == []


def test_the_acknowledge_button_records_who_and_when(setup: Services, fake: FakeTelegram) -> None:
    unit_alerts(setup, 2)
    send(setup, fake)
    markup = json.loads(messages(fake, FOCAL)[0].params["reply_markup"])
    command = markup["inline_keyboard"][0][0]["callback_data"]
    reply = answer(setup, command, Asker(Role.FOCAL.value, None, FOCAL, FOCAL, name="Chị Lan"))
    assert reply.toast and "Chị Lan đã nhận 2 cảnh báo" in reply.text
    overview = answer(setup, "/alerts", Asker()).text
    assert "hồ sơ quá hạn: UBND huyện Phú Riềng T1 — 0/2/0/1" in overview


def test_the_weekly_summary_runs_at_its_time_once_and_catches_up_the_same_day(
    setup: Services, fake: FakeTelegram
) -> None:
    clock = setup.clock
    clock.current = datetime(2025, 4, 14, 7, 59, tzinfo=TZ)  # type: ignore[attr-defined]
    assert "weekly_summary" not in run_due(setup)
    clock.current = datetime(2025, 4, 14, 8, 0, tzinfo=TZ)  # type: ignore[attr-defined]
    assert "weekly_summary" in run_due(setup)
    assert "weekly_summary" not in run_due(setup)  # never twice
    assert send(setup, fake).sent >= 1
    photos = [c for c in fake.sent_to(GROUP) if c.method == "sendPhoto"]
    (summary,) = [m for m in messages(fake, GROUP) if "Tóm tắt tuần 16/2025" in m.params["text"]]
    assert photos and photos[0].files["photo"].startswith(b"\x89PNG")
    assert "Xếp hạng 20/63" in summary.params["text"]
    text = summary.params["text"]
    assert "Giảm nhiều nhất (ngày 08/04/2025 so với 27/03/2025): UBND huyện Bù Đăng (-6,46)" in text
    assert "Chỉ tiêu (ngày 08/04/2025 so với 27/03/2025): tăng 4, giảm 5" in text
    assert "số liệu cũ" not in text  # six days old on Monday 14/04/2025
    clock.current = datetime(2025, 4, 21, 15, 0, tzinfo=TZ)  # type: ignore[attr-defined]
    assert "weekly_summary" in run_due(setup)  # the bot was down at 08:00: same day
    clock.current = datetime(2025, 4, 29, 9, 0, tzinfo=TZ)  # type: ignore[attr-defined]
    assert "weekly_summary" not in run_due(setup)  # Monday 28/04 was missed: too late
    with setup.session_factory() as session:
        weeks = session.execute(
            select(func.count()).select_from(Delivery).where(Delivery.chat_id == GROUP)
        ).scalar()
    assert weeks and weeks >= 2


def test_deliveries_go_out_marked_sent_only_after_telegram_accepted(
    setup: Services, fake: FakeTelegram
) -> None:
    unit_alerts(setup, 1)
    fake.fail(Failure("sendMessage", 400, "Bad Request: message text is empty", chat_id=FOCAL))
    report = send(setup, fake)
    assert report.failed == 1 and report.sent == 1
    with setup.session_factory() as session:
        failed = session.scalars(
            select(Delivery).where(Delivery.status == AlertStatus.FAILED.value)
        ).one()
    assert failed.chat_id == FOCAL and "message text is empty" in (failed.last_error or "").lower()
    with setup.session_factory() as session:
        session.execute(update(Delivery).values(status=AlertStatus.SENT.value))
        session.commit()


def test_alerts_run_from_the_terminal_exits_non_zero_when_a_delivery_failed(
    setup: Services, fake: FakeTelegram, tmp_path: Path
) -> None:
    unit_alerts(setup, 1)
    config = tmp_path / "config.toml"
    config.write_text(
        f'[database]\nurl = "{setup.config.database.url}"\n'
        f'[telegram]\nbase_url = "{fake.base_url}"\n'
        '[alerts]\nquiet_hours = ""\nquiet_weekends = false\n',
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "TTHC_"))}
    env.update(TTHC_CONFIG=str(config), TELEGRAM_BOT_TOKEN=TOKEN)
    fake.fail(Failure("sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=FOCAL))
    output = run_cli(["alerts", "run"], env, tmp_path, expect=1)
    assert "không gửi được (chặn bot) 1" in output
    assert messages(fake, GROUP)  # the others were sent all the same
    assert "Đã gửi 0 tin" in run_cli(["alerts", "run"], env, tmp_path, expect=0)


def test_alerts_run_with_a_refused_token_exits_3_and_keeps_everything_queued(
    setup: Services, fake: FakeTelegram, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    unit_alerts(setup, 1)
    config = tmp_path / "config.toml"
    config.write_text(
        f'[database]\nurl = "{setup.config.database.url}"\n'
        f'[telegram]\nbase_url = "{fake.base_url}"\n',
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "TTHC_"))}
    env.update(TTHC_CONFIG=str(config), TELEGRAM_BOT_TOKEN="77:REVOKED-token")
    output = run_cli(["alerts", "run"], env, tmp_path, expect=3) + capsys.readouterr().err
    assert "Telegram từ chối mã bot" in output and "REVOKED" not in output
    assert set(statuses(setup)) == {"pending"}  # nothing claimed, nothing marked sent


def test_alerts_run_without_a_token_marks_nothing_sent(setup: Services, tmp_path: Path) -> None:
    unit_alerts(setup, 1)
    before = statuses(setup)
    assert before.get("pending", 0) > 0
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{setup.config.database.url}"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "TTHC_"))}
    env.update(TTHC_CONFIG=str(config))
    output = run_cli(["alerts", "run"], env, tmp_path)  # raises the rules' alerts too
    after = statuses(setup)
    assert after.get("sent", 0) == before.get("sent", 0)
    assert after["pending"] >= before["pending"]
    assert f"{after['pending']} tin đang chờ gửi, chưa gửi tin nào" in output


def test_a_round_to_many_chats_stays_within_telegrams_flood_limits(setup: Services) -> None:
    from telegram.ext import ExtBot

    from bot.telegram.alerts import rate_limiter
    from tests.fake_telegram import Limits

    limited = FakeTelegram(TOKEN, Limits()).start()
    try:
        chats = list(range(70_000, 70_060))  # 60 private chats: twice the burst allowed
        with setup.session_factory.begin() as session:
            drafts = chat_alerts("F", chats, lambda chat: [GROUP] if chat < 70_025 else [])
            store_alerts(session, drafts, setup.clock.now())

        async def go() -> DeliveryReport:
            bot = ExtBot(TOKEN, base_url=limited.base_url, rate_limiter=rate_limiter())
            async with bot:
                return await deliver_pending(setup, TelegramTransport(bot))

        report = asyncio.run(go())
        assert report.sent == 61  # each chat once, the group once for its 25 alerts
        assert limited.too_many == 0
        assert {int(c.params["chat_id"]) for c in limited.calls} == {*chats, GROUP}
    finally:
        limited.stop()


class _Flaky:
    """A transport that fails for one chat in a way nobody classified, and sends the rest."""

    def __init__(self, inner: TelegramTransport, broken_chat: int) -> None:
        self.inner, self.broken_chat = inner, broken_chat

    async def send(
        self, chat_id: int, text: str, ack_token: str, silent: bool, image: bytes | None
    ) -> int:
        if chat_id == self.broken_chat:
            raise RuntimeError("a fault nobody foresaw")
        return await self.inner.send(chat_id, text, ack_token, silent, image)


def _send_through(services: Services, fake: FakeTelegram, broken_chat: int) -> DeliveryReport:
    async def go() -> DeliveryReport:
        bot = Bot(TOKEN, base_url=fake.base_url)
        async with bot:
            return await deliver_pending(services, _Flaky(TelegramTransport(bot), broken_chat))

    return asyncio.run(go())


def test_a_chat_failing_unexpectedly_is_released_and_the_others_are_sent(
    setup: Services, fake: FakeTelegram
) -> None:
    unit_alerts(setup)
    report = _send_through(setup, fake, broken_chat=GROUP)
    assert report.sent == 1 and report.retried == 1
    assert len(messages(fake, FOCAL)) == 1 and messages(fake, GROUP) == []
    with setup.session_factory() as session:
        status, due, error = session.execute(
            select(Delivery.status, Delivery.next_attempt_at, Delivery.last_error)
            .where(Delivery.chat_id == GROUP)
            .distinct()
        ).one()
    # Back in the queue at once (no claim left to expire), tried again after a backoff
    assert status == AlertStatus.PENDING.value and due == setup.clock.now() + timedelta(seconds=15)
    assert error == "RuntimeError: a fault nobody foresaw"
    setup.clock.move(timedelta(seconds=15))  # type: ignore[attr-defined]
    assert send(setup, fake).sent == 1 and len(messages(fake, GROUP)) == 1


def test_a_chat_whose_claim_meets_a_database_error_does_not_hold_back_the_others(
    setup: Services, fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError

    unit_alerts(setup)
    real_claim = queue.claim

    def claim(session: object, chat_id: int, *args: object, **kwargs: object) -> object:
        if chat_id == GROUP:
            raise OperationalError("UPDATE deliveries", {}, Exception("database is locked"))
        return real_claim(session, chat_id, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(queue, "claim", claim)
    report = send(setup, fake)
    assert report.sent == 1 and len(messages(fake, FOCAL)) == 1
    assert statuses(setup) == {"sent": 2, "pending": 2}  # the group's wait, unclaimed
    monkeypatch.setattr(queue, "claim", real_claim)
    assert send(setup, fake).sent == 1 and len(messages(fake, GROUP)) == 1


def test_a_refused_token_stops_the_round_and_leaves_everything_queued(
    setup: Services, fake: FakeTelegram
) -> None:
    unit_alerts(setup)

    async def revoked_while_running() -> DeliveryReport:
        bot = Bot(TOKEN, base_url=fake.base_url)
        async with bot:
            fake.revoke_token()
            return await deliver_pending(setup, TelegramTransport(bot))

    report = asyncio.run(revoked_while_running())
    assert report.stopped is not None and report.sent == 0
    # one request, not one per chat; nothing left claimed
    assert [c.method for c in fake.calls if c.method.endswith("sendMessage")] == []
    assert statuses(setup) == {"pending": 4}


def test_the_alerts_of_one_run_are_stored_in_one_transaction(
    setup: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = statuses(setup)

    def broken(*_args: object) -> None:
        raise RuntimeError("the disk filled up after the alerts were written")

    monkeypatch.setattr(queue, "_insert_pending_deliveries", broken)
    with pytest.raises(RuntimeError):
        unit_alerts(setup, 3)
    with setup.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(queue.Alert)) == 0
    assert statuses(setup) == before == {}


def _pending_chats(services: Services) -> set[int]:
    with services.session_factory() as session:
        return set(
            session.scalars(
                select(Delivery.chat_id).where(Delivery.status == AlertStatus.PENDING.value)
            )
        )


def _subscribed(services: Services, chat_id: int) -> list[str]:
    with services.session_factory() as session:
        return [u.name for u in people.subscribed_units(session, chat_id)]


def test_revoking_a_person_withdraws_what_was_queued_for_them_and_their_subscriptions(
    setup: Services, fake: FakeTelegram
) -> None:
    assert (
        "Đã đăng ký"
        in answer(setup, "/subscribe Phú Riềng", Asker("focal", _phu(setup), FOCAL, FOCAL)).text
    )
    unit_alerts(setup)
    assert _pending_chats(setup) == {FOCAL, GROUP}
    admin = Asker(telegram_id=1, chat_id=1)
    assert "Đã thu hồi" in answer(setup, f"/revoke {FOCAL}", admin).text
    assert _pending_chats(setup) == {GROUP} and _subscribed(setup, FOCAL) == []
    assert send(setup, fake).sent == 1 and messages(fake, FOCAL) == []
    with setup.session_factory() as session:
        reasons = set(session.scalars(select(Delivery.last_error).where(Delivery.chat_id == FOCAL)))
    assert reasons == {queue.NO_LONGER_ALLOWED}


def _phu(services: Services) -> int:
    with services.session_factory() as session:
        return int(session.scalars(select(Unit.id).filter_by(name="UBND huyện Phú Riềng")).one())


def test_moving_a_focal_point_to_another_unit_stops_the_old_units_alerts(
    setup: Services, fake: FakeTelegram
) -> None:
    unit_alerts(setup)
    admin = Asker(telegram_id=1, chat_id=1)
    assert "Đã cấp quyền" in answer(setup, f"/grant {FOCAL} focal Bình Long", admin).text
    assert _pending_chats(setup) == {GROUP}
    send(setup, fake)
    assert messages(fake, FOCAL) == []


def test_a_leader_made_a_focal_point_keeps_only_their_units_subscription_and_alerts(
    setup: Services, fake: FakeTelegram
) -> None:
    leader = Asker("leader", None, LEADER, LEADER)
    for name in ("Phú Riềng", "Bình Long"):
        assert "Đã đăng ký" in answer(setup, f"/subscribe {name}", leader).text
    unit_alerts(setup)  # Phú Riềng's: the leader gets them as a subscriber
    assert LEADER in _pending_chats(setup)
    with setup.session_factory.begin() as session:
        bl = session.scalars(select(Unit.id).filter_by(name="UBND thị xã Bình Long")).one()
        people.save_person(session, LEADER, Role.FOCAL, bl, setup.clock.now())
    assert _subscribed(setup, LEADER) == ["UBND thị xã Bình Long"]
    assert LEADER not in _pending_chats(setup)


def test_a_group_given_to_another_unit_loses_the_old_units_queued_alerts(
    setup: Services,
) -> None:
    unit_alerts(setup)
    with setup.session_factory.begin() as session:
        bl = session.scalars(select(Unit.id).filter_by(name="UBND thị xã Bình Long")).one()
        people.register_chat(session, GROUP, "Bình Long", bl, setup.clock.now())
    assert _pending_chats(setup) == {FOCAL}


class _Hooked:
    """A transport that runs ``before(chat)`` before sending to each chat."""

    def __init__(self, inner: TelegramTransport, before: Callable[[int], None]) -> None:
        self.inner, self.before = inner, before

    async def send(
        self, chat_id: int, text: str, ack_token: str, silent: bool, image: bytes | None
    ) -> int:
        self.before(chat_id)
        return await self.inner.send(chat_id, text, ack_token, silent, image)


def _three_chats(services: Services) -> list[int]:
    chats = [71_001, 71_002, 71_003]
    with services.session_factory.begin() as session:
        store_alerts(session, chat_alerts("L", chats), services.clock.now())
    return chats


def _round(services: Services, fake: FakeTelegram, before: Callable[[int], None]) -> None:
    async def go() -> None:
        async with Bot(TOKEN, base_url=fake.base_url) as bot:
            await deliver_pending(services, _Hooked(TelegramTransport(bot), before))

    asyncio.run(go())


def _sent_counts(fake: FakeTelegram, chats: list[int]) -> list[int]:
    return [len(messages(fake, chat)) for chat in chats]


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_locked_sqlite_database_mid_round_loses_nothing_and_repeats_at_most_one(
    setup: Services, fake: FakeTelegram
) -> None:
    import sqlite3
    import threading

    from core.config import Config

    url = setup.config.database.url
    config = Config.model_validate(
        {"database": {"url": url, "busy_timeout_seconds": 0.3}, "alerts": {"quiet_hours": ""}}
    )
    services = build_services(config, setup.clock)
    chats = _three_chats(services)
    locker = sqlite3.connect(make_url(url).database or "", timeout=5, check_same_thread=False)
    released = threading.Event()

    def lock_during_second(chat_id: int) -> None:
        if chat_id == chats[1] and not released.is_set():
            locker.execute("BEGIN EXCLUSIVE")  # another program writing, for a second
            threading.Timer(1.0, lambda: (locker.rollback(), released.set())).start()

    try:
        _round(services, fake, lock_during_second)
        released.wait(5)
        # the second chat's message went out but could not be recorded: its claim ends
        # with the lease and it is sent again; the others are sent once
        services.clock.move(timedelta(seconds=services.config.alerts.claim_lease_seconds + 1))  # type: ignore[attr-defined]
        _round(services, fake, lambda _chat: None)
        assert _sent_counts(fake, chats) in ([1, 2, 1], [1, 1, 1])
        assert statuses(services)["sent"] >= 3 and "claimed" not in statuses(services)
    finally:
        locker.close()
        services.close()


def test_dropped_database_connections_mid_round_lose_nothing(
    setup: Services, fake: FakeTelegram
) -> None:
    from sqlalchemy import text

    chats = _three_chats(setup)

    def drop_connections(chat_id: int) -> None:
        if chat_id != chats[1]:
            return
        if setup.engine.dialect.name != "postgresql":
            setup.engine.pool.dispose()  # every pooled connection closed
            return
        with setup.engine.connect() as connection:  # the server restarted, say: the pooled
            connection.execute(  # connections are dead, and the next use finds out
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )

    _round(setup, fake, drop_connections)
    assert _sent_counts(fake, chats) == [1, 1, 1]
    with setup.session_factory() as session:
        sent = session.scalar(
            select(func.count())
            .select_from(Delivery)
            .where(Delivery.chat_id.in_(chats))
            .where(Delivery.status == AlertStatus.SENT.value)
        )
    assert sent == 3
