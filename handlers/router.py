"""The one place that turns a message into a :class:`core.reply.Reply`.

Transports (the console chat, ``tthc-bot ask``, Telegram) pass the text and the
:class:`~handlers.access.Asker`; permissions are checked here, before any handler
runs, and again for every button press (a button is just a command).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from app.answers.help import help_reply, stranger_reply
from app.services import Services
from core.reply import Reply
from handlers import admin_commands, alert_commands, read_commands
from handlers.access import GROUP, GROUP_ADMIN, STRANGER, UNREGISTERED_GROUP, Asker
from handlers.report import report_command
from handlers.request import Request
from storage import db
from storage.models import Role

log = logging.getLogger(__name__)

UNREGISTERED_TEXT = (
    "Nhóm này chưa đăng ký nhận thông báo nên bot không trả lời số liệu ở đây. "
    "Quản trị gõ /register_group [đơn vị] trong nhóm để đăng ký."
)
READERS = frozenset({Role.ADMIN.value, Role.LEADER.value, Role.FOCAL.value, GROUP})
ADMINS = frozenset({Role.ADMIN.value})


@dataclass(frozen=True)
class Command:
    """A command: who may use it, and how /help and the Telegram menu describe it."""

    name: str
    handler: Callable[[Request], Reply]
    roles: frozenset[str]
    usage: str
    description: str
    example: str
    hidden: bool = False


COMMANDS: dict[str, Command] = {
    c.name: c
    for c in (
        Command(
            "start",
            admin_commands.start_command,
            READERS,
            "/start",
            "Lời chào, mã Telegram, vai trò",
            "/start",
        ),
        Command(
            "help",
            lambda r: help_reply(commands_for(r.asker.role)),
            READERS,
            "/help",
            "Các lệnh bạn dùng được",
            "/help",
        ),
        Command(
            "rank",
            read_commands.rank_command,
            READERS,
            "/rank",
            "Xếp hạng Bộ chỉ số 766 của tỉnh, biến động, điểm theo nhóm, biểu đồ",
            "/rank",
        ),
        Command(
            "unit",
            read_commands.unit_command,
            READERS,
            "/unit [tên đơn vị]",
            "Thẻ một đơn vị: điểm, xếp hạng, chỉ tiêu, hồ sơ quá hạn, biểu đồ",
            "/unit Phú Riềng",
        ),
        Command(
            "top",
            read_commands.top_command,
            READERS,
            "/top [cấp]",
            "Đơn vị điểm cao nhất, kèm mức tăng, giảm",
            "/top sở",
        ),
        Command(
            "bottom",
            read_commands.bottom_command,
            READERS,
            "/bottom [cấp]",
            "Đơn vị điểm thấp nhất",
            "/bottom huyện",
        ),
        Command(
            "indicators",
            read_commands.indicators_command,
            READERS,
            "/indicators",
            "Các chỉ tiêu của tỉnh: kỳ trước, kỳ này, tăng, giảm",
            "/indicators",
        ),
        Command(
            "sources",
            read_commands.sources_command,
            READERS,
            "/sources",
            "Nguồn số liệu: kỳ mới nhất của từng nguồn, chênh lệch giữa Cổng DVCQG và DVC tỉnh",
            "/sources",
        ),
        Command(
            "overdue",
            read_commands.overdue_command,
            READERS,
            "/overdue [đơn vị]",
            "Hồ sơ quá hạn theo đơn vị, hoặc danh sách của một đơn vị",
            "/overdue Bình Long",
        ),
        Command(
            "deadlines",
            read_commands.deadlines_command,
            READERS,
            "/deadlines",
            "Nhiệm vụ công bố TTHC: quá hạn, sắp đến hạn",
            "/deadlines",
        ),
        Command(
            "compare",
            read_commands.compare_command,
            READERS,
            "/compare <đơn vị>, <đơn vị>",
            "So sánh hai đơn vị theo từng chỉ tiêu",
            "/compare Phú Riềng, Bù Đăng",
        ),
        Command(
            "summary",
            alert_commands.summary_command,
            READERS,
            "/summary",
            "Tóm tắt tuần: xếp hạng, chỉ tiêu, đơn vị tăng giảm, hồ sơ quá hạn, hạn công bố",
            "/summary",
        ),
        Command(
            "report",
            report_command,
            frozenset({Role.ADMIN.value, Role.LEADER.value}),
            "/report [tuần|tháng] [DD/MM/YYYY]",
            "Bản thảo thông báo tuần hoặc tháng của Văn phòng (tệp Word)",
            "/report tuần",
        ),
        Command(
            "subscribe",
            alert_commands.subscribe_command,
            READERS,
            "/subscribe <đơn vị>",
            "Nhận thêm cảnh báo của một đơn vị",
            "/subscribe Bình Long",
        ),
        Command(
            "unsubscribe",
            alert_commands.unsubscribe_command,
            READERS,
            "/unsubscribe [đơn vị]",
            "Thôi nhận cảnh báo của một đơn vị (không tên: xem danh sách)",
            "/unsubscribe Bình Long",
        ),
        Command(
            "settings",
            alert_commands.settings_command,
            READERS,
            "/settings [quiet 21:00-07:00 | weekends off]",
            "Giờ yên lặng, yên lặng ngày nghỉ của cuộc trò chuyện này",
            "/settings quiet 22:00-06:30",
        ),
        Command(
            "mute",
            alert_commands.mute_command,
            READERS,
            "/mute <thời gian>",
            "Tắt tiếng cảnh báo một thời gian (30m, 2h, 1d) hoặc /mute off",
            "/mute 2h",
        ),
        Command("ack", alert_commands.ack_command, READERS, "/ack", "Đã nhận", "/ack", hidden=True),
        Command(
            "alerts",
            alert_commands.alerts_command,
            ADMINS,
            "/alerts",
            "Các cảnh báo: chờ gửi, đã gửi, lỗi, đã nhận",
            "/alerts",
        ),
        Command(
            "invite",
            admin_commands.invite_command,
            ADMINS,
            "/invite <đơn vị> [vai trò]",
            "Tạo đường dẫn mời dùng một lần (hết hạn sau 7 ngày)",
            "/invite Phú Riềng",
        ),
        Command(
            "users",
            admin_commands.users_command,
            ADMINS,
            "/users",
            "Danh sách người dùng và nhóm",
            "/users",
        ),
        Command(
            "status",
            admin_commands.status_command,
            ADMINS,
            "/status",
            "Tình trạng bot: phiên bản, thời gian chạy, số liệu mới nhất, tin chờ gửi, lỗi, lịch",
            "/status",
        ),
        Command(
            "grant",
            admin_commands.grant_command,
            ADMINS,
            "/grant <mã Telegram> <vai trò> [đơn vị]",
            "Cấp quyền cho một người",
            "/grant 123456789 focal Phú Riềng",
        ),
        Command(
            "revoke",
            admin_commands.revoke_command,
            ADMINS,
            "/revoke <mã Telegram>",
            "Thu hồi quyền của một người",
            "/revoke 123456789",
        ),
        Command(
            "register_group",
            admin_commands.register_group_command,
            ADMINS | {GROUP_ADMIN},
            "/register_group [đơn vị]",
            "Đăng ký nhóm này nhận thông báo (gõ trong nhóm)",
            "/register_group",
        ),
    )
}


def commands_for(role: str) -> list[Command]:
    """The commands a role may use, in menu order."""
    return [c for c in COMMANDS.values() if role in c.roles and not c.hidden]


def parse_command(text: str) -> tuple[str, str] | None:
    """ "/unit@tthc_bot Phú Riềng" -> ("unit", "Phú Riềng"); None for plain text."""
    text = text.strip()
    if not text.startswith("/"):
        return None
    command, _, args = text[1:].partition(" ")
    return command.split("@", 1)[0].lower(), args.strip()


def addressed_elsewhere(text: str, bot_username: str | None) -> bool:
    """Whether a command names another bot ("/rank@other_bot" in a group with two bots):
    that bot answers it, this one stays silent."""
    text = text.strip()
    if not text.startswith("/"):
        return False
    command = text[1:].split(maxsplit=1)[0] if len(text) > 1 else ""
    _, at, target = command.partition("@")
    if not at:
        return False
    return bot_username is None or target.lower() != bot_username.lstrip("@").lower()


def answer(services: Services, text: str, asker: Asker, session: Session | None = None) -> Reply:
    """Answer one message exactly as the bot will.

    ``session`` is the update's unit of work when the transport opened one (Telegram: who
    is asking was read in it); the answer is committed in it, or rolled back on a failure.
    Without one, the message gets a session of its own."""
    parsed = parse_command(text)
    if asker.role == STRANGER:
        if parsed is not None and parsed[0] == "start" and parsed[1]:
            return _run(services, COMMANDS["start"], asker, parsed[1], session)
        return stranger_reply(asker.telegram_id)
    command = COMMANDS.get(parsed[0]) if parsed is not None else None
    if asker.role == UNREGISTERED_GROUP and (command is None or not asker.roles & command.roles):
        return Reply(UNREGISTERED_TEXT)
    if parsed is None:
        return Reply("Hãy gõ một lệnh, ví dụ /rank hoặc /unit Phú Riềng. Gõ /help để xem các lệnh.")
    name, args = parsed
    if command is None:
        return Reply(f"Không có lệnh /{name}. Gõ /help để xem các lệnh.")
    if not asker.roles & command.roles:
        who = "quản trị (Văn phòng UBND tỉnh)"
        if Role.LEADER.value in command.roles:
            who = "quản trị và lãnh đạo"
        return Reply(f"Lệnh /{name} chỉ dành cho {who}.")
    return _run(services, command, asker, args, session)


def _run(
    services: Services, command: Command, asker: Asker, args: str, session: Session | None
) -> Reply:
    if session is None:
        with services.session_factory() as own:
            return _in_unit_of_work(services, command, asker, args, own)
    return _in_unit_of_work(services, command, asker, args, session)


def _in_unit_of_work(
    services: Services, command: Command, asker: Asker, args: str, session: Session
) -> Reply:
    """The command's work committed as one unit, or rolled back with an apology."""
    try:
        reply = command.handler(Request(services, session, asker, args))
        session.commit()
        return reply
    except SQLAlchemyError as exc:
        session.rollback()
        log.exception("command /%s failed", command.name)
        return Reply(f"Xin lỗi, chưa trả lời được: {db.database_problem(exc)}.")
    except Exception:
        session.rollback()
        log.exception("command /%s failed", command.name)
        return Reply("Xin lỗi, có lỗi khi trả lời lệnh này; lỗi đã được ghi lại để xử lý.")
