"""Reading .xlsx, .xls, .ods and .csv files into plain rows of cells, safely.

Files come from people and may be damaged or hostile: a 5 KB .xlsx naming a cell at
XFD1048576 makes the reader allocate 512 GB and abort the process; a sparse sheet or a huge
shared string takes gigabytes. So the archive's directory is checked first (what it
declares it unpacks to), then the file is read in a child process with limits on time,
memory, rows and columns (:mod:`core.isolation`, :mod:`core.spreadsheets`): whatever the
file does, the caller gets sheets or :class:`UnreadableFile`, and the bot goes on.
"""

from __future__ import annotations

import io
import logging
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from core.isolation import ChildError, LimitExceeded, Limits, run_limited
from core.spreadsheets import (
    SUPPORTED_SUFFIXES,
    TOO_BIG,
    UnreadableFile,
    read_workbook,
)
from core.vnformat import fmt_count

__all__ = [
    "SUPPORTED_SUFFIXES",
    "ReadLimits",
    "Sheet",
    "UnreadableFile",
    "read_sheets",
]

log = logging.getLogger(__name__)

_DAMAGED = (
    "không đọc được tệp: tệp bị hỏng, có mật khẩu hoặc không đúng loại "
    "(.xlsx, .xls, .ods, .csv); hãy mở bằng Excel rồi lưu lại"
)


@dataclass
class Sheet:
    """One sheet of a workbook (a CSV file is one sheet); ``None`` is an empty cell, the only
    one (the readers turn blank text into it, and the importers rely on that)."""

    name: str
    rows: list[list[object]]
    #: Cells holding a formula the file carries no computed value for ("C5"): they read as
    #: empty, but they are not "no data".
    uncomputed: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ReadLimits:
    """How much reading one file may take (``[import]`` in config.toml)."""

    #: The file itself (the bot's own limit is Telegram's 20 MB).
    max_file_mb: int = 50
    #: All members of an .xlsx/.ods archive together, as its directory declares them.
    max_uncompressed_mb: int = 200
    max_rows: int = 300_000
    max_columns: int = 300
    seconds: float = 60.0
    memory_mb: int = 2048

    def too_big(self, detail: str) -> UnreadableFile:
        return UnreadableFile(f"{TOO_BIG}: {detail}")

    def file_too_big(self) -> UnreadableFile:
        return self.too_big(f"tệp lớn hơn {fmt_count(self.max_file_mb)} MB")

    @property
    def max_file_bytes(self) -> int:
        return self.max_file_mb * 1024 * 1024


DEFAULT_LIMITS = ReadLimits()


def read_sheets(path: Path, data: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> list[Sheet]:
    """Every sheet of the file, in order, read in a child process within ``limits``."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        allowed = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise UnreadableFile(f"không hỗ trợ loại tệp «{suffix or path.name}» (chỉ nhận {allowed})")
    if len(data) > limits.max_file_bytes:
        raise limits.file_too_big()
    if data.startswith(b"PK"):  # .xlsx, .xlsm, .xlsb and .ods are zip archives
        _check_archive(data, limits)
    try:
        raw = run_limited(
            read_workbook,
            path.stem,
            suffix,
            data,
            limits.max_rows,
            limits.max_columns,
            limits=Limits(seconds=limits.seconds, memory_mb=limits.memory_mb),
        )
    except LimitExceeded as exc:
        log.warning("reading a %s file stopped: %s", suffix, exc.reason)
        if exc.timed_out:
            raise limits.too_big(f"đọc quá {fmt_count(int(limits.seconds))} giây") from None
        raise limits.too_big(
            f"cần quá {fmt_count(limits.memory_mb)} MB bộ nhớ hoặc tệp bị hỏng"
        ) from None
    except ChildError as exc:
        if exc.kind == f"{UnreadableFile.__module__}.{UnreadableFile.__qualname__}":
            raise UnreadableFile(exc.message) from None
        log.warning("reading a %s file failed: %s", suffix, exc)
        raise UnreadableFile(_DAMAGED) from None
    return [Sheet(name, rows, uncomputed) for name, rows, uncomputed in raw]


def _check_archive(data: bytes, limits: ReadLimits) -> None:
    """What an archive's directory declares its members unpack to, before anything is
    unpacked (a few kilobytes of zip can hold gigabytes of whitespace). A directory that lies
    is caught by the child's memory limit."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            declared = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return  # not an archive after all: the reader says what it is
    if declared > limits.max_uncompressed_mb * 1024 * 1024:
        raise limits.too_big(
            f"giải nén ra {fmt_count(declared // (1024 * 1024))} MB, quá giới hạn "
            f"{fmt_count(limits.max_uncompressed_mb)} MB"
        )
