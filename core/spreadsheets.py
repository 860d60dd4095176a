"""Reading the bytes of a .xlsx, .xls, .ods or .csv file into plain rows of cells.

This runs in a child process (``storage.importers.reader`` starts it through
:mod:`core.isolation`), so it imports only what reading needs: python-calamine for Excel
and OpenDocument (fast, reads .xls and .ods too), the standard library's csv for CSV so
every cell stays text as written. A sheet comes back as plain values, ``(name, rows,
uncomputed)``: what the parent accepts from a child is limited to such values.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from typing import Any
from xml.etree import ElementTree

from python_calamine import CalamineWorkbook

from core.vnformat import fmt_count

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
CSV_SUFFIXES = {".csv", ".txt"}
SUPPORTED_SUFFIXES = EXCEL_SUFFIXES | CSV_SUFFIXES

#: The longest text a cell can hold in Excel; a longer one is no office's data.
MAX_CELL_CHARACTERS = 32_767

TOO_BIG = "tệp quá lớn hoặc không đọc được"

#: A sheet's name, its rows (``None`` is an empty cell) and the cells holding a formula
#: without a computed value.
RawSheet = tuple[str, list[list[object]], list[str]]


class UnreadableFile(Exception):
    """The file cannot be read at all; the message is Vietnamese."""


def read_workbook(
    name: str, suffix: str, data: bytes, max_rows: int, max_columns: int
) -> list[RawSheet]:
    """Every sheet of the file, refused when one has more rows or columns than allowed or a
    cell longer than Excel allows."""
    if suffix in CSV_SUFFIXES:
        rows = _read_csv(data)
        _check_size(name, len(rows), max((len(r) for r in rows), default=0), max_rows, max_columns)
        _check_cell_lengths(name, rows)
        return [(name, rows, [])]
    if suffix not in (".xlsx", ".xlsm"):
        return _read_excel(data, max_rows, max_columns)  # cell lengths checked as made
    # The scan for formulas without values reads the sheets' XML a second time; calamine
    # parses without holding the GIL, so the scan runs meanwhile (a fifth of a 100,000-row
    # file's reading time, otherwise).
    with ThreadPoolExecutor(1) as pool:
        scan = pool.submit(formulas_without_values, data)
        sheets = _read_excel(data, max_rows, max_columns)
        uncomputed = scan.result()
    return [(n, rows, uncomputed.get(n, [])) for n, rows, _ in sheets]


def _check_size(sheet: str, rows: int, columns: int, max_rows: int, max_columns: int) -> None:
    if rows > max_rows or columns > max_columns:
        raise UnreadableFile(
            f"{TOO_BIG}: sheet «{sheet}» có {fmt_count(rows)} dòng × {fmt_count(columns)} cột, "
            f"quá giới hạn {fmt_count(max_rows)} dòng × {fmt_count(max_columns)} cột"
        )


def _check_cell_lengths(sheet: str, rows: list[list[object]]) -> None:
    for row_no, row in enumerate(rows, start=1):
        for col_no, cell in enumerate(row, start=1):
            if type(cell) is str and len(cell) > MAX_CELL_CHARACTERS:
                raise _too_long(sheet, row_no, col_no, cell)


def _too_long(sheet: str, row_no: int, col_no: int, cell: str) -> UnreadableFile:
    return UnreadableFile(
        f"sheet «{sheet}», dòng {row_no}, cột {column_letter(col_no - 1)}: ô dài "
        f"{fmt_count(len(cell))} ký tự, quá {fmt_count(MAX_CELL_CHARACTERS)} ký tự "
        "một ô Excel giữ được"
    )


def column_letter(index: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "AA"."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return letters


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
    texts: dict[str, str] = {}  # equal texts as one object, as in _cells
    try:
        return [
            [texts.setdefault(cell, cell) if cell.strip() else None for cell in row]
            for row in reader
        ]
    except csv.Error as exc:
        raise UnreadableFile(
            f"tệp CSV sai định dạng ở dòng {reader.line_num} (dấu ngoặc kép không đóng, "
            "ô quá dài hoặc ký tự lạ)"
        ) from exc


def _read_excel(data: bytes, max_rows: int, max_columns: int) -> list[RawSheet]:
    """Every sheet through python-calamine, the reader pandas' calamine engine wraps, cell
    for cell as that engine gives them (whole floats as int, dates as datetime) but without
    a DataFrame between: a file of 100,000 rows is read in half the time, and pandas (about
    40 MB) is never imported by the bot. Unlike pandas, texts such as "N/A" or "null" stay
    text: the importers know which of them mean "no data" (``core.parsing.is_no_data``)."""
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets: list[RawSheet] = []
        for name in book.sheet_names:
            sheet = book.get_sheet_by_name(name)
            _check_size(str(name), sheet.height, sheet.width, max_rows, max_columns)
            rows = _cells(str(name), sheet.to_python(skip_empty_area=False))
            sheets.append((str(name), rows, []))
    except (UnreadableFile, MemoryError):
        raise
    except BaseException as exc:  # calamine raises several types, a panic is a BaseException
        if "limit" in str(exc).lower():  # "Cell limit exceeded (… cells requested, max …)"
            raise UnreadableFile(f"{TOO_BIG}: bảng có quá nhiều ô") from exc
        raise UnreadableFile(
            "không đọc được tệp Excel: tệp bị hỏng, có mật khẩu hoặc không phải tệp Excel "
            "(.xlsx, .xls, .ods); hãy mở bằng Excel rồi lưu lại"
        ) from exc
    return sheets


def _cells(sheet: str, rows: list[list[Any]]) -> list[list[object]]:
    """Calamine's cells as the importers read them: blank text (or a NaN) is ``None`` (the
    one empty cell of a :class:`Sheet`), a whole float is an int (Excel keeps every number
    as a float), a date is a datetime at midnight; empty rows at the end are dropped. A text
    longer than Excel allows is refused.

    Equal texts become one object (a unit's name, a date, a status repeat on most rows):
    the answer to the parent is a third of the size, is pickled four times and unpickled
    twice as fast, and the parent hashes each text once."""
    out: list[list[object]] = []
    texts: dict[str, str] = {}
    for row in rows:
        cells: list[object] = []
        for cell in row:
            kind = type(cell)
            if kind is str:
                if len(cell) > MAX_CELL_CHARACTERS:
                    raise _too_long(sheet, len(out) + 1, len(cells) + 1, cell)
                cells.append(texts.setdefault(cell, cell) if cell.strip() else None)
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
