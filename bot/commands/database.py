"""``tthc-bot db``: the schema's migrations and copying the whole database."""

from __future__ import annotations

import argparse
import sys

from app.services import Services
from bot.commands.common import Commands, require_schema
from core.vnformat import fmt_count
from storage import db


def db_command(sub: Commands) -> None:
    parser = sub.add_parser("db", help="lược đồ cơ sở dữ liệu (migrations)")
    db_sub = parser.add_subparsers(dest="db_command", required=True, metavar="LỆNH")
    db_sub.add_parser("upgrade", help="áp dụng mọi migration").set_defaults(run=_upgrade)
    db_sub.add_parser("current", help="phiên bản lược đồ hiện tại").set_defaults(run=_current)
    revision = db_sub.add_parser(
        "revision", help="viết migration kế tiếp từ khác biệt giữa models và cơ sở dữ liệu"
    )
    revision.add_argument("-m", "--message", required=True, help="mô tả ngắn của migration")
    revision.set_defaults(run=_revision)
    copy = db_sub.add_parser(
        "copy",
        help="chép toàn bộ cơ sở dữ liệu sang một cơ sở dữ liệu mới (ví dụ PostgreSQL), "
        "kiểm tra từng dòng",
    )
    copy.add_argument(
        "--to", required=True, metavar="URL", help="ví dụ postgresql+psycopg://user@host/tthc"
    )
    copy.set_defaults(run=_copy)
    parser.set_defaults(schema=False)


def _upgrade(args: argparse.Namespace, services: Services) -> int:
    db.upgrade(services.engine)
    print(f"Cơ sở dữ liệu ở phiên bản {db.current_revision(services.engine)}.")
    return 0


def _current(args: argparse.Namespace, services: Services) -> int:
    print(db.current_revision(services.engine) or "chưa khởi tạo")
    return 0


def _revision(args: argparse.Namespace, services: Services) -> int:
    require_schema(services)
    print(f"Đã viết migration: {db.new_revision(services.engine, args.message)}")
    return 0


def _copy(args: argparse.Namespace, services: Services) -> int:
    """``tthc-bot db copy --to URL``: exit 1 when it could not be copied and verified."""
    from storage.copy import CopyRefused, copy_database

    try:
        report = copy_database(
            services.engine,
            args.to,
            progress=lambda table, rows: print(
                f"  {table}: {fmt_count(rows)} dòng", file=sys.stderr, flush=True
            ),
        )
    except CopyRefused as exc:
        print(f"Không chép: {exc}.", file=sys.stderr)
        return 1
    print(
        f"Đã chép {fmt_count(report.rows)} dòng của {len(report.tables)} bảng sang "
        f"{db.describe_url(args.to)} và kiểm tra từng dòng: "
        "khớp. Hãy ghi [database] url mới trong config.toml (hoặc TTHC_DATABASE_URL)."
    )
    return 0
