"""``tthc-bot alerts preview|run``: what the rules would raise, and raising and sending now."""

from __future__ import annotations

import argparse
import asyncio
import sys

from app.alerts.engine import preview_alerts, raise_alerts
from app.alerts.render import render_preview
from app.services import Services
from bot.commands.common import Commands
from core.vnformat import fmt_count
from storage.alerts import pending_deliveries


def alerts_command(sub: Commands) -> None:
    parser = sub.add_parser("alerts", help="quy tắc cảnh báo và việc gửi")
    alerts = parser.add_subparsers(dest="alerts_command", required=True, metavar="LỆNH")
    alerts.add_parser(
        "preview", help="in các cảnh báo quy tắc sẽ tạo bây giờ, không gửi"
    ).set_defaults(run=_preview)
    alerts.add_parser(
        "run", help="tạo cảnh báo và gửi ngay (mã thoát 1 nếu có tin lỗi)"
    ).set_defaults(run=_run)


def _preview(args: argparse.Namespace, services: Services) -> int:
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


def _run(args: argparse.Namespace, services: Services) -> int:
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
