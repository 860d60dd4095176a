"""Who may use the bot: ``users add|list|remove`` and ``groups add``."""

from __future__ import annotations

import argparse
import sys

from app import access
from app.services import Services
from bot.commands.common import Commands, unit_id
from handlers.access import Asker
from handlers.router import answer
from storage.models import Role


def users_command(sub: Commands) -> None:
    parser = sub.add_parser("users", help="người được dùng bot")
    users = parser.add_subparsers(dest="users_command", required=True, metavar="LỆNH")
    add = users.add_parser("add", help="thêm hoặc sửa một người")
    add.add_argument("telegram_id", type=int, help="mã Telegram của người đó")
    add.add_argument("--role", required=True, choices=[r.value for r in Role], help="vai trò")
    add.add_argument("--unit", help="đơn vị (bắt buộc với đầu mối)")
    add.add_argument("--name", help="tên để nhận ra người đó")
    add.set_defaults(run=_add)
    users.add_parser("list", help="danh sách người dùng và nhóm").set_defaults(run=_list)
    remove = users.add_parser("remove", help="thu hồi quyền một người")
    remove.add_argument("telegram_id", type=int, help="mã Telegram của người đó")
    remove.set_defaults(run=_remove)


def _add(args: argparse.Namespace, services: Services) -> int:
    unit = unit_id(services, args.unit)
    if isinstance(unit, str):
        print(unit, file=sys.stderr)
        return 1
    with services.session_factory() as session:
        try:
            granted = access.grant(
                services, session, args.telegram_id, Role(args.role), unit, args.name
            )
        except ValueError:
            print("Đầu mối (focal) cần --unit TÊN_ĐƠN_VỊ.", file=sys.stderr)
            return 1
        session.commit()
    print(f"Đã lưu {args.telegram_id} ({args.role}).")
    _print_added(granted)
    return 0


def _list(args: argparse.Namespace, services: Services) -> int:
    print(answer(services, "/users", Asker()).text)
    return 0


def _remove(args: argparse.Namespace, services: Services) -> int:
    with services.session_factory() as session:
        if not access.revoke(services, session, args.telegram_id):
            print(f"Không có người dùng đang hoạt động với mã {args.telegram_id}.", file=sys.stderr)
            return 1
        session.commit()
    print(f"Đã thu hồi quyền của {args.telegram_id}.")
    return 0


def groups_command(sub: Commands) -> None:
    parser = sub.add_parser("groups", help="nhóm Telegram nhận tóm tắt")
    groups = parser.add_subparsers(dest="groups_command", required=True, metavar="LỆNH")
    add = groups.add_parser("add", help="đăng ký một nhóm")
    add.add_argument("chat_id", type=int, help="mã nhóm (số âm)")
    add.add_argument("--unit", help="đơn vị của nhóm")
    add.add_argument("--title", help="tên nhóm")
    add.set_defaults(run=_add_group)


def _add_group(args: argparse.Namespace, services: Services) -> int:
    unit = unit_id(services, args.unit)
    if isinstance(unit, str):
        print(unit, file=sys.stderr)
        return 1
    with services.session_factory() as session:
        granted = access.register_group(services, session, args.chat_id, args.title, unit)
        session.commit()
    print(f"Đã đăng ký nhóm {args.chat_id}.")
    _print_added(granted)
    return 0


def _print_added(granted: access.Granted) -> None:
    """Open alerts still relevant go to the person or group just registered too."""
    if text := access.added_text(granted):
        print(text)
