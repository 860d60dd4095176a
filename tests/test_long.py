"""Long tests (marker ``long``; `make test` and CI run them, ``-m "not long"`` leaves them out
while working): the real bot process killed while it delivers, the permission matrix of
every command and button, and Telegram faults."""

from __future__ import annotations

import os
import random
import signal
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app import Services, build_services
from core.config import load_config
from storage.alerts import store_alerts
from storage.models import AlertStatus, Delivery
from tests.conftest import chat_alerts, run_cli, start_bot
from tests.fake_telegram import Failure, FakeTelegram
from tests.inprocess import InProcessBot

pytestmark = pytest.mark.long

TOKEN = "4242:long-tests"
CHATS = list(range(80_001, 80_301))  # 300 private chats, one alert each


def _bot_folder(
    folder: Path, fake: FakeTelegram, lease_seconds: int = 2, max_backoff_seconds: int = 3600
) -> dict[str, str]:
    (folder / "config.toml").write_text(
        f'[database]\nurl = "sqlite:///{folder / "tthc.db"}"\n'
        f'[telegram]\nbase_url = "{fake.base_url}"\nbase_file_url = "{fake.base_file_url}"\n'
        "poll_timeout = 1\n"
        '[schedules]\nweekly_summary = "0 8 29 2 *"\ndaily_checks = "0 8 29 2 *"\n'
        'stale_check = "0 8 29 2 *"\nescalation = "0 8 29 2 *"\ndvcqg_sync = "0 8 29 2 *"\n'
        'inbox = "0 8 29 2 *"\ndeliver_every_seconds = 1\n'
        '[alerts]\nquiet_hours = ""\nquiet_weekends = false\nsilent_edge_minutes = 0\n'
        f"claim_lease_seconds = {lease_seconds}\nmax_backoff_seconds = {max_backoff_seconds}\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "TTHC_"))}
    env["TTHC_CONFIG"] = str(folder / "config.toml")
    run_cli(["db", "upgrade"], env, folder)
    env["TELEGRAM_BOT_TOKEN"] = TOKEN
    return env


def _queue_alerts(folder: Path, env: dict[str, str]) -> None:
    config = load_config(Path(env["TTHC_CONFIG"]), env)
    services = build_services(config)
    try:
        with services.session_factory.begin() as session:
            stored = store_alerts(session, chat_alerts("K", CHATS), services.clock.now())
            assert len(stored) == len(CHATS)
    finally:
        services.close()


def _delivered(fake: FakeTelegram) -> Counter[int]:
    with fake._cond:
        return Counter(int(c.params["chat_id"]) for c in fake.calls if c.method == "sendMessage")


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    server = FakeTelegram(TOKEN).start()
    yield server
    server.stop()


def test_300_alerts_and_20_kills_lose_nothing_and_repeat_at_most_one_per_kill(
    tmp_path: Path, fake: FakeTelegram
) -> None:
    env = _bot_folder(tmp_path, fake)
    _queue_alerts(tmp_path, env)
    fake.accept_delay = 0.02  # accepted, not yet answered: a real window to die in
    chance = random.Random(20261207)
    kills = 0
    process = None
    services = build_services(load_config(Path(env["TTHC_CONFIG"]), env))
    try:
        while kills < 20:
            before = sum(_delivered(fake).values())
            process = start_bot(tmp_path, env, "run", log=f"bot{kills}.log")
            target = before + chance.randint(1, 15)
            deadline = time.monotonic() + 60
            while sum(_delivered(fake).values()) < target and len(_delivered(fake)) < len(CHATS):
                assert process.poll() is None, "the bot died by itself"
                assert time.monotonic() < deadline, "the bot stopped delivering"
                fake.wait_for_more(len(fake.calls), timeout=0.5)
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=20)
            kills += 1
        # The last bot runs until every delivery is recorded as sent: a message the last kill
        # caught in flight reached Telegram but not the database, and goes again once its
        # claim's lease has run out (the repeat that kill is allowed).
        process = start_bot(tmp_path, env, "run", log="bot-last.log")
        deadline = time.monotonic() + 180
        while _sent(services) < len(CHATS):
            assert process.poll() is None, "the bot died by itself"
            assert time.monotonic() < deadline, "the bot stopped delivering"
            fake.wait_for_more(len(fake.calls), timeout=0.5)
    finally:
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=30)
        services.close()
    delivered = _delivered(fake)
    assert set(delivered) == set(CHATS)  # nothing lost
    repeats = sum(n - 1 for n in delivered.values())
    assert repeats <= kills, f"{repeats} repeated messages for {kills} kills"


def _sent(services: Services) -> int:
    with services.session_factory() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(Delivery)
                .where(Delivery.status == AlertStatus.SENT.value)
            )
            or 0
        )


def test_telegram_faults_delay_alerts_but_lose_none(tmp_path: Path, fake: FakeTelegram) -> None:
    """429, 5xx, a time-out, a blocked chat, a migrated group, and the Bot API server gone
    for a while: every reachable chat gets its alert once, the blocked one is marked (the
    bot's Application in this process: Telegram's faults are the subject, not the process)."""
    # Retries come within seconds, not the quarter of an hour a real server would wait
    env = _bot_folder(tmp_path, fake, lease_seconds=60, max_backoff_seconds=2)
    _queue_alerts(tmp_path, env)
    first, second, third, blocked, migrated = CHATS[:5]
    fake.fail(Failure("sendMessage", 429, "Too Many Requests: retry after 1", {"retry_after": 1}))
    fake.fail(Failure("sendMessage", 502, "Bad Gateway", chat_id=first), times=2)
    fake.fail(Failure("sendMessage", 500, "Internal Server Error", chat_id=second))
    fake.fail(
        Failure("sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=blocked)
    )
    fake.fail(
        Failure(
            "sendMessage",
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
            {"migrate_to_chat_id": -100_777},
            chat_id=migrated,
        )
    )
    fake.fail(Failure("sendMessage", 500, "slow", delay=40, chat_id=third))  # a time-out
    services = build_services(load_config(Path(env["TTHC_CONFIG"]), env))
    try:
        with InProcessBot(services, TOKEN, tmp_path / "bot.log") as bot:
            fake.wait_until(lambda calls: len(_delivered(fake)) >= 50, timeout=120)
            fake.stop()  # the Bot API server is gone for a while (a few of the bot's polls)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:  # still running, as it must
                assert bot.alive(), "the bot died while Telegram was unreachable"
                time.sleep(0.1)
            fake.restart()
            reached = set(CHATS) - {blocked, migrated} | {-100_777}
            fake.wait_until(lambda calls: reached <= set(_delivered(fake)), timeout=240)
    finally:
        services.close()
    delivered = _delivered(fake)
    assert blocked not in delivered and delivered[-100_777] == 1
    # once each; a message accepted just as the server went away may be sent once more
    assert sum(n - 1 for n in delivered.values()) <= 1 and set(delivered) == reached


# -- the permission matrix ----------------------------------------------------------------

ADMIN_ID, LEADER_ID, FOCAL_A, FOCAL_B, STRANGER_ID, REVOKED_ID = 1, 2, 3, 4, 5, 6
GROUP_A, UNREGISTERED = -10, -20
UNIT_A, UNIT_B = "UBND thị xã Bình Long", "UBND huyện Phú Riềng"
#: Every command with arguments that reach its data (the admin's last: they change things).
SAMPLES = {
    "start": "/start",
    "help": "/help",
    "rank": "/rank",
    "unit": "/unit Bình Long",
    "top": "/top huyện",
    "bottom": "/bottom huyện",
    "indicators": "/indicators",
    "sources": "/sources",
    "overdue": "/overdue Bình Long",
    "deadlines": "/deadlines",
    "compare": "/compare Bình Long, Phú Riềng",
    "summary": "/summary",
    "report": "/report tuần 10/04/2025",
    "subscribe": "/subscribe Bình Long",
    "unsubscribe": "/unsubscribe",
    "settings": "/settings",
    "mute": "/mute off",
    "ack": "/ack 0000",
    "alerts": "/alerts",
    "status": "/status",
    "users": "/users",
    "invite": "/invite Bình Long",
    "grant": "/grant 999 leader",
    "revoke": "/revoke 998",
    "register_group": "/register_group Bình Long",
}
#: What only those who may see unit A's dossiers, or every unit's tasks, may read.
A_DOSSIERS = ("204 hồ sơ", "Bình Long: 204", "quá hạn của UBND thị xã Bình Long", ": 204.")
OTHER_DOSSIERS = ("Đồng Phú: 2", "Chơn Thành: 2")
TASKS = ("545/QĐ", "503/QĐ")


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_permission_matrix_of_every_command_and_button(demo: Services) -> None:
    from handlers.access import STRANGER, UNREGISTERED_GROUP, Asker, resolve_asker
    from handlers.router import COMMANDS, UNREGISTERED_TEXT, answer
    from storage import people
    from storage.models import Role, Unit

    assert set(SAMPLES) == set(COMMANDS), "a command without a row in the matrix"
    now = demo.clock.now()
    with demo.session_factory.begin() as session:
        unit = {
            name: session.scalars(select(Unit.id).filter_by(name=name)).one()
            for name in (UNIT_A, UNIT_B)
        }
        people.save_person(session, ADMIN_ID, Role.ADMIN, None, now)
        people.save_person(session, LEADER_ID, Role.LEADER, None, now)
        people.save_person(session, FOCAL_A, Role.FOCAL, unit[UNIT_A], now)
        people.save_person(session, FOCAL_B, Role.FOCAL, unit[UNIT_B], now)
        people.save_person(session, REVOKED_ID, Role.LEADER, None, now)
        people.revoke_person(session, REVOKED_ID, now)
        people.register_chat(session, GROUP_A, "Bình Long", unit[UNIT_A], now)

    def asker(user: int, chat: int) -> Asker | None:
        with demo.session_factory() as session:
            return resolve_asker(session, user, chat, in_group=chat < 0, chat_title="Nhóm")

    with demo.session_factory() as session:
        assert resolve_asker(session, LEADER_ID, UNREGISTERED, in_group=True) is None
    roles = {
        "admin": asker(ADMIN_ID, ADMIN_ID),
        "leader": asker(LEADER_ID, LEADER_ID),
        "focal of A": asker(FOCAL_A, FOCAL_A),
        "focal of B": asker(FOCAL_B, FOCAL_B),
        "group of A": asker(LEADER_ID, GROUP_A),
        "admin in an unregistered group": asker(ADMIN_ID, UNREGISTERED),
        "stranger": asker(STRANGER_ID, STRANGER_ID),
        "revoked person": asker(REVOKED_ID, REVOKED_ID),
    }
    assert roles["revoked person"] is not None and roles["revoked person"].role == STRANGER
    unregistered = roles["admin in an unregistered group"]
    assert unregistered is not None and unregistered.role == UNREGISTERED_GROUP

    # every button anyone is shown, pressed by everyone
    buttons: set[str] = set()
    # and the unit keyboard, unit A's dossiers asked by id (a forged button), plain text
    texts = [*SAMPLES.values(), "/unit", f"/overdue #{unit[UNIT_A]}", "/top", "xin chào"]
    checked = 0
    for role, who in roles.items():
        assert who is not None, role
        for text in texts:
            if role != "admin" and text.startswith("/register_group"):
                continue  # registering the group changes the matrix; its refusal is below
            reply = answer(demo, text, who)
            buttons |= {b.command for row in reply.buttons for b in row}
            _check_cell(role, who, text, reply.text, COMMANDS, UNREGISTERED_TEXT)
            checked += 1
    for role, who in roles.items():
        assert who is not None
        for command in sorted(buttons):
            _check_cell(
                role, who, command, answer(demo, command, who).text, COMMANDS, UNREGISTERED_TEXT
            )
            checked += 1
    assert len(buttons) > 15 and checked > 300  # the keyboards were pressed too


def _check_cell(
    role: str, who: object, text: str, reply: str, commands: dict[str, object], unregistered: str
) -> None:
    from handlers.router import ADMINS, parse_command

    parsed = parse_command(text)
    name = parsed[0] if parsed is not None else ""
    where = f"{role} × {text}"
    if role in ("stranger", "revoked person"):
        assert "Mã Telegram của bạn" in reply and "Bình Long" not in reply, where
        return
    if role == "admin in an unregistered group":
        if name != "register_group":
            assert reply == unregistered, where
        return
    command = commands.get(name)
    roles = command.roles if command is not None else frozenset()  # type: ignore[attr-defined]
    if role != "admin" and roles == ADMINS:
        assert "chỉ dành cho quản trị" in reply, where
        return
    if role in ("admin", "leader"):
        return  # everything
    if name == "report":  # the office's notice: admins and leaders only
        assert "chỉ dành cho quản trị và lãnh đạo" in reply, where
        return
    sees_a = role in ("focal of A", "group of A")
    for marker in TASKS + OTHER_DOSSIERS + (() if sees_a else A_DOSSIERS):
        assert marker not in reply, f"{where}: «{marker}» in\n{reply}"
