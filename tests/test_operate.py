"""Running it for months: backup and restore while the bot runs, and `tthc-bot doctor`."""

from __future__ import annotations

import os
import sqlite3
import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, insert, select, text

from bot.app import Services
from storage import db
from storage.backup import BackupFailed, backup, restore
from storage.models import Base, Person, Role
from tests.conftest import DEMO_FILES, run_cli
from tests.fake_telegram import FakeTelegram

TOKEN = "77:doctor-test"


def every_table(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (and the schema revision), in key order."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            key = list(table.primary_key.columns) or list(table.columns)
            found[table.name] = [tuple(r) for r in connection.execute(select(table).order_by(*key))]
        found["alembic_version"] = [
            tuple(r) for r in connection.execute(text("SELECT version_num FROM alembic_version"))
        ]
    return found


def test_a_restore_gives_back_every_table_as_it_was_at_the_backup(
    demo: Services, tmp_path: Path
) -> None:
    with demo.session_factory.begin() as session:
        session.add(
            Person(telegram_id=11, role=Role.LEADER, active=True, created_at=demo.clock.now())
        )
    before = every_table(demo.engine)
    assert before["observations"] and before["publication_tasks"]  # the demo data
    out = tmp_path / "saved" / "tthc-backup.bin"
    assert backup(demo.engine, out) > 0
    # What happens after the backup: a person revoked, another added, tasks gone
    with demo.engine.begin() as connection:
        connection.execute(text("UPDATE people SET active = false WHERE telegram_id = 11"))
        connection.execute(text("DELETE FROM publication_tasks"))
        connection.execute(
            insert(Person),
            [{"telegram_id": 12, "role": "admin", "active": True, "created_at": demo.clock.now()}],
        )
    changed = every_table(demo.engine)
    assert changed != before
    report = restore(demo.engine, out, datetime(2026, 12, 7, 9, 30))
    assert every_table(demo.engine) == before
    assert report.revision == db.head_revision() == report.restored_revision
    # what the restore replaced was kept
    assert report.previous.parent == out.parent and report.previous.exists()
    assert report.previous.name.startswith("truoc-khi-phuc-hoi-20261207-093000")


# SQLite only: on PostgreSQL the copy is pg_dump's snapshot, PostgreSQL's own guarantee
@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_sqlite_backup_taken_while_the_bot_writes_is_one_consistent_instant(
    demo: Services, tmp_path: Path
) -> None:
    stop = threading.Event()
    written: list[int] = []

    def writer() -> None:  # the bot registering people, one transaction each
        engine = db.make_engine(str(demo.engine.url))
        n = 100_000
        while not stop.is_set():
            with engine.begin() as connection:
                connection.execute(
                    insert(Person),
                    [
                        {
                            "telegram_id": n,
                            "role": "leader",
                            "active": True,
                            "created_at": demo.clock.now(),
                        }
                    ],
                )
            written.append(n)
            n += 1
        engine.dispose()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 20:
            threading.Event().wait(0.01)
        copies = [tmp_path / f"copy{i}.db" for i in range(3)]
        for copy in copies:
            backup(demo.engine, copy)
    finally:
        stop.set()
        thread.join()
    for copy in copies:
        connection = sqlite3.connect(copy)
        try:
            assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            ids = [
                r[0]
                for r in connection.execute(
                    "SELECT telegram_id FROM people WHERE telegram_id >= 100000 ORDER BY 1"
                )
            ]
        finally:
            connection.close()
        # every transaction committed before the instant, none after: no gap
        assert ids == list(range(100_000, 100_000 + len(ids))) and ids


def test_a_file_that_is_not_a_backup_is_refused_and_nothing_changes(
    demo: Services, tmp_path: Path
) -> None:
    before = every_table(demo.engine)
    wrong = tmp_path / "notes.db"
    wrong.write_bytes(b"this is not a database" * 100)
    with pytest.raises(BackupFailed, match="không phải bản sao lưu"):
        restore(demo.engine, wrong, datetime(2026, 12, 7))
    with pytest.raises(BackupFailed, match="không có tệp"):
        restore(demo.engine, tmp_path / "missing.db", datetime(2026, 12, 7))
    assert every_table(demo.engine) == before


def _env(folder: Path, extra: str = "") -> dict[str, str]:
    (folder / "config.toml").write_text(
        f'[database]\nurl = "sqlite:///tthc.db"\n{extra}', encoding="utf-8"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "TTHC_"))}
    env["TTHC_CONFIG"] = str(folder / "config.toml")
    return env


def test_backup_and_restore_from_the_command_line(tmp_path: Path) -> None:
    env = _env(tmp_path)
    run_cli(["db", "upgrade"], env, tmp_path)
    run_cli(["import", str(DEMO_FILES / "01_don_vi.csv")], env, tmp_path)
    run_cli(["users", "add", "5", "--role", "leader"], env, tmp_path)
    assert "Đã sao lưu" in run_cli(["backup", "--out", "sao-luu/tthc.db"], env, tmp_path)
    run_cli(["users", "remove", "5"], env, tmp_path)
    assert "5: lãnh đạo" not in run_cli(["users", "list"], env, tmp_path)
    restored = run_cli(["restore", "sao-luu/tthc.db"], env, tmp_path)
    assert "Đã phục hồi" in restored and "truoc-khi-phuc-hoi-" in restored
    assert "5: lãnh đạo" in run_cli(["users", "list"], env, tmp_path)
    run_cli(["restore", "config.toml"], env, tmp_path, expect=1)


def test_doctor_says_healthy_when_everything_is_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = FakeTelegram(TOKEN).start()
    try:
        (tmp_path / "inbox").mkdir()
        env = _env(
            tmp_path,
            f'[telegram]\nbase_url = "{fake.base_url}"\n[sources]\ninbox = "inbox"\n',
        )
        env["TELEGRAM_BOT_TOKEN"] = TOKEN
        run_cli(["db", "upgrade"], env, tmp_path)
        output = run_cli(["doctor"], env, tmp_path, expect=0)
        assert "✘" not in output and "Mọi mục đều ổn" in output
        assert "bot @tthc_test_bot" in output and "khớp với Telegram" in output
        assert "thư mục inbox" in output and "đọc/ghi được" in output
        fake.revoke_token()
        output = run_cli(["doctor"], env, tmp_path, expect=1)
        assert "✘ mã bot: Telegram từ chối mã bot" in output and TOKEN not in output
    finally:
        fake.stop()


def test_doctor_names_each_problem_and_what_to_do(tmp_path: Path) -> None:
    env = _env(tmp_path, '[sources]\ninbox = "khong-co"\n')
    output = run_cli(["doctor"], env, tmp_path, expect=1)
    assert "✘ cơ sở dữ liệu: chưa có" in output and "tthc-bot db upgrade" in output
    assert "✘ mã bot: chưa đặt TELEGRAM_BOT_TOKEN" in output
    assert "✘ thư mục inbox: không có thư mục" in output
    engine = create_engine(f"sqlite:///{tmp_path / 'tthc.db'}")
    db.upgrade(engine, "0012")
    engine.dispose()
    output = run_cli(["doctor"], env, tmp_path, expect=1)
    assert f"lược đồ ở phiên bản 0012, mã nguồn cần {db.head_revision()}" in output


def test_status_tells_an_admin_how_the_bot_is_and_nobody_else(demo: Services) -> None:
    from handlers.access import Asker
    from handlers.router import answer
    from jobs.runner import run_due

    assert demo.health is not None
    run_due(demo, {"daily_checks"})
    demo.clock.move(timedelta(hours=2, minutes=5))  # type: ignore[attr-defined]
    admin = Asker(telegram_id=1, chat_id=1)
    text = answer(demo, "/status", admin).text
    assert "🩺 tthc-bot 0." in text and "(2 giờ 5 phút)" in text
    assert "Cổng DVCQG: ngày 08/04/2025" in text and "Hệ thống DVC tỉnh: ngày 10/04/2025" in text
    assert "📨 Tin cảnh báo: chờ gửi" in text and "✅ Không có lỗi từ khi chạy." in text
    assert "  • daily_checks (lịch " in text and "xong lúc" in text
    demo.health.record(demo.clock.now(), "job weekly_summary (run 3) failed (OperationalError)")
    text = answer(demo, "/status", admin).text
    assert "⚠️ 1 lỗi từ khi chạy; gần nhất lúc" in text and "(OperationalError)" in text
    focal = Asker("focal", 1, 50, 50)
    assert "chỉ dành cho quản trị" in answer(demo, "/status", focal).text


def test_logged_errors_keep_no_personal_data_and_are_told_at_most_once_per_interval(
    demo: Services,
) -> None:
    import logging

    from bot.telegram.notices import notice_text
    from core.health import ErrorRecorder, Health

    health = Health(started_at=demo.clock.now())
    recorder = ErrorRecorder(health)
    logger = logging.getLogger("tests.operate")
    logger.addHandler(recorder)
    try:
        try:
            raise ValueError("row 7: Nguyễn Văn An, 0912 345 678")
        except ValueError:
            logger.exception("inbox import of hoso.xlsx failed\nwith details")
        assert health.last_error is not None
        assert health.last_error.text == "inbox import of hoso.xlsx failed (ValueError)"
        logger.warning("not an error")
        logger.error("job daily_checks (run 4) failed; it will be attempted again")
    finally:
        logger.removeHandler(recorder)
    assert health.errors == 2 and health.last_error is not None
    now, every = demo.clock.now(), timedelta(minutes=30)
    told = notice_text(health, now, every, demo)
    assert told is not None and "2 lỗi mới" in told and "job daily_checks (run 4)" in told
    assert notice_text(health, now, every, demo) is None  # nothing new
    health.record(now, "another")
    assert notice_text(health, now + timedelta(minutes=29), every, demo) is None  # too soon
    later = notice_text(health, now + timedelta(minutes=30), every, demo)
    assert later is not None and "1 lỗi mới" in later and "another" in later


def test_the_error_notice_reaches_every_admin_once_per_interval(demo: Services) -> None:
    import asyncio
    from types import SimpleNamespace
    from typing import cast

    from telegram import Bot

    from bot.telegram.context import BotContext
    from bot.telegram.notices import error_notice_job
    from storage import people

    with demo.session_factory.begin() as session:
        for telegram_id in (1, 2):
            people.save_person(session, telegram_id, Role.ADMIN, None, demo.clock.now())
        people.save_person(session, 3, Role.LEADER, None, demo.clock.now())
    assert demo.health is not None
    fake = FakeTelegram(TOKEN).start()

    async def job_twice() -> None:
        async with Bot(TOKEN, base_url=fake.base_url) as bot:
            context = cast(BotContext, SimpleNamespace(services=demo, bot=bot))
            for _ in range(3):
                demo.health.record(demo.clock.now(), "job inbox (run 9) failed (PermissionError)")
            await error_notice_job(context)
            demo.health.record(demo.clock.now(), "again")
            await error_notice_job(context)  # within error_notice_minutes: nothing

    try:
        asyncio.run(job_twice())
    finally:
        fake.stop()
    sent = [c for c in fake.calls if c.method == "sendMessage"]
    assert sorted(int(c.params["chat_id"]) for c in sent) == [1, 2]
    assert all(
        "3 lỗi mới" in c.params["text"] and "(PermissionError)" in c.params["text"] for c in sent
    )


PERSONAL = "Nguyễn Văn An 0912 345 678"


def test_tracebacks_in_the_log_keep_their_frames_but_not_personal_data() -> None:
    import io
    import logging

    from core.logs import HIDDEN, ScrubExceptions

    cell, row = PERSONAL, (PERSONAL,)  # what a dossier's file holds
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(ScrubExceptions())
    logger = logging.getLogger("tests.scrub")
    logger.addHandler(handler)
    try:
        try:
            try:
                float(cell)
            except ValueError as exc:
                raise RuntimeError(f"storing failed\n[parameters: {row}]") from exc
        except RuntimeError:
            logger.exception("importing hoso.xlsx failed")
    finally:
        logger.removeHandler(handler)
    text = out.getvalue()
    assert "Nguyễn" not in text and "0912" not in text
    assert f"ValueError: {HIDDEN}" in text and f"RuntimeError: {HIDDEN}" in text
    assert "importing hoso.xlsx failed" in text and 'File "' in text and "test_operate.py" in text
