"""Each alert rule over stored data: fires, does not fire, no data, thresholds, calendars."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update

from app.alerts.engine import Recheck, after_new_data, preview_alerts, raise_alerts
from app.alerts.render import render_batch
from app.alerts.rules.deadline import RULE as DEADLINE
from app.alerts.rules.drop import RULE as DROP
from app.alerts.rules.escalation import RULE as ESCALATION
from app.alerts.rules.overdue import RULE as OVERDUE
from app.alerts.rules.overdue_count import RULE as OVERDUE_COUNT
from app.alerts.rules.rank import RULE as RANK
from app.alerts.rules.roadmap import RULE as ROADMAP
from app.alerts.rules.stale import RULE as STALE
from app.services import Services
from core.clock import FrozenClock
from core.config import Config
from storage import people
from storage.models import Alert, AlertStatus, Delivery, Role, Unit
from tests.conftest import DEMO_FILES, TZ, do_import, write_csv


def ids(alerts: list[Alert]) -> set[str]:
    return {a.identity for a in alerts}


def unit_id(services: Services, name: str) -> int:
    with services.session_factory() as session:
        return int(session.scalars(select(Unit.id).filter_by(name=name)).one())


def with_alerts(services: Services, **settings: object) -> Services:
    data = services.config.model_dump(by_alias=True)
    data["alerts"].update(settings)
    services.config = Config.model_validate(data)
    return services


def test_a_drop_of_at_least_the_threshold_fires_once(demo: Services) -> None:
    phu_rieng, bu_dop = unit_id(demo, "UBND huyện Phú Riềng"), unit_id(demo, "UBND huyện Bù Đốp")
    first = raise_alerts(demo, [DROP])
    found = ids(first)
    assert any(i.startswith(f"drop:{phu_rieng}:TOTAL:") for i in found)
    assert not any(i.startswith(f"drop:{bu_dop}:") for i in found)  # +0,8 is a rise
    phu = next(a for a in first if a.identity.startswith(f"drop:{phu_rieng}:TOTAL"))
    assert "90,62 → 84,28 (-6,34" in render_batch([phu])
    assert raise_alerts(demo, [DROP]) == []  # re-running raises nothing new


def test_per_indicator_thresholds_override_the_default(demo: Services) -> None:
    with_alerts(demo, drop_thresholds={"TOTAL": 5.0})
    found = ids(raise_alerts(demo, [DROP]))
    assert any(i.startswith(f"drop:{unit_id(demo, 'UBND huyện Phú Riềng')}:TOTAL") for i in found)
    assert not any(i.startswith(f"drop:{unit_id(demo, 'Sở Y tế')}:") for i in found)  # -1,43


def test_no_data_is_not_a_drop_and_a_return_is_not_a_rise(
    demo: Services, clock: FrozenClock, tmp_path: Path
) -> None:
    clock.current = datetime(2025, 4, 16, 9, tzinfo=TZ)  # the day after the file's date
    path = write_csv(
        tmp_path,
        "d.csv",
        [
            ["STT", "ĐƠN VỊ", "ĐIỂM ĐÁNH GIÁ (15/4/2025)"],
            ["1", "Sở Tư pháp", "Hệ thống không thông báo dữ liệu"],
            ["2", "Sở Ngoại vụ", "50"],
            ["3", "Sở Y tế", "80"],
        ],
    )
    assert do_import(demo, path).ok
    found = ids(raise_alerts(demo, [DROP]))
    assert not any(i.startswith(f"drop:{unit_id(demo, 'Sở Tư pháp')}:") for i in found)
    assert not any(i.startswith(f"drop:{unit_id(demo, 'Sở Ngoại vụ')}:") for i in found)
    assert any(i.startswith(f"drop:{unit_id(demo, 'Sở Y tế')}:") for i in found)


def _ratio(services: Services, tmp_path: Path, day: str, value: str) -> None:
    path = write_csv(
        tmp_path,
        f"r{day.replace('/', '')}.csv",
        [
            ["Ngày", "Đơn vị", "Chỉ số", "Giá trị"],
            [day, "UBND huyện Bù Đăng", "R04", value],
        ],
    )
    assert do_import(services, path).ok


def test_below_roadmap_fires_first_time_in_a_quarter_and_when_worse(
    units: Services, clock: FrozenClock, tmp_path: Path
) -> None:
    clock.current = datetime(2024, 7, 2, 9, tzinfo=TZ)  # after every reading below
    assert do_import(units, DEMO_FILES / "02_chi_tieu_2024.csv").ok
    steps = [
        ("31/03/2024", "45", False),  # Q1 minimum for districts is 40%: met
        ("01/04/2024", "45", True),  # Q2 minimum 55%: first time below this quarter
        ("15/04/2024", "44", True),  # worse
        ("20/04/2024", "50", False),  # better, still below: quiet
        ("30/06/2024", "50", False),  # same
        ("01/07/2024", "50", True),  # Q3 minimum 70%: a new quarter
    ]
    for day, value, fires in steps:
        _ratio(units, tmp_path, day, value)
        created = raise_alerts(units, [ROADMAP])
        assert bool(created) == fires, (day, value)
    payloads = [a.payload for a in _all(units) if a.rule == "roadmap"]
    assert [(p["quarter"], p["target"], p["value"]) for p in payloads] == [
        (2, 55.0, 45.0),
        (2, 55.0, 44.0),
        (3, 70.0, 50.0),
    ]


def test_a_noisy_ratio_under_the_roadmap_is_told_again_only_a_step_worse(
    units: Services, clock: FrozenClock, tmp_path: Path
) -> None:
    clock.current = datetime(2024, 7, 2, 9, tzinfo=TZ)
    assert do_import(units, DEMO_FILES / "02_chi_tieu_2024.csv").ok
    told = []
    for day, value in (("01/04", "45"), ("02/04", "44,6"), ("03/04", "44,2"), ("04/04", "43,9")):
        _ratio(units, tmp_path, f"{day}/2024", value)
        told += [a.payload["value"] for a in raise_alerts(units, [ROADMAP])]
    assert told == [45.0, 43.9]  # the step is 1 percentage point (config roadmap_worse_step)


def test_a_daily_ratio_going_up_and_down_is_told_once_and_again_at_each_step_down(
    units: Services, clock: FrozenClock, tmp_path: Path
) -> None:
    clock.current = datetime(2024, 5, 2, 9, tzinfo=TZ)
    told = []
    steps = [
        ("01/04", "80"),
        ("02/04", "79"),  # a fall of 1 point (config drop_threshold): told
        ("03/04", "80"),
        ("04/04", "79"),  # the same fall again within drop_repeat_days (7): not told
        ("05/04", "78"),  # a step below the value told: told
        ("06/04", "78,5"),
        ("07/04", "77,4"),  # 1,1 down, but not a point below 78: not told
        ("08/04", "84"),
        ("20/04", "83"),  # more than 7 days after the last told fall: told again
    ]
    for day, value in steps:
        _ratio(units, tmp_path, f"{day}/2024", value)
        told += [(a.payload["new_date"], a.payload["new"]) for a in raise_alerts(units, [DROP])]
    assert told == [("2024-04-02", 79.0), ("2024-04-05", 78.0), ("2024-04-20", 83.0)]


def test_a_corrected_ratio_withdraws_or_corrects_its_roadmap_alert(
    units: Services, clock: FrozenClock, tmp_path: Path
) -> None:
    clock.current = datetime(2024, 7, 2, 9, tzinfo=TZ)
    assert do_import(units, DEMO_FILES / "02_chi_tieu_2024.csv").ok
    bu_dang = unit_id(units, "UBND huyện Bù Đăng")
    with units.session_factory.begin() as session:
        people.save_person(session, 501, Role.FOCAL, bu_dang, clock.now())
    _ratio(units, tmp_path, "01/04/2024", "45")  # under the Q2 minimum of 55%
    (first,) = [a for a in after_new_data(units)[0] if a.rule == "roadmap"]
    (tmp_path / "r01042024.csv").unlink()
    _ratio(units, tmp_path, "01/04/2024", "44,5")  # corrected, still under: kept, refreshed
    assert after_new_data(units)[1] == Recheck(withdrawn=0, refreshed=1, corrections=[])
    (tmp_path / "r01042024.csv").unlink()
    _ratio(units, tmp_path, "01/04/2024", "60")  # corrected: the minimum was met
    _assert_withdrawn(units, first)
    # Sent before the correction came: a correction goes to the same chat.
    _ratio(units, tmp_path, "15/04/2024", "50")
    (sent,) = [a for a in after_new_data(units)[0] if a.rule == "roadmap"]
    _mark_sent(units, sent)
    (tmp_path / "r15042024.csv").unlink()
    _ratio(units, tmp_path, "15/04/2024", "57")
    text, chats = _the_correction(units)
    assert text.startswith("✏️ Đính chính: cảnh báo gửi ngày 02/07/2024 không còn đúng")
    assert "50% ngày 15/04/2024, tối thiểu quý II/2024 là 55%" in text
    assert chats == {501}


def _assert_withdrawn(services: Services, alert: Alert) -> None:
    """The re-check after a correction withdrew the alert's unsent deliveries."""
    _, recheck = after_new_data(services)
    assert recheck.withdrawn == 1 and recheck.corrections == []
    with services.session_factory() as session:
        statuses = set(session.scalars(select(Delivery.status).filter_by(alert_id=alert.id)))
    assert statuses == {"withdrawn"}


def _mark_sent(services: Services, alert: Alert) -> None:
    with services.session_factory.begin() as session:
        session.execute(
            update(Delivery)
            .where(Delivery.alert_id == alert.id)
            .values(status=AlertStatus.SENT.value, sent_at=services.clock.now())
        )


def _the_correction(services: Services) -> tuple[str, set[int]]:
    """The one correction the re-check after a correction raised: its text and chats."""
    _, recheck = after_new_data(services)
    (correction,) = recheck.corrections
    with services.session_factory() as session:
        chats = set(session.scalars(select(Delivery.chat_id).filter_by(alert_id=correction.id)))
    return render_batch([correction]), chats


def _all(services: Services) -> list[Alert]:
    with services.session_factory() as session:
        return list(session.scalars(select(Alert).order_by(Alert.id)))


def test_province_rank_drop_names_the_groups_that_caused_it(demo: Services) -> None:
    created = raise_alerts(demo, [RANK])
    assert len(created) == 1
    text = render_batch(created)
    assert "20/63 ngày 08/04/2025, giảm 12 bậc so với ngày 27/03/2025 (8/63)" in text
    assert "Do: Đồng bộ hồ sơ giảm 24,27 điểm" in text


def test_rank_band_and_places(demo: Services) -> None:
    with_alerts(demo, rank_drop_places=13)
    assert preview_alerts(demo, [RANK]) == []
    with_alerts(demo, rank_drop_places=13, rank_band=10)
    with demo.session_factory.begin() as session:
        people.save_person(session, 7, Role.LEADER, None, demo.clock.now(), "Chủ tịch")
        people.save_person(session, 8, Role.ADMIN, None, demo.clock.now())
    (preview,) = preview_alerts(demo, [RANK])
    assert preview.new and preview.draft.payload["band"] == 10
    assert preview.recipients == ["7 (leader, Chủ tịch)", "8 (admin)"]  # who would get it


def test_new_overdue_dossiers_alert_once_each_with_the_first_ten_listed(
    units: Services, clock: FrozenClock, tmp_path: Path
) -> None:
    rows: list[list[object]] = [["MaHoSo", "TenTTHC", "DonVi", "NgayTiepNhan", "NgayHenTra"]]
    rows += [
        [f"HS{n:02d}", f"Thủ tục {n}", "Xã Long Hà", "01/04/2025", "10/04/2025 17:00"]
        for n in range(12)
    ]
    assert do_import(units, write_csv(tmp_path, "hs.csv", rows)).ok
    assert raise_alerts(units, [OVERDUE]) == []  # 10/04 09:00: not yet due
    clock.move(timedelta(hours=9))  # 18:00, past 17:00
    created = raise_alerts(units, [OVERDUE])
    assert len(created) == 12
    text = render_batch(created, list_limit=10)
    assert "UBND xã Long Hà: 12 hồ sơ mới quá hạn" in text
    assert "HS09 — Thủ tục 9" in text and "HS10" not in text
    assert "… và 2 hồ sơ khác" in text and "phiếu xin lỗi" in text
    assert raise_alerts(units, [OVERDUE]) == []


def test_overdue_counts_that_rose_alert(demo: Services) -> None:
    found = ids(raise_alerts(demo, [OVERDUE_COUNT]))
    assert any(
        i.startswith(f"overdue-count:{unit_id(demo, 'UBND thị xã Bình Long')}:") for i in found
    )  # 3 -> 204
    assert not any(
        i.startswith(f"overdue-count:{unit_id(demo, 'UBND huyện Phú Riềng')}:") for i in found
    )  # 195 -> 1


def test_deadline_stages_count_working_days_across_tet(
    units: Services, clock: FrozenClock, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path,
        "p.csv",
        [
            ["Quyết định công bố của bộ, ngành", "Đơn vị tham mưu", "Hạn xử lý"],
            ["Quyết định số 1/QĐ-BTP ngày 02/01/2025", "Sở Tư pháp", "03/02/2025"],
        ],
    )
    assert do_import(units, path).ok
    expected = [
        (datetime(2025, 1, 21, 8, tzinfo=TZ), None),  # 4 working days left
        (datetime(2025, 1, 22, 8, tzinfo=TZ), "3"),
        (datetime(2025, 1, 23, 8, tzinfo=TZ), None),  # 2 left: stage 3 already sent
        (datetime(2025, 1, 24, 8, tzinfo=TZ), "1"),  # Tết 27-31/01 and the weekends skipped
        (datetime(2025, 1, 30, 8, tzinfo=TZ), None),  # still 1 left during Tết
        (datetime(2025, 2, 3, 8, tzinfo=TZ), "0"),
        (datetime(2025, 2, 4, 8, tzinfo=TZ), "overdue"),
        (datetime(2025, 2, 5, 8, tzinfo=TZ), None),  # overdue is said once
    ]
    for moment, stage in expected:
        clock.current = moment
        created = raise_alerts(units, [DEADLINE])
        assert [a.period_key for a in created] == ([stage] if stage else []), moment
    urgent = {a.period_key: a.urgent for a in _all(units)}
    assert urgent == {"3": False, "1": False, "0": True, "overdue": True}


def test_a_task_first_seen_late_gets_only_its_nearest_stage(
    units: Services, clock: FrozenClock, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path,
        "p.csv",
        [
            ["Quyết định công bố của bộ, ngành", "Đơn vị tham mưu", "Hạn xử lý"],
            ["Quyết định số 2/QĐ-BTP ngày 02/04/2025", "Sở Tư pháp", "11/04/2025"],
        ],
    )
    assert do_import(units, path).ok
    assert [a.identity.split(":")[-1] for a in raise_alerts(units, [DEADLINE])] == ["1"]


def test_stale_data_tells_the_admins_once(demo: Services, clock: FrozenClock) -> None:
    with demo.session_factory() as session:
        people.save_person(session, 1, Role.ADMIN, None, clock.now())
        people.save_person(session, 2, Role.LEADER, None, clock.now())
        session.commit()
    clock.current = datetime(2025, 4, 15, 9, tzinfo=TZ)  # 7 days after 08/04: not yet
    assert not any(a.identity.startswith("stale:DVCQG") for a in raise_alerts(demo, [STALE]))
    clock.current = datetime(2025, 4, 16, 9, tzinfo=TZ)
    created = raise_alerts(demo, [STALE])
    stale = [a for a in created if a.identity == "stale:DVCQG:2025-04-08"]
    assert stale and raise_alerts(demo, [STALE]) == []
    with demo.session_factory() as session:
        chats = set(session.scalars(select(Delivery.chat_id).filter_by(alert_id=stale[0].id)))
    assert chats == {1}


def _task_not_submitted(services: Services, folder: Path) -> None:
    rows = [
        ["Quyết định công bố của bộ, ngành", "Đơn vị tham mưu", "Hạn xử lý"],
        ["Quyết định số 9/QĐ-BTP ngày 01/03/2025", "Sở Tư pháp", "07/04/2025"],
    ]
    assert do_import(services, write_csv(folder, "p.csv", rows)).ok


def test_a_task_its_lead_unit_submitted_gets_no_reminder(
    units: Services, clock: FrozenClock, tmp_path: Path
) -> None:
    rows = [
        [
            "Quyết định công bố của bộ, ngành",
            "Đơn vị tham mưu",
            "Hạn xử lý",
            "Văn bản đơn vị tham mưu",
        ],
        [
            "Quyết định số 5/QĐ-BTP ngày 01/03/2025",
            "Sở Tư pháp",
            "11/04/2025",
            "Tờ trình số 7/TTr-STP ngày 09/4/2025",
        ],
        ["Quyết định số 6/QĐ-BTP ngày 01/03/2025", "Sở Tư pháp", "11/04/2025", ""],
    ]
    assert do_import(units, write_csv(tmp_path, "p.csv", rows)).ok
    created = raise_alerts(units, [DEADLINE])
    assert [a.payload["task"] for a in created] == ["6/QĐ-BTP"]
    clock.move(timedelta(days=1))  # Friday 11/04: the deadline day
    (today,) = raise_alerts(units, [DEADLINE])
    assert "đến hạn hôm nay (11/04/2025)" in render_batch([today])


def test_unacknowledged_deadline_alerts_escalate_once_to_leaders(
    demo: Services, clock: FrozenClock, tmp_path: Path
) -> None:
    _task_not_submitted(demo, tmp_path)
    with demo.session_factory() as session:
        people.save_person(session, 1, Role.ADMIN, None, clock.now())
        people.save_person(session, 2, Role.LEADER, None, clock.now())
        session.commit()
    (alert,) = raise_alerts(demo, [DEADLINE])
    with demo.session_factory() as session:
        session.execute(update(Delivery).values(status=AlertStatus.SENT.value, sent_at=clock.now()))
        session.commit()
    clock.move(timedelta(days=1))  # Friday: one working day
    assert raise_alerts(demo, [ESCALATION]) == []
    clock.move(timedelta(days=3))  # Monday: two working days
    (escalation,) = raise_alerts(demo, [ESCALATION])
    assert escalation.identity == f"escalation:{alert.id}"
    assert "chưa được xác nhận «Đã nhận» sau 2 ngày làm việc" in render_batch([escalation])
    with demo.session_factory() as session:
        chats = set(session.scalars(select(Delivery.chat_id).filter_by(alert_id=escalation.id)))
    assert chats == {1, 2}
    clock.move(timedelta(days=1))
    assert raise_alerts(demo, [ESCALATION]) == []


def test_an_acknowledged_alert_does_not_escalate(
    demo: Services, clock: FrozenClock, tmp_path: Path
) -> None:
    from storage.alerts import acknowledge

    _task_not_submitted(demo, tmp_path)
    with demo.session_factory() as session:
        people.save_person(session, 1, Role.ADMIN, None, clock.now())
        session.commit()
    raise_alerts(demo, [DEADLINE])
    with demo.session_factory() as session:
        session.execute(
            update(Delivery).values(
                status=AlertStatus.SENT.value, sent_at=clock.now(), claim_token="t1"
            )
        )
        assert acknowledge(session, "t1", 1, -42, clock.now()) == 0  # not that chat's message
        assert acknowledge(session, "t1", 1, 1, clock.now()) == 1
        session.commit()
    clock.move(timedelta(days=6))
    assert raise_alerts(demo, [ESCALATION]) == []


def test_the_provinces_own_drops_go_to_leaders_and_admins(demo: Services) -> None:
    with demo.session_factory() as session:
        people.save_person(session, 2, Role.LEADER, None, demo.clock.now())
        session.commit()
    province = unit_id(demo, "UBND tỉnh Bình Phước")
    created = raise_alerts(demo, [DROP])
    (sync,) = [a for a in created if a.identity.startswith(f"drop:{province}:R09:")]
    with demo.session_factory() as session:
        chats = set(session.scalars(select(Delivery.chat_id).filter_by(alert_id=sync.id)))
    assert chats == {2}


def test_the_daily_check_skips_public_holidays(demo: Services, clock: FrozenClock) -> None:
    from jobs.runner import run_due

    clock.current = datetime(2025, 4, 30, 7, 30, tzinfo=TZ)  # Wednesday, Reunification Day
    assert "daily_checks" not in run_due(demo)
    clock.current = datetime(2025, 5, 5, 7, 30, tzinfo=TZ)  # Monday, a working day
    assert "daily_checks" in run_due(demo)
    assert "daily_checks" not in run_due(demo)


def _health_scores(services: Services, folder: Path, name: str, score: str) -> None:
    rows = [["STT", "ĐƠN VỊ", "ĐIỂM ĐÁNH GIÁ (15/4/2025)"], ["1", "Sở Y tế", score]]
    outcome = do_import(services, write_csv(folder, name, rows))
    assert outcome.ok, outcome.report()


def test_a_corrected_file_withdraws_a_drop_not_sent_and_corrects_one_sent(
    demo: Services, clock: FrozenClock, tmp_path: Path
) -> None:
    clock.current = datetime(2025, 4, 16, 9, tzinfo=TZ)
    health = unit_id(demo, "Sở Y tế")
    with demo.session_factory.begin() as session:
        people.save_person(session, 501, Role.FOCAL, health, clock.now())
    _health_scores(demo, tmp_path, "a.csv", "80")  # 87,17 -> 80: a drop
    created, _ = after_new_data(demo)
    (drop,) = [a for a in created if a.unit_id == health and a.rule == "drop"]
    _health_scores(demo, tmp_path, "b.csv", "88")  # the office corrects the file: no drop
    _assert_withdrawn(demo, drop)
    # The same again, but the drop was sent before the correction came.
    _health_scores(demo, tmp_path, "c.csv", "79")
    created, _ = after_new_data(demo)
    (sent,) = [a for a in created if a.unit_id == health and a.rule == "drop"]
    _mark_sent(demo, sent)
    _health_scores(demo, tmp_path, "d.csv", "90")
    text, chats = _the_correction(demo)
    assert text.startswith("✏️ Đính chính: cảnh báo gửi ngày 16/04/2025 không còn đúng")
    assert "87,17 → 79" in text
    assert chats == {501}
    assert after_new_data(demo)[1] == Recheck(0, 0, [])  # said once
    with demo.session_factory() as session:
        identities = set(session.scalars(select(Alert.identity).where(Alert.rule == "drop")))
    assert {i for i in identities if i.startswith(f"drop:{health}:TOTAL:")} == {
        f"drop:{health}:TOTAL:{drop.period_key}~{drop.id}",
        f"drop:{health}:TOTAL:{sent.period_key}~{sent.id}",
    }


def test_a_focal_point_added_later_gets_the_units_open_alerts_but_not_old_drops(
    demo: Services, clock: FrozenClock, tmp_path: Path
) -> None:
    from app.alerts.engine import extend_to_new_recipients

    header = ["MaHoSo", "TenTTHC", "DonVi", "NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy"]
    open_one = ["X1", "Cấp phép", "UBND huyện Phú Riềng", "01/04/2025", "05/04/2025", ""]
    assert do_import(demo, write_csv(tmp_path, "x1.csv", [header, open_one])).ok
    raised = raise_alerts(demo, [DROP, OVERDUE])  # nobody is registered yet
    assert {a.rule for a in raised} >= {"drop", "overdue"}
    phu = unit_id(demo, "UBND huyện Phú Riềng")
    with demo.session_factory.begin() as session:
        people.save_person(session, 501, Role.FOCAL, phu, clock.now())
    assert extend_to_new_recipients(demo) == 1
    with demo.session_factory() as session:
        got = set(
            session.scalars(
                select(Alert.identity)
                .join(Delivery, Delivery.alert_id == Alert.id)
                .where(Delivery.chat_id == 501)
            )
        )
    assert got == {"overdue:X1"}  # the drop of 08/04 is old news for a newcomer
    assert extend_to_new_recipients(demo) == 0  # once
    finished = [*open_one[:5], "09/04/2025"]
    assert do_import(demo, write_csv(tmp_path, "x1b.csv", [header, finished])).ok
    with demo.session_factory.begin() as session:
        people.save_person(session, 502, Role.FOCAL, phu, clock.now())
    assert extend_to_new_recipients(demo) == 0  # X1 is no longer overdue
