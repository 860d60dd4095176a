"""The one place that turns a message into a :class:`bot.reply.Reply`.

Transports (the console chat, ``tthc-bot ask``, Telegram) pass the text and
who asks; handlers stay thin: parse arguments, call domain answers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.answers.compare import compare_reply
from bot.answers.deadlines import deadlines_reply
from bot.answers.help import help_reply
from bot.answers.overdue import overdue_reply, unit_overdue_reply
from bot.answers.rank import rank_reply
from bot.answers.tables import indicators_reply, ranking_reply
from bot.answers.unit import pick_unit, split_two_units, unit_card, unit_lookup_reply
from bot.app import Services
from bot.reply import Reply
from storage.models import Role, Unit

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Asker:
    """Who sends the message: a role and, for a focal point, their unit."""

    role: str = Role.ADMIN.value
    unit_id: int | None = None


@dataclass
class Request:
    services: Services
    session: Session
    asker: Asker
    args: str


def help_command(request: Request) -> Reply:
    """List the commands."""
    return help_reply()


def rank_command(request: Request) -> Reply:
    """The province's rank."""
    return rank_reply(request.session, request.services.config)


def unit_command(request: Request) -> Reply:
    """One unit's card; a focal point without a name gets their own unit."""
    if request.args:
        return unit_lookup_reply(request.session, request.services.clock, request.args)
    if request.asker.unit_id is not None:
        unit = request.session.get(Unit, request.asker.unit_id)
        if unit is not None:
            return unit_card(request.session, request.services.clock, unit)
    return Reply("Hãy gõ tên đơn vị sau lệnh, ví dụ: /unit Phú Riềng hoặc /unit Sở Tư pháp")


def top_command(request: Request) -> Reply:
    """Units with the highest latest score."""
    return ranking_reply(request.session, request.args, bottom=False)


def bottom_command(request: Request) -> Reply:
    """Units with the lowest latest score."""
    return ranking_reply(request.session, request.args, bottom=True)


def indicators_command(request: Request) -> Reply:
    """The province's tracked ratios."""
    return indicators_reply(request.session, request.services.config)


def overdue_command(request: Request) -> Reply:
    """Overdue dossiers per unit, or one unit's list."""
    if not request.args:
        return overdue_reply(request.session, request.services.clock)
    found = pick_unit(request.session, request.services.clock, request.args, "/overdue")
    if isinstance(found, Reply):
        return found
    return unit_overdue_reply(request.session, request.services.clock, found)


def deadlines_command(request: Request) -> Reply:
    """Publication tasks by deadline."""
    services = request.services
    return deadlines_reply(request.session, services.clock, services.calendar)


def compare_command(request: Request) -> Reply:
    """Two units side by side."""
    pair = split_two_units(request.session, request.services.clock, request.args)
    if pair is None:
        return Reply(
            "Hãy ghi hai đơn vị, cách nhau bằng dấu phẩy hoặc «|», ví dụ: "
            "/compare Phú Riềng, Bù Đăng"
        )
    return compare_reply(request.session, *pair)


COMMANDS: dict[str, Callable[[Request], Reply]] = {
    "help": help_command,
    "start": help_command,
    "rank": rank_command,
    "unit": unit_command,
    "top": top_command,
    "bottom": bottom_command,
    "indicators": indicators_command,
    "overdue": overdue_command,
    "deadlines": deadlines_command,
    "compare": compare_command,
}


def answer(services: Services, text: str, asker: Asker) -> Reply:
    """Answer one message exactly as the bot will."""
    text = text.strip()
    if not text.startswith("/"):
        return Reply("Hãy gõ một lệnh, ví dụ /rank hoặc /unit Phú Riềng. Gõ /help để xem các lệnh.")
    command, _, args = text[1:].partition(" ")
    command = command.split("@", 1)[0].lower()
    handler = COMMANDS.get(command)
    if handler is None:
        return Reply(f"Không có lệnh /{command}. Gõ /help để xem các lệnh.")
    with services.session_factory() as session:
        try:
            return handler(Request(services, session, asker, args.strip()))
        except Exception:
            log.exception("command /%s failed", command)
            return Reply("Xin lỗi, có lỗi khi trả lời lệnh này; lỗi đã được ghi lại để xử lý.")
