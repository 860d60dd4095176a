"""/start (greeting and invite redemption) and the admin's people commands."""

from __future__ import annotations

from datetime import timedelta

from app import access
from app.access import added_text
from app.answers.status import status_reply
from app.answers.unit import pick_unit
from core.reply import Reply
from core.textnorm import fold
from handlers.access import ROLE_LABELS
from handlers.request import Request
from storage import people
from storage.models import Role, Unit

_ROLE_WORDS = {
    "admin": Role.ADMIN,
    "quan tri": Role.ADMIN,
    "leader": Role.LEADER,
    "lanh dao": Role.LEADER,
    "focal": Role.FOCAL,
    "dau moi": Role.FOCAL,
}


def _role_suffix(text: str) -> tuple[str, Role | None]:
    """Split a trailing role word off: "Phú Riềng lãnh đạo" -> ("Phú Riềng", LEADER)."""
    folded = fold(text)
    for word, role in _ROLE_WORDS.items():
        if folded == word:
            return "", role
        if folded.endswith(" " + word):
            kept = len(text.split()) - len(word.split())
            return " ".join(text.split()[:kept]), role
    return text, None


def _describe(role: str, unit: Unit | None) -> str:
    label = ROLE_LABELS.get(role, role)
    return f"{label} của {unit.name}" if unit is not None else label


def start_command(request: Request) -> Reply:
    """Greet; "/start <code>" redeems an invite."""
    session, asker = request.session, request.asker
    if request.args:
        if asker.telegram_id is None:
            return Reply("Chỉ mở đường dẫn mời được trong Telegram.")
        result = access.redeem_invite(
            request.services, session, request.args, asker.telegram_id, asker.name
        )
        if isinstance(result, str):
            return Reply(result)
        unit = session.get(Unit, result.unit_id) if result.unit_id else None
        role = result.role or ""
        return Reply(f"Đã đăng ký: bạn là {_describe(role, unit)}. Gõ /help để xem các lệnh.")
    unit = session.get(Unit, asker.unit_id) if asker.unit_id else None
    who = f"{asker.name}" if asker.name else "bạn"
    return Reply(
        f"Xin chào {who}!\nMã Telegram: {asker.telegram_id or 'không rõ'}\n"
        f"Vai trò: {_describe(asker.role, unit)}.\nGõ /help để xem các lệnh."
    )


def invite_command(request: Request) -> Reply:
    """A one-time deep link that registers whoever opens it with a role and unit."""
    services, session = request.services, request.session
    text, role = _role_suffix(request.args)
    role = role or Role.FOCAL
    unit = None
    if text:
        found = pick_unit(session, services.clock, text, "/invite")
        if isinstance(found, Reply):
            return found
        unit = found
    if role is Role.FOCAL and unit is None:
        return Reply("Ghi đơn vị của đầu mối, ví dụ: /invite Phú Riềng (hoặc /invite lãnh đạo)")
    days = services.config.telegram.invite_days
    invite = people.create_invite(
        session,
        role,
        unit.id if unit else None,
        request.asker.telegram_id,
        services.clock.now(),
        timedelta(days=days),
    )
    link = f"https://t.me/{services.bot_username or '<tên_bot>'}?start={invite.code}"
    return Reply(
        f"Đường dẫn mời {_describe(role.value, unit)} (dùng một lần, hết hạn sau {days} ngày):\n"
        f"{link}"
    )


def users_command(request: Request) -> Reply:
    """Everyone who may use the bot, and the registered groups."""
    session = request.session
    lines = ["Người dùng:"]
    for person, unit in people.list_people(session):
        name = f" ({person.name})" if person.name else ""
        lines.append(f"  • {person.telegram_id}{name}: {_describe(person.role, unit)}")
    if len(lines) == 1:
        lines.append("  (chưa có)")
    chats = people.list_chats(session)
    lines.append("Nhóm nhận thông báo:")
    for chat, unit in chats:
        title = chat.title or "không tên"
        lines.append(f"  • {chat.chat_id} «{title}»" + (f": {unit.name}" if unit else ""))
    if not chats:
        lines.append("  (chưa có)")
    return Reply("\n".join(lines))


def grant_command(request: Request) -> Reply:
    """/grant <telegram id> <role> [unit]."""
    session, services = request.session, request.services
    first, _, rest = request.args.partition(" ")
    if not first.lstrip("-").isdigit():
        return Reply("Cú pháp: /grant <mã Telegram> <admin|leader|focal> [đơn vị]")
    words = rest.split()
    role = _ROLE_WORDS.get(fold(" ".join(words[:2]))) if len(words) >= 2 else None
    unit_text = " ".join(words[2:]) if role else " ".join(words[1:])
    role = role or (_ROLE_WORDS.get(fold(words[0])) if words else None)
    if role is None:
        return Reply("Vai trò phải là admin, leader hoặc focal (quản trị, lãnh đạo, đầu mối).")
    unit = None
    if unit_text:
        found = pick_unit(session, services.clock, unit_text, f"/grant {first} {role.value}")
        if isinstance(found, Reply):
            return found
        unit = found
    if role is Role.FOCAL and unit is None:
        return Reply("Đầu mối cần một đơn vị, ví dụ: /grant 123456789 focal Phú Riềng")
    granted = access.grant(services, session, int(first), role, unit.id if unit else None)
    return Reply(
        " ".join(
            filter(
                None,
                [f"Đã cấp quyền cho {first}: {_describe(role.value, unit)}.", added_text(granted)],
            )
        )
    )


def revoke_command(request: Request) -> Reply:
    """/revoke <telegram id>."""
    if not request.args.strip().lstrip("-").isdigit():
        return Reply("Cú pháp: /revoke <mã Telegram>")
    telegram_id = int(request.args.strip())
    if telegram_id == request.asker.telegram_id:
        return Reply("Không thể tự thu hồi quyền của chính mình.")
    if access.revoke(request.services, request.session, telegram_id):
        return Reply(f"Đã thu hồi quyền của {telegram_id}.")
    return Reply(f"Không có người dùng đang hoạt động với mã {telegram_id}.")


def register_group_command(request: Request) -> Reply:
    """Register the group this is typed in (optionally for one unit)."""
    asker, session, services = request.asker, request.session, request.services
    if not asker.in_group or asker.chat_id is None:
        return Reply("Hãy gõ /register_group trong nhóm cần đăng ký.")
    unit = None
    if request.args:
        found = pick_unit(session, services.clock, request.args, "/register_group")
        if isinstance(found, Reply):
            return found
        unit = found
    granted = access.register_group(
        services, session, asker.chat_id, asker.chat_title, unit.id if unit else None
    )
    suffix = f" của {unit.name}" if unit else ""
    done = f"Đã đăng ký nhóm này nhận thông báo{suffix}."
    return Reply(" ".join(filter(None, [done, added_text(granted)])))


def status_command(request: Request) -> Reply:
    """/status: version, uptime, sources, the alert queue, the last error, the jobs."""
    return status_reply(request.session, request.services)
