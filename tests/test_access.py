"""Who may see what: strangers, focal points, leaders, groups and admins, through the router."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.clock import FrozenClock
from handlers.access import GROUP, STRANGER, Asker, resolve_asker
from handlers.router import COMMANDS, answer
from handlers.services import Services
from storage import people
from storage.models import Invite, Role, Unit

ADMIN = Asker(Role.ADMIN.value, telegram_id=1, chat_id=1)


def unit_id(services: Services, name: str) -> int:
    with services.session_factory() as session:
        return int(session.scalars(select(Unit.id).filter_by(name=name)).one())


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_stranger_gets_only_their_id_from_every_command(demo: Services, command: str) -> None:
    stranger = Asker(STRANGER, telegram_id=777, chat_id=777)
    for text in (f"/{command}", f"/{command} Phú Riềng"):
        if text == "/start Phú Riềng":
            continue  # that is an invite code attempt, tested below
        reply = answer(demo, text, stranger)
        assert "Mã Telegram của bạn: 777" in reply.text
        assert "Phú Riềng" not in reply.text and reply.image is None and not reply.buttons


def test_plain_text_from_a_stranger_is_refused_too(demo: Services) -> None:
    assert "chưa được cấp quyền" in answer(demo, "xin chào", Asker(STRANGER, telegram_id=5)).text


def test_an_invite_registers_its_opener_once(demo: Services, clock: FrozenClock) -> None:
    reply = answer(demo, "/invite Phú Riềng", ADMIN)
    assert "https://t.me/<tên_bot>?start=" in reply.text
    code = reply.text.split("?start=")[1].strip()
    stranger = Asker(STRANGER, telegram_id=42, chat_id=42, name="Chị Lan")
    joined = answer(demo, f"/start {code}", stranger)
    assert "đầu mối kiểm soát TTHC của UBND huyện Phú Riềng" in joined.text
    with demo.session_factory() as session:
        asker = resolve_asker(session, 42, 42, in_group=False)
    assert asker is not None and asker.role == "focal"
    assert asker.unit_id == unit_id(demo, "UBND huyện Phú Riềng")
    other = answer(demo, f"/start {code}", Asker(STRANGER, telegram_id=43, chat_id=43))
    assert "đã được dùng" in other.text


def test_an_expired_invite_is_refused(demo: Services, clock: FrozenClock) -> None:
    code = answer(demo, "/invite lãnh đạo", ADMIN).text.split("?start=")[1].strip()
    clock.move(timedelta(days=8))
    assert "hết hạn" in answer(demo, f"/start {code}", Asker(STRANGER, telegram_id=9)).text
    with demo.session_factory() as session:
        assert session.scalars(select(Invite.used_by)).one() is None


def test_a_focal_point_sees_other_units_scores_but_not_their_dossiers(demo: Services) -> None:
    focal = Asker(Role.FOCAL.value, unit_id(demo, "UBND huyện Phú Riềng"), 50, 50)
    own = answer(demo, "/unit", focal).text
    assert "UBND huyện Phú Riềng" in own and "Hồ sơ quá hạn" in own
    other = answer(demo, "/unit Bình Long", focal).text
    assert "82,01" in other and "Hồ sơ quá hạn" not in other
    assert "chỉ xem được" in answer(demo, "/overdue Bình Long", focal).text
    overview = answer(demo, "/overdue", focal).text
    assert "214 hồ sơ tại 9 đơn vị" in overview and "Bình Long" not in overview
    assert "Phú Riềng: 1 hồ sơ" in overview
    assert "chỉ dành cho quản trị" in answer(demo, "/users", focal).text
    assert "Sở Giao thông vận tải" not in answer(demo, "/deadlines", focal).text


def test_a_forged_button_for_another_unit_is_refused(demo: Services) -> None:
    focal = Asker(Role.FOCAL.value, unit_id(demo, "UBND huyện Phú Riềng"), 50, 50)
    forged = f"/overdue #{unit_id(demo, 'UBND thị xã Bình Long')}"
    assert "chỉ xem được" in answer(demo, forged, focal).text


def test_leaders_read_everything_but_cannot_manage_people(demo: Services) -> None:
    leader = Asker(Role.LEADER.value, telegram_id=60, chat_id=60)
    assert "204" in answer(demo, "/overdue", leader).text
    assert "chỉ dành cho quản trị" in answer(demo, "/grant 5 admin", leader).text
    assert "/invite" not in answer(demo, "/help", leader).text
    assert "/invite" in answer(demo, "/help", ADMIN).text


def test_groups_are_ignored_until_an_admin_registers_them(demo: Services) -> None:
    with demo.session_factory() as session:
        assert resolve_asker(session, 99, -100, in_group=True) is None
        people.save_person(session, 1, Role.ADMIN, None, demo.clock.now())
        session.commit()
        admin_in_group = resolve_asker(session, 1, -100, in_group=True, chat_title="Nhóm VP")
    assert admin_in_group is not None
    reply = answer(demo, "/register_group Phú Riềng", admin_in_group)
    assert "Đã đăng ký nhóm này" in reply.text
    with demo.session_factory() as session:
        member = resolve_asker(session, 99, -100, in_group=True)
    assert member is not None and member.role == GROUP
    assert "Bình Long" not in answer(demo, "/overdue", member).text
    assert "Hãy gõ /register_group trong nhóm" in answer(demo, "/register_group", ADMIN).text


def test_grant_revoke_and_users(demo: Services) -> None:
    assert "Đã cấp quyền cho 123: đầu mối" in answer(demo, "/grant 123 focal Bù Đốp", ADMIN).text
    assert "Đầu mối cần một đơn vị" in answer(demo, "/grant 124 focal", ADMIN).text
    assert "lãnh đạo" in answer(demo, "/grant 125 lãnh đạo", ADMIN).text
    listing = answer(demo, "/users", ADMIN).text
    assert "123: đầu mối kiểm soát TTHC của UBND huyện Bù Đốp" in listing
    assert "Đã thu hồi quyền của 123" in answer(demo, "/revoke 123", ADMIN).text
    assert "123:" not in answer(demo, "/users", ADMIN).text
    with demo.session_factory() as session:
        assert resolve_asker(session, 123, 123, in_group=False).role == STRANGER  # type: ignore[union-attr]
