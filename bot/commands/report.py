"""``tthc-bot report weekly|monthly``: the draft of the office's notice as a Word document."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.services import Services
from bot.commands.common import Commands, as_of


def report_command(sub: Commands) -> None:
    parser = sub.add_parser(
        "report",
        help="bản thảo thông báo tuần hoặc tháng của Văn phòng (tệp Word .docx, theo mẫu)",
    )
    parser.add_argument("cadence", choices=["weekly", "monthly"], help="tuần hoặc tháng")
    parser.add_argument(
        "--as-of", type=as_of, help="ngày của thông báo, DD/MM/YYYY (mặc định: hôm nay)"
    )
    parser.add_argument(
        "--compare-to",
        type=as_of,
        help="ngày so sánh, DD/MM/YYYY (mặc định: kỳ số liệu trước; thông báo tháng: cuối "
        "tháng trước)",
    )
    parser.add_argument("--out", type=Path, required=True, metavar="TỆP", help="tệp .docx")
    parser.add_argument(
        "--format",
        choices=["docx", "pdf"],
        default="docx",
        help="pdf: chuyển bằng LibreOffice (cần soffice)",
    )
    parser.set_defaults(run=_report)


def _report(args: argparse.Namespace, services: Services) -> int:
    # python-docx (and lxml) are loaded when a notice is drafted, not with the bot
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
