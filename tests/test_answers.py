"""/rank and /unit computed from the demo data built from the seeds."""

from bot.app import Services
from handlers.router import Asker, answer
from storage.models import Unit

ADMIN = Asker()


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
    assert "545" not in reply.text and "503/QĐ-BTTTT: chưa rõ hạn" in reply.text


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
