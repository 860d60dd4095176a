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
    ("/top [cấp]", "Đơn vị có điểm cao nhất (sở, huyện, xã …), kèm mức tăng, giảm", "/top sở"),
    ("/bottom [cấp]", "Đơn vị có điểm thấp nhất", "/bottom huyện"),
    ("/indicators", "Các chỉ tiêu của tỉnh: kỳ trước, kỳ này, tăng, giảm", "/indicators"),
    (
        "/overdue [đơn vị]",
        "Hồ sơ quá hạn theo đơn vị, hoặc danh sách của một đơn vị",
        "/overdue Bình Long",
    ),
    ("/deadlines", "Nhiệm vụ công bố TTHC: quá hạn, sắp đến hạn", "/deadlines"),
    (
        "/compare <đơn vị>, <đơn vị>",
        "So sánh hai đơn vị theo từng chỉ tiêu",
        "/compare Phú Riềng, Bù Đăng",
    ),
    ("/help", "Danh sách lệnh", "/help"),
]


def help_reply() -> Reply:
    lines = ["Các lệnh của tthc-bot:"]
    for command, description, example in COMMANDS_HELP:
        lines.append(f"{command} — {description}. Ví dụ: {example}")
    return Reply("\n".join(lines))
