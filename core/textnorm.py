"""Text folding shared by header matching, unit matching and indicator matching.

People write the same thing many ways ("UBND huyện Phú Riềng", "phu rieng",
"Sở TT&TT"); every comparison in the project goes through these functions so
that the rules live in one place.
"""

from __future__ import annotations

import functools
import re
import unicodedata

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^0-9a-z]+")


def strip_diacritics(text: str) -> str:
    """Remove Vietnamese diacritics ("Đồng Xoài" -> "Dong Xoai")."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


@functools.lru_cache(maxsize=65_536)
def fold(text: str) -> str:
    """Lower-case, diacritic-free words separated by single spaces.

    "&" is read as "và" so "Sở TT&TT" folds to "so tt va tt" whichever way it
    is written. Remembered: a file names the same units, indicators and headers
    thousands of times.
    """
    text = strip_diacritics(str(text)).lower().replace("&", " va ")
    return _SPACES.sub(" ", _NON_WORD.sub(" ", text)).strip()


def header_key(text: object) -> str:
    """Key for a column header: folded with every space and punctuation removed.

    "Mã hồ sơ", "MaHoSo" and "ma_ho_so" all give "mahoso".
    """
    return fold(str(text)).replace(" ", "")


def clean_cell_text(value: object) -> str:
    """A cell as a single-line string with collapsed white space (``str.split`` splits on
    the same Unicode white space as the regular expression's ``\\s``, at a third of the
    cost: every text cell of an import passes here)."""
    return " ".join(str(value).split())
