"""Small pieces shared by answers: labels of sources and kinds, the office's province."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from core.config import Config
from storage.models import Unit
from storage.units import find_unit
from views.windows import days_stale

SOURCE_LABELS = {
    "DVCQG": "Cổng DVCQG",
    "DVCQG_NATIONAL": "Cổng DVCQG, bảng xếp hạng các tỉnh",
    "DVC_TINH": "Hệ thống DVC tỉnh",
}


def source_label(source: str) -> str:
    return SOURCE_LABELS.get(source, source)


def province_unit(session: Session, config: Config) -> Unit | None:
    """The province the office works for (``[office] province`` in config.toml)."""
    return find_unit(session, config.office.province).unit


def no_province_text(config: Config) -> str:
    return (
        f"Chưa có đơn vị tỉnh «{config.office.province}» trong danh mục đơn vị. "
        "Hãy lấy số liệu từ Cổng DVCQG (tthc-bot sync dvcqg), nhập danh mục đơn vị "
        "(tthc-bot import TỆP --kind units) hoặc sửa mục [office] province trong config.toml."
    )


def age_note(day: date, today: date, stale_days: int, period: str = "day") -> str:
    """A note on a figure older than ``[alerts] stale_days`` (for a month's, quarter's or
    year's figures: when a finished period after it is missing): never presented as
    current."""
    days = days_stale(day, period, today, stale_days)
    if days is None:
        return ""
    return f" — ⚠️ số liệu cũ, đã {days} ngày chưa có số liệu mới"
