"""The real bot against the fake Bot API server: its one Application run in-process with long
polling (:mod:`tests.inprocess`) for what users see, and the real `tthc-bot run` process
where the process is the subject (exit codes, a refused token, webhook mode)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text

from bot.app import build_services
from core.config import load_config
from handlers.router import COMMANDS, READERS
from tests import hostile
from tests.conftest import DEMO, DEMO_FILES, Templates, run_cli, start_bot
from tests.fake_telegram import BOT_USERNAME, Call, Failure, FakeTelegram
from tests.inprocess import InProcessBot

TOKEN = "123456:SECRET-token_for_tests"
ADMIN, LEADER, FOCAL, STRANGER = 1001, 1002, 1003, 2000
GROUP, UNKNOWN_GROUP = -5001, -6000
ROOT = Path(__file__).resolve().parent.parent
LONG = " của một cơ quan có tên khá dài"


def _cli_process(args: list[str], env: dict[str, str], cwd: Path) -> str:
    """The command line in a process of its own (where being another process matters)."""
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _stop(process: subprocess.Popen[Any]) -> None:
    """Stop the bot like Ctrl+C would, killing it only if it does not stop in time."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


class Bot:
    def __init__(
        self, fake: FakeTelegram, running: InProcessBot, db: Path, log: Path, env: dict[str, str],
        folder: Path,
    ) -> None:  # fmt: skip
        self.fake, self.running, self.db, self.log = fake, running, db, log
        self.env, self.folder = env, folder

    def ask(
        self, user: int, message: str, chat: int | None = None, chat_type: str = "private"
    ) -> list[Call]:
        """Send a message and collect the replies to that chat, once the bot says it has
        handled the update."""
        chat_id = chat if chat is not None else user
        start = len(self.fake.calls)
        update_id = self.fake.message(
            user, message, chat_id=chat_id, chat_type=chat_type, title="Nhóm"
        )
        self.wait_until_handled(update_id)
        return [c for c in self.fake.sent_to(chat_id, start) if not is_alert(c)]

    def wait_until_handled(self, update_id: int, timeout: float = 30) -> str:
        """Wait for the bot's log line about this update ("handled" or "ignored")."""
        pattern = re.compile(rf"update {update_id} (handled|ignored)")
        deadline = time.monotonic() + timeout
        while True:
            found = pattern.search(self.log.read_text(encoding="utf-8"))
            if found:
                return found.group(1)
            assert time.monotonic() < deadline, f"update {update_id} was not handled in time"
            assert self.running.alive(), "the bot stopped"
            time.sleep(0.02)


def is_alert(call: Call) -> bool:
    """Alert messages carry the "Đã nhận" button (and their charts go out silently)."""
    return "/ack " in str(call.params.get("reply_markup", "")) or (
        call.method == "sendPhoto"
        and str(call.params.get("disable_notification")).lower() == "true"
    )


def reply_to(chat_id: int) -> Callable[[Call], bool]:
    def match(call: Call) -> bool:
        return (
            call.method == "sendMessage"
            and str(call.params.get("chat_id")) == str(chat_id)
            and not is_alert(call)
        )

    return match


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory, templates: Templates) -> Iterator[Bot]:
    folder = tmp_path_factory.mktemp("e2e")
    shutil.copy(templates.sqlite(DEMO), folder / "tthc.db")  # what `tthc-bot demo` stores
    fake = FakeTelegram(TOKEN).start()
    (folder / "config.toml").write_text(
        f'[database]\nurl = "sqlite:///{folder / "tthc.db"}"\n'
        f'[telegram]\nbase_url = "{fake.base_url}"\nbase_file_url = "{fake.base_file_url}"\n'
        "poll_timeout = 1\n"
        # Scheduled jobs must not fire at whatever real time the suite runs (29 February
        # only); alerts raised by imports are told apart by their "Đã nhận" button.
        '[schedules]\nweekly_summary = "0 8 29 2 *"\ndaily_checks = "0 8 29 2 *"\n'
        'stale_check = "0 8 29 2 *"\nescalation = "0 8 29 2 *"\ndeliver_every_seconds = 1\n'
        # Alerts go out at any hour the suite runs.
        '[alerts]\nquiet_hours = ""\nquiet_weekends = false\nsilent_edge_minutes = 0\n',
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    env.pop("TTHC_DATABASE_URL", None)
    env["TTHC_CONFIG"] = str(folder / "config.toml")
    run_cli(["users", "add", str(ADMIN), "--role", "admin", "--name", "Văn phòng"], env, folder)
    run_cli(["users", "add", str(LEADER), "--role", "leader"], env, folder)
    run_cli(["users", "add", str(FOCAL), "--role", "focal", "--unit", "Phú Riềng"], env, folder)
    run_cli(
        ["groups", "add", str(GROUP), "--unit", "Bình Long", "--title", "Bình Long"], env, folder
    )
    run_cli(
        ["users", "add", "50000", "--role", "leader", "--name", f"Lãnh đạo số 0{LONG}"], env, folder
    )
    engine = create_engine(f"sqlite:///{folder / 'tthc.db'}")
    with engine.begin() as connection:
        for n in range(1, 120):
            connection.execute(
                text(
                    "INSERT INTO people (telegram_id, name, role, active, created_at) "
                    "VALUES (:t, :n, 'leader', 1, '2025-04-01 00:00:00')"
                ),
                {"t": 50000 + n, "n": f"Lãnh đạo số {n}{LONG}"},
            )
    engine.dispose()
    env["TELEGRAM_BOT_TOKEN"] = TOKEN
    services = build_services(load_config(folder / "config.toml", env))
    try:
        with InProcessBot(services, TOKEN, folder / "bot.log") as running:
            fake.wait_for(
                lambda c: c.method == "setMyCommands" and str(ADMIN) in str(c.params.get("scope")),
                timeout=30,
            )
            yield Bot(fake, running, folder / "tthc.db", folder / "bot.log", env, folder)
    finally:
        services.close()
        fake.stop()


def _texts(calls: list[Call]) -> str:
    return "\n".join(str(c.params.get("text") or c.params.get("caption") or "") for c in calls)


def test_menus_are_set_per_role_in_vietnamese(bot: Bot) -> None:
    menus = [c for c in bot.fake.calls if c.method == "setMyCommands"]
    scopes = {str(c.params.get("scope")) for c in menus}
    assert any("all_private_chats" in s for s in scopes)
    assert any("all_group_chats" in s for s in scopes)
    assert any(str(ADMIN) in s for s in scopes)
    commands = menus[0].params["commands"]
    commands = json.loads(commands) if isinstance(commands, str) else commands
    assert "Xếp hạng Bộ chỉ số 766" in " ".join(c["description"] for c in commands)


READ_COMMANDS = {
    "start": "/start",
    "help": "/help",
    "rank": "/rank",
    "unit": "/unit Phú Riềng",
    "top": "/top sở",
    "bottom": "/bottom huyện",
    "indicators": "/indicators",
    "sources": "/sources",
    "overdue": "/overdue",
    "deadlines": "/deadlines",
    "compare": "/compare Phú Riềng, Bù Đăng",
    "summary": "/summary",
    "subscribe": "/subscribe Phú Riềng",
    "unsubscribe": "/unsubscribe",
    "settings": "/settings",
    "mute": "/mute off",
    "ack": "/ack 0000",
}


def test_every_read_command_answers_each_role(bot: Bot) -> None:
    assert set(READ_COMMANDS) == {n for n, c in COMMANDS.items() if c.roles == READERS}
    for user in (ADMIN, LEADER, FOCAL):
        for name, message in READ_COMMANDS.items():
            replies = bot.ask(user, message)
            assert replies, (user, name)
            assert "chưa được cấp quyền" not in _texts(replies)
    rank = bot.ask(LEADER, "/rank")
    assert rank[0].method == "sendPhoto" and rank[0].files["photo"].startswith(b"\x89PNG")
    assert "Xếp hạng 20/63" in rank[0].params["caption"]


def test_a_stranger_gets_only_their_id_from_every_command(bot: Bot) -> None:
    for name in COMMANDS:
        replies = bot.ask(STRANGER, f"/{name}")
        assert len(replies) == 1 and replies[0].method == "sendMessage"
        assert f"Mã Telegram của bạn: {STRANGER}" in replies[0].params["text"]


def test_groups_answer_commands_only_when_registered(bot: Bot) -> None:
    start = len(bot.fake.calls)
    ignored = bot.fake.message(7, "/rank", chat_id=UNKNOWN_GROUP, chat_type="group", title="Lạ")
    replies = bot.ask(7, "/overdue", chat=GROUP, chat_type="group")
    assert "Bình Long: 204 hồ sơ" in _texts(replies)
    assert "Đồng Phú" not in _texts(replies)  # a unit group sees its own unit only
    assert bot.wait_until_handled(ignored) == "ignored"
    assert bot.fake.sent_to(UNKNOWN_GROUP, start) == []
    # an admin there gets no data either, only how to register the group
    (refusal,) = bot.ask(ADMIN, "/overdue", chat=UNKNOWN_GROUP, chat_type="group")
    assert "chưa đăng ký" in refusal.params["text"] and "204" not in refusal.params["text"]


def test_commands_for_another_bot_are_left_to_it(bot: Bot) -> None:
    assert bot.ask(7, "/rank@other_bot", chat=GROUP, chat_type="group") == []
    assert bot.ask(ADMIN, "/help@other_bot") == []
    assert bot.ask(7, f"/rank@{BOT_USERNAME}", chat=GROUP, chat_type="group") != []


def test_an_invite_link_registers_whoever_opens_it(bot: Bot) -> None:
    reply = _texts(bot.ask(ADMIN, "/invite Bù Đốp"))
    assert f"https://t.me/{BOT_USERNAME}?start=" in reply
    code = reply.split("?start=")[1].split()[0]
    joined = _texts(bot.ask(3001, f"/start {code}"))
    assert "đầu mối kiểm soát TTHC của UBND huyện Bù Đốp" in joined
    assert "UBND huyện Bù Đốp" in _texts(bot.ask(3001, "/unit"))


def _labels(call: Call) -> list[str]:
    markup = call.params["reply_markup"]
    markup = json.loads(markup) if isinstance(markup, str) else markup
    return [button["text"] for row in markup["inline_keyboard"] for button in row]


def _as_message(call: Call) -> dict[str, Any]:
    message: dict[str, Any] = {
        "message_id": 555,
        "date": int(time.time()),
        "chat": {"id": int(call.params["chat_id"]), "type": "private"},
        "from": {"id": 900000001, "is_bot": True, "first_name": "TTHC"},
    }
    if call.method == "sendPhoto":
        message["photo"] = [{"file_id": "p", "file_unique_id": "p", "width": 8, "height": 6}]
        message["caption"] = call.params.get("caption", "")
    else:
        message["text"] = call.params["text"]
    return message


def test_buttons_edit_the_card_in_place(bot: Bot) -> None:
    rank = bot.ask(ADMIN, "/rank")[0]
    start = len(bot.fake.calls)
    bot.fake.press(ADMIN, _as_message(rank), "/rank y")
    edit = bot.fake.wait_for(lambda c: c.method.startswith("editMessage"), start=start)
    assert edit.method == "editMessageMedia"
    assert "• Năm" in _labels(edit)
    assert "Giảm 12 bậc so với ngày 27/03/2025" in json.loads(edit.params["media"])["caption"]
    keyboard = bot.ask(LEADER, "/unit")[0]
    assert "Sở, ban, ngành (20)" in _labels(keyboard)
    start = len(bot.fake.calls)
    bot.fake.press(LEADER, _as_message(keyboard), "/unit @district 2")
    edit = bot.fake.wait_for(lambda c: c.method == "editMessageText", start=start)
    assert "trang 2/2" in edit.params["text"]
    assert not [c for c in bot.fake.calls[start:] if c.method == "sendMessage"]


def test_a_forged_button_for_another_unit_is_refused(bot: Bot) -> None:
    engine = create_engine(f"sqlite:///{bot.db}")
    with engine.connect() as connection:
        other = connection.execute(
            text("SELECT id FROM units WHERE name = 'UBND thị xã Bình Long'")
        ).scalar_one()
    engine.dispose()
    card = bot.ask(FOCAL, "/unit")[-1]
    start = len(bot.fake.calls)
    bot.fake.press(FOCAL, _as_message(card), f"/overdue #{other}")
    refused = bot.fake.wait_for(reply_to(FOCAL), start=start)
    assert "chỉ xem được" in refused.params["text"]
    start = len(bot.fake.calls)
    bot.fake.press(STRANGER, _as_message(card), "/rank")
    alert = bot.fake.wait_for(lambda c: c.method == "answerCallbackQuery", start=start)
    assert "chưa được cấp quyền" in alert.params["text"]


def _overdue_rows(db: Path) -> int:
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as connection:
        count = connection.execute(select(func.count()).select_from(text("observations"))).scalar()
    engine.dispose()
    return int(count or 0)


def test_admins_import_by_sending_a_file(bot: Bot) -> None:
    before = _overdue_rows(bot.db)
    bad = "Ngày,Đơn vị,Số hồ sơ quá hạn\n11/04/2025,Nơi lạ,3\n11/04/2025,Phú Riềng,ba\n"
    start = len(bot.fake.calls)
    bot.fake.document(ADMIN, "qua_han_sai.csv", bad.encode())
    reply = bot.fake.wait_for(reply_to(ADMIN), start=start)
    assert "chưa lưu gì" in reply.params["text"]
    assert "dòng 2, cột B «Đơn vị»" in reply.params["text"]
    assert "dòng 3, cột C «Số hồ sơ quá hạn»" in reply.params["text"]
    assert _overdue_rows(bot.db) == before
    good = (DEMO_FILES / "09_qua_han_2025.csv").read_text(encoding="utf-8")
    good = good.replace("10/04/2025", "11/04/2025")
    start = len(bot.fake.calls)
    bot.fake.document(ADMIN, "qua_han_11_4.csv", good.encode())
    reply = bot.fake.wait_for(reply_to(ADMIN), start=start)
    assert "Đã nhập tệp «qua_han_11_4.csv»" in reply.params["text"]
    assert _overdue_rows(bot.db) == before + 9
    start = len(bot.fake.calls)
    bot.fake.document(LEADER, "x.csv", good.encode())
    refused = bot.fake.wait_for(reply_to(LEADER), start=start)
    assert "Chỉ quản trị" in refused.params["text"]


def test_a_bomb_file_is_refused_while_the_bot_answers_others(bot: Bot) -> None:
    """A sparse sheet takes the reader seconds and gigabytes (in a child process now); the
    file that aborted the reader's process is refused too, and the bot lives on."""
    start = len(bot.fake.calls)
    bot.fake.document(ADMIN, "thua.ods", hostile.sparse_ods())
    answered = bot.ask(LEADER, "/rank")
    assert "điểm" in _texts(answered)
    refusal = bot.fake.wait_for(reply_to(ADMIN), start=start, timeout=90)
    assert "tệp quá lớn hoặc không đọc được" in refusal.params["text"]
    assert bot.fake.calls.index(answered[0]) < bot.fake.calls.index(refusal)
    start = len(bot.fake.calls)
    bot.fake.document(ADMIN, "xa.xlsx", hostile.far_cell_xlsx())
    refusal = bot.fake.wait_for(reply_to(ADMIN), start=start, timeout=60)
    assert "tệp quá lớn hoặc không đọc được" in refusal.params["text"]
    assert bot.running.alive()
    assert "điểm" in _texts(bot.ask(LEADER, "/rank"))


def test_a_file_of_5000_errors_is_one_message_and_one_report(bot: Bot) -> None:
    rows = "".join(f"11/04/2025,Nơi lạ số {n},3\n" for n in range(5000))
    start = len(bot.fake.calls)
    bot.fake.document(ADMIN, "sai_nhieu.csv", f"Ngày,Đơn vị,Số hồ sơ quá hạn\n{rows}".encode())
    report = bot.fake.wait_for(
        lambda c: c.method == "sendDocument" and str(c.params.get("chat_id")) == str(ADMIN),
        start=start,
        timeout=60,
    )
    sent = [c for c in bot.fake.calls[start:] if reply_to(ADMIN)(c)]
    assert len(sent) == 1
    assert "có 5.000 lỗi, chưa lưu gì" in sent[0].params["text"]
    assert "… và 4.985 lỗi khác" in sent[0].params["text"]
    (data,) = report.files.values()
    full = data.decode("utf-8")
    assert full.count("  - sheet «sai_nhieu», dòng") == 5000
    assert "dòng 5001, cột B «Đơn vị»" in full


def test_a_leader_gets_the_notices_draft_as_a_word_document(bot: Bot) -> None:
    replies = bot.ask(LEADER, "/report tuần 10/04/2025")
    assert [c.method for c in replies] == ["sendMessage", "sendDocument"]
    assert "tuần thứ 15, tháng 4/2025" in replies[0].params["text"]
    (data,) = replies[1].files.values()
    assert data.startswith(b"PK")  # a .docx is a zip
    assert b"word/document.xml" in data


def test_the_20_mb_limit_holds_when_telegram_omits_the_size(bot: Bot) -> None:
    start = len(bot.fake.calls)
    bot.fake.document(ADMIN, "lon.csv", b"a,b\n" * (21 * 1024 * 1024 // 4), sized=False)
    refusal = bot.fake.wait_for(reply_to(ADMIN), start=start)
    assert "lớn hơn 20 MB" in refusal.params["text"]


def test_telegram_refusing_to_hand_over_a_file_is_answered(bot: Bot) -> None:
    bot.fake.fail(Failure("getFile", 400, "Bad Request: file is too big"))
    start = len(bot.fake.calls)
    bot.fake.document(ADMIN, "lon.csv", b"a,b\n", sized=False)
    assert "lớn hơn 20 MB" in bot.fake.wait_for(reply_to(ADMIN), start=start).params["text"]
    bot.fake.fail(Failure("getFile", 400, "Bad Request: invalid file_id"))
    start = len(bot.fake.calls)
    bot.fake.document(ADMIN, "hong.csv", b"a,b\n", sized=False)
    refusal = bot.fake.wait_for(reply_to(ADMIN), start=start)
    assert refusal.params["text"] == "Không tải được tệp «hong.csv» từ Telegram."


def test_long_replies_are_split_on_line_boundaries(bot: Bot) -> None:
    replies = bot.ask(ADMIN, "/users")
    assert len(replies) >= 2
    assert all(len(c.params["text"]) <= 4096 for c in replies)
    assert "50119" in _texts(replies)


def test_an_import_from_the_terminal_reaches_the_focal_point_within_seconds(bot: Bot) -> None:
    table = bot.folder / "huyen_15_4.csv"
    table.write_text(
        'STT,ĐỊA PHƯƠNG,ĐIỂM ĐÁNH GIÁ (15/4/2025)\n1,UBND huyện Phú Riềng,"80,1"\n',
        encoding="utf-8",
    )
    start = len(bot.fake.calls)
    env = {k: v for k, v in bot.env.items() if k != "TELEGRAM_BOT_TOKEN"}
    output = _cli_process(["import", str(table)], env, bot.folder)
    assert "cảnh báo mới được xếp hàng" in output
    alert = bot.fake.wait_for(
        lambda c: (
            is_alert(c)
            and str(c.params.get("chat_id")) == str(FOCAL)
            and "84,28 → 80,1" in str(c.params.get("text"))
        ),
        start=start,
        timeout=20,
    )
    assert "UBND huyện Phú Riềng" in alert.params["text"]
    ack = json.loads(alert.params["reply_markup"])["inline_keyboard"][0][0]["callback_data"]
    start = len(bot.fake.calls)
    bot.fake.press(FOCAL, _as_message(alert), ack)
    toast = bot.fake.wait_for(lambda c: c.method == "answerCallbackQuery", start=start)
    assert "đã nhận" in toast.params["text"]


def test_the_log_has_one_line_per_update_with_chat_role_command_and_duration(bot: Bot) -> None:
    bot.ask(LEADER, "/unit Phú Riềng")
    log = bot.log.read_text(encoding="utf-8")
    assert re.search(rf"update \d+ handled: chat {LEADER}, leader, /unit, \d+ ms", log)
    assert "Phú Riềng" not in "".join(line for line in log.splitlines() if "handled" in line)


def test_no_log_line_contains_the_token(bot: Bot) -> None:
    bot.ask(ADMIN, "/help")
    log = bot.log.read_text(encoding="utf-8")
    assert "getUpdates" in log  # debug logging was on
    assert TOKEN not in log and "SECRET" not in log


def _fresh_bot_folder(folder: Path, fake: FakeTelegram, config: str) -> dict[str, str]:
    """A migrated, empty database in ``folder`` with the fake Bot API server and ``config``
    in its config.toml; the environment to run ``tthc-bot`` there (no token yet)."""
    (folder / "config.toml").write_text(
        '[database]\nurl = "sqlite:///tthc.db"\n'
        f'[telegram]\nbase_url = "{fake.base_url}"\nbase_file_url = "{fake.base_file_url}"\n'
        + config,
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    env.pop("TTHC_DATABASE_URL", None)
    env["TTHC_CONFIG"] = str(folder / "config.toml")
    run_cli(["db", "upgrade"], env, folder)
    return env


def _start_bot_process(folder: Path, fake: FakeTelegram, token: str) -> subprocess.Popen[str]:
    """`tthc-bot -v run` on a fresh database in ``folder``, its output in bot.log."""
    env = _fresh_bot_folder(folder, fake, "poll_timeout = 1\n")
    env["TELEGRAM_BOT_TOKEN"] = token
    return start_bot(folder, env, "-v", "run")


def _wait_exit(process: subprocess.Popen[str], timeout: float = 60) -> int:
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        raise AssertionError("the bot kept running with a token Telegram refuses") from None


def test_a_refused_token_at_start_ends_the_bot_with_exit_3(tmp_path: Path) -> None:
    fake = FakeTelegram(TOKEN).start()
    try:
        process = _start_bot_process(tmp_path, fake, "999999:WRONG-secret_token")
        assert _wait_exit(process) == 3
    finally:
        fake.stop()
    output = (tmp_path / "bot.log").read_text(encoding="utf-8")
    assert "Telegram từ chối mã bot (401 khi gọi getMe)" in output
    # python-telegram-bot logs its InvalidToken ("The token `…` was rejected"): redacted
    assert "WRONG-secret_token" not in output and "WRONG" not in output


def test_an_unreachable_bot_api_at_start_ends_the_bot_with_a_message_not_a_raw_traceback(
    tmp_path: Path,
) -> None:
    fake = FakeTelegram(TOKEN)
    fake.stop_listening()  # nothing answers on its port
    process = _start_bot_process(tmp_path, fake, TOKEN)
    assert _wait_exit(process) == 1
    output = (tmp_path / "bot.log").read_text(encoding="utf-8")
    assert "Bot dừng vì lỗi (NetworkError)" in output
    assert TOKEN not in output and "SECRET" not in output


def test_a_token_revoked_while_running_ends_the_bot_with_exit_3(tmp_path: Path) -> None:
    fake = FakeTelegram(TOKEN).start()
    try:
        process = _start_bot_process(tmp_path, fake, TOKEN)
        log = tmp_path / "bot.log"
        deadline = time.monotonic() + 60
        while "Application started" not in log.read_text(encoding="utf-8"):
            assert process.poll() is None and time.monotonic() < deadline, "the bot did not start"
            time.sleep(0.1)
        fake.revoke_token()
        assert _wait_exit(process) == 3
    finally:
        fake.stop()
    output = (tmp_path / "bot.log").read_text(encoding="utf-8")
    assert "Telegram rejected the bot token (401 on getUpdates)" in output
    assert "Telegram từ chối mã bot" in output
    assert TOKEN not in output and "SECRET" not in output


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_webhook_mode_serves_updates_and_checks_the_secret(tmp_path: Path) -> None:
    import urllib.error
    import urllib.request

    fake = FakeTelegram(TOKEN).start()
    port = _free_port()
    env = _fresh_bot_folder(
        tmp_path,
        fake,
        f'[telegram.webhook]\nlisten = "127.0.0.1"\nport = {port}\npath = "hook"\n'
        'url = "https://bot.example.invalid"\nsecret_token = "s3cret"\n',
    )
    run_cli(["users", "add", str(ADMIN), "--role", "admin"], env, tmp_path)
    env["TELEGRAM_BOT_TOKEN"] = TOKEN
    process = start_bot(tmp_path, env, "run", "--webhook")
    try:
        hook = fake.wait_for(lambda c: c.method == "setWebhook", timeout=30)
        assert hook.params["url"] == "https://bot.example.invalid/hook"
        assert hook.params["secret_token"] == "s3cret"
        update = {
            "update_id": 1,
            "message": {
                "message_id": 1,
                "date": int(time.time()),
                "text": "/help",
                "chat": {"id": ADMIN, "type": "private"},
                "from": {"id": ADMIN, "is_bot": False, "first_name": "A"},
                "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
            },
        }
        body = json.dumps(update).encode()

        def post(secret: str) -> int:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/hook",
                data=body,
                method="POST",
                headers={
                    "Content-Type": "application/json",
                    "X-Telegram-Bot-Api-Secret-Token": secret,
                },
            )
            deadline = time.monotonic() + 20
            while True:
                try:
                    with urllib.request.urlopen(request, timeout=5) as response:
                        return int(response.status)
                except urllib.error.HTTPError as exc:
                    return int(exc.code)
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)

        assert post("wrong") == 403
        assert post("s3cret") == 200
        reply = fake.wait_for(lambda c: c.method == "sendMessage")
        assert "/invite" in reply.params["text"]
    finally:
        _stop(process)
        fake.stop()
    assert TOKEN not in (tmp_path / "bot.log").read_text(encoding="utf-8")
