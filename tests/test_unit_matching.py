"""Unit matching: the closest units for a misspelt name."""

from handlers.services import Services
from storage.models import UnitKind
from storage.units import find_unit

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


def test_misspelt_names_suggest_the_closest_units(units: Services) -> None:
    with units.session_factory() as session:
        for written, expected in MISSPELT.items():
            match = find_unit(session, written)
            assert match.unit is None and not match.candidates, written
            assert [u.name for u in match.suggestions] == expected, written
        districts = frozenset({UnitKind.DISTRICT.value})
        match = find_unit(session, "Chơn Than", kinds=districts)
        assert [u.name for u in match.suggestions][:1] == ["UBND thị xã Chơn Thành"]
        assert {u.kind for u in match.suggestions} == set(districts)
        assert find_unit(session, "Qwzj").suggestions == []
