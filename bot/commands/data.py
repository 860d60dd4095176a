"""Bringing data in: ``import``, ``sync dvcqg`` and ``demo``."""

from __future__ import annotations

import argparse
import sys
from importlib import resources
from pathlib import Path

from app.imports import import_and_alert, import_file
from app.services import Services
from bot.app import build_services
from bot.commands.common import Commands, as_of, require_schema
from storage import db
from storage.importers import KINDS, ImportOptions
from storage.queries.snapshots import has_snapshots


def import_command(sub: Commands) -> None:
    parser = sub.add_parser("import", help="nhập tệp .xlsx/.xls/.ods/.csv")
    parser.add_argument("path", type=Path, help="tệp cần nhập")
    parser.add_argument(
        "--kind", choices=KINDS, help="loại dữ liệu (mặc định: nhận theo tiêu đề cột)"
    )
    parser.add_argument("--as-of", type=as_of, help="ngày của số liệu, DD/MM/YYYY")
    parser.add_argument("--source", help="nguồn số liệu, ví dụ DVCQG hoặc DVC_TINH")
    parser.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không lưu gì")
    parser.add_argument("--create-units", action="store_true", help="tạo đơn vị mới có trong tệp")
    parser.add_argument(
        "--complete",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="tệp hồ sơ là danh sách đầy đủ hồ sơ đang mở: hồ sơ không có trong tệp được đóng "
        "(mặc định theo [import] complete_sources)",
    )
    parser.set_defaults(run=_import)


def _progress(stage: str, done: int, total: int | None) -> None:
    text = (
        f"{stage}: {done:,}".replace(",", ".")
        + (f"/{total:,}".replace(",", ".") if total else "")
        + " dòng"
    )
    if sys.stderr.isatty():
        print("\r" + text.ljust(40), end="", file=sys.stderr, flush=True)
    else:
        print(text, file=sys.stderr)


def _import(args: argparse.Namespace, services: Services) -> int:
    options = ImportOptions(
        kind=args.kind,
        as_of=args.as_of,
        source=args.source,
        dry_run=args.dry_run,
        create_units=args.create_units,
        complete=args.complete,
    )
    outcome, step = import_and_alert(services, args.path, options, progress=_progress)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(outcome.report())
    for line in step.lines() if step is not None else []:
        print(line)
    return 0 if outcome.ok else 1


def sync_command(sub: Commands) -> None:
    parser = sub.add_parser("sync", help="lấy số liệu từ cổng (Cổng DVCQG)")
    sources = parser.add_subparsers(dest="sync_source", required=True, metavar="NGUỒN")
    dvcqg = sources.add_parser(
        "dvcqg", help="Bộ chỉ số 766 của tỉnh từ Cổng DVCQG (6 nhóm chỉ số, mọi đơn vị)"
    )
    dvcqg.add_argument(
        "--period",
        help="kỳ số liệu: month:2026-08, quarter:2026-Q3 hoặc year:2026 "
        "(mặc định: tháng đã qua gần nhất)",
    )
    dvcqg.add_argument("--base-url", help="địa chỉ cổng (mặc định: [dvcqg] base_url)")
    dvcqg.add_argument(
        "--national",
        action="store_true",
        help="bảng xếp hạng các tỉnh: tổng điểm và điểm nhóm của mọi tỉnh (service-results)",
    )
    dvcqg.set_defaults(run=_sync)


def _sync(args: argparse.Namespace, services: Services) -> int:
    """``tthc-bot sync dvcqg``: exit 0 when a complete snapshot is stored (or unchanged)."""
    from app.portal_sync import sync_national, sync_province
    from storage.portal.answers import PeriodProblem, PortalPeriod

    try:
        period = PortalPeriod.parse(args.period) if args.period else None
    except PeriodProblem as exc:
        print(f"Lỗi: {exc}.", file=sys.stderr)
        return 2
    sync = sync_national if args.national else sync_province
    outcome = sync(
        services,
        period,
        base_url=args.base_url,
        progress=lambda step: print(f"Cổng DVCQG {step} …", file=sys.stderr, flush=True),
    )
    print(outcome.report())
    return 0 if outcome.complete else 1


def demo_command(sub: Commands) -> None:
    parser = sub.add_parser(
        "demo",
        help="nạp bộ dữ liệu mẫu (bot/demo) vào cơ sở dữ liệu mẫu riêng ([database] demo_url)",
    )
    parser.add_argument("--if-empty", action="store_true", help="chỉ khi dữ liệu mẫu chưa có")
    parser.add_argument("--remove", action="store_true", help="xóa cơ sở dữ liệu mẫu")
    parser.set_defaults(run=_demo, schema=False)


def _demo(args: argparse.Namespace, services: Services) -> int:
    """``tthc-bot demo``: the demo data set in its own database, never the real one."""
    config = services.config
    if config.database.demo_url == config.database.url:
        print("[database] demo_url phải khác [database] url.", file=sys.stderr)
        return 2
    demo = build_services(config, demo=True)
    try:
        if args.remove:
            db.drop(demo.engine)
            print(f"Đã xóa dữ liệu mẫu ({config.database.demo_url}).")
            return 0
        require_schema(demo)
        return load_demo(demo, only_if_empty=args.if_empty)
    finally:
        demo.close()


def demo_files() -> list[Path]:
    """The demo data set, in import order (it works from an installed wheel too)."""
    folder = resources.files("bot") / "demo"
    return sorted(Path(str(entry)) for entry in folder.iterdir() if entry.name.endswith(".csv"))


def load_demo(services: Services, only_if_empty: bool = False) -> int:
    """Import every demo file (bot/demo, shipped as package data) in order, through the
    normal importer."""
    if only_if_empty:
        with services.session_factory() as session:
            if has_snapshots(session):
                return 0
    failed = 0
    for path in demo_files():
        # The demo's dates were checked against the notices (README, "Demo data"): they
        # are confirmed however long ago they are.
        outcome = import_file(services, path, ImportOptions(dates_confirmed=True))
        print(outcome.report())
        failed += not outcome.ok
    return 1 if failed else 0
