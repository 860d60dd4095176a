"""Unit matching: the closest units for a misspelt name, and an import that compares a name
it does not know with the registry once, however many rows write it."""

from pathlib import Path

import pytest

from app.services import Services
from storage.models import UnitKind
from storage.units import SuggestionIndex, UnitLookup, find_unit
from tests.conftest import do_import, write_csv

#: Misspelt names of the demo registry's units and the units suggested for them, closest
#: first (what difflib's ratio suggested before rapidfuzz, too).
MISSPELT = {
    "Phu Rieng X": ["UBND huyện Phú Riềng", "UBND thị xã Phước Long"],
    "Chơn Than": ["UBND thị xã Chơn Thành", "UBND huyện Hớn Quản", "Sở Công thương"],
    "Dong Xoay": ["UBND thành phố Đồng Xoài", "UBND tỉnh Đồng Nai", "UBND xã Long Hà"],
    "Sở Tư phap X": ["Sở Tư pháp"],
    "So Noi Vu X": ["Sở Nội vụ", "Sở Ngoại vụ"],
    "Huyen Loc Ninhh": ["UBND huyện Lộc Ninh", "UBND xã Long Hà"],
    "Sở Giao thong": ["Sở Giao thông vận tải", "Sở Công thương", "UBND thị xã Bình Long"],
    "Ban Quan ly khu kinh te X": ["Ban Quản lý Khu Kinh tế", "UBND huyện Lộc Ninh"],
}

#: One unknown name written four ways (a cell's spaces are collapsed when it is read).
SPELLINGS = ["Phu Rieng X", "PHU RIENG X", "phú riềng x", "  Phu  Rieng X "]


@pytest.fixture
def fuzzy_searches(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names compared with the registry's, one entry per comparison."""
    searches: list[str] = []
    closest = SuggestionIndex.closest

    def counted(self: SuggestionIndex, core: str, limit: int = 3) -> list[int]:
        searches.append(core)
        return closest(self, core, limit)

    monkeypatch.setattr(SuggestionIndex, "closest", counted)
    return searches


def test_misspelt_names_suggest_the_closest_units(units: Services) -> None:
    with units.session_factory() as session:
        lookup = UnitLookup(session)
        for written, expected in MISSPELT.items():
            match = find_unit(session, written)
            assert match.unit is None and not match.candidates, written
            assert [u.name for u in match.suggestions] == expected, written
            remembered = lookup.find(f" {written.upper()} ")
            assert remembered.query == written.upper()
            assert [u.name for u in remembered.suggestions] == expected, written
        districts = frozenset({UnitKind.DISTRICT.value})
        match = find_unit(session, "Chơn Than", kinds=districts)
        assert [u.name for u in match.suggestions][:1] == ["UBND thị xã Chơn Thành"]
        assert {u.kind for u in match.suggestions} == set(districts)
        assert find_unit(session, "Qwzj").suggestions == []


def test_an_unknown_unit_on_2000_rows_is_searched_once_and_every_row_reported(
    units: Services, tmp_path: Path, fuzzy_searches: list[str]
) -> None:
    rows: list[list[object]] = [["Ngày", "Đơn vị", "Số hồ sơ quá hạn", "Nguồn"]]
    rows += [["10/04/2025", SPELLINGS[n % 4], "3", "DVC tỉnh"] for n in range(2000)]
    path = write_csv(tmp_path, "qua_han.csv", rows)

    outcome = do_import(units, path)

    assert not outcome.ok
    assert fuzzy_searches == ["phu rieng x"]
    assert [p.row for p in outcome.errors] == list(range(2, 2002))
    for problem in outcome.errors:
        written = " ".join(SPELLINGS[((problem.row or 0) - 2) % 4].split())
        assert problem.message == (
            f"không tìm thấy đơn vị «{written}». "
            "Gần nhất: UBND huyện Phú Riềng; UBND thị xã Phước Long"
        )

    # Nothing is remembered from one import to the next: once the unit exists, the same
    # file finds it.
    registry = write_csv(
        tmp_path,
        "don_vi.csv",
        [["STT", "Tên đơn vị", "Loại"], ["1", "UBND xã Phú Riềng X", "xã"]],
    )
    assert do_import(units, registry).ok
    again = do_import(units, path)
    assert again.ok, again.report()
    assert fuzzy_searches == ["phu rieng x"]


def test_an_unknown_parent_on_2000_rows_is_searched_once(
    units: Services, tmp_path: Path, fuzzy_searches: list[str]
) -> None:
    rows: list[list[object]] = [["STT", "Tên đơn vị", "Loại", "Đơn vị cha"]]
    rows += [[n, f"UBND xã Mới Số {n}", "xã", SPELLINGS[n % 4]] for n in range(1, 2001)]
    outcome = do_import(units, write_csv(tmp_path, "don_vi.csv", rows))
    assert not outcome.ok
    assert fuzzy_searches == ["phu rieng x"]
    assert [p.row for p in outcome.errors] == list(range(2, 2002))
    assert all("đơn vị cha «" in p.message for p in outcome.errors)
