"""Alert commands: acknowledge, subscribe, quiet hours and mute, the admin's overview, /summary."""

from __future__ import annotations

import re
from datetime import timedelta

from app.answers.summary import summary_reply
from app.answers.unit import pick_unit
from core.parsing import parse_time_window
from core.reply import Reply
from core.textnorm import fold
from core.vnformat import fmt_date
from handlers.request import Request
from storage import alerts as queue
from storage import people


def ack_command(request: Request) -> Reply:
    """The "Đã nhận" button: record who acknowledged the alerts of that message, and when."""
    asker = request.asker
    if asker.telegram_id is None or asker.chat_id is None or not request.args:
        return Reply("Không ghi nhận được.", toast=True)
    count = queue.acknowledge(
        request.session,
        request.args.strip(),
        asker.telegram_id,
        asker.chat_id,
        request.services.clock.now(),
    )
    if not count:
        return Reply("Không tìm thấy cảnh báo của tin nhắn này.", toast=True)
    return Reply(
        f"Đã ghi nhận: {asker.name or asker.telegram_id} đã nhận {count} cảnh báo.", toast=True
    )


def _chat(request: Request) -> int | None:
    return request.asker.chat_id


def subscribe_command(request: Request) -> Reply:
    """Receive another unit's alerts in this chat."""
    chat_id = _chat(request)
    if chat_id is None or not request.args:
        return Reply("Cú pháp: /subscribe <đơn vị>, ví dụ /subscribe Bình Long")
    found = pick_unit(request.session, request.services.clock, request.args, "/subscribe")
    if isinstance(found, Reply):
        return found
    if not request.asker.sees_details_of(found.id):
        return Reply("Bạn chỉ đăng ký nhận cảnh báo được cho đơn vị của mình.")
    people.subscribe(request.session, chat_id, found.id)
    return Reply(f"Đã đăng ký nhận cảnh báo của {found.name}.")


def unsubscribe_command(request: Request) -> Reply:
    """Stop another unit's alerts in this chat; without a name, list the subscriptions."""
    chat_id = _chat(request)
    session = request.session
    if chat_id is None:
        return Reply("Không xác định được cuộc trò chuyện.")
    if not request.args:
        units = people.subscribed_units(session, chat_id)
        if not units:
            return Reply("Chưa đăng ký thêm đơn vị nào. Dùng /subscribe <đơn vị>.")
        return Reply(
            "Đang nhận thêm cảnh báo của: "
            + "; ".join(u.name for u in units)
            + ".\nGõ /unsubscribe <đơn vị> để thôi."
        )
    found = pick_unit(session, request.services.clock, request.args, "/unsubscribe")
    if isinstance(found, Reply):
        return found
    if not people.unsubscribe(session, chat_id, found.id):
        return Reply(f"Chưa đăng ký nhận cảnh báo của {found.name}.")
    return Reply(f"Đã thôi nhận cảnh báo của {found.name}.")


def _may_change_settings(request: Request) -> bool:
    return not request.asker.in_group or request.asker.admin_here


def settings_command(request: Request) -> Reply:
    """Show or change this chat's quiet hours and weekend quiet."""
    chat_id = _chat(request)
    if chat_id is None:
        return Reply("Không xác định được cuộc trò chuyện.")
    session, config = request.session, request.services.config.alerts
    args = fold(request.args)
    if args:
        if not _may_change_settings(request):
            return Reply("Chỉ quản trị được đổi cài đặt của nhóm.")
        row = queue.settings_row(session, chat_id)
        match = re.fullmatch(r"(?:quiet|gio yen lang) (\d{1,2}) (\d{2}) (\d{1,2}) (\d{2})", args)
        if match:
            h1, m1, h2, m2 = (int(g) for g in match.groups())
            if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
                return Reply("Giờ không hợp lệ. Ví dụ: /settings quiet 21:00-07:00")
            row.quiet_hours = f"{h1:02d}:{m1:02d}-{h2:02d}:{m2:02d}"
        elif args in ("quiet off", "gio yen lang tat"):
            row.quiet_hours = ""
        elif args in ("quiet default", "quiet mac dinh"):
            row.quiet_hours = None
        elif args in ("weekends on", "cuoi tuan bat"):
            row.quiet_weekends = True
        elif args in ("weekends off", "cuoi tuan tat"):
            row.quiet_weekends = False
        else:
            return Reply(
                "Cú pháp: /settings quiet 21:00-07:00 | quiet off | quiet default | "
                "weekends on | weekends off"
            )
    row_now = queue.settings_for(session, chat_id)
    hours = (
        config.quiet_hours
        if row_now is None or row_now.quiet_hours is None
        else (row_now.quiet_hours)
    )
    weekends = (
        config.quiet_weekends
        if row_now is None or row_now.quiet_weekends is None
        else (row_now.quiet_weekends)
    )
    muted = row_now.muted_until if row_now is not None else None
    now = request.services.clock.now()
    lines = [
        "Cài đặt thông báo của cuộc trò chuyện này:",
        f"• Giờ yên lặng: {hours if parse_time_window(hours) else 'tắt'}",
        f"• Yên lặng ngày nghỉ (cuối tuần, lễ): {'bật' if weekends else 'tắt'}",
        "• Tắt tiếng: "
        + (
            f"đến {muted.astimezone(request.services.config.tz):%H:%M} "
            f"{fmt_date(muted.astimezone(request.services.config.tz))}"
            if muted and muted > now
            else "không"
        ),
        "Cảnh báo không khẩn chờ đến đầu giờ làm việc kế tiếp.",
    ]
    return Reply("\n".join(lines))


_DURATION = re.compile(r"^(\d+)\s*(m|phut|h|gio|d|ngay)$")


def mute_command(request: Request) -> Reply:
    """/mute 2h | 30m | 1d | off — silence this chat's alerts for a while."""
    chat_id = _chat(request)
    if chat_id is None:
        return Reply("Không xác định được cuộc trò chuyện.")
    if not _may_change_settings(request):
        return Reply("Chỉ quản trị được tắt tiếng nhóm.")
    args = fold(request.args).replace(" ", "")
    row = queue.settings_row(request.session, chat_id)
    if args in ("off", "tat", "huy"):
        row.muted_until = None
        return Reply("Đã bật lại thông báo.")
    match = _DURATION.match(args)
    if not match:
        return Reply("Cú pháp: /mute 2h, /mute 30m, /mute 1d hoặc /mute off")
    amount, unit = int(match.group(1)), match.group(2)
    delta = {
        "m": timedelta(minutes=amount),
        "phut": timedelta(minutes=amount),
        "h": timedelta(hours=amount),
        "gio": timedelta(hours=amount),
        "d": timedelta(days=amount),
        "ngay": timedelta(days=amount),
    }[unit]
    if not timedelta(0) < delta <= timedelta(days=30):
        return Reply("Chỉ tắt tiếng từ 1 phút đến 30 ngày.")
    until = request.services.clock.now() + delta
    row.muted_until = until
    local = until.astimezone(request.services.config.tz)
    return Reply(f"Đã tắt tiếng đến {local:%H:%M} {fmt_date(local)}. Cảnh báo sẽ gửi sau đó.")


def alerts_command(request: Request) -> Reply:
    """The newest alerts with pending, sent, failed and acknowledged counts."""
    rows = queue.alert_overview(request.session)
    if not rows:
        return Reply("Chưa có cảnh báo nào.")
    tz = request.services.config.tz
    lines = ["Cảnh báo gần nhất (chờ gửi / đã gửi / lỗi / đã nhận):"]
    for row in rows:
        payload = row.alert.payload
        about = payload.get("unit") or payload.get("province") or payload.get("source") or ""
        extra = payload.get("indicator") or payload.get("code") or payload.get("task") or ""
        created = row.alert.created_at.astimezone(tz)
        no_one = (
            " — đã rút lại, không gửi (số liệu đã sửa)"
            if row.withdrawn
            else " — chưa có người nhận"
            if not (row.pending + row.sent + row.failed)
            else ""
        )
        known = request.services.alert_rules.get(row.alert.rule)
        rule = known.label if known is not None else row.alert.rule
        head = f"• #{row.alert.id} {created:%d/%m %H:%M} {rule}: {about} {extra}".rstrip()
        counts = f"{row.pending}/{row.sent}/{row.failed}/{row.acknowledged}"
        lines.append(f"{head} — {counts}{no_one}")
    return Reply("\n".join(lines))


def summary_command(request: Request) -> Reply:
    """The weekly summary, on demand (focal points: their own unit's dossiers and tasks)."""
    services, asker = request.services, request.asker
    return summary_reply(
        request.session,
        services.config,
        services.clock,
        services.calendar,
        only_unit_id=asker.only_unit_id,
    )
