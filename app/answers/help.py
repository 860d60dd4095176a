"""/help and the stranger's answer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from core.reply import Reply


class Described(Protocol):
    @property
    def usage(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def example(self) -> str: ...


def help_reply(commands: Sequence[Described]) -> Reply:
    """The commands this person may use, with one example each."""
    lines = ["Các lệnh bạn dùng được:"]
    for command in commands:
        lines.append(f"{command.usage} — {command.description}. Ví dụ: {command.example}")
    return Reply("\n".join(lines))


def stranger_reply(telegram_id: int | None) -> Reply:
    """What anyone not registered gets, whatever they send."""
    return Reply(
        "Xin chào! Bạn chưa được cấp quyền dùng tthc-bot.\n"
        f"Mã Telegram của bạn: {telegram_id if telegram_id is not None else 'không rõ'}\n"
        "Hãy gửi mã này cho Văn phòng UBND tỉnh (phòng Kiểm soát TTHC) để được cấp quyền, "
        "hoặc mở đường dẫn mời mà Văn phòng gửi cho bạn."
    )
