"""``tthc-bot doctor``: is this installation able to run, in plain words on what to fix.

Each check prints one line, "✔" or "✘" and what to do; the exit code is 0 when every check
passed, 1 otherwise (a service manager or a monitoring script can run it).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TextIO

from sqlalchemy.exc import SQLAlchemyError

from app.inbox import inbox_folder
from app.services import Services
from core.config import CONFIG_ENV, DEFAULT_CONFIG_NAME
from storage import db

#: Free space below which the database's or the inbox's disk is reported (bytes).
MIN_FREE_BYTES = 1024**3
#: A local clock this far from Telegram's is reported (alerts, schedules, deadlines use it).
MAX_CLOCK_SKEW = timedelta(minutes=2)


@dataclass(frozen=True)
class Check:
    ok: bool
    text: str


def _config(services: Services) -> Check:
    named = os.environ.get(CONFIG_ENV)
    path = Path(named) if named else services.config.base_dir / DEFAULT_CONFIG_NAME
    if path.exists():
        return Check(True, f"cấu hình: {path} đọc được, múi giờ {services.config.office.timezone}")
    return Check(True, f"cấu hình: không có {path}, dùng giá trị mặc định")


def _database(services: Services) -> Check:
    where = db.describe_url(services.config.database.url)
    if not db.exists(services.config.database.url):
        return Check(False, f"cơ sở dữ liệu: chưa có {where}; chạy tthc-bot db upgrade")
    try:
        db.ping(services.engine)
        current = db.current_revision(services.engine)
    except SQLAlchemyError as exc:
        return Check(False, f"cơ sở dữ liệu {where}: {db.database_problem(exc)}")
    head = db.head_revision()
    if current != head:
        return Check(
            False,
            f"cơ sở dữ liệu {where}: lược đồ ở phiên bản {current or 'chưa khởi tạo'}, "
            f"mã nguồn cần {head}; chạy tthc-bot db upgrade",
        )
    return Check(True, f"cơ sở dữ liệu: {where} kết nối được, lược đồ phiên bản {current}")


def _token_and_clock(services: Services) -> list[Check]:
    from bot.telegram.probe import probe_token

    local = services.clock.now()
    probe = probe_token(services.config.telegram)
    checks = [
        Check(False, f"mã bot: {probe.problem}")
        if probe.problem
        else Check(True, f"mã bot: Telegram nhận mã, bot @{probe.username}")
    ]
    shown = local.astimezone(services.config.tz).strftime("%H:%M:%S %d/%m/%Y")
    if probe.server_time is None:
        checks.append(Check(True, f"đồng hồ: {shown} (không so được với Telegram)"))
    elif abs(local - probe.server_time) > MAX_CLOCK_SKEW:
        skew = abs(local - probe.server_time).total_seconds()
        checks.append(
            Check(
                False,
                f"đồng hồ: {shown}, lệch {skew:.0f} giây so với Telegram; bật đồng bộ giờ "
                "(timedatectl set-ntp true)",
            )
        )
    else:
        checks.append(Check(True, f"đồng hồ: {shown}, khớp với Telegram"))
    return checks


def _free_space(label: str, folder: Path) -> Check:
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    free = shutil.disk_usage(existing).free
    gigabytes = f"{free / 1024**3:.1f} GB".replace(".", ",")
    if free < MIN_FREE_BYTES:
        return Check(False, f"ổ đĩa ({label}, {existing}): chỉ còn {gigabytes}; giải phóng chỗ")
    return Check(True, f"ổ đĩa ({label}, {existing}): còn {gigabytes}")


def _disk(services: Services) -> list[Check]:
    url = services.engine.url
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return [_free_space("cơ sở dữ liệu", Path(url.database).parent)]
    return []


def _inbox(services: Services) -> list[Check]:
    folder = inbox_folder(services)
    if folder is None:
        return [Check(True, "thư mục inbox: không dùng ([sources] inbox trống)")]
    if not folder.is_dir():
        return [Check(False, f"thư mục inbox: không có thư mục {folder}; tạo nó hoặc sửa cấu hình")]
    if not os.access(folder, os.R_OK | os.W_OK | os.X_OK):
        return [
            Check(
                False,
                f"thư mục inbox: {folder} không đọc/ghi được với người dùng đang chạy bot; "
                "sửa quyền (chown/chmod)",
            )
        ]
    return [Check(True, f"thư mục inbox: {folder} đọc/ghi được"), _free_space("inbox", folder)]


CHECKS: list[Callable[[Services], Check | list[Check]]] = [
    _config,
    _database,
    _token_and_clock,
    _disk,
    _inbox,
]


def run_doctor(services: Services, out: TextIO) -> int:
    """Every check, one line each; 0 when all passed."""
    failed = 0
    for check in CHECKS:
        found = check(services)
        for line in found if isinstance(found, list) else [found]:
            failed += not line.ok
            out.write(f"{'✔' if line.ok else '✘'} {line.text}\n")
    stamp = services.clock.now().astimezone(services.config.tz).strftime("%H:%M %d/%m/%Y")
    if failed:
        out.write(f"{failed} mục cần sửa ({stamp}).\n")
        return 1
    out.write(f"Mọi mục đều ổn ({stamp}).\n")
    return 0
