"""Numbers, dates and ranks written the Vietnamese way ("61,02", "+2,48", "20/63")."""

from __future__ import annotations

from datetime import date, datetime

NO_DATA = "không có dữ liệu"
#: Quarters as the notices write them ("quý III/2026").
QUARTER_NAMES = {1: "I", 2: "II", 3: "III", 4: "IV"}


def fmt_number(value: float | None, decimals: int = 2) -> str:
    """ "84,28"; trailing zeros dropped ("100", "17,6"); thousands with dots."""
    if value is None:
        return NO_DATA
    rounded = round(value, decimals)
    if rounded == 0:
        rounded = 0.0  # avoid "-0"
    text = f"{rounded:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", "\u0000").replace(".", ",").replace("\u0000", ".")


def fmt_count(value: int) -> str:
    """A count with thousands separated by dots: "29.918"."""
    return fmt_number(value, 0)


def fmt_percent(value: float | None, decimals: int = 2) -> str:
    """ "96,9%"."""
    return NO_DATA if value is None else f"{fmt_number(value, decimals)}%"


def fmt_change(delta: float | None, decimals: int = 2) -> str:
    """ "+2,48", "-24,27", "0"."""
    if delta is None:
        return "—"
    rounded = round(delta, decimals)
    if rounded == 0:
        return "0"
    sign = "+" if rounded > 0 else ""
    return f"{sign}{fmt_number(rounded, decimals)}"


def fmt_score(value: float | None, maximum: float | None) -> str:
    """ "11,1/18"; just the number when the maximum is unknown."""
    if value is None:
        return NO_DATA
    if maximum is None:
        return fmt_number(value)
    return f"{fmt_number(value)}/{fmt_number(maximum)}"


def fmt_date(day: date | datetime | None) -> str:
    """ "08/04/2025"."""
    return "—" if day is None else day.strftime("%d/%m/%Y")


def fmt_rank(rank: int | None, out_of: int | None) -> str:
    """ "20/63"."""
    if rank is None:
        return NO_DATA
    return f"{rank}/{out_of}" if out_of else str(rank)


def fmt_rank_move(
    previous: int | None,
    current: int | None,
    previous_of: int | None = None,
    current_of: int | None = None,
) -> str:
    """ "giảm 12 bậc", "tăng 43 bậc", "giữ nguyên" (a smaller rank number is better).

    Ranks out of different totals ("20/63" before the 2025 reorganisation, "12/34" after)
    are never compared as places."""
    if previous is None or current is None:
        return "không so sánh được"
    if previous_of and current_of and previous_of != current_of:
        return (
            f"không so sánh theo bậc (thang xếp hạng đổi từ {previous_of} sang {current_of} tỉnh)"
        )
    places = previous - current
    if places > 0:
        return f"tăng {places} bậc"
    if places < 0:
        return f"giảm {-places} bậc"
    return "giữ nguyên thứ hạng"


def sentence(text: str) -> str:
    """Upper-case the first letter only ("giảm 12 bậc" -> "Giảm 12 bậc")."""
    return text[:1].upper() + text[1:]
