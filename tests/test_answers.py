"""/rank and /unit computed from the demo data built from the seeds."""

from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from app.services import Services
from core.clock import FrozenClock
from handlers.access import Asker
from handlers.router import answer
from storage.models import Unit
from tests.conftest import TZ, do_import, write_csv

ADMIN = Asker()


def test_a_window_without_an_earlier_reading_says_so(demo: Services) -> None:
    quarter = answer(demo, "/rank q", ADMIN).text
    assert "Chưa có số liệu nào khác trong quý 2/2025 để so sánh." in quarter
    assert "Giảm 12 bậc so với ngày 27/03/2025 (xếp hạng 8/63)." in quarter


def test_rank_shows_the_province_down_twelve_places(demo: Services) -> None:
    reply = answer(demo, "/rank", ADMIN)
    assert "Xếp hạng 20/63 tính đến ngày 08/04/2025" in reply.text
    assert "Giảm 12 bậc so với ngày 27/03/2025 (xếp hạng 8/63)" in reply.text
    assert "Tổng điểm: 78,49/100 (số liệu ngày 31/05/2024), +0,76 điểm" in reply.text
    assert "Công khai, minh bạch: 11,1/18" in reply.text
    assert "Số hóa hồ sơ: 15,7/22" in reply.text
    assert reply.image is not None and reply.image.startswith(b"\x89PNG")


def test_unit_card_of_phu_rieng_matches_seed_001(demo: Services) -> None:
    reply = answer(demo, "/unit phu rieng", ADMIN)
    assert "UBND huyện Phú Riềng" in reply.text
    assert "84,28/100, -6,34 điểm so với ngày 27/03/2025 (90,62)" in reply.text
    assert "Xếp hạng trong các huyện, thị xã, thành phố: 7/11" in reply.text
    assert "ngày 10/04/2025: 1 hồ sơ" in reply.text


def test_unit_without_data_is_not_ranked_and_not_zero(demo: Services) -> None:
    reply = answer(demo, "/unit Sở Ngoại vụ", ADMIN)
    assert "không có dữ liệu (không tính là 0)" in reply.text
    assert "Không xếp hạng" in reply.text
    reply = answer(demo, "/unit Sở Nội vụ", ADMIN)
    assert "Xếp hạng trong các sở, ngành: 1/11 (2 đơn vị không có dữ liệu, không xếp hạng)" in (
        reply.text
    )


def test_unit_card_compares_ratios_with_the_quarter_roadmap(demo: Services) -> None:
    reply = answer(demo, "/unit Bù Đăng", ADMIN)
    assert "55,5% (31/07/2024) — lộ trình quý III/2024: 70%, ❌ chưa đạt (thiếu 14,5 điểm %)" in (
        reply.text
    )


def test_unit_names_are_matched_loosely(demo: Services) -> None:
    for query in ("Sở TT&TT", "so tt&tt", "Sở Thông tin và Truyền thông"):
        assert "Sở Thông tin và Truyền thông" in answer(demo, f"/unit {query}", ADMIN).text
    reply = answer(demo, "/unit Sở TT&TT", ADMIN)
    assert "545" not in reply.text
    assert "503/QĐ-BTTTT: đã trình ngày 22/04/2024; chờ quyết định của tỉnh" in reply.text


def test_unknown_unit_gets_the_closest_suggestions_as_buttons(demo: Services) -> None:
    reply = answer(demo, "/unit Chơn Than", ADMIN)
    assert reply.text.startswith("Không tìm thấy đơn vị «Chơn Than»")
    assert reply.buttons[0][0].label == "UBND thị xã Chơn Thành"
    chosen = answer(demo, reply.buttons[0][0].command, ADMIN)
    assert chosen.text.startswith("🏢 UBND thị xã Chơn Thành")


def test_focal_point_gets_their_own_unit_without_a_name(demo: Services) -> None:
    with demo.session_factory() as session:
        unit = session.query(Unit).filter_by(name="UBND huyện Bù Đốp").one()
    reply = answer(demo, "/unit", Asker(role="focal", unit_id=unit.id))
    assert reply.text.startswith("🏢 UBND huyện Bù Đốp")


def test_rank_without_data_says_what_to_import(services: Services) -> None:
    reply = answer(services, "/rank", ADMIN)
    assert "Chưa có đơn vị tỉnh" in reply.text and reply.image is None


def test_unknown_commands_and_plain_text_get_help(services: Services) -> None:
    assert "Không có lệnh /foo" in answer(services, "/foo", ADMIN).text
    assert "/help" in answer(services, "xin chào", ADMIN).text
    assert "/unit" in answer(services, "/help", ADMIN).text


def test_top_and_bottom_rank_units_like_the_seed_tables(demo: Services) -> None:
    top = answer(demo, "/top sở", ADMIN).text
    assert "1/11. Sở Nội vụ: 95,59 (+5,18)" in top
    assert "Không có dữ liệu, không xếp hạng: Sở Dân tộc và Tôn giáo; Sở Ngoại vụ" in top
    bottom = answer(demo, "/bottom huyện", ADMIN).text
    assert bottom.splitlines()[1] == "11/11. UBND huyện Bù Gia Mập: 80,43 (-6,18)"
    # Equal scores share a place.
    assert "4/11. UBND huyện Hớn Quản: 86,03" in bottom
    assert "4/11. UBND thị xã Chơn Thành: 86,03" in bottom
    assert "Không hiểu cấp đơn vị" in answer(demo, "/top hành tinh", ADMIN).text


def test_indicators_counts_are_computed_not_copied(demo: Services) -> None:
    text = answer(demo, "/indicators", ADMIN).text
    assert "9. Đồng bộ hồ sơ: 52,96% (ngày 27/03/2025: 77,23%, -24,27)" in text
    assert "Tăng: 4 chỉ tiêu" in text and "Giảm: 5 chỉ tiêu" in text
    assert "Không đổi: 3 chỉ tiêu" in text
    # Seed 001 says three indicators hold 100%; one of them is 93,37: the bot counts two.
    assert "Đạt 100%: 2 chỉ tiêu (Chứng thực bản sao điện tử; Xử lý PAKN đúng hạn)" in text


def test_overdue_lists_units_and_one_units_dossiers(demo: Services) -> None:
    text = answer(demo, "/overdue", ADMIN).text
    assert "ngày 10/04/2025: 214 hồ sơ tại 9 đơn vị" in text
    assert text.splitlines()[1] == "  • UBND thị xã Bình Long: 204 hồ sơ"
    assert "ngày 10/04/2025: 204." in answer(demo, "/overdue Bình Long", ADMIN).text


def test_deadlines_show_what_the_lead_units_submitted_and_how_late(demo: Services) -> None:
    # Seed 002: Sở GTVT submitted on 28/5/2024 for a deadline of 23/5/2024.
    lines = answer(demo, "/deadlines", ADMIN).text.splitlines()
    assert lines[1:] == [
        "Đơn vị đã trình, chờ quyết định của tỉnh:",
        "  • 503/QĐ-BTTTT — Sở Thông tin và Truyền thông: đã trình ngày 22/04/2024; "
        "chờ quyết định của tỉnh",
        "  • 545/QĐ BGTVT — Sở Giao thông vận tải: hạn 23/05/2024, đã trình ngày 28/05/2024, "
        "trễ 3 ngày làm việc; chờ quyết định của tỉnh",
    ]


def test_deadlines_put_tasks_not_submitted_and_overdue_first(
    units: Services, tmp_path: Path
) -> None:
    rows = [
        ["Quyết định công bố của bộ, ngành", "Đơn vị tham mưu", "Hạn xử lý", "Ngày trình"],
        ["Quyết định số 1/QĐ-BTP ngày 01/03/2025", "Sở Tư pháp", "14/04/2025", ""],
        ["Quyết định số 2/QĐ-BTP ngày 01/03/2025", "Sở Tư pháp", "10/04/2025", ""],
        ["Quyết định số 3/QĐ-BTP ngày 01/03/2025", "Sở Tư pháp", "07/04/2025", ""],
        ["Quyết định số 4/QĐ-BTP ngày 01/03/2025", "Sở Tư pháp", "07/04/2025", "04/04/2025"],
    ]
    assert do_import(units, write_csv(tmp_path, "p.csv", rows)).ok
    lines = answer(units, "/deadlines", ADMIN).text.splitlines()  # Thursday 10/04/2025
    assert lines[1:] == [
        "Đã quá hạn, đơn vị chưa trình:",
        "  • 3/QĐ-BTP — Sở Tư pháp: hạn 07/04/2025, quá 3 ngày làm việc",
        "Sắp đến hạn:",
        "  • 2/QĐ-BTP — Sở Tư pháp: hạn 10/04/2025, đến hạn hôm nay",
        "  • 1/QĐ-BTP — Sở Tư pháp: hạn 14/04/2025, còn 2 ngày làm việc",
        "Đơn vị đã trình, chờ quyết định của tỉnh:",
        "  • 4/QĐ-BTP — Sở Tư pháp: hạn 07/04/2025, đã trình ngày 04/04/2025, đúng hạn; "
        "chờ quyết định của tỉnh",
    ]


def test_compare_reads_two_names_with_or_without_a_separator(demo: Services) -> None:
    for text in ("/compare Phú Riềng, Bù Đăng", "/compare phu rieng bu dang"):
        reply = answer(demo, text, ADMIN).text
        assert "Tổng điểm 766: 84,28 (08/04/2025)  |  82,15 (08/04/2025)" in reply
    assert "Hãy ghi hai đơn vị" in answer(demo, "/compare Phú Riềng", ADMIN).text


def test_compare_finds_names_holding_va_and_says_what_is_wrong(demo: Services) -> None:
    both = answer(demo, "/compare Sở Dân tộc và Tôn giáo và Sở Tư pháp", ADMIN).text
    assert "Sở Dân tộc và Tôn giáo" in both and "Sở Tư pháp" in both
    assert "Hãy ghi" not in both
    unknown = answer(demo, "/compare Phú Riềng, xyz", ADMIN).text
    assert unknown.startswith("Không tìm thấy đơn vị «xyz»")
    same = answer(demo, "/compare Phú Riềng, UBND huyện Phú Riềng", ADMIN).text
    assert same == "Hai tên cùng chỉ UBND huyện Phú Riềng: hãy chọn hai đơn vị khác nhau."


def test_overdue_dossiers_are_listed_with_code_procedure_and_days(demo: Services) -> None:
    from tests.conftest import EXAMPLES, do_import

    assert do_import(demo, EXAMPLES / "mau_ho_so.csv").ok
    text = answer(demo, "/overdue", ADMIN).text
    assert "1 hồ sơ tại 1 đơn vị" in text
    assert "UBND huyện Phú Riềng: 1 hồ sơ, lâu nhất quá hạn 1 ngày" in text
    unit = answer(demo, "/overdue phu rieng", ADMIN).text
    assert (
        "000.00.00.H10-250401-0002 — Cấp giấy phép xây dựng nhà ở riêng lẻ "
        "(hẹn trả 08/04/2025, quá 1 ngày)" in unit
    )
    assert "phiếu xin lỗi" in unit


def test_unit_and_overdue_count_the_same_unfinished_dossiers_and_name_late_ones_apart(
    units: Services, tmp_path: Path
) -> None:
    rows = [
        ["MaHoSo", "TenTTHC", "DonVi", "NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy"],
        ["A1", "Cấp phép", "UBND huyện Phú Riềng", "01/04/2025", "03/04/2025", ""],
        ["A2", "Cấp phép", "UBND huyện Phú Riềng", "01/04/2025", "03/04/2025", "07/04/2025"],
        ["A3", "Cấp phép", "UBND huyện Phú Riềng", "01/04/2025", "15/04/2025", ""],
        ["A4", "Cấp phép", "UBND huyện Phú Riềng", "01/04/2025", "08/04/2025", "02/04/2025"],
    ]
    outcome = do_import(units, write_csv(tmp_path, "hs.csv", rows))
    assert outcome.ok, outcome.report()
    assert (
        "Trong tệp: 1 hồ sơ quá hạn chưa giải quyết, 1 hồ sơ đã giải quyết nhưng trễ hạn"
        in outcome.summary
    )
    card = answer(units, "/unit Phú Riềng", ADMIN).text
    assert "Hồ sơ quá hạn chưa giải quyết (danh sách hồ sơ đã nhập): 1 hồ sơ" in card
    assert "đã giải quyết nhưng trễ hạn (danh sách hồ sơ đã nhập): 1 hồ sơ" in card
    listing = answer(units, "/overdue Phú Riềng", ADMIN).text
    assert "1 hồ sơ quá hạn chưa giải quyết:" in listing and "A1" in listing
    assert "A2" not in listing and "A3" not in listing
    assert "đã giải quyết nhưng trễ hạn (danh sách hồ sơ đã nhập): 1 hồ sơ" in listing
    assert "UBND huyện Phú Riềng: 1 hồ sơ" in answer(units, "/overdue", ADMIN).text


def test_a_file_covering_one_department_does_not_hide_the_others(
    demo: Services, tmp_path: Path
) -> None:
    rows = [["STT", "ĐƠN VỊ", "ĐIỂM ĐÁNH GIÁ (09/4/2025)"], ["1", "Sở Tư pháp", "90"]]
    outcome = do_import(demo, write_csv(tmp_path, "stp.csv", rows))
    assert outcome.ok, outcome.report()
    partial = [s for s in outcome.summary if "thường có số liệu không có trong tệp" in s]
    assert len(partial) == 1 and partial[0].startswith("Ngày 09/04/2025: 12 đơn vị")
    top = answer(demo, "/top sở", ADMIN).text
    lines = top.splitlines()
    assert lines[0].startswith("Sở, ban, ngành — điểm cao nhất ngày 09/04/2025")
    assert "3/11. Sở Tư pháp: 90 (+7,7 so với 08/04/2025)" in lines
    # The ten others keep their own latest reading, dated, with their own change.
    assert "1/11. Sở Nội vụ: 95,59 (ngày 08/04/2025) (+5,18 so với 27/03/2025)" in lines
    assert lines[-1] == "Không có dữ liệu, không xếp hạng: Sở Dân tộc và Tôn giáo; Sở Ngoại vụ"
    card = answer(demo, "/unit Sở Tư pháp", ADMIN).text
    assert "Xếp hạng trong các sở, ngành: 3/11 (2 đơn vị không có dữ liệu" in card


def test_abbreviations_and_a_part_of_a_name_find_the_unit(demo: Services) -> None:
    for query, name in (
        ("TX Bình Long", "UBND thị xã Bình Long"),
        ("TP Đồng Xoài", "UBND thành phố Đồng Xoài"),
        ("H. Phú Riềng", "UBND huyện Phú Riềng"),
        ("Dân tộc", "Sở Dân tộc và Tôn giáo"),
    ):
        assert answer(demo, f"/unit {query}", ADMIN).text.startswith(f"🏢 {name} ("), query
    several = answer(demo, "/unit Long", ADMIN)
    assert "khớp với nhiều đơn vị" in several.text and len(several.buttons) >= 2


def test_counts_have_thousands_separators_and_kinds_keep_their_capitals() -> None:
    from core.vnformat import fmt_count, sentence

    assert fmt_count(29918) == "29.918" and fmt_count(204) == "204"
    assert sentence("chi nhánh VPĐK đất đai") == "Chi nhánh VPĐK đất đai"


def test_each_window_compares_with_its_first_reading_or_says_there_is_none(
    units: Services, clock: FrozenClock, tmp_path: Path
) -> None:
    clock.current = datetime(2025, 5, 20, 9, tzinfo=TZ)
    rows = [["Ngày", "Đơn vị", "Chỉ số", "Giá trị"]] + [
        [day, "UBND huyện Bù Đăng", "TOTAL", value]
        for day, value in (
            ("31/12/2024", "70"),  # last of 2024: never the start of 2025
            ("15/01/2025", "72"),
            ("31/03/2025", "74"),  # the end of Q1: never the start of Q2
            ("10/04/2025", "75"),
            ("15/05/2025", "78"),
        )
    ]
    assert do_import(units, write_csv(tmp_path, "bd.csv", rows)).ok
    year = answer(units, "/unit Bù Đăng y", ADMIN).text
    assert "So sánh với đầu năm (số liệu đầu tiên của năm)." in year
    assert "78/100, +6 điểm so với ngày 15/01/2025 (72)" in year
    quarter = answer(units, "/unit Bù Đăng q", ADMIN).text
    assert "+3 điểm so với ngày 10/04/2025 (75)" in quarter
    weeks = answer(units, "/unit Bù Đăng 4w", ADMIN).text
    assert "Không có số liệu nào khác trong 4 tuần qua để so sánh." in weeks


def test_ranks_out_of_different_totals_are_not_compared_as_places(
    demo: Services, clock: FrozenClock, tmp_path: Path
) -> None:
    from app.alerts.engine import raise_alerts
    from app.alerts.rules.rank import RULE as RANK
    from views.charts import _split_at_changes

    clock.current = datetime(2025, 9, 2, 9, tzinfo=TZ)
    rows = [
        ["Ngày", "Đơn vị", "Chỉ số", "Giá trị", "Xếp hạng"],
        ["31/08/2025", "UBND tỉnh Bình Phước", "TOTAL", "80", "25/34"],
    ]
    outcome = do_import(demo, write_csv(tmp_path, "tinh.csv", rows))
    assert outcome.ok  # kept, with a warning: the province ended with the 2025 merger
    assert [w.message for w in outcome.warnings] == [
        "đơn vị «UBND tỉnh Bình Phước» đã hết hiệu lực từ sau ngày 30/06/2025 (đã sáp nhập vào "
        "«UBND tỉnh Đồng Nai») nhưng có số liệu ngày 31/08/2025; số liệu vẫn được lưu, hãy "
        "kiểm tra lại (sáp nhập, sắp xếp đơn vị hành chính)"
    ]
    text = answer(demo, "/rank", ADMIN).text
    assert "Xếp hạng 25/34 tính đến ngày 31/08/2025" in text
    assert (
        "Không so sánh theo bậc (thang xếp hạng đổi từ 63 sang 34 tỉnh) so với ngày 08/04/2025 "
        "(xếp hạng 20/63)" in text
    )
    assert "giảm 5 bậc" not in text.lower()
    assert raise_alerts(demo, [RANK]) == []  # 20/63 -> 25/34 is no drop of 5 places
    days = [date(2025, 3, 27), date(2025, 4, 8), date(2025, 8, 31)]
    points = [(d, v) for d, v in zip(days, (8.0, 20.0, 25.0), strict=True)]
    runs = _split_at_changes(points, dict(zip(days, (63, 63, 34), strict=True)))
    assert [[d for d, _ in run] for run in runs] == [days[:2], days[2:]]


def test_a_merged_units_history_follows_it_to_its_successor(
    demo: Services, clock: FrozenClock, tmp_path: Path
) -> None:
    from storage import people
    from storage.alerts import Audience, recipients
    from storage.models import Role

    # The demo registry has the departments merged on 1/3/2025: Sở GTVT into Sở Xây dựng.
    merged = answer(demo, "/unit Sở GTVT", ADMIN)
    assert "Đơn vị hoạt động đến ngày 28/02/2025, sáp nhập vào Sở Xây dựng từ ngày 01/03/2025." in (
        merged.text
    )
    clock.current = datetime(2025, 4, 10, 9, tzinfo=TZ)
    rows = [
        ["Ngày", "Đơn vị", "Chỉ số", "Giá trị"],
        ["31/01/2025", "Sở GTVT", "TOTAL", "70,5"],
        ["28/02/2025", "Sở GTVT", "TOTAL", "75"],
    ]
    assert do_import(demo, write_csv(tmp_path, "gtvt.csv", rows)).ok
    card = answer(demo, "/unit Sở Xây dựng", ADMIN)
    lines = card.text.splitlines()
    assert "92,72/100, +2,72 điểm so với ngày 27/03/2025 (90)" in card.text  # its own baseline
    assert lines[
        lines.index("Đơn vị đã sáp nhập vào đơn vị này (số liệu trước sáp nhập, không so sánh):")
        + 1
    ] == (
        "  • Sở Giao thông vận tải (đến 28/02/2025): tổng điểm 766 ngày 28/02/2025: 75/100; "
        "hồ sơ quá hạn theo Hệ thống DVC tỉnh ngày 31/07/2024: 149 hồ sơ; 1 nhiệm vụ công bố "
        "TTHC chưa có quyết định của tỉnh (nay thuộc đơn vị này)."
    )
    assert card.image is not None and card.image.startswith(b"\x89PNG")
    # Buttons lead from the successor to the merged unit and back.
    to_gtvt = next(b for row in card.buttons for b in row if b.label == "⬅️ Sở Giao thông vận tải")
    assert answer(demo, to_gtvt.command, ADMIN).text.startswith("🏢 Sở Giao thông vận tải (")
    back = next(b for row in merged.buttons for b in row if b.label == "➡️ Sở Xây dựng")
    assert answer(demo, back.command, ADMIN).text.startswith("🏢 Sở Xây dựng")
    # The keyboard lists the departments that exist first, then the merged ones, marked.
    rows = answer(demo, "/unit @department 2", ADMIN).buttons[:-1]  # the last is navigation
    listed = [label for row in rows for label in (b.label for b in row)]
    assert [label.endswith("(đến 28/02/2025)") for label in listed] == [False] * 3 + [True] * 7
    assert "Sở Giao thông vận tải (đến 28/02/2025)" in listed
    # Its last score is never ranked among the departments that exist after it ended.
    top = answer(demo, "/top sở", ADMIN).text
    assert "Giao thông" not in top and "2/11. Sở Xây dựng: 92,72" in top
    # What the merged unit left open now reaches the successor's focal point.
    with demo.session_factory.begin() as session:
        xay_dung = session.scalars(select(Unit).filter_by(name="Sở Xây dựng")).one()
        gtvt = session.scalars(select(Unit).filter_by(name="Sở Giao thông vận tải")).one()
        people.save_person(session, 77, Role.FOCAL, xay_dung.id, clock.now())
        people.save_person(session, 78, Role.FOCAL, gtvt.id, clock.now())
    with demo.session_factory() as session:
        assert recipients(session, Audience.DEADLINE, gtvt.id, date(2025, 2, 20)) >= {78}
        assert 77 not in recipients(session, Audience.DEADLINE, gtvt.id, date(2025, 2, 20))
        assert recipients(session, Audience.DEADLINE, gtvt.id, date(2025, 3, 1)) >= {77, 78}
        assert 78 not in recipients(session, Audience.UNIT, xay_dung.id, date(2025, 3, 1))


def test_a_count_a_newer_list_left_out_is_old_and_a_complete_list_writes_zeros(
    demo: Services, clock: FrozenClock, tmp_path: Path
) -> None:
    # The demo's list of 31/07/2024 names units that the list of 10/04/2025 does not:
    # their cards must not present the 2024 count as current.
    card = answer(demo, "/unit Sở Tư pháp", ADMIN).text
    assert (
        "ngày 31/07/2024: 37 hồ sơ (số liệu cũ: đơn vị không có trong danh sách mới nhất "
        "ngày 10/04/2025)." in card
    )
    rows = [["Ngày", "Đơn vị", "Số hồ sơ quá hạn"], ["10/04/2025", "Thị xã Bình Long", "5"]]
    partial = do_import(demo, write_csv(tmp_path, "qh.csv", rows), source="DVC_TINH")
    assert partial.ok, partial.report()  # a correction of one unit: the others stay
    listing = answer(demo, "/overdue", ADMIN).text
    assert "UBND thị xã Bình Long: 5 hồ sơ" in listing and "UBND huyện Đồng Phú: 2 hồ sơ" in listing
    clock.current = datetime(2025, 4, 11, 9, tzinfo=TZ)
    rows[1][0] = "11/04/2025"
    complete = do_import(demo, write_csv(tmp_path, "qh2.csv", rows), complete=True)
    assert complete.ok, complete.report()
    assert any("được ghi 0 hồ sơ quá hạn" in line for line in complete.summary)
    listing = answer(demo, "/overdue", ADMIN).text
    assert "ngày 11/04/2025: 5 hồ sơ tại 1 đơn vị" in listing
    assert "Đồng Phú" not in listing
    assert "ngày 11/04/2025: 0 hồ sơ." in answer(demo, "/unit Đồng Phú", ADMIN).text


def test_the_summary_dates_every_section_and_flags_old_data(
    demo: Services, clock: FrozenClock
) -> None:
    clock.current = datetime(2025, 5, 19, 9, tzinfo=TZ)  # six weeks after the newest scores
    lines = answer(demo, "/summary", ADMIN).text.splitlines()
    rank = next(line for line in lines if line.startswith("📊"))
    assert rank.endswith("so với 27/03/2025 — ⚠️ số liệu cũ, đã 41 ngày chưa có số liệu mới.")
    ratios = next(line for line in lines if line.startswith("📋"))
    assert ratios.startswith("📋 Chỉ tiêu (ngày 08/04/2025 so với 27/03/2025): tăng 4")
    assert "số liệu cũ" in ratios
    overdue = next(line for line in lines if line.startswith("⏰"))
    assert "ngày 10/04/2025" in overdue and "đã 39 ngày chưa có số liệu mới" in overdue


def test_cards_mark_figures_older_than_the_stale_limit(demo: Services, clock: FrozenClock) -> None:
    assert "số liệu cũ" not in answer(demo, "/rank", ADMIN).text  # two days old
    clock.current = datetime(2025, 5, 19, 9, tzinfo=TZ)
    rank = answer(demo, "/rank", ADMIN).text.splitlines()[1]
    assert rank == (
        "Xếp hạng 20/63 tính đến ngày 08/04/2025 (Cổng DVCQG) — ⚠️ số liệu cũ, đã 41 ngày chưa "
        "có số liệu mới."
    )
    card = answer(demo, "/unit Phú Riềng", ADMIN).text
    assert "84,28/100, -6,34 điểm so với ngày 27/03/2025 (90,62) — ⚠️ số liệu cũ, đã 41 ngày" in card
    bu_dang = answer(demo, "/unit Bù Đăng", ADMIN).text  # its ratios are from 2024
    assert "Các chỉ tiêu (⚠️ số liệu cũ, đã " in bu_dang


def test_no_comparison_spans_a_units_end(
    demo: Services, clock: FrozenClock, tmp_path: Path
) -> None:
    from app.alerts.engine import raise_alerts
    from app.alerts.rules.drop import RULE as DROP

    clock.current = datetime(2025, 7, 16, 9, tzinfo=TZ)  # Phú Riềng ended on 30/06/2025
    rows = [["STT", "ĐƠN VỊ", "ĐIỂM ĐÁNH GIÁ (15/7/2025)"], ["1", "UBND huyện Phú Riềng", "70"]]
    outcome = do_import(demo, write_csv(tmp_path, "pr.csv", rows))
    assert outcome.ok and "đã hết hiệu lực từ sau ngày 30/06/2025" in outcome.warnings[0].message
    card = answer(demo, "/unit Phú Riềng", ADMIN).text
    assert "Tổng điểm 766 ngày 15/07/2025: 70/100." in card  # no "-14,28 so với 08/04/2025"
    assert "so với ngày 08/04/2025" not in card
    drops = raise_alerts(demo, [DROP])
    assert "UBND huyện Phú Riềng" not in {a.payload["unit"] for a in drops}


def test_figures_two_sources_give_differently_are_shown_side_by_side(demo: Services) -> None:
    # Seed 002: on-time processing 96,9% on the national portal, 99,7% on the province's.
    seed_002 = (
        "Chỉ số tiến độ giải quyết ngày 31/05/2024: Cổng DVCQG 96,9%, Hệ thống DVC tỉnh 99,7% "
        "(chênh 2,8 điểm %)"
    )
    sources = answer(demo, "/sources", ADMIN).text.splitlines()
    assert sources[1].startswith("  • Cổng DVCQG: ngày 08/04/2025")
    assert sources[2].startswith("  • Hệ thống DVC tỉnh: ngày 10/04/2025")
    assert sources[3] == "Chênh lệch lớn nhất giữa hai nguồn (2 số liệu khác nhau):"
    assert sources[4].startswith("  • UBND tỉnh Bình Phước: Số hóa hồ sơ, kết quả")  # 7,06
    assert sources[5] == f"  • UBND tỉnh Bình Phước: {seed_002}"
    for command in ("/unit Bình Phước", "/indicators"):
        text = answer(demo, command, ADMIN).text
        assert "Số liệu khác nhau giữa hai nguồn:\n  • Số hóa hồ sơ" in text, command
        assert f"  • {seed_002}" in text, command


def test_a_corrected_file_shows_in_the_next_top_at_once(demo: Services, tmp_path: Path) -> None:
    # The tables of /top are kept until the data changes: an import is a change.
    assert (
        "11/11. UBND huyện Bù Gia Mập: 80,43 (-6,18)" in answer(demo, "/bottom huyện", ADMIN).text
    )
    corrected = write_csv(
        tmp_path,
        "huyen_dinh_chinh.csv",
        [
            ["STT", "ĐỊA PHƯƠNG", "ĐIỂM ĐÁNH GIÁ (08/4/2025)"],
            ["1", "UBND huyện Bù Gia Mập", "99,5"],
        ],
    )
    assert do_import(demo, corrected).ok
    after = answer(demo, "/top huyện", ADMIN).text
    assert "1/11. UBND huyện Bù Gia Mập: 99,5 (+12,89)" in after, after
