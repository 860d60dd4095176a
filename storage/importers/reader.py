"""Reading .xlsx, .xls, .ods and .csv files into plain rows of cells.

Excel goes through pandas with the calamine engine (fast, reads .xls too);
CSV through the standard library so every cell stays text as written.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
CSV_SUFFIXES = {".csv", ".txt"}
SUPPORTED_SUFFIXES = EXCEL_SUFFIXES | CSV_SUFFIXES


class UnreadableFile(Exception):
    """The file cannot be read at all; the message is Vietnamese."""


@dataclass
class Sheet:
    """One sheet of a workbook (a CSV file is one sheet); ``None`` is an empty cell."""

    name: str
    rows: list[list[object]]


def read_sheets(path: Path, data: bytes) -> list[Sheet]:
    """Every sheet of the file, in order."""
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return [Sheet(path.stem, _read_csv(data))]
    if suffix in EXCEL_SUFFIXES:
        return _read_excel(data)
    allowed = ", ".join(sorted(SUPPORTED_SUFFIXES))
    raise UnreadableFile(f"không hỗ trợ loại tệp «{suffix or path.name}» (chỉ nhận {allowed})")


def _read_csv(data: bytes) -> list[list[object]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            "tệp CSV không ở mã UTF-8 (hãy lưu lại bằng «CSV UTF-8» trong Excel)"
        ) from exc
    sample = text[:20000]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [[cell if cell.strip() else None for cell in row] for row in reader]
    except csv.Error as exc:
        raise UnreadableFile(f"tệp CSV sai định dạng: {exc}") from exc


def _read_excel(data: bytes) -> list[Sheet]:
    import pandas as pd  # imported by the first spreadsheet read, not at start

    try:
        frames = pd.read_excel(
            io.BytesIO(data), sheet_name=None, header=None, engine="calamine", dtype=object
        )
    except Exception as exc:  # calamine raises several types for damaged files
        raise UnreadableFile(f"không đọc được tệp Excel ({exc})") from exc
    sheets = []
    for name, frame in frames.items():
        cleaned = frame.astype(object).where(pd.notna(frame), None)
        rows = [
            [None if isinstance(c, str) and not c.strip() else c for c in row]
            for row in cleaned.values.tolist()
        ]
        sheets.append(Sheet(str(name), rows))
    return sheets
