"""What several answers read: the office's province (the words they share are in
:mod:`views.labels`)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.config import Config
from storage.models import Unit
from storage.units import find_unit


def province_unit(session: Session, config: Config) -> Unit | None:
    """The province the office works for (``[office] province`` in config.toml)."""
    return find_unit(session, config.office.province).unit


def no_province_text(config: Config) -> str:
    return (
        f"Chưa có đơn vị tỉnh «{config.office.province}» trong danh mục đơn vị. "
        "Hãy lấy số liệu từ Cổng DVCQG (tthc-bot sync dvcqg), nhập danh mục đơn vị "
        "(tthc-bot import TỆP --kind units) hoặc sửa mục [office] province trong config.toml."
    )
