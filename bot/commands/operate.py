"""Running it on a server: ``backup``, ``restore`` and ``doctor``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.services import Services
from bot.commands.common import Commands
from core.vnformat import fmt_count
from storage import db


def backup_command(sub: Commands) -> None:
    parser = sub.add_parser(
        "backup",
        help="sao lưu cơ sở dữ liệu khi bot vẫn chạy (SQLite: tệp .db; PostgreSQL: pg_dump)",
    )
    parser.add_argument("--out", type=Path, required=True, metavar="TỆP", help="tệp sao lưu")
    parser.set_defaults(run=_backup, schema=False)


def _backup(args: argparse.Namespace, services: Services) -> int:
    from storage.backup import BackupFailed, backup

    try:
        size = backup(services.engine, args.out)
    except BackupFailed as exc:
        print(f"Không sao lưu được: {exc}.", file=sys.stderr)
        return 1
    where = db.describe_url(services.config.database.url)
    print(f"Đã sao lưu {where} vào {args.out} ({fmt_count(size // 1024)} KB).")
    return 0


def restore_command(sub: Commands) -> None:
    parser = sub.add_parser(
        "restore",
        help="phục hồi cơ sở dữ liệu từ một bản sao lưu (bản hiện tại được giữ lại trước)",
    )
    parser.add_argument("file", type=Path, metavar="TỆP", help="tệp do tthc-bot backup tạo")
    parser.set_defaults(run=_restore, schema=False)


def _restore(args: argparse.Namespace, services: Services) -> int:
    from storage.backup import BackupFailed, restore

    try:
        report = restore(services.engine, args.file, services.clock.now())
    except BackupFailed as exc:
        print(f"Không phục hồi được: {exc}.", file=sys.stderr)
        return 1
    print(f"Đã phục hồi {db.describe_url(services.config.database.url)} từ {args.file}.")
    print(f"Bản trước khi phục hồi được giữ ở {report.previous}.")
    if report.restored_revision != report.revision:
        print(
            f"Bản sao lưu ở phiên bản lược đồ {report.restored_revision}, "
            f"đã nâng lên {report.revision}."
        )
    print("Hãy khởi động lại bot (systemctl restart tthc-bot) để dùng dữ liệu vừa phục hồi.")
    return 0


def doctor_command(sub: Commands) -> None:
    sub.add_parser(
        "doctor",
        help="kiểm tra cấu hình, cơ sở dữ liệu, mã bot, đồng hồ, ổ đĩa, thư mục inbox",
    ).set_defaults(run=_doctor, schema=False)


def _doctor(args: argparse.Namespace, services: Services) -> int:
    from bot.doctor import run_doctor

    return run_doctor(services, sys.stdout)
