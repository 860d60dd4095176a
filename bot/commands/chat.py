"""Answering: ``ask`` (one message), ``console`` (the terminal chat) and ``run`` (the bot)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from app.services import Services
from bot.app import build_services, settle_after_start
from bot.commands.common import Commands, Run, require_schema, unit_id
from bot.console import run_console, write_reply
from core.health import ErrorRecorder
from handlers.access import Asker
from handlers.router import answer
from storage import db
from storage.models import Role
from storage.queries.snapshots import has_snapshots, in_use

log = logging.getLogger("tthc_bot")


def ask_command(sub: Commands) -> None:
    parser = sub.add_parser("ask", help="trả lời một tin nhắn đúng như bot sẽ trả lời")
    parser.add_argument("text", help="tin nhắn, ví dụ /rank")
    _asker_options(parser)
    parser.set_defaults(run=_on_demo_until_used(_ask))


def console_command(sub: Commands) -> None:
    parser = sub.add_parser("console", help="trò chuyện với bot trên terminal")
    _asker_options(parser)
    parser.set_defaults(run=_on_demo_until_used(_console))


def run_command(sub: Commands) -> None:
    parser = sub.add_parser("run", help="chạy bot (không có mã bot: trò chuyện trên terminal)")
    parser.add_argument(
        "--webhook",
        action="store_true",
        help="nhận cập nhật qua webhook ([telegram.webhook] trong config.toml)",
    )
    parser.set_defaults(run=_on_demo_until_used(_run), log_level=logging.INFO)


def _asker_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--as",
        dest="role",
        choices=[r.value for r in Role],
        default=Role.ADMIN.value,
        help="vai trò người hỏi (mặc định: admin)",
    )
    parser.add_argument("--unit", help="đơn vị của người hỏi (đầu mối)")
    parser.add_argument(
        "--out", type=Path, default=Path("out"), help="thư mục lưu biểu đồ (mặc định: ./out)"
    )


def _ask(args: argparse.Namespace, services: Services) -> int:
    asker = _asker(services, args.role, args.unit)
    if asker is None:
        return 2
    write_reply(answer(services, args.text, asker), sys.stdout, args.out)
    return 0


def _console(args: argparse.Namespace, services: Services) -> int:
    asker = _asker(services, args.role, args.unit)
    if asker is None:
        return 2
    return run_console(services, asker, sys.stdin, sys.stdout, args.out)


def _run(args: argparse.Namespace, services: Services) -> int:
    """The Telegram bot with a token; the terminal chat as admin without one."""
    if services.health is not None:  # for /status and the error notices
        logging.getLogger().addHandler(ErrorRecorder(services.health))
    if services.config.telegram.token is None:
        print(
            "Chưa đặt TELEGRAM_BOT_TOKEN: mở cửa sổ trò chuyện trên terminal "
            "(gõ /help, kết thúc bằng Ctrl+D).",
            file=sys.stderr,
        )
        settle_after_start()
        return run_console(services, Asker(), sys.stdin, sys.stdout, Path("out"))
    from bot.telegram.application import run_bot
    from bot.telegram.token_guard import TokenRejected

    try:
        run_bot(services, webhook=args.webhook)
    except TokenRejected as exc:
        print(
            f"Telegram từ chối mã bot ({exc.status} khi gọi {exc.method}): mã đã bị thu hồi "
            "hoặc gõ sai. Lấy mã mới từ @BotFather, ghi vào TELEGRAM_BOT_TOKEN_FILE rồi "
            "khởi động lại (docs/deploy.md, «Rotating the token»).",
            file=sys.stderr,
        )
        return 3
    except Exception as exc:  # logged through the token's redaction, never printed raw
        log.exception("the bot stopped (%s)", type(exc).__name__)
        print(
            f"Bot dừng vì lỗi ({type(exc).__name__}); xem nhật ký (journalctl -u tthc-bot) "
            "và chạy tthc-bot doctor.",
            file=sys.stderr,
        )
        return 1
    return 0


def _on_demo_until_used(run: Run) -> Run:
    """Answering from the real database or, before any real work, from the demo database."""

    def on_data(args: argparse.Namespace, services: Services) -> int:
        demo = _demo_if_unused(services)
        try:
            return run(args, demo or services)
        finally:
            if demo is not None:
                demo.close()

    return on_data


def _asker(services: Services, role: str, unit_name: str | None) -> Asker | None:
    if unit_name is None:
        if role == Role.FOCAL.value:
            print("Đầu mối (focal) cần --unit TÊN_ĐƠN_VỊ.", file=sys.stderr)
            return None
        return Asker(role=role)
    unit = unit_id(services, unit_name)
    if isinstance(unit, str):
        print(unit, file=sys.stderr)
        return None
    return Asker(role=role, unit_id=unit)


def _demo_if_unused(services: Services) -> Services | None:
    """The demo services when the real database is still unused (nothing imported, nobody
    registered) and the demo data exists; the bot then answers from it and sends nothing."""
    if not db.exists(services.config.database.demo_url):
        return None  # never loaded: asking would only create an empty file
    with services.session_factory() as session:
        if in_use(session):
            return None
    demo = build_services(services.config, services.clock, demo=True)
    if db.current_revision(demo.engine) is not None:
        require_schema(demo)
        with demo.session_factory() as session:
            if has_snapshots(session):
                print(
                    "Chưa có số liệu thật: trả lời từ dữ liệu mẫu "
                    f"({services.config.database.demo_url}); không gửi cảnh báo nào. "
                    "Số liệu thật được nhập vào cơ sở dữ liệu chính "
                    f"({services.config.database.url}).",
                    file=sys.stderr,
                )
                return demo
    demo.close()
    return None
