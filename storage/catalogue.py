"""The indicator catalogue and matching indicator names as files write them.

Names in the notices are long and vary ("Tỷ lệ thanh toán trực tuyến trên
Cổng dịch vụ công quốc gia", "… Cổng DVCQG", "Tỷ lệ hồ sơ trực tuyến trên
tổng số hồ sơ tiếp nhận …").  A cell matches an indicator when its folded
text (abbreviations expanded, numbering removed) equals a catalogue name or
alias, or starts with one; the longest such name wins.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.textnorm import fold
from storage.models import Indicator

_ABBREVIATIONS = [
    (r"\bcong dvcqg\b", "cong dich vu cong quoc gia"),
    (r"\bdvcqg\b", "cong dich vu cong quoc gia"),
    (r"\bdvctt\b", "dich vu cong truc tuyen"),
    (r"\bdvc\b", "dich vu cong"),
    (r"\btthc\b", "thu tuc hanh chinh"),
    (r"\bpakn\b", "phan anh kien nghi"),
    (r"\bgq\b", "giai quyet"),
]
_LEADING_NUMBERING = re.compile(r"^(?:\d+ )+")


def indicator_key(text: str) -> str:
    """Folded indicator name with abbreviations expanded and leading numbering removed."""
    key = _LEADING_NUMBERING.sub("", fold(text))
    for pattern, replacement in _ABBREVIATIONS:
        key = re.sub(pattern, replacement, key)
    return key


@dataclass
class IndicatorLookup:
    """One resolved indicator or the reason there is none."""

    indicator: Indicator | None
    problem: str | None = None


class Catalogue:
    """All active indicators, loaded once per import or request (it is small)."""

    def __init__(self, indicators: list[Indicator]) -> None:
        self.indicators = indicators
        self.by_code = {i.code.upper(): i for i in indicators}
        self._by_key: dict[str, list[Indicator]] = {}
        for indicator in indicators:
            # Short names are display labels only: several are shared between a
            # 766 group and a tracked ratio ("Thanh toán trực tuyến").
            for name in [indicator.name, *(a.alias for a in indicator.aliases)]:
                bucket = self._by_key.setdefault(indicator_key(name), [])
                if indicator not in bucket:
                    bucket.append(indicator)

    @classmethod
    def load(cls, session: Session) -> Catalogue:
        stmt = select(Indicator).where(Indicator.active.is_(True)).order_by(Indicator.sort_order)
        return cls(list(session.scalars(stmt)))

    def get(self, code: str) -> Indicator:
        return self.by_code[code.upper()]

    def tracked_ratios(self) -> list[Indicator]:
        return [i for i in self.indicators if i.tracked]

    def groups(self) -> list[Indicator]:
        return [i for i in self.indicators if i.category == "group"]

    def find(self, text: str) -> IndicatorLookup:
        """Resolve a code or a name as written in a file."""
        raw = text.strip()
        if raw.upper() in self.by_code:
            return IndicatorLookup(self.by_code[raw.upper()])
        key = indicator_key(raw)
        if not key:
            return IndicatorLookup(None, "thiếu tên chỉ số")
        found = self._by_key.get(key)
        if found is None:
            prefixes = [k for k in self._by_key if key.startswith(k + " ")]
            if prefixes:
                found = self._by_key[max(prefixes, key=len)]
        if found is None:
            longer = {
                id(i): i for k, v in self._by_key.items() if k.startswith(key + " ") for i in v
            }
            if len(longer) == 1:
                found = list(longer.values())
        if found and len(found) == 1:
            return IndicatorLookup(found[0])
        if found:
            codes = ", ".join(i.code for i in found)
            return IndicatorLookup(
                None, f"«{raw}» khớp với nhiều chỉ số ({codes}); hãy ghi mã chỉ số"
            )
        close = difflib.get_close_matches(key, list(self._by_key), n=2, cutoff=0.6)
        hint = ""
        if close:
            names = "; ".join(
                f"{self._by_key[k][0].code} – {self._by_key[k][0].name}" for k in close
            )
            hint = f". Gần nhất: {names}"
        return IndicatorLookup(None, f"không tìm thấy chỉ số «{raw}» trong danh mục{hint}")
