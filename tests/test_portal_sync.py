"""Syncing the 766 index from the national portal: the real sync against a fake portal on
127.0.0.1 serving the recorded answers (Phú Thọ, month 8/2026), and its faults."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.portal_sync import sync_province
from bot.app import Services, build_services
from core.clock import FrozenClock
from core.config import Config
from handlers.access import Asker
from handlers.router import answer
from storage.models import (
    Alert,
    ImportFile,
    Indicator,
    Observation,
    ObservationRevision,
    PortalSync,
    Snapshot,
    Unit,
)
from storage.portal.answers import PortalPeriod, decompress
from tests.conftest import TZ, run_cli
from tests.fake_portal import PHU_THO, FakePortal, fake_portal

AUGUST = PortalPeriod.parse("month:2026-08")
ADMIN = Asker()


@pytest.fixture
def portal() -> Iterator[FakePortal]:
    with fake_portal() as running:
        yield running


def _config(database_url: str, portal: FakePortal, **dvcqg: Any) -> Config:
    return Config.model_validate(
        {
            "database": {"url": database_url},
            "office": {"province": "UBND tỉnh Phú Thọ"},
            "dvcqg": {
                "base_url": portal.url,
                "delay_seconds": 0,
                "jitter_seconds": 0,
                "backoff_seconds": 0,
                "timeout_seconds": 2,
                **dvcqg,
            },
        }
    )


@pytest.fixture
def phu_tho(database_url: str, portal: FakePortal, clock: FrozenClock) -> Iterator[Services]:
    clock.current = datetime(2026, 9, 26, 9, tzinfo=TZ)
    services = build_services(_config(database_url, portal), clock)
    yield services
    services.close()


def count(services: Services, model: type, *where: Any) -> int:
    with services.session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_one_sync_sets_up_the_province_with_its_units_and_metrics(
    phu_tho: Services, portal: FakePortal
) -> None:
    steps: list[str] = []
    outcome = sync_province(phu_tho, AUGUST, progress=steps.append)
    assert outcome.complete, outcome.report()
    assert len(steps) == 6 and steps[0] == "[1/6] CKMB (transparency)"
    assert outcome.lines[0] == (
        "Cổng DVCQG tháng 8/2026 (số liệu đến ngày 31/08/2026): 164 đơn vị, "
        "164 đơn vị mới được thêm vào danh mục"
    )
    # A polite client: one request per endpoint, the asked period, its name on each request.
    assert [r.endpoint for r in portal.requests] == [
        "transparency",
        "handling-satisfaction",
        "dossier-digitized",
        "dvc-progress-tree",
        "provide-online-tree",
        "formality-online-payment-tree",
    ]
    assert portal.requests[0].body == {
        "timeType": "month",
        "year": 2026,
        "month": 8,
        "rootDepartmentId": PHU_THO,
        "currentPage": 1,
        "pageSize": 200,
    }
    assert portal.requests[1].body["fromDate"] == "2026-08-01"
    assert portal.requests[1].body["toDate"] == "2026-08-31"
    assert all(r.user_agent.startswith("tthc-bot/") for r in portal.requests)
    with phu_tho.session_factory() as session:
        province = session.scalars(select(Unit).filter_by(portal_id=PHU_THO)).one()
        assert (province.name, province.kind, province.portal_type) == (
            "UBND tỉnh Phú Thọ",
            "province",
            "PROVINCE",
        )
        kinds = dict(session.execute(select(Unit.kind, func.count()).group_by(Unit.kind)).all())
        assert kinds == {"province": 1, "department": 15, "commune": 148}
        trade = session.scalars(select(Unit).filter_by(name="Sở Công Thương")).one()
        assert trade.parent_id == province.id and trade.portal_level == "PROVINCE"

        def value(unit: Unit, code: str) -> Observation:
            return session.scalars(
                select(Observation)
                .join(Indicator)
                .where(Observation.unit_id == unit.id, Indicator.code == code)
            ).one()

        # Group scores as given; the total computed from the six of them.
        assert value(province, "CKMB").value == 7.96
        assert value(province, "TDGQ").value == 15.68 and value(province, "TDGQ").max_score == 20
        total = value(province, "TOTAL")
        assert (total.value, total.max_score) == (59.92, 100)
        published = value(province, "PUBLISH_ON_TIME")
        assert (published.numerator, published.denominator, published.value) == (0, 0, None)
        assert published.max_score == 6  # null stays null, never 0
        sync = value(province, "DOSSIER_SYNC")
        assert sync.quality_status == "TEMP_NATIONAL_REPORT_DENOMINATOR"
        assert sync.quality_message and sync.quality_message.startswith("Mẫu số BCQG/GRIS")
        # A metric the catalogue did not know is added to it.
        assert session.scalars(select(Indicator).filter_by(code="DOSSIER_SYNC")).one()
        stored = session.scalars(select(PortalSync)).one()
        assert stored.complete and stored.import_id is not None
        assert len(stored.responses) == 6
        raw = stored.responses[0]
        recorded = (
            Path(__file__).parent / "fixtures/dvcqg/month-all/transparency.json"
        ).read_bytes()
        assert raw.body is not None and decompress(raw.body) == recorded
    # The bot answers from it.
    card = answer(phu_tho, "/unit Sở Công Thương", ADMIN).text
    assert card.startswith("🏢 Sở Công Thương (sở, ban, ngành)")
    assert "Tổng điểm 766 ngày 31/08/2026: 63,25/100." in card  # the newest month: not old
    assert "Điểm theo nhóm (Cổng DVCQG, tháng 8/2026, số liệu đến ngày 31/08/2026):" in card
    assert "      – Tỷ lệ TTHC công bố đúng hạn: không có dữ liệu (0/0)" in card
    assert (
        "      – Tỷ lệ hồ sơ đồng bộ lên Cổng DVCQG: 100% (234/234), 6/6 điểm ⚠️ mẫu số tạm" in card
    )
    assert "⚠️ mẫu số tạm: Mẫu số BCQG/GRIS đang dùng số tạm" in card
    top = answer(phu_tho, "/top sở", ADMIN).text
    assert top.startswith("Sở, ban, ngành — điểm cao nhất ngày 31/08/2026 (Cổng DVCQG")
    assert "/15." in top
    phu_tho.clock.current = datetime(2026, 10, 12, 9, tzinfo=TZ)  # September is missing
    old = answer(phu_tho, "/unit Sở Công Thương", ADMIN).text
    assert "63,25/100 — ⚠️ số liệu cũ, đã 42 ngày chưa có số liệu mới." in old
    rank = answer(phu_tho, "/rank", ADMIN).text
    assert "Chưa có xếp hạng giữa các tỉnh" in rank and "Tổng điểm: 59,92/100" in rank


def test_the_same_answers_again_change_nothing_and_changed_ones_are_revisions(
    phu_tho: Services, portal: FakePortal
) -> None:
    assert sync_province(phu_tho, AUGUST).complete
    observations = count(phu_tho, Observation)
    again = sync_province(phu_tho, AUGUST)
    assert again.complete and again.unchanged
    assert "không có gì mới" in again.report()
    assert count(phu_tho, Observation) == observations
    assert count(phu_tho, ImportFile) == 1 and count(phu_tho, PortalSync) == 1

    def corrected(data: dict[str, Any]) -> None:
        data["data"]["overview"]["totalScore"] = 8.5

    portal.edits["transparency"] = corrected
    fixed = sync_province(phu_tho, AUGUST)
    assert fixed.complete and not fixed.unchanged
    assert any("được thay bằng số liệu mới" in line for line in fixed.lines)
    assert count(phu_tho, Observation) == observations
    assert count(phu_tho, ObservationRevision) == 2  # CKMB and the total of the province
    assert count(phu_tho, Snapshot) == 1


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        ("truncate", "câu trả lời không phải JSON hợp lệ"),
        ("html", "trang HTML"),
        (429, "quá nhiều yêu cầu (429)"),
        (403, "từ chối truy cập (403)"),
        ("rename", "thiếu trường «totalScore» ở đơn vị tỉnh"),
        (500, "lỗi máy chủ (500) sau 3 lần thử"),
    ],
)
def test_a_fault_of_the_portal_keeps_the_last_complete_snapshot_and_tells_the_admins(
    phu_tho: Services, portal: FakePortal, fault: str | int, said: str
) -> None:
    assert sync_province(phu_tho, AUGUST).complete
    observations = count(phu_tho, Observation)
    alerts = count(phu_tho, Alert)

    def corrected(data: dict[str, Any]) -> None:
        data["data"]["overview"]["totalScore"] = 1.0  # would be a big drop

    portal.edits["transparency"] = corrected
    portal.faults["dvc-progress-tree"] = fault
    portal.requests.clear()
    outcome = sync_province(phu_tho, AUGUST)
    assert not outcome.complete
    assert said in outcome.report() and "dvc-progress-tree" in outcome.report()
    assert "Số liệu đầy đủ gần nhất được giữ nguyên" in outcome.report()
    # Stopped at the faulty endpoint (retried on a server error only).
    asked = [r.endpoint for r in portal.requests]
    assert asked[-1] == "dvc-progress-tree" and "provide-online-tree" not in asked
    assert asked.count("dvc-progress-tree") == (3 if fault == 500 else 1)
    assert count(phu_tho, Observation) == observations  # nothing of it stored as data
    with phu_tho.session_factory() as session:
        failed = session.scalars(select(PortalSync).filter_by(complete=False)).one()
        assert failed.problem and said in failed.problem and failed.import_id is None
        assert [r.endpoint for r in failed.responses][:1] == ["transparency"]
        new = session.scalars(select(Alert).order_by(Alert.id).offset(alerts)).all()
    assert [(a.rule, a.payload["ok"]) for a in new] == [("source", False)]  # admins only
    sources = answer(phu_tho, "/sources", ADMIN).text
    assert "Lần lấy đầy đủ gần nhất từ Cổng DVCQG (số liệu của tỉnh): tháng 8/2026" in sources
    assert "⚠️ Lần lấy số liệu của tỉnh tháng 8/2026 ngày 26/09/2026 không đầy đủ: " in sources


def test_a_portal_that_does_not_answer_in_time_is_given_up(
    database_url: str, portal: FakePortal, clock: FrozenClock
) -> None:
    clock.current = datetime(2026, 9, 26, 9, tzinfo=TZ)
    services = build_services(_config(database_url, portal, timeout_seconds=0.2, retries=0), clock)
    try:
        portal.faults["transparency"] = "hang"
        outcome = sync_province(services, AUGUST)
    finally:
        services.close()
    assert not outcome.complete
    assert "transparency: cổng không trả lời trong 0,2 giây sau 1 lần thử" in outcome.report()


def test_a_month_not_over_is_not_asked_for(phu_tho: Services, portal: FakePortal) -> None:
    outcome = sync_province(phu_tho, PortalPeriod.parse("month:2026-09"))
    assert not outcome.complete and portal.requests == []
    assert "tháng 9/2026 chưa kết thúc" in outcome.report()


def test_the_command_syncs_and_says_so(
    database_url: str, portal: FakePortal, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[database]\nurl = "{database_url}"\n[office]\nprovince = "UBND tỉnh Phú Thọ"\n'
        "[dvcqg]\ndelay_seconds = 0\njitter_seconds = 0\n",
        encoding="utf-8",
    )
    env = {"TTHC_CONFIG": str(config), "PATH": "/usr/bin:/bin"}
    out = run_cli(
        ["sync", "dvcqg", "--period", "month:2026-08", "--base-url", portal.url], env, tmp_path
    )
    assert "Cổng DVCQG tháng 8/2026" in out and "164 đơn vị" in out
    bad = run_cli(["sync", "dvcqg", "--period", "tháng 8"], env, tmp_path, expect=2)
    assert bad == ""


def test_the_daily_job_syncs_the_last_finished_month_once(
    phu_tho: Services, portal: FakePortal
) -> None:
    from jobs.runner import run_due

    portal.bodies["service-results"] = _national_answer()
    assert run_due(phu_tho, {"dvcqg_sync"}) == ["dvcqg_sync"]  # 06:30 passed this morning
    assert {r.body["month"] for r in portal.requests if "month" in r.body} == {8}
    assert [r.endpoint for r in portal.requests][-1] == "service-results"
    assert count(phu_tho, PortalSync, PortalSync.complete.is_(True)) == 2
    assert run_due(phu_tho, {"dvcqg_sync"}) == []  # that run happened


def _national_answer() -> bytes:
    """A ranking answer in the documented shape of ``service-results`` (the recordings hold
    the list of the 34 provinces but not their scores): Phú Thọ with its own group scores of
    the recorded month, one province just above, one just below, the others far away."""
    from storage.portal.answers import portal_provinces

    phu_tho = {"CKMB": 7.96, "TDGQ": 15.68, "CLGQ": 8.83, "TTTT": 6.25, "MDHL": 12.96, "MDSH": 8.24}
    above = {**phu_tho, "TDGQ": 17.0, "MDSH": 7.5, "TTTT": 6.09}  # 60.34: ahead on progress
    below = {**phu_tho, "CKMB": 7.54}  # 59.5
    rows = []
    for number, province in enumerate(portal_provinces()):
        if province["departmentId"] == PHU_THO:
            groups = phu_tho
        elif province["departmentName"] == "UBND tỉnh Cà Mau":
            groups = above
        elif province["departmentName"] == "UBND tỉnh Cao Bằng":
            groups = below
        else:
            far = 20.0 if number % 2 else -20.0
            groups = {**phu_tho, "MDHL": 12.96 + far / 4, "MDSH": 8.24 + far / 4}
        rows.append(
            {
                "departmentId": province["departmentId"],
                "departmentName": province["departmentName"],
                "departmentCode": province["departmentCode"],
                "totalScore": round(sum(groups.values()), 2),
                "scoreDelta": None,
                "groupScores": groups,
            }
        )
    return json.dumps({"code": "OK", "data": {"evaluation": rows}}, ensure_ascii=False).encode()


def test_the_ranking_of_the_provinces_places_the_province_among_its_neighbours(
    phu_tho: Services, portal: FakePortal
) -> None:
    from app.portal_sync import sync_national

    assert "tthc-bot sync dvcqg" in answer(phu_tho, "/rank", ADMIN).text  # nothing yet
    assert sync_province(phu_tho, AUGUST).complete
    assert "Chưa có xếp hạng giữa các tỉnh" in answer(phu_tho, "/rank", ADMIN).text
    portal.bodies["service-results"] = _national_answer()
    outcome = sync_national(phu_tho, AUGUST)
    assert outcome.complete, outcome.report()
    assert outcome.lines[0] == (
        "Cổng DVCQG xếp hạng các tỉnh tháng 8/2026 (số liệu đến ngày 31/08/2026): "
        "34 tỉnh, thành phố, 33 tỉnh mới được thêm vào danh mục"
    )
    assert portal.requests[-1].body == {
        "timeType": "month",
        "year": 2026,
        "month": 8,
        "departmentType": "ADMINISTRATIVE_UNIT",
    }
    text = answer(phu_tho, "/rank", ADMIN).text
    lines = text.splitlines()
    rank_line = next(line for line in lines if line.startswith("Xếp hạng "))
    assert rank_line.startswith("Xếp hạng 18/34 tính đến ngày 31/08/2026")
    assert (
        "Cách hạng 17 (UBND tỉnh Cà Mau, 60,34 điểm): 0,42 điểm; chênh nhiều nhất ở: "
        "Tiến độ giải quyết -1,32." in lines
    )
    assert (
        "Hơn hạng 19 (UBND tỉnh Cao Bằng, 59,5 điểm): 0,42 điểm; chênh nhiều nhất ở: "
        "Công khai, minh bạch +0,42." in lines
    )
    # The provinces' table answers /top too.
    top = answer(phu_tho, "/top tỉnh", ADMIN).text
    assert top.startswith(
        "Tỉnh — điểm cao nhất ngày 31/08/2026 (Cổng DVCQG, bảng xếp hạng các tỉnh):\n1/34. "
    )


def test_a_broken_ranking_answer_is_kept_apart_and_told(
    phu_tho: Services, portal: FakePortal
) -> None:
    from app.portal_sync import sync_national

    portal.bodies["service-results"] = b'{"code":"OK","data":{"evaluation":[]}}'
    outcome = sync_national(phu_tho, AUGUST)
    assert not outcome.complete
    assert "bảng xếp hạng các tỉnh trống hoặc sai cấu trúc" in outcome.report()
    assert count(phu_tho, Observation) == 0
    assert count(phu_tho, Alert, Alert.rule == "source") == 1


def test_a_month_is_old_only_once_the_next_month_is_overdue(
    phu_tho: Services, portal: FakePortal
) -> None:
    from app.alerts.engine import raise_alerts
    from app.alerts.rules.stale import RULE as STALE

    assert sync_province(phu_tho, AUGUST).complete
    assert raise_alerts(phu_tho, [STALE]) == []  # 26/09: August is the newest there can be
    phu_tho.clock.current = datetime(2026, 10, 12, 9, tzinfo=TZ)
    (stale,) = raise_alerts(phu_tho, [STALE])
    assert stale.payload["days"] == 42 and stale.payload["source"] == "DVCQG"


def test_every_page_of_an_answer_is_asked_for(phu_tho: Services, portal: FakePortal) -> None:
    def two_pages(data: dict[str, Any]) -> None:
        data["data"]["pagination"]["totalPages"] = 2

    portal.edits["transparency"] = two_pages
    assert sync_province(phu_tho, AUGUST).complete
    pages = [r.body["currentPage"] for r in portal.requests if r.endpoint == "transparency"]
    assert pages == [1, 2]
