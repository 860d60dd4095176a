"""/help: the commands this person may use, with an example each."""

from __future__ import annotations

from bot.reply import Reply

COMMANDS_HELP = [
    ("/rank", "Xếp hạng Bộ chỉ số 766 của tỉnh, biến động và điểm theo nhóm", "/rank"),
    (
        "/unit <tên đơn vị>",
        "Thẻ thông tin một đơn vị: điểm, xếp hạng, chỉ tiêu, hồ sơ quá hạn",
        "/unit Phú Riềng",
    ),
    ("/help", "Danh sách lệnh", "/help"),
]


def help_reply() -> Reply:
    lines = ["Các lệnh của tthc-bot:"]
    for command, description, example in COMMANDS_HELP:
        lines.append(f"{command} — {description}. Ví dụ: {example}")
    return Reply("\n".join(lines))
