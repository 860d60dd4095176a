"""Damaged and hostile files are refused with a clear message; the process reading them never
dies, hangs or swells (issue 11). Each file here, read in the bot's own process, took it down."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.services import Services
from core.isolation import ChildError, LimitExceeded, Limits, run_limited
from storage.importers.reader import DEFAULT_LIMITS, ReadLimits, UnreadableFile, read_sheets
from storage.models import ImportFile, Observation
from tests import hostile
from tests.conftest import BACKENDS, do_import, run_cli, write_xlsx

BOMBS: dict[str, tuple[str, Callable[[], bytes], str]] = {
    # name: (file name, builder, what the refusal says)
    "far cell": ("far.xlsx", hostile.far_cell_xlsx, "bộ nhớ"),
    "sparse sheet": ("sparse.ods", hostile.sparse_ods, "bộ nhớ"),
    "30 MB shared string": ("shared.xlsx", hostile.shared_string_xlsx, "bộ nhớ"),
    "1.5 GB of whitespace": ("blank.xlsx", hostile.whitespace_xlsx, "giải nén ra 1.536 MB"),
    "16,384 columns": ("wide.ods", hostile.wide_ods, "16.384 cột"),
}


@pytest.mark.parametrize("bomb", list(BOMBS))
def test_bomb_files_are_refused_as_too_big(bomb: str) -> None:
    name, build, detail = BOMBS[bomb]
    with pytest.raises(UnreadableFile) as refused:
        read_sheets(Path(name), build())
    assert str(refused.value).startswith("tệp quá lớn hoặc không đọc được: ")
    assert detail in str(refused.value)


def test_a_cell_longer_than_excel_allows_is_refused_with_its_place() -> None:
    with pytest.raises(UnreadableFile) as refused:
        read_sheets(Path("codes.xlsx"), hostile.long_cell_xlsx())
    assert "dòng 2, cột B" in str(refused.value)
    assert "100.000 ký tự" in str(refused.value)


def test_a_read_beyond_its_time_is_stopped(tmp_path: Path) -> None:
    rows = [["Mã hồ sơ", "Ngày"]] + [[f"H{n}", "01/04/2025"] for n in range(20_000)]
    path = write_xlsx(tmp_path, "big.xlsx", {"S": rows})
    assert len(read_sheets(path, path.read_bytes())[0].rows) == 20_001
    # starting an interpreter alone takes longer than this
    with pytest.raises(UnreadableFile, match="đọc quá 0 giây"):
        read_sheets(path, path.read_bytes(), ReadLimits(seconds=0.01))


def test_a_file_over_the_size_limit_is_not_even_read(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(b"a,b\n" * (1024 * 1024 // 4 + 1))
    with pytest.raises(UnreadableFile, match="tệp lớn hơn 1 MB"):
        read_sheets(path, path.read_bytes(), ReadLimits(max_file_mb=1))


def _answer_with_a_path() -> object:
    return Path("/")


def _raise_value_error(text: str) -> None:
    raise ValueError(text)


def _crash() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def test_the_child_can_hand_back_only_plain_values() -> None:
    """A child subverted by a crafted file could answer with any pickle; only plain values
    and the classes the caller names are taken."""
    limits = Limits(seconds=30, memory_mb=512)
    with pytest.raises(LimitExceeded, match="not allowed"):
        run_limited(_answer_with_a_path, limits=limits)
    assert run_limited(_answer_with_a_path, limits=limits, returns=[type(Path("/"))]) == Path("/")
    with pytest.raises(ChildError) as raised:
        run_limited(_raise_value_error, "không hợp lệ", limits=limits)
    assert (raised.value.kind, raised.value.message) == ("builtins.ValueError", "không hợp lệ")
    with pytest.raises(LimitExceeded, match="code -9"):
        run_limited(_crash, limits=limits)


def _stored(services: Services) -> tuple[int, int]:
    with services.session_factory() as session:
        return (
            session.scalar(select(func.count()).select_from(ImportFile)) or 0,
            session.scalar(select(func.count()).select_from(Observation)) or 0,
        )


def test_importing_a_bomb_stores_nothing_and_says_why(services: Services, tmp_path: Path) -> None:
    before = _stored(services)
    path = tmp_path / "far.xlsx"
    path.write_bytes(hostile.far_cell_xlsx())
    outcome = do_import(services, path)
    assert not outcome.ok
    assert "tệp quá lớn hoặc không đọc được" in outcome.report()
    assert _stored(services) == before


def test_the_command_line_refuses_a_bomb_with_exit_1(tmp_path: Path, database_url: str) -> None:
    path = tmp_path / "far.xlsx"
    path.write_bytes(hostile.far_cell_xlsx())
    env = {**os.environ, "TTHC_DATABASE_URL": database_url}
    out = run_cli(["import", str(path)], env, tmp_path, expect=1)
    assert "tệp quá lớn hoặc không đọc được" in out


def test_default_limits_match_the_shipped_configuration() -> None:
    from app.imports import read_limits
    from core.config import Config

    assert read_limits(Config()) == DEFAULT_LIMITS


RANKS = (
    "Ngày,Đơn vị,Chỉ số,Giá trị,Xếp hạng,Nguồn\n"
    '10/04/2025,UBND tỉnh Bình Phước,Tổng điểm,"{}",{},DVCQG\n'
)
COUNTS = "Ngày,Đơn vị,Số hồ sơ quá hạn,Nguồn\n{},Thị xã Bình Long,{},DVC tỉnh\n"
DOSSIERS = "Mã hồ sơ,Đơn vị,Ngày tiếp nhận,Ngày hẹn trả\n{},Sở Nội vụ,{},15/04/2025\n"
TABLE = 'STT,ĐƠN VỊ,{},ĐIỂM ĐÁNH GIÁ (08/4/2025)\n1.,Sở Nội vụ,"90,41","95,59"\n'
NINES = "9" * 400
ABSURD = {
    # name: (file text, where, what the refusal says)
    "rank ≥ 2^63": (RANKS.format("77,73", f"{2**63}/{2**64}"), "cột E", "không phải là thứ hạng"),
    "5,000-digit rank": (RANKS.format("77,73", "9" * 5000), "cột E", "(5.000 ký tự)"),
    "infinite score": (RANKS.format(f"{NINES}/{NINES}", "1/34"), "cột D", "quá lớn"),
    "huge score": (RANKS.format(NINES, "1/34"), "cột D", "quá lớn"),
    "309-digit count": (COUNTS.format("10/04/2025", NINES), "cột C", "quá lớn"),
    "count of 1e20": (COUNTS.format("10/04/2025", 10**20), "cột C", "quá lớn"),
    "year 9999": (COUNTS.format("10/04/9999", 3), "cột A", "năm 9999 nằm ngoài"),
    "received in year 1": (DOSSIERS.format("H1", "01/01/0001"), "cột C", "năm 1 nằm ngoài"),
    "100,000-character code": (DOSSIERS.format("H" * 30_000, "01/04/2025"), "cột A", "quá 100"),
    "control characters": (
        COUNTS.format("10/04/2025", 3).replace("Long", "Long\x07"),
        "cột B",
        "điều khiển",
    ),
    "right-to-left override": (
        DOSSIERS.format("H\u202e1", "01/04/2025"),
        "cột A",
        "đảo chiều văn bản",
    ),
    "31/02 in a header": (TABLE.format("ĐIỂM ĐÁNH GIÁ (31/02/2025)"), "cột C", "ngày sai"),
    "Năm 0000 in a header": (TABLE.format("Năm 0000"), "cột C", "năm sai"),
}


@pytest.mark.parametrize("case", list(ABSURD))
def test_absurd_values_are_refused_with_row_and_column(
    units: Services, tmp_path: Path, case: str
) -> None:
    text, where, said = ABSURD[case]
    path = tmp_path / "tep.csv"
    path.write_text(text, encoding="utf-8")
    before = _stored(units)
    outcome = do_import(units, path)
    report = outcome.report()
    assert said in report, report
    assert not outcome.ok
    assert f"dòng 2, {where}" in report or f"dòng 1, {where}" in report, report
    assert _stored(units) == before


def test_a_database_failure_during_the_check_is_a_refusal_in_words(
    units: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The connection drops while the file is checked: a refusal in Vietnamese, not a
    traceback and not "OperationalError"."""
    from sqlalchemy.exc import OperationalError

    from storage.importers import base

    def dropped(*args: object, **kwargs: object) -> None:
        raise OperationalError("SELECT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(base.ImportContext, "_lookup_unit", dropped)
    path = tmp_path / "tep.csv"
    path.write_text(COUNTS.format("10/04/2025", 3), encoding="utf-8")
    outcome = do_import(units, path)
    assert not outcome.ok
    assert "mất kết nối tới cơ sở dữ liệu" in outcome.report()
    assert "OperationalError" not in outcome.report()


@pytest.mark.parametrize("backend", ["sqlite"])
def test_an_import_into_a_locked_sqlite_database_is_refused_in_words_then_works(
    units: Services, tmp_path: Path
) -> None:
    """Another program holds the SQLite file's write lock longer than the busy timeout."""
    import sqlite3

    from sqlalchemy import func, select
    from sqlalchemy.engine import make_url

    from bot.app import build_services
    from core.config import Config
    from storage.models import Observation

    url = units.config.database.url
    config = Config.model_validate({"database": {"url": url, "busy_timeout_seconds": 0.3}})
    services = build_services(config, units.clock)
    path = tmp_path / "tep.csv"
    path.write_text(COUNTS.format("10/04/2025", 3), encoding="utf-8")
    locker = sqlite3.connect(make_url(url).database or "", timeout=5)
    try:
        locker.execute("BEGIN EXCLUSIVE")
        outcome = do_import(services, path)
        locker.rollback()
        assert not outcome.ok
        assert "cơ sở dữ liệu đang bị khóa (đang bận ghi), thử lại sau ít phút" in outcome.report()
        with services.session_factory() as session:
            assert session.scalar(select(func.count()).select_from(Observation)) == 0
        assert do_import(services, path).ok  # once the other program is done
    finally:
        locker.close()
        services.close()


@pytest.mark.parametrize("backend", [BACKENDS[1]])
def test_a_postgresql_connection_dropped_during_an_import_stores_nothing(
    units: Services, tmp_path: Path
) -> None:
    """The server drops the import's own connection between the check and the writing."""
    from sqlalchemy import func, select, text

    from storage.models import ImportFile, Observation

    def drop_the_connection(step: str, _done: int, _total: int | None) -> None:
        if step != "kiểm tra":
            return
        with units.engine.connect() as connection:
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )

    path = tmp_path / "tep.csv"
    path.write_text(COUNTS.format("10/04/2025", 3), encoding="utf-8")
    from app.imports import import_file

    def stored() -> tuple[int, int]:
        with units.session_factory() as session:
            return (
                int(session.scalar(select(func.count()).select_from(ImportFile)) or 0),
                int(session.scalar(select(func.count()).select_from(Observation)) or 0),
            )

    before = stored()
    outcome = import_file(units, path, progress=drop_the_connection)
    assert not outcome.ok
    assert "mất kết nối tới cơ sở dữ liệu, thử lại sau ít phút" in outcome.report()
    assert stored() == before
    assert do_import(units, path).ok  # the next import gets a fresh connection
    assert stored() == (before[0] + 1, before[1] + 1)
