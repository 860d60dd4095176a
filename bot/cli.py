"""The ``tthc-bot`` command line: the commands of :mod:`bot.commands`, one small function
each, in the order ``--help`` lists them."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from bot.app import build_services
from bot.commands.alerts import alerts_command
from bot.commands.chat import ask_command, console_command, run_command
from bot.commands.common import Commands, require_schema
from bot.commands.data import demo_command, import_command, load_demo, sync_command
from bot.commands.database import db_command
from bot.commands.operate import backup_command, doctor_command, restore_command
from bot.commands.people import groups_command, users_command
from bot.commands.report import report_command
from core.config import ConfigError, load_config
from core.logs import scrub_logs

__all__ = ["build_parser", "load_demo", "main"]

#: Every command, in the order ``tthc-bot --help`` lists them.
COMMANDS: tuple[Callable[[Commands], None], ...] = (
    db_command,
    import_command,
    demo_command,
    ask_command,
    console_command,
    run_command,
    users_command,
    alerts_command,
    sync_command,
    report_command,
    backup_command,
    restore_command,
    doctor_command,
    groups_command,
)

EPILOG = """\
mã thoát (exit codes):
  0  xong (done)
  1  lỗi dữ liệu: tệp nhập có lỗi, không tìm thấy đơn vị, có tin cảnh báo gửi lỗi,
     cổng không trả đủ số liệu; doctor có mục cần sửa; sao lưu, phục hồi không được;
     bot dừng vì lỗi
  2  sai cú pháp lệnh hoặc cấu hình (config.toml, TELEGRAM_BOT_TOKEN_FILE)
  3  Telegram từ chối mã bot (run, alerts run): mã bị thu hồi hoặc sai

cấu hình: config.toml ở thư mục hiện tại, hoặc tệp do biến môi trường TTHC_CONFIG chỉ ra;
mã bot chỉ lấy từ TELEGRAM_BOT_TOKEN hoặc TELEGRAM_BOT_TOKEN_FILE."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tthc-bot",
        description="tthc-bot: chỉ số 766, hồ sơ quá hạn và hạn công bố TTHC trên Telegram.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="ghi nhật ký chi tiết (debug)")
    # Commands work on a migrated database and log only warnings, unless they say otherwise
    parser.set_defaults(schema=True, log_level=logging.WARNING)
    sub = parser.add_subparsers(dest="command", required=True, metavar="LỆNH")
    for command in COMMANDS:
        command(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # The running bot logs one line per update and per job (INFO); other commands only
    # warnings; -v everything.
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else args.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not args.verbose:
        logging.getLogger("apscheduler").setLevel(logging.WARNING)  # a line per 5 s otherwise
    scrub_logs()  # tracebacks keep their frames, not the exceptions' texts (personal data)
    try:
        config = load_config()
    except ConfigError as exc:
        print(f"Lỗi cấu hình: {exc}", file=sys.stderr)
        return 2
    services = build_services(config)
    try:
        if args.schema:
            require_schema(services)
        return int(args.run(args, services))
    finally:
        services.close()


if __name__ == "__main__":
    raise SystemExit(main())
