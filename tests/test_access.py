"""Who may see what: strangers, focal points, leaders, groups and admins, through the router."""

from datetime import timedelta

from sqlalchemy import select

from app.services import Services
from core.clock import FrozenClock
from handlers.access import GROUP, STRANGER, Asker, resolve_asker
from handlers.router import COMMANDS, answer
from storage import people
from storage.models import Invite, Person, Role, Unit

ADMIN = Asker(Role.ADMIN.value, telegram_id=1, chat_id=1)


def unit_id(services: Services, name: str) -> int:
    with services.session_factory() as session:
        return int(session.scalars(select(Unit.id).filter_by(name=name)).one())


def test_a_stranger_gets_only_their_id_from_every_command(demo: Services) -> None:
    stranger = Asker(STRANGER, telegram_id=777, chat_id=777)
    for command in sorted(COMMANDS):  # one database for all: a stranger changes nothing
        for text in (f"/{command}", f"/{command} Phú Riềng"):
            if text == "/start Phú Riềng":
                continue  # that is an invite code attempt, tested below
            reply = answer(demo, text, stranger)
            assert "Mã Telegram của bạn: 777" in reply.text, text
            assert "Phú Riềng" not in reply.text and reply.image is None, text
            assert not reply.buttons, text


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


def test_a_focal_points_summary_names_only_their_units_dossiers_and_tasks(
    demo: Services,
) -> None:
    everything = answer(demo, "/summary", ADMIN).text
    assert "UBND thị xã Bình Long: 204" in everything
    focal = Asker(Role.FOCAL.value, unit_id(demo, "UBND huyện Phú Riềng"), 50, 50)
    own = answer(demo, "/summary", focal).text
    overdue = next(line for line in own.splitlines() if line.startswith("⏰"))
    assert "214 hồ sơ tại 9 đơn vị — UBND huyện Phú Riềng: 1" in overdue
    assert "Bình Long" not in overdue
    deadlines = [line for line in own.splitlines() if line.startswith(("📅", "   "))]
    shown = answer(demo, "/deadlines", focal).text
    for line in deadlines:  # nothing /deadlines would not show them
        for name in ("Sở", "UBND thị xã", "UBND huyện Bù"):
            assert name not in line or name in shown


def test_an_admin_in_an_unregistered_group_gets_no_data_there(demo: Services) -> None:
    from handlers.router import UNREGISTERED_TEXT

    with demo.session_factory.begin() as session:
        people.save_person(session, 1, Role.ADMIN, None, demo.clock.now())
    with demo.session_factory() as session:
        admin_here = resolve_asker(session, 1, -300, in_group=True, chat_title="Nhóm lạ")
    assert admin_here is not None
    for text in ("/rank", "/overdue", "/users", "/invite Phú Riềng", "/help", "/khong_co"):
        reply = answer(demo, text, admin_here)
        assert reply.text == UNREGISTERED_TEXT and reply.image is None, text
    assert "Đã đăng ký nhóm này" in answer(demo, "/register_group Phú Riềng", admin_here).text


def test_an_admin_in_a_units_group_is_answered_as_that_group(demo: Services) -> None:
    with demo.session_factory.begin() as session:
        people.save_person(session, 1, Role.ADMIN, None, demo.clock.now())
        phu = unit_id(demo, "UBND huyện Phú Riềng")
        people.register_chat(session, -301, "Phú Riềng", phu, demo.clock.now())
    with demo.session_factory() as session:
        admin_here = resolve_asker(session, 1, -301, in_group=True)
    assert admin_here is not None and admin_here.role == GROUP
    overview = answer(demo, "/overdue", admin_here).text
    assert "Phú Riềng: 1 hồ sơ" in overview and "Bình Long" not in overview
    assert "chỉ dành cho quản trị" in answer(demo, "/users", admin_here).text
    assert "Đã đăng ký nhóm này" in answer(demo, "/register_group", admin_here).text


def test_ack_accepts_only_the_alerts_sent_to_that_chat(demo: Services) -> None:
    from sqlalchemy import update

    from storage.alerts import AlertDraft, Audience, store_alerts
    from storage.models import Acknowledgement, Delivery

    phu = unit_id(demo, "UBND huyện Phú Riềng")
    with demo.session_factory.begin() as session:
        people.save_person(session, 50, Role.FOCAL, phu, demo.clock.now())
        people.save_person(session, 51, Role.FOCAL, phu, demo.clock.now())
        draft = AlertDraft("overdue:A1", "overdue", Audience.UNIT, {"unit": "x"}, unit_id=phu)
        store_alerts(session, [draft], demo.clock.now())
        session.execute(
            update(Delivery)
            .where(Delivery.chat_id == 50)
            .values(claim_token="tok50", status="sent")
        )
    other = Asker(Role.FOCAL.value, phu, 51, 51)
    assert "Không tìm thấy" in answer(demo, "/ack tok50", other).text
    own = Asker(Role.FOCAL.value, phu, 50, 50)
    assert "đã nhận 1 cảnh báo" in answer(demo, "/ack tok50", own).text
    with demo.session_factory() as session:
        assert session.scalars(select(Acknowledgement.telegram_id)).all() == [50]


def test_an_invite_opened_twice_at_once_registers_exactly_one_person(demo: Services) -> None:
    import threading

    code = answer(demo, "/invite Phú Riềng", ADMIN).text.split("?start=")[1].strip()
    openers = range(700, 708)
    start = threading.Barrier(len(openers))
    replies: dict[int, str] = {}

    def open_link(telegram_id: int) -> None:
        start.wait()
        stranger = Asker(STRANGER, telegram_id=telegram_id, chat_id=telegram_id)
        replies[telegram_id] = answer(demo, f"/start {code}", stranger).text

    threads = [threading.Thread(target=open_link, args=(t,)) for t in openers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    joined = [t for t, text in replies.items() if "đầu mối kiểm soát TTHC" in text]
    assert len(joined) == 1, replies
    assert all("đã được dùng" in text for t, text in replies.items() if t not in joined)
    with demo.session_factory() as session:
        registered = session.scalars(
            select(Person.telegram_id).where(Person.telegram_id.in_(openers))
        ).all()
        assert registered == joined
        assert session.scalars(select(Invite.used_by)).one() == joined[0]


def test_commands_addressed_to_another_bot_are_left_to_it() -> None:
    from handlers.router import addressed_elsewhere

    assert addressed_elsewhere("/rank@other_bot", "tthc_bot")
    assert addressed_elsewhere("/unit@other_bot Phú Riềng", "tthc_bot")
    assert not addressed_elsewhere("/rank@TTHC_bot", "tthc_bot")
    assert not addressed_elsewhere("/rank", "tthc_bot")
    assert not addressed_elsewhere("/unit Phú Riềng @someone", "tthc_bot")
    assert not addressed_elsewhere("xin chào @other_bot", "tthc_bot")
