"""The inbox folder: files dropped there are imported, moved with their report, and the
admins told; a file still being written waits for the next look."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from app.alerts.render import render_batch
from app.inbox import scan_inbox
from bot.app import Services, build_services
from core.clock import FrozenClock
from core.config import Config
from storage.models import Alert, ImportFile
from tests.conftest import DEMO_FILES, write_csv


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder


@pytest.fixture
def watching(units: Services, inbox: Path, clock: FrozenClock) -> Iterator[Services]:
    config = Config.model_validate(
        {
            "database": {"url": units.engine.url.render_as_string(hide_password=False)},
            "sources": {"inbox": str(inbox)},
        }
    )
    services = build_services(config, clock)
    yield services
    services.close()


def _admin_messages(services: Services) -> list[Alert]:
    with services.session_factory() as session:
        return list(session.scalars(select(Alert).filter_by(rule="source").order_by(Alert.id)))


def test_a_file_dropped_in_the_inbox_is_imported_once_it_stopped_changing(
    watching: Services, inbox: Path, tmp_path: Path
) -> None:
    shutil.copy(DEMO_FILES / "05_so_nganh_2025.csv", inbox / "so_nganh.csv")
    (inbox / "~$so_nganh.xlsx").write_bytes(b"lock file of Excel")
    (inbox / "copying.csv.part").write_bytes(b"half")
    assert scan_inbox(watching) == []  # first look: it may still be being written
    growing = inbox / "huyen.csv"
    growing.write_bytes((DEMO_FILES / "06_huyen_2025.csv").read_bytes()[:50])
    results = scan_inbox(watching)
    assert [(r.name, r.ok) for r in results] == [("so_nganh.csv", True)]
    assert (inbox / "done" / "so_nganh.csv").exists() and not (inbox / "so_nganh.csv").exists()
    report = (inbox / "done" / "so_nganh.csv.txt").read_text(encoding="utf-8")
    assert report.startswith("Đã nhập tệp «so_nganh.csv» (điểm số, tỷ lệ), 13 dòng dữ liệu.")
    assert growing.exists()  # changed since the last look? it was first seen now
    assert (inbox / "~$so_nganh.xlsx").exists() and (inbox / "copying.csv.part").exists()
    (message,) = _admin_messages(watching)
    text = render_batch([message])
    assert text.startswith("📥 Đã nhập tệp «so_nganh.csv» từ thư mục nhận tệp.")
    assert "Điểm số, tỷ lệ: 26 giá trị mới trong 2 kỳ số liệu" in text
    with watching.session_factory() as session:
        newest = select(ImportFile.file_name).order_by(ImportFile.id.desc()).limit(1)
        assert session.scalar(newest) == "so_nganh.csv"


def test_a_bad_file_goes_to_failed_with_its_report_and_the_admins_hear_why(
    watching: Services, inbox: Path, tmp_path: Path
) -> None:
    bad = write_csv(
        tmp_path,
        "sai.csv",
        [["Ngày", "Đơn vị", "Chỉ số", "Giá trị"], ["08/04/2025", "Sở Không Có", "TOTAL", "80"]],
    )
    shutil.copy(bad, inbox / "sai.csv")
    (inbox / "anh.png").write_bytes(b"\x89PNG not data")
    scan_inbox(watching)
    results = scan_inbox(watching)
    assert sorted((r.name, r.ok) for r in results) == [("anh.png", False), ("sai.csv", False)]
    report = (inbox / "failed" / "sai.csv.txt").read_text(encoding="utf-8")
    assert "dòng 2" in report and "Sở Không Có" in report
    texts = [render_batch([a]) for a in _admin_messages(watching)]
    assert any(t.startswith("📥 Không nhập được tệp «sai.csv»") and "dòng 2" in t for t in texts)
    assert any("loại tệp không được hỗ trợ" in t for t in texts)
    # The same name again later is kept apart, not overwritten.
    shutil.copy(bad, inbox / "sai.csv")
    scan_inbox(watching)
    scan_inbox(watching)
    assert (inbox / "failed" / "sai (2).csv").exists()
    assert (inbox / "failed" / "sai.csv").exists()


def test_without_an_inbox_nothing_is_looked_at(units: Services) -> None:
    assert scan_inbox(units) == []
