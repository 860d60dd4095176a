"""Reading .xlsx, .xls, .ods and .csv files into plain rows of cells.

Excel goes through python-calamine (fast, reads .xls and .ods too);
CSV through the standard library so every cell stays text as written.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from python_calamine import CalamineWorkbook

log = logging.getLogger(__name__)

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
CSV_SUFFIXES = {".csv", ".txt"}
SUPPORTED_SUFFIXES = EXCEL_SUFFIXES | CSV_SUFFIXES


class UnreadableFile(Exception):
    """The file cannot be read at all; the message is Vietnamese."""


@dataclass
class Sheet:
    """One sheet of a workbook (a CSV file is one sheet); ``None`` is an empty cell, the only
    one (the readers turn blank text into it, and the importers rely on that)."""

    name: str
    rows: list[list[object]]
    #: Cells holding a formula the file carries no computed value for ("C5"): they read as
    #: empty, but they are not "no data".
    uncomputed: list[str] = field(default_factory=list)


def read_sheets(path: Path, data: bytes) -> list[Sheet]:
    """Every sheet of the file, in order."""
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return [Sheet(path.stem, _read_csv(data))]
    if suffix in EXCEL_SUFFIXES:
        sheets = _read_excel(data)
        if suffix in (".xlsx", ".xlsm"):
            uncomputed = formulas_without_values(data)
            for sheet in sheets:
                sheet.uncomputed = uncomputed.get(sheet.name, [])
        return sheets
    allowed = ", ".join(sorted(SUPPORTED_SUFFIXES))
    raise UnreadableFile(f"không hỗ trợ loại tệp «{suffix or path.name}» (chỉ nhận {allowed})")


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DOC_RELS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


#: A formula element (``<f>``, ``<f t="shared" …>``, ``<x:f>``) anywhere in a sheet's XML.
_FORMULA_ELEMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")


def _has_formula(archive: zipfile.ZipFile, member: str) -> bool:
    """Whether a sheet's XML holds a formula element, read a megabyte at a time (never the
    whole sheet in memory)."""
    with archive.open(member) as stream:
        tail = b""
        while chunk := stream.read(1 << 20):
            if _FORMULA_ELEMENT.search(tail + chunk):
                return True
            tail = chunk[-64:]  # an element cut between two chunks
    return False


def formulas_without_values(data: bytes) -> dict[str, list[str]]:
    """Per sheet name, the cells of an .xlsx holding a formula without a cached value (a file
    written by a program that does not compute formulas; Excel saves the values)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
            rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
            targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_RELS}Relationship")}
            found: dict[str, list[str]] = {}
            for sheet in workbook.iter(f"{_MAIN}sheet"):
                target = targets.get(sheet.get(f"{_DOC_RELS}id"), "").lstrip("/")
                member = target if target.startswith("xl/") else f"xl/{target}"
                if member not in archive.namelist():
                    continue
                if not _has_formula(archive, member):
                    continue  # no formula at all: nothing to parse (most files)
                with archive.open(member) as stream:
                    cells = [
                        str(cell.get("r"))
                        for _, cell in ElementTree.iterparse(stream)
                        if cell.tag == f"{_MAIN}c"
                        and cell.find(f"{_MAIN}f") is not None
                        and cell.get("t") != "str"  # a formula whose result is text, maybe ""
                        and not (cell.findtext(f"{_MAIN}v") or "").strip()
                    ]
                if cells:
                    found[str(sheet.get("name"))] = cells
            return found
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError):
        return {}  # the reader itself reports a damaged file


def decode_text(data: bytes) -> str:
    """A text file's characters: UTF-8 (with or without BOM), Excel's "Unicode text" (UTF-16
    with its BOM), else the legacy code page charset-normalizer finds most plausible
    (Windows-1258 for Vietnamese, Windows-1252); always in composed (NFC) form."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            import charset_normalizer  # only for files that are not UTF-8

            best = charset_normalizer.from_bytes(
                data, cp_isolation=["cp1258", "cp1252", "utf_16_le", "utf_16_be"]
            ).best()
            if best is None:
                raise UnreadableFile(
                    "không nhận ra bảng mã của tệp CSV (hãy lưu lại bằng «CSV UTF-8» trong Excel)"
                ) from None
            text = str(best)
    return unicodedata.normalize("NFC", text)


def _read_csv(data: bytes) -> list[list[object]]:
    text = decode_text(data)
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
        log.info("CSV not readable: %s", exc)
        raise UnreadableFile(
            f"tệp CSV sai định dạng ở dòng {reader.line_num} (dấu ngoặc kép không đóng, "
            "ô quá dài hoặc ký tự lạ)"
        ) from exc


def _read_excel(data: bytes) -> list[Sheet]:
    """Every sheet through python-calamine, the reader pandas' calamine engine wraps, cell
    for cell as that engine gives them (whole floats as int, dates as datetime) but without
    a DataFrame between: a file of 100,000 rows is read in half the time, and pandas (about
    40 MB) is never imported by the bot. Unlike pandas, texts such as "N/A" or "null" stay
    text: the importers know which of them mean "no data" (``core.parsing.is_no_data``)."""
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = [
            Sheet(str(name), _cells(book.get_sheet_by_name(name).to_python(skip_empty_area=False)))
            for name in book.sheet_names
        ]
    except Exception as exc:  # calamine raises several types for damaged files
        log.info("spreadsheet not readable: %s", exc)
        raise UnreadableFile(
            "không đọc được tệp Excel: tệp bị hỏng, có mật khẩu hoặc không phải tệp Excel "
            "(.xlsx, .xls, .ods); hãy mở bằng Excel rồi lưu lại"
        ) from exc
    return sheets


def _cells(rows: list[list[Any]]) -> list[list[object]]:
    """Calamine's cells as the importers read them: blank text (or a NaN) is ``None`` (the
    one empty cell of a :class:`Sheet`), a whole float is an int (Excel keeps every number
    as a float), a date is a datetime at midnight; empty rows at the end are dropped."""
    out: list[list[object]] = []
    for row in rows:
        cells: list[object] = []
        for cell in row:
            kind = type(cell)
            if kind is str:
                cells.append(cell if cell.strip() else None)
            elif kind is float:
                cells.append(int(cell) if cell.is_integer() else None if cell != cell else cell)
            elif kind is date:
                cells.append(datetime(cell.year, cell.month, cell.day))
            else:
                cells.append(cell)
        out.append(cells)
    while out and all(cell is None for cell in out[-1]):
        out.pop()
    return out
