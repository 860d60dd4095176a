"""Migrations on both backends, and the command line as a user runs it."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, text

from app.services import Services
from storage import db
from storage.models import Base, Indicator
from tests.conftest import (
    DEMO,
    DEMO_FILES,
    PG_URL,
    Templates,
    _pg_execute,
    _pg_url,
    run_cli,
    write_csv,
)

ROOT = Path(__file__).resolve().parent.parent


def test_migrations_go_down_and_up_and_match_the_models(services: Services) -> None:
    engine = services.engine
    assert db.current_revision(engine) == db.head_revision()
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []
    db.downgrade(engine, "base")
    assert db.current_revision(engine) is None
    db.upgrade(engine)
    with services.session_factory() as session:
        codes = set(session.scalars(select(Indicator.code)))
    assert {"TOTAL", "CKMB", "MDSH", "PUBLISH_ON_TIME", "R01", "R12", "OVERDUE_COUNT"} <= codes


def test_alerts_stored_before_0008_learn_their_snapshot(demo: Services) -> None:
    engine = demo.engine
    db.downgrade(engine, "0007")
    with engine.begin() as connection:
        snapshot = connection.scalar(text("SELECT min(id) FROM snapshots"))
        for identity, rule, key in (
            (f"rank:{snapshot}", "rank", str(snapshot)),
            (f"roadmap:3:R01:2025Q2:{snapshot}~9", "roadmap", "2025Q2"),
            ("overdue:3:X1", "overdue", "X1"),
        ):
            connection.execute(
                text(
                    "INSERT INTO alerts (identity, rule, period_key, urgent, payload, created_at)"
                    " VALUES (:i, :r, :k, false, '{}', '2025-04-10 00:00:00')"
                ),
                {"i": identity, "r": rule, "k": key},
            )
    db.upgrade(engine)
    with engine.connect() as connection:
        found = dict(connection.execute(text("SELECT rule, snapshot_id FROM alerts")).all())
    assert found == {"rank": snapshot, "roadmap": snapshot, "overdue": None}


def _env(tmp_path: Path) -> dict[str, str]:
    config = tmp_path / "config.toml"
    config.write_text('[database]\nurl = "sqlite:///tthc.db"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    env["TTHC_CONFIG"] = str(config)
    env.pop("TTHC_DATABASE_URL", None)
    return env


def _in_process(args: list[str], tmp_path: Path, expect: int = 0) -> str:
    return run_cli(args, _env(tmp_path), tmp_path, expect)


def _run(args: list[str], tmp_path: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """The installed command as a user runs it: a process of its own."""
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=_env(tmp_path),
        timeout=120,
        check=False,
    )


def test_the_terminal_commands_work_end_to_end(tmp_path: Path) -> None:
    assert "Cơ sở dữ liệu ở phiên bản" in _in_process(["db", "upgrade"], tmp_path)
    assert "Đã nhập tệp «01_don_vi.csv»" in _in_process(["demo", "--if-empty"], tmp_path)
    assert (tmp_path / "data" / "demo.db").exists()  # the demo has a database of its own
    asked = _run(["ask", "/rank"], tmp_path)
    assert "Xếp hạng 20/63" in asked.stdout
    assert "Chưa có số liệu thật: trả lời từ dữ liệu mẫu" in asked.stderr
    chart = asked.stdout.split("(biểu đồ: ")[1].split(")")[0]
    assert (tmp_path / chart).read_bytes().startswith(b"\x89PNG")
    chat = _run(["run"], tmp_path, stdin="/rank\n/unit phu rieng\n")
    assert chat.returncode == 0
    assert "Giảm 12 bậc" in chat.stdout and "84,28/100, -6,34" in chat.stdout
    assert _in_process(["demo", "--if-empty"], tmp_path) == ""
    # Alerts only ever come from the real database: none from the demo.
    assert _in_process(["alerts", "preview"], tmp_path) == "Không có cảnh báo nào.\n"
    assert "Đã nhập" in _in_process(["import", str(DEMO_FILES / "01_don_vi.csv")], tmp_path)
    ranks = _in_process(["import", str(DEMO_FILES / "03_xep_hang_tinh.csv")], tmp_path)
    assert "cảnh báo mới được xếp hàng" in ranks  # the import ran the rules
    preview = _in_process(["alerts", "preview"], tmp_path)
    assert "[đã có] rank:" in preview
    assert "giảm 12 bậc so với ngày 27/03/2025 (8/63)" in preview
    _in_process(["users", "add", "7", "--role", "leader"], tmp_path)
    run = _in_process(["alerts", "run"], tmp_path)
    assert "cảnh báo mới" in run
    # Without a token nothing is marked sent: the messages wait for the running bot.
    waiting = re.search(r"Không có TELEGRAM_BOT_TOKEN: (\d+) tin đang chờ gửi, chưa gửi", run)
    assert waiting is not None, run
    assert f"{waiting.group(1)} tin đang chờ gửi" in _in_process(["alerts", "run"], tmp_path)
    assert "[MỚI]" not in _in_process(["alerts", "preview"], tmp_path)  # all stored now
    assert "Đã xóa dữ liệu mẫu" in _in_process(["demo", "--remove"], tmp_path)
    assert not (tmp_path / "data" / "demo.db").exists()
    assert "Xếp hạng 20/63" in _in_process(["ask", "/rank"], tmp_path)  # the real data now


def test_a_bad_import_exits_non_zero_and_explains(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("Ngày,Đơn vị,Số hồ sơ quá hạn\n10/04/2025,Nơi nào đó,3\n", encoding="utf-8")
    output = _in_process(["import", str(bad)], tmp_path, expect=1)
    assert "dòng 2, cột B «Đơn vị»: không tìm thấy đơn vị «Nơi nào đó»" in output


def test_help_lists_every_command_and_the_exit_codes_without_heavy_imports() -> None:
    code = (
        "import sys, contextlib, io\n"
        "from bot.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        "    try:\n"
        "        main(['--help'])\n"
        "    except SystemExit:\n"
        "        pass\n"
        "heavy = ('telegram', 'pandas', 'matplotlib', 'alembic', 'docx')\n"
        "heavy = [m for m in heavy if m in sys.modules]\n"
        "print(out.getvalue()); print('HEAVY', heavy)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    for command in (
        *("db", "import", "demo", "ask", "console", "run", "users", "alerts", "groups"),
        *("report", "backup", "restore", "doctor"),
    ):
        assert f"\n    {command} " in result.stdout
    assert "mã thoát (exit codes)" in result.stdout and "  2  sai cú pháp" in result.stdout
    assert "HEAVY []" in result.stdout


@pytest.mark.skipif(not PG_URL, reason="TTHC_TEST_POSTGRES_URL is not set")
def test_db_copy_moves_the_sqlite_database_into_postgresql_row_by_row(
    templates: Templates, tmp_path: Path
) -> None:
    shutil.copy(templates.sqlite(DEMO), tmp_path / "tthc.db")
    env = _env(tmp_path)
    run_cli(["users", "add", "501", "--role", "focal", "--unit", "Phú Riềng"], env, tmp_path)
    name = f"tthc_copy_{os.getpid()}"
    _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    target = _pg_url(name)
    try:
        out = run_cli(["db", "copy", "--to", target], env, tmp_path)
        assert out.startswith("Đã chép ") and "kiểm tra từng dòng: khớp" in out
        # The bot answers the same from the copy, and new rows get new ids.
        env_pg = {**env, "TTHC_DATABASE_URL": target}
        cards = [
            run_cli(["ask", "/unit Sở Xây dựng"], e, tmp_path).split("(biểu đồ")[0]
            for e in (env, env_pg)
        ]
        assert cards[0] == cards[1] and "Sở Giao thông vận tải (đến 28/02/2025)" in cards[1]
        rows = [["Ngày", "Đơn vị", "Số hồ sơ quá hạn"], ["10/04/2025", "Huyện Bù Đăng", "7"]]
        more = run_cli(["import", str(write_csv(tmp_path, "qh.csv", rows))], env_pg, tmp_path)
        assert "Đã nhập" in more
        # A database that holds data is never written over.
        refused = run_cli(["db", "copy", "--to", target], env, tmp_path, expect=1)
        assert refused == ""
    finally:
        _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
