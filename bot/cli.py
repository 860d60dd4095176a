"""The ``tthc-bot`` command line: db, import, demo, ask, console, run."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from datetime import date
from importlib import resources
from pathlib import Path

from app import access
from app.alerts.engine import (
    preview_alerts,
    raise_alerts,
)
from app.alerts.render import render_preview
from app.imports import import_and_alert, import_file
from bot.app import Services, build_services, settle_after_start
from bot.console import run_console, write_reply
from core.config import Config, ConfigError, load_config
from core.health import ErrorRecorder
from core.logs import scrub_logs
from core.parsing import ValueProblem, parse_date
from core.vnformat import fmt_count
from handlers.access import Asker
from handlers.router import answer
from storage import db
from storage.alerts import pending_deliveries
from storage.importers import KINDS, ImportOptions
from storage.models import Role
from storage.queries.snapshots import has_snapshots, in_use
from storage.units import describe_match_failure, find_unit

log = logging.getLogger("tthc_bot")


def _as_of(text: str) -> date:
    try:
        day = parse_date(text)
    except ValueProblem as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
    if day is None:
        raise argparse.ArgumentTypeError("thiếu ngày")
    return day


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
    sub = parser.add_subparsers(dest="command", required=True, metavar="LỆNH")

    db_parser = sub.add_parser("db", help="lược đồ cơ sở dữ liệu (migrations)")
    db_sub = db_parser.add_subparsers(dest="db_command", required=True, metavar="LỆNH")
    db_sub.add_parser("upgrade", help="áp dụng mọi migration")
    db_sub.add_parser("current", help="phiên bản lược đồ hiện tại")
    revision = db_sub.add_parser(
        "revision", help="viết migration kế tiếp từ khác biệt giữa models và cơ sở dữ liệu"
    )
    revision.add_argument("-m", "--message", required=True, help="mô tả ngắn của migration")
    copy = db_sub.add_parser(
        "copy",
        help="chép toàn bộ cơ sở dữ liệu sang một cơ sở dữ liệu mới (ví dụ PostgreSQL), "
        "kiểm tra từng dòng",
    )
    copy.add_argument(
        "--to", required=True, metavar="URL", help="ví dụ postgresql+psycopg://user@host/tthc"
    )

    imp = sub.add_parser("import", help="nhập tệp .xlsx/.xls/.ods/.csv")
    imp.add_argument("path", type=Path, help="tệp cần nhập")
    imp.add_argument("--kind", choices=KINDS, help="loại dữ liệu (mặc định: nhận theo tiêu đề cột)")
    imp.add_argument("--as-of", type=_as_of, help="ngày của số liệu, DD/MM/YYYY")
    imp.add_argument("--source", help="nguồn số liệu, ví dụ DVCQG hoặc DVC_TINH")
    imp.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không lưu gì")
    imp.add_argument("--create-units", action="store_true", help="tạo đơn vị mới có trong tệp")
    imp.add_argument(
        "--complete",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="tệp hồ sơ là danh sách đầy đủ hồ sơ đang mở: hồ sơ không có trong tệp được đóng "
        "(mặc định theo [import] complete_sources)",
    )

    demo = sub.add_parser(
        "demo",
        help="nạp bộ dữ liệu mẫu (bot/demo) vào cơ sở dữ liệu mẫu riêng ([database] demo_url)",
    )
    demo.add_argument("--if-empty", action="store_true", help="chỉ khi dữ liệu mẫu chưa có")
    demo.add_argument("--remove", action="store_true", help="xóa cơ sở dữ liệu mẫu")

    for name, helptext in (
        ("ask", "trả lời một tin nhắn đúng như bot sẽ trả lời"),
        ("console", "trò chuyện với bot trên terminal"),
    ):
        p = sub.add_parser(name, help=helptext)
        if name == "ask":
            p.add_argument("text", help="tin nhắn, ví dụ /rank")
        p.add_argument(
            "--as",
            dest="role",
            choices=[r.value for r in Role],
            default=Role.ADMIN.value,
            help="vai trò người hỏi (mặc định: admin)",
        )
        p.add_argument("--unit", help="đơn vị của người hỏi (đầu mối)")
        p.add_argument(
            "--out", type=Path, default=Path("out"), help="thư mục lưu biểu đồ (mặc định: ./out)"
        )

    run = sub.add_parser("run", help="chạy bot (không có mã bot: trò chuyện trên terminal)")
    run.add_argument(
        "--webhook",
        action="store_true",
        help="nhận cập nhật qua webhook ([telegram.webhook] trong config.toml)",
    )

    users = sub.add_parser("users", help="người được dùng bot")
    users_sub = users.add_subparsers(dest="users_command", required=True, metavar="LỆNH")
    add = users_sub.add_parser("add", help="thêm hoặc sửa một người")
    add.add_argument("telegram_id", type=int, help="mã Telegram của người đó")
    add.add_argument("--role", required=True, choices=[r.value for r in Role], help="vai trò")
    add.add_argument("--unit", help="đơn vị (bắt buộc với đầu mối)")
    add.add_argument("--name", help="tên để nhận ra người đó")
    users_sub.add_parser("list", help="danh sách người dùng và nhóm")
    remove = users_sub.add_parser("remove", help="thu hồi quyền một người")
    remove.add_argument("telegram_id", type=int, help="mã Telegram của người đó")

    alerts = sub.add_parser("alerts", help="quy tắc cảnh báo và việc gửi")
    alerts_sub = alerts.add_subparsers(dest="alerts_command", required=True, metavar="LỆNH")
    alerts_sub.add_parser("preview", help="in các cảnh báo quy tắc sẽ tạo bây giờ, không gửi")
    alerts_sub.add_parser("run", help="tạo cảnh báo và gửi ngay (mã thoát 1 nếu có tin lỗi)")

    sync = sub.add_parser("sync", help="lấy số liệu từ cổng (Cổng DVCQG)")
    sync_sub = sync.add_subparsers(dest="sync_source", required=True, metavar="NGUỒN")
    dvcqg = sync_sub.add_parser(
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

    report = sub.add_parser(
        "report",
        help="bản thảo thông báo tuần hoặc tháng của Văn phòng (tệp Word .docx, theo mẫu)",
    )
    report.add_argument("cadence", choices=["weekly", "monthly"], help="tuần hoặc tháng")
    report.add_argument(
        "--as-of", type=_as_of, help="ngày của thông báo, DD/MM/YYYY (mặc định: hôm nay)"
    )
    report.add_argument(
        "--compare-to",
        type=_as_of,
        help="ngày so sánh, DD/MM/YYYY (mặc định: kỳ số liệu trước; thông báo tháng: cuối "
        "tháng trước)",
    )
    report.add_argument("--out", type=Path, required=True, metavar="TỆP", help="tệp .docx")
    report.add_argument(
        "--format",
        choices=["docx", "pdf"],
        default="docx",
        help="pdf: chuyển bằng LibreOffice (cần soffice)",
    )

    backup = sub.add_parser(
        "backup",
        help="sao lưu cơ sở dữ liệu khi bot vẫn chạy (SQLite: tệp .db; PostgreSQL: pg_dump)",
    )
    backup.add_argument("--out", type=Path, required=True, metavar="TỆP", help="tệp sao lưu")
    restore = sub.add_parser(
        "restore",
        help="phục hồi cơ sở dữ liệu từ một bản sao lưu (bản hiện tại được giữ lại trước)",
    )
    restore.add_argument("file", type=Path, metavar="TỆP", help="tệp do tthc-bot backup tạo")

    sub.add_parser(
        "doctor",
        help="kiểm tra cấu hình, cơ sở dữ liệu, mã bot, đồng hồ, ổ đĩa, thư mục inbox",
    )

    groups = sub.add_parser("groups", help="nhóm Telegram nhận tóm tắt")
    groups_sub = groups.add_subparsers(dest="groups_command", required=True, metavar="LỆNH")
    gadd = groups_sub.add_parser("add", help="đăng ký một nhóm")
    gadd.add_argument("chat_id", type=int, help="mã nhóm (số âm)")
    gadd.add_argument("--unit", help="đơn vị của nhóm")
    gadd.add_argument("--title", help="tên nhóm")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # The running bot logs one line per update and per job (INFO); other commands only
    # warnings; -v everything.
    quiet = logging.INFO if args.command == "run" else logging.WARNING
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else quiet,
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
        return _dispatch(args, services)
    finally:
        services.close()


def _dispatch(args: argparse.Namespace, services: Services) -> int:
    if args.command == "db":
        if args.db_command == "upgrade":
            db.upgrade(services.engine)
            print(f"Cơ sở dữ liệu ở phiên bản {db.current_revision(services.engine)}.")
        elif args.db_command == "revision":
            _require_schema(services)
            print(f"Đã viết migration: {db.new_revision(services.engine, args.message)}")
        elif args.db_command == "copy":
            return _copy(services, args.to)
        else:
            print(db.current_revision(services.engine) or "chưa khởi tạo")
        return 0
    if args.command == "demo":
        return _demo(services.config, args)
    if args.command in ("backup", "restore"):
        return _backup(services, args)
    if args.command == "doctor":
        from bot.doctor import run_doctor

        return run_doctor(services, sys.stdout)
    _require_schema(services)
    if args.command == "import":
        return _import(services, args)
    if args.command == "report":
        return _report(services, args)
    if args.command == "users":
        return _users(services, args)
    if args.command == "alerts":
        return _alerts(services, args)
    if args.command == "groups":
        return _groups(services, args)
    if args.command == "sync":
        return _sync(services, args)
    if args.command in ("ask", "console", "run"):
        demo = _demo_if_unused(services)
        try:
            return _answer(demo or services, args)
        finally:
            if demo is not None:
                demo.close()
    raise AssertionError(args.command)


def _answer(services: Services, args: argparse.Namespace) -> int:
    """ask, console and run: answering, from the real database or, before any real work,
    from the demo database."""
    if args.command in ("ask", "console"):
        asker = _asker(services, args.role, args.unit)
        if asker is None:
            return 2
        if args.command == "ask":
            write_reply(answer(services, args.text, asker), sys.stdout, args.out)
            return 0
        return run_console(services, asker, sys.stdin, sys.stdout, args.out)
    if args.command == "run" and services.health is not None:  # for /status and notices
        logging.getLogger().addHandler(ErrorRecorder(services.health))
    if services.config.telegram.token is not None:
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
    print(
        "Chưa đặt TELEGRAM_BOT_TOKEN: mở cửa sổ trò chuyện trên terminal "
        "(gõ /help, kết thúc bằng Ctrl+D).",
        file=sys.stderr,
    )
    settle_after_start()
    return run_console(services, Asker(), sys.stdin, sys.stdout, Path("out"))


def _unit_id(services: Services, name: str | None) -> int | str | None:
    """The id of a unit named on the command line, None without a name, or an error."""
    if name is None:
        return None
    with services.session_factory() as session:
        match = find_unit(session, name)
        return match.unit.id if match.unit is not None else describe_match_failure(match)


def _users(services: Services, args: argparse.Namespace) -> int:
    if args.users_command == "list":
        print(answer(services, "/users", Asker()).text)
        return 0
    with services.session_factory() as session:
        if args.users_command == "add":
            unit = _unit_id(services, args.unit)
            if isinstance(unit, str):
                print(unit, file=sys.stderr)
                return 1
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
        if not access.revoke(services, session, args.telegram_id):
            print(
                f"Không có người dùng đang hoạt động với mã {args.telegram_id}.",
                file=sys.stderr,
            )
            return 1
        session.commit()
        print(f"Đã thu hồi quyền của {args.telegram_id}.")
        return 0


def _groups(services: Services, args: argparse.Namespace) -> int:
    unit = _unit_id(services, args.unit)
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


def _alerts(services: Services, args: argparse.Namespace) -> int:
    if args.alerts_command == "preview":
        found = preview_alerts(services)
        if not found:
            print("Không có cảnh báo nào.")
        for preview in found:
            state = "MỚI" if preview.new else "đã có"
            print(f"[{state}] {preview.draft.identity}")
            print("    " + render_preview(preview.draft).replace("\n", "\n    "))
            to = "; ".join(preview.recipients) or "chưa có ai (chưa đăng ký người nhận)"
            print(f"    → gửi đến: {to}")
        return 0
    created = raise_alerts(services)
    print(f"Đã tạo {len(created)} cảnh báo mới.")
    token = services.config.telegram.token
    if token is None:
        # Printing them instead would mark them sent: they would never reach anyone.
        with services.session_factory() as session:
            waiting = pending_deliveries(session)
        print(
            f"Không có TELEGRAM_BOT_TOKEN: {fmt_count(waiting)} tin đang chờ gửi, chưa gửi tin "
            "nào. Bot đang chạy sẽ gửi chúng (hoặc đặt TELEGRAM_BOT_TOKEN rồi chạy lại lệnh)."
        )
        return 0
    from bot.telegram.alerts import send_alerts_now

    report = asyncio.run(send_alerts_now(services, token.get_secret_value()))
    if report.stopped is not None:
        print(
            "Telegram từ chối mã bot: không gửi được tin nào, các tin vẫn chờ gửi. Lấy mã mới "
            "từ @BotFather (docs/deploy.md, «Rotating the token»).",
            file=sys.stderr,
        )
        return 3
    print(
        f"Đã gửi {report.sent} tin; thử lại sau {report.retried}; lỗi {report.failed}; "
        f"chờ giờ làm việc hoặc đang tắt tiếng {report.waiting}; "
        f"không gửi được (chặn bot) {len(report.blocked)}."
    )
    return 1 if report.failed or report.blocked else 0


def _report(services: Services, args: argparse.Namespace) -> int:
    from app.answers.notice import build_notice
    from views.notice import Cadence
    from views.notice_document import render_notice
    from views.notice_pdf import PdfUnavailable, to_pdf

    with services.session_factory() as session:
        notice = build_notice(
            session,
            services.config,
            services.clock,
            services.calendar,
            Cadence(args.cadence),
            args.as_of,
            args.compare_to,
        )
    if isinstance(notice, str):
        print(notice, file=sys.stderr)
        return 1
    data = render_notice(notice)
    if args.format == "pdf":
        try:
            data = to_pdf(data)
        except PdfUnavailable as exc:
            print(f"Không tạo được PDF: {exc}.", file=sys.stderr)
            return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    print(f"Đã viết bản thảo thông báo {notice.period_title} vào {args.out}.")
    return 0


def _backup(services: Services, args: argparse.Namespace) -> int:
    from storage.backup import BackupFailed, backup, restore

    where = db.describe_url(services.config.database.url)
    try:
        if args.command == "backup":
            size = backup(services.engine, args.out)
            print(f"Đã sao lưu {where} vào {args.out} ({fmt_count(size // 1024)} KB).")
            return 0
        report = restore(services.engine, args.file, services.clock.now())
    except BackupFailed as exc:
        print(
            f"Không {'sao lưu' if args.command == 'backup' else 'phục hồi'} được: {exc}.",
            file=sys.stderr,
        )
        return 1
    print(f"Đã phục hồi {where} từ {args.file}.")
    print(f"Bản trước khi phục hồi được giữ ở {report.previous}.")
    if report.restored_revision != report.revision:
        print(
            f"Bản sao lưu ở phiên bản lược đồ {report.restored_revision}, "
            f"đã nâng lên {report.revision}."
        )
    print("Hãy khởi động lại bot (systemctl restart tthc-bot) để dùng dữ liệu vừa phục hồi.")
    return 0


def _require_schema(services: Services) -> None:
    if db.current_revision(services.engine) != db.head_revision():
        db.upgrade(services.engine)


def _asker(services: Services, role: str, unit_name: str | None) -> Asker | None:
    if unit_name is None:
        if role == Role.FOCAL.value:
            print("Đầu mối (focal) cần --unit TÊN_ĐƠN_VỊ.", file=sys.stderr)
            return None
        return Asker(role=role)
    unit = _unit_id(services, unit_name)
    if isinstance(unit, str):
        print(unit, file=sys.stderr)
        return None
    return Asker(role=role, unit_id=unit)


def _progress_printer() -> object:
    interactive = sys.stderr.isatty()

    def progress(stage: str, done: int, total: int | None) -> None:
        text = (
            f"{stage}: {done:,}".replace(",", ".")
            + (f"/{total:,}".replace(",", ".") if total else "")
            + " dòng"
        )
        if interactive:
            print("\r" + text.ljust(40), end="", file=sys.stderr, flush=True)
        else:
            print(text, file=sys.stderr)

    return progress


def _import(services: Services, args: argparse.Namespace) -> int:
    progress = _progress_printer()
    options = ImportOptions(
        kind=args.kind,
        as_of=args.as_of,
        source=args.source,
        dry_run=args.dry_run,
        create_units=args.create_units,
        complete=args.complete,
    )
    outcome, step = import_and_alert(
        services,
        args.path,
        options,
        progress=progress,  # type: ignore[arg-type]
    )
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(outcome.report())
    for line in step.lines() if step is not None else []:
        print(line)
    return 0 if outcome.ok else 1


def _copy(services: Services, target: str) -> int:
    """``tthc-bot db copy --to URL``: exit 1 when it could not be copied and verified."""
    from storage.copy import CopyRefused, copy_database

    try:
        report = copy_database(
            services.engine,
            target,
            progress=lambda table, rows: print(
                f"  {table}: {fmt_count(rows)} dòng", file=sys.stderr, flush=True
            ),
        )
    except CopyRefused as exc:
        print(f"Không chép: {exc}.", file=sys.stderr)
        return 1
    print(
        f"Đã chép {fmt_count(report.rows)} dòng của {len(report.tables)} bảng sang "
        f"{db.describe_url(target)} và kiểm tra từng dòng: "
        "khớp. Hãy ghi [database] url mới trong config.toml (hoặc TTHC_DATABASE_URL)."
    )
    return 0


def _sync(services: Services, args: argparse.Namespace) -> int:
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


def demo_files() -> list[Path]:
    """The demo data set, in import order (it works from an installed wheel too)."""
    folder = resources.files("bot") / "demo"
    return sorted(Path(str(entry)) for entry in folder.iterdir() if entry.name.endswith(".csv"))


def _demo(config: Config, args: argparse.Namespace) -> int:
    """``tthc-bot demo``: the demo data set in its own database, never the real one."""
    if config.database.demo_url == config.database.url:
        print("[database] demo_url phải khác [database] url.", file=sys.stderr)
        return 2
    services = build_services(config, demo=True)
    try:
        if args.remove:
            db.drop(services.engine)
            print(f"Đã xóa dữ liệu mẫu ({config.database.demo_url}).")
            return 0
        _require_schema(services)
        return load_demo(services, only_if_empty=args.if_empty)
    finally:
        services.close()


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
        _require_schema(demo)
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


if __name__ == "__main__":
    raise SystemExit(main())
