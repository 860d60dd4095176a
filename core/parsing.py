"""Reading numbers, dates and ranks as people write them in Vietnamese files.

Every function raises :class:`ValueProblem` with a Vietnamese message when a
cell cannot be read; importers collect those with the cell's position.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from core.textnorm import clean_cell_text, fold
from core.vnformat import fmt_count, fmt_number


class ValueProblem(ValueError):
    """A cell that cannot be read; the message is Vietnamese, for the user."""


#: No score, ratio or count of this work reaches a billion; beyond it a cell is a typo or
#: an attack (a 309-digit number is infinite as a float).
MAX_NUMBER = 1e9
#: Ranks: of 34 provinces, of a province's units, of 3,400 units nation-wide.
MAX_RANK = 100_000
#: Dates of this work: a dossier received in year 1 or a snapshot of 9999 is a typo.
FIRST_YEAR, LAST_YEAR = 1990, 2100
#: A name, a note, a procedure's content; codes are shorter (their importers say).
MAX_TEXT = 2000
#: Characters no one types into a cell: C0/C1 controls (tabs and line breaks are folded into
#: spaces before this is checked) and the bidirectional overrides that make a name display
#: as another ("Trojan Source").
_HIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SHOWN_LENGTH = 80


def shown(cell: object) -> str:
    """A cell as a person saw it in the file: numbers the Vietnamese way ("12,5"), dates
    as dd/mm/yyyy, Excel's booleans as TRUE/FALSE; a long text cut to its start."""
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, int | float) and math.isfinite(cell) and abs(cell) <= MAX_NUMBER:
        return fmt_number(cell, 6)
    if isinstance(cell, datetime | date):
        return f"{cell:%d/%m/%Y}"
    text = clean_cell_text(cell)
    if len(text) <= _SHOWN_LENGTH:
        return text
    return f"{text[:_SHOWN_LENGTH]}… ({fmt_count(len(text))} ký tự)"


def checked_text(cell: object, limit: int = MAX_TEXT) -> str:
    """A text cell as one clean line, refused when longer than ``limit`` or holding control
    or direction-override characters."""
    text = clean_cell_text(cell)
    if len(text) > limit:
        raise ValueProblem(f"ô dài {fmt_count(len(text))} ký tự, quá {fmt_count(limit)} ký tự")
    if _HIDDEN.search(text):
        raise ValueProblem(
            f"«{_HIDDEN.sub('?', shown(text))}» chứa ký tự điều khiển hoặc ký tự đảo chiều văn "
            "bản (không nhìn thấy được); hãy gõ lại ô này"
        )
    return text


def _bounded(number: float, cell: object) -> float:
    if not math.isfinite(number) or abs(number) > MAX_NUMBER:
        raise _too_big(cell)
    return number


def _too_big(cell: object) -> ValueProblem:
    return ValueProblem(f"«{shown(cell)}» quá lớn, không phải là số liệu hợp lệ")


#: Texts that mean "no data" (stored as null, never as 0), folded.
NO_DATA_TEXTS = frozenset(
    {
        "",
        "-",
        "--",
        "—",
        "–",
        "x",
        "n a",
        "na",
        "null",
        "none",
        "khong co du lieu",
        "chua co du lieu",
        "he thong khong thong bao du lieu",
        "khong thong bao du lieu",
        "khong co so lieu",
        "chua co so lieu",
    }
)

_DASHES = "\u2212\u2013\u2014"


def is_blank(value: object) -> bool:
    """True for empty cells (None, NaN, empty or white-space text)."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def is_no_data(value: object) -> bool:
    """True for cells that say "no data" in any of the ways people write it."""
    if is_blank(value):
        return True
    if isinstance(value, str):
        stripped = value.strip()
        if stripped and all(ch in "-" + _DASHES for ch in stripped):
            return True
        return fold(stripped) in NO_DATA_TEXTS
    return False


@dataclass(frozen=True)
class ParsedValue:
    """A measured value: ``value`` is None for no data; ``max_score`` from "17,6/20"."""

    value: float | None
    max_score: float | None = None
    is_percent: bool = False


_NUMBER_BODY = re.compile(r"^[+-]?(\d[\d.,\s]*)$")


def parse_decimal(text: str) -> float:
    """Parse "61,68", "61.68", "1.234,5", "1,234.5", "+2,48", "-0,06"."""
    s = text.strip().replace("\u00a0", " ")
    for dash in _DASHES:
        s = s.replace(dash, "-")
    s = s.replace(" ", "")
    if not _NUMBER_BODY.match(s):
        raise ValueProblem(f"«{text.strip()}» không phải là số")
    sign = -1.0 if s.startswith("-") else 1.0
    s = s.lstrip("+-")
    has_comma, has_dot = "," in s, "." in s
    if has_comma and has_dot:
        decimal_sep = "," if s.rfind(",") > s.rfind(".") else "."
        thousands_sep = "." if decimal_sep == "," else ","
        s = s.replace(thousands_sep, "").replace(decimal_sep, ".")
    elif has_comma:
        s = _thousands(s, ",", text) if s.count(",") > 1 else s.replace(",", ".")
    elif has_dot and s.count(".") > 1:
        s = _thousands(s, ".", text)
    if len(s) > 30:  # a billion with 15 decimals; float() of thousands of digits is slow
        raise _too_big(text)
    try:
        number = float(s)
    except ValueError as exc:  # e.g. "1." or ".5." after cleaning
        raise ValueProblem(f"«{shown(text)}» không phải là số") from exc
    return _bounded(sign * number, text)


def _thousands(s: str, sep: str, original: str) -> str:
    groups = s.split(sep)
    if not groups[0] or any(len(g) != 3 for g in groups[1:]):
        raise ValueProblem(f"«{original.strip()}» không phải là số")
    return "".join(groups)


def parse_value(cell: object) -> ParsedValue:
    """Parse a score or ratio cell.

    Accepts numbers, "61,68", "61.68", "96%", "17,6/20" (score out of a
    maximum) and the no-data spellings, which give ``value=None``.
    """
    if is_no_data(cell):
        return ParsedValue(None)
    if isinstance(cell, bool):
        raise ValueProblem(f"«{shown(cell)}» không phải là số")
    if isinstance(cell, int | float):
        return ParsedValue(_bounded(float(cell), cell))
    if isinstance(cell, datetime | date):
        raise ValueProblem(f"ô chứa ngày ({cell:%d/%m/%Y}) thay vì số")
    text = str(cell).strip()
    is_percent = text.endswith("%")
    if is_percent:
        text = text[:-1].strip()
    if "/" in text:
        left, _, right = text.partition("/")
        value = parse_decimal(left)
        maximum = parse_decimal(right)
        if maximum <= 0:
            raise ValueProblem(f"«{shown(cell)}»: điểm tối đa phải lớn hơn 0")
        if value > maximum:
            raise ValueProblem(f"«{shown(cell)}»: điểm lớn hơn điểm tối đa")
        return ParsedValue(value, maximum, False)
    return ParsedValue(parse_decimal(text), None, is_percent)


def parse_count(cell: object) -> int | None:
    """Parse a count of dossiers: "204", "02 hồ sơ", "1.234"; None for no data."""
    if is_no_data(cell):
        return None
    if isinstance(cell, bool):
        raise ValueProblem(f"«{shown(cell)}» không phải là số hồ sơ")
    if isinstance(cell, int | float):
        number = _bounded(float(cell), cell)
    else:
        text = str(cell).strip()
        folded = fold(text)
        for suffix in (" ho so", " hs"):
            if folded.endswith(suffix):
                text = text[: len(text) - len(suffix)].strip()
                break
        cleaned = text.replace(" ", "")
        if re.fullmatch(r"\d{1,3}([.,]\d{3})+", cleaned):
            cleaned = cleaned.replace(".", "").replace(",", "")
        if not re.fullmatch(r"\d+", cleaned):
            raise ValueProblem(f"«{shown(cell)}» không phải là số hồ sơ")
        if len(cleaned) > 10:
            raise _too_big(cell)
        number = _bounded(float(cleaned), cell)
    if number < 0 or number != int(number):
        raise ValueProblem(f"«{shown(cell)}» không phải là số hồ sơ (phải là số nguyên không âm)")
    return int(number)


def parse_rank(cell: object) -> tuple[int | None, int | None]:
    """Parse a rank: "20/63" gives (20, 63); 20 gives (20, None); no data gives (None, None)."""
    if is_no_data(cell):
        return None, None
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        if not math.isfinite(cell) or cell != int(cell) or not 1 <= cell <= MAX_RANK:
            raise ValueProblem(f"«{shown(cell)}» không phải là thứ hạng")
        return int(cell), None
    text = str(cell).strip()
    match = re.fullmatch(r"(\d{1,9})\s*(?:/\s*(\d{1,9}))?", text)
    if not match:
        raise ValueProblem(f"«{shown(text)}» không phải là thứ hạng (ví dụ: 20/63)")
    rank = int(match.group(1))
    out_of = int(match.group(2)) if match.group(2) else None
    if rank < 1 or (out_of is not None and rank > out_of):
        raise ValueProblem(f"«{text}»: thứ hạng phải từ 1 đến tổng số")
    if max(rank, out_of or 0) > MAX_RANK:
        raise ValueProblem(f"«{text}»: thứ hạng quá lớn (tối đa {fmt_count(MAX_RANK)})")
    return rank, out_of


_DATE_IN_TEXT = re.compile(r"(?<!\d)(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})(?!\d)")
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_TIME = re.compile(r"(\d{1,2})[:h](\d{2})(?::(\d{2}))?")


def _make_date(year: int, month: int, day: int, original: object) -> date:
    try:
        made = date(year, month, day)
    except ValueError as exc:
        raise ValueProblem(f"«{original}» không phải là ngày hợp lệ") from exc
    return _in_years(made, original)


def _in_years(day: date, original: object) -> date:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueProblem(
            f"«{shown(original)}»: năm {day.year} nằm ngoài khoảng {FIRST_YEAR}–{LAST_YEAR}"
        )
    return day


def find_date(text: str) -> date | None:
    """The first dd/mm/yyyy (or yyyy-mm-dd) date inside a longer text, if any."""
    match = _DATE_IN_TEXT.search(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        return _make_date(year, month, day, match.group(0))
    match = _ISO_DATE.search(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
        return _make_date(year, month, day, match.group(0))
    return None


#: Day 0 of Excel's date serials (1900 system, after its leap-year bug).
_EXCEL_EPOCH = datetime(1899, 12, 30)


def excel_serial(cell: object) -> datetime | None:
    """A number Excel shows as a date in a general-format cell (45755 is 08/04/2025): the
    date-time it stands for, for serials between 1954 and 2119; else None."""
    if isinstance(cell, bool) or not isinstance(cell, int | float):
        return None
    if not 20000 <= cell <= 80000:
        return None
    return _EXCEL_EPOCH + timedelta(days=float(cell))


def parse_date(cell: object) -> date | None:
    """Parse a date cell: Excel dates (also a serial number in a general-format cell),
    "27/3/2025", "27-03-2025", "2025-03-27"; None if blank."""
    if is_blank(cell):
        return None
    if isinstance(cell, datetime):
        return _in_years(cell.date(), cell)
    if isinstance(cell, date):
        return _in_years(cell, cell)
    serial = excel_serial(cell)
    if serial is not None:
        return serial.date()
    return _date_from_text(str(cell).strip())


@functools.lru_cache(maxsize=8192)
def _date_from_text(text: str) -> date:
    """A date written as text (remembered: an export repeats the same dates many times)."""
    found = find_date(text)
    if found is None:
        raise ValueProblem(f"«{text}» không phải là ngày (định dạng dd/mm/yyyy)")
    return found


def parse_datetime(cell: object) -> datetime | None:
    """Parse a local date-time: "10/04/2025 09:30", Excel date-times; None if blank.

    A date without a time gives midnight.  The result is naive local time.
    """
    if is_blank(cell):
        return None
    if isinstance(cell, datetime):
        _in_years(cell.date(), cell)
        return cell.replace(tzinfo=None)
    if isinstance(cell, date):
        _in_years(cell, cell)
        return datetime(cell.year, cell.month, cell.day)
    serial = excel_serial(cell)
    if serial is not None:
        return serial.replace(microsecond=0)
    return _datetime_from_text(str(cell).strip())


@functools.lru_cache(maxsize=8192)
def _datetime_from_text(text: str) -> datetime:
    """A date-time written as text (remembered, as :func:`_date_from_text`)."""
    day = parse_date(text)
    assert day is not None
    without_date = _DATE_IN_TEXT.sub(" ", _ISO_DATE.sub(" ", text, count=1), count=1)
    match = _TIME.search(without_date)
    hour = minute = second = 0
    if match:
        hour, minute = int(match.group(1)), int(match.group(2))
        second = int(match.group(3) or 0)
        if hour > 23 or minute > 59 or second > 59:
            raise ValueProblem(f"«{text}»: giờ không hợp lệ")
    return datetime(day.year, day.month, day.day, hour, minute, second)


def parse_year(cell: object) -> int:
    """A year such as 2024 (also "Năm 2024")."""
    if (
        isinstance(cell, int | float)
        and not isinstance(cell, bool)
        and math.isfinite(cell)
        and cell == int(cell)
    ):
        year = int(cell)
    else:
        match = re.search(r"(?<!\d)(\d{4})(?!\d)", str(cell))
        if not match:
            raise ValueProblem(f"«{shown(cell)}» không phải là năm")
        year = int(match.group(1))
    if not 2000 <= year <= 2100:
        raise ValueProblem(f"«{shown(cell)}» không phải là năm hợp lệ")
    return year


def parse_time_window(text: str) -> tuple[time, time] | None:
    """ "21:00-07:00" -> (21:00, 07:00); "" -> None (no quiet hours)."""
    if not text:
        return None
    start, _, end = text.partition("-")
    h1, m1 = (int(x) for x in start.split(":"))
    h2, m2 = (int(x) for x in end.split(":"))
    return time(h1, m1), time(h2, m2)
