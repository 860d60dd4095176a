"""The unit registry: finding a unit from the many ways people write its name.

"UBND huyện Phú Riềng", "Huyện Phú Riềng", "Phú Riềng" and "phu rieng" are
the same unit.  Every unit is stored with its folded full name
(``name_key``) and its folded name without the kind prefix (``core_key``);
aliases likewise.  Land-registration branches share their place name with
the district, so a bare place name never picks a land office when another
unit matches.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date

from rapidfuzz import fuzz, process
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session, aliased, lazyload

from core.textnorm import fold
from storage.models import Unit, UnitAlias, UnitKind

_GENERIC_PREFIX = re.compile(r"^(uy ban nhan dan|ubnd)\s+")

# Folded prefixes that name a kind of unit, longest first where they overlap.
_KIND_PREFIXES: list[tuple[str, frozenset[str]]] = [
    (p, frozenset({UnitKind.LAND_OFFICE.value}))
    for p in (
        "chi nhanh van phong dang ky dat dai",
        "chi nhanh van phong dkdd",
        "chi nhanh vpdk dat dai",
        "chi nhanh vpdkdd",
        "cn van phong dang ky dat dai",
        "cn vpdk dat dai",
        "cn vpdkdd",
        "van phong dang ky dat dai",
        "vpdk dat dai",
        "vpdkdd",
    )
] + [
    ("tinh", frozenset({UnitKind.PROVINCE.value})),
    ("huyen", frozenset({UnitKind.DISTRICT.value})),
    ("h", frozenset({UnitKind.DISTRICT.value})),  # "H. Phú Riềng"
    ("thi xa", frozenset({UnitKind.DISTRICT.value})),
    ("tx", frozenset({UnitKind.DISTRICT.value})),  # "TX Bình Long"
    ("quan", frozenset({UnitKind.DISTRICT.value})),
    ("thanh pho", frozenset({UnitKind.DISTRICT.value, UnitKind.PROVINCE.value})),
    ("tp", frozenset({UnitKind.DISTRICT.value, UnitKind.PROVINCE.value})),
    ("thi tran", frozenset({UnitKind.COMMUNE.value})),
    ("tt", frozenset({UnitKind.COMMUNE.value})),  # "TT Thanh Bình"
    ("xa", frozenset({UnitKind.COMMUNE.value})),
    ("phuong", frozenset({UnitKind.COMMUNE.value})),
    ("dac khu", frozenset({UnitKind.COMMUNE.value})),
    ("so", frozenset({UnitKind.DEPARTMENT.value})),
]

#: The order unit kinds are listed in everywhere (keyboards, tables, summaries): the
#: enum's own order, province first.
KIND_ORDER: tuple[str, ...] = tuple(kind.value for kind in UnitKind)
#: Kinds whose units are ranked among themselves (the province is ranked among provinces).
RANKED_KINDS: tuple[str, ...] = tuple(k for k in KIND_ORDER if k != UnitKind.PROVINCE.value)

KIND_LABELS = {
    UnitKind.PROVINCE.value: "tỉnh",
    UnitKind.DEPARTMENT.value: "sở, ban, ngành",
    UnitKind.DISTRICT.value: "huyện, thị xã, thành phố",
    UnitKind.COMMUNE.value: "xã, phường, thị trấn",
    UnitKind.LAND_OFFICE.value: "chi nhánh VPĐK đất đai",
    UnitKind.OTHER.value: "đơn vị khác",
}

#: Short names used after a rank ("3/13 sở").
KIND_SHORT = {
    UnitKind.PROVINCE.value: "tỉnh",
    UnitKind.DEPARTMENT.value: "sở, ngành",
    UnitKind.DISTRICT.value: "huyện, thị xã, thành phố",
    UnitKind.COMMUNE.value: "xã, phường, thị trấn",
    UnitKind.LAND_OFFICE.value: "chi nhánh VPĐK đất đai",
    UnitKind.OTHER.value: "đơn vị",
}

_KIND_WORDS = {
    "province": UnitKind.PROVINCE,
    "tinh": UnitKind.PROVINCE,
    "cap tinh": UnitKind.PROVINCE,
    "department": UnitKind.DEPARTMENT,
    "so": UnitKind.DEPARTMENT,
    "so nganh": UnitKind.DEPARTMENT,
    "so ban nganh": UnitKind.DEPARTMENT,
    "ban nganh": UnitKind.DEPARTMENT,
    "district": UnitKind.DISTRICT,
    "huyen": UnitKind.DISTRICT,
    "cap huyen": UnitKind.DISTRICT,
    "huyen thi xa thanh pho": UnitKind.DISTRICT,
    "commune": UnitKind.COMMUNE,
    "xa": UnitKind.COMMUNE,
    "cap xa": UnitKind.COMMUNE,
    "xa phuong thi tran": UnitKind.COMMUNE,
    "land office": UnitKind.LAND_OFFICE,
    "land_office": UnitKind.LAND_OFFICE,
    "chi nhanh": UnitKind.LAND_OFFICE,
    "chi nhanh vpdk dat dai": UnitKind.LAND_OFFICE,
    "chi nhanh van phong dang ky dat dai": UnitKind.LAND_OFFICE,
    "other": UnitKind.OTHER,
    "khac": UnitKind.OTHER,
}


def parse_kind(text: str) -> UnitKind | None:
    """A kind of unit from its English or Vietnamese name ("xã", "district", "sở")."""
    return _KIND_WORDS.get(fold(text).replace("_", " "))


def split_name(text: str) -> tuple[frozenset[str] | None, str]:
    """The kinds a name's prefix points to (if any) and the name without that prefix."""
    key = _GENERIC_PREFIX.sub("", fold(text))
    for prefix, kinds in _KIND_PREFIXES:
        if key.startswith(prefix + " ") and len(key) > len(prefix) + 1:
            return kinds, key[len(prefix) + 1 :]
    return None, key


def core_key(text: str) -> str:
    return split_name(text)[1]


def guess_kind(text: str) -> UnitKind:
    """The kind a new unit most likely has, from the prefix of its name."""
    kinds, _ = split_name(text)
    if not kinds:
        return UnitKind.OTHER
    for kind in (
        UnitKind.LAND_OFFICE,
        UnitKind.COMMUNE,
        UnitKind.DISTRICT,
        UnitKind.DEPARTMENT,
        UnitKind.PROVINCE,
    ):
        if kind.value in kinds:
            return kind
    return UnitKind.OTHER


@dataclass
class Match:
    """The result of looking a name up: one unit, several candidates, or suggestions."""

    query: str
    unit: Unit | None = None
    candidates: list[Unit] = field(default_factory=list)
    suggestions: list[Unit] = field(default_factory=list)

    @property
    def ambiguous(self) -> bool:
        return self.unit is None and len(self.candidates) > 1


@dataclass(frozen=True)
class UnitFacts:
    """What an import keeps of a unit it found: its name and validity (with the name of the
    unit it was merged into)."""

    id: int
    name: str
    kind: str
    valid_from: date | None
    valid_to: date | None
    successor: str | None


class ExactNames:
    """Every unit under the folded keys of its name and aliases, read in one query: the
    first step of :func:`find_unit` (a name or alias written exactly, of one unit) for a
    file naming a hundred units, which otherwise asks the database twice per name."""

    def __init__(self, session: Session) -> None:
        successor = aliased(Unit)
        facts = {
            row.id: UnitFacts(
                row.id, row.name, str(row.kind), row.valid_from, row.valid_to, row.successor
            )
            for row in session.execute(
                select(
                    Unit.id,
                    Unit.name,
                    Unit.kind,
                    Unit.valid_from,
                    Unit.valid_to,
                    successor.name.label("successor"),
                ).outerjoin(successor, successor.id == Unit.successor_id)
            )
        }
        self._by_key: dict[str, dict[int, UnitFacts]] = {}
        keys = session.execute(
            select(Unit.name_key, Unit.id).union_all(select(UnitAlias.alias_key, UnitAlias.unit_id))
        )
        for key, unit_id in keys:
            self._by_key.setdefault(key, {})[unit_id] = facts[unit_id]

    def only(self, text: str, kinds: frozenset[str] | None = None) -> UnitFacts | None:
        """The one unit of ``kinds`` whose name or an alias is ``text`` (folded), if one
        is; otherwise :func:`find_unit` says what the text fits."""
        found = [
            unit
            for unit in self._by_key.get(fold(text.strip()), {}).values()
            if kinds is None or unit.kind in kinds
        ]
        return found[0] if len(found) == 1 else None


#: What gives the units a name not found looks like: ``suggest_units`` or an import's
#: :meth:`UnitLookup.suggest`.
Suggest = Callable[[str, frozenset[str] | None], list[Unit]]


def find_unit(
    session: Session,
    text: str,
    on: date | None = None,
    kinds: frozenset[str] | None = None,
    partial: bool = False,
    *,
    suggest: Suggest | None = None,
) -> Match:
    """Look a unit up by name, alias or bare place name.

    ``on`` prefers units that existed on that date when several match;
    ``kinds`` restricts the search to some kinds of unit; ``partial`` (what a person types,
    never a file) also accepts a unit whose name holds every typed word in order ("Dân tộc"
    for "Sở Dân tộc và Tôn giáo") when only one does; ``suggest`` gives the closest units
    when none fits (default :func:`suggest_units`).
    """
    query = text.strip()
    key = fold(query)
    if not key:
        return Match(query)
    hinted, core = split_name(query)
    allowed = kinds if kinds is not None else None

    exact = _units_where(session, Unit.name_key == key, UnitAlias.alias_key == key)
    exact = _filter_kinds(exact, allowed)
    if len(exact) == 1:
        return Match(query, unit=exact[0])

    candidates = exact or _units_where(session, Unit.core_key == core, UnitAlias.core_key == core)
    candidates = _filter_kinds(candidates, allowed)
    if hinted is not None:
        candidates = _filter_kinds(candidates, hinted) or candidates
    else:
        non_land = [u for u in candidates if u.kind != UnitKind.LAND_OFFICE.value]
        candidates = non_land or candidates
    if len(candidates) > 1 and on is not None:
        candidates = [u for u in candidates if u.valid_on(on)] or candidates
    if len(candidates) == 1:
        return Match(query, unit=candidates[0])
    if candidates:
        return Match(query, candidates=sorted(candidates, key=lambda u: (u.kind, u.name)))
    if partial:
        containing = _filter_kinds(_units_containing(session, core), allowed)
        if len(containing) > 1 and on is not None:
            containing = [u for u in containing if u.valid_on(on)] or containing
        if len(containing) == 1:
            return Match(query, unit=containing[0])
        if containing:
            return Match(query, candidates=sorted(containing, key=lambda u: (u.kind, u.name)))
    if suggest is None:
        return Match(query, suggestions=suggest_units(session, query, allowed))
    return Match(query, suggestions=suggest(query, allowed))


def _units_containing(session: Session, core: str) -> list[Unit]:
    """Units whose name (without its prefix) holds ``core`` as whole words."""
    if len(core) < 3:
        return []
    stmt = select(Unit).where(Unit.core_key.contains(core))
    return [u for u in session.scalars(stmt) if f" {core} " in f" {u.core_key} "]


def _units_where(session: Session, unit_clause: object, alias_clause: object) -> list[Unit]:
    stmt = (
        select(Unit)
        .outerjoin(UnitAlias, UnitAlias.unit_id == Unit.id)
        .where(or_(unit_clause, alias_clause))  # type: ignore[arg-type]
        .distinct()
    )
    return list(session.scalars(stmt).unique())


def _filter_kinds(units: list[Unit], kinds: frozenset[str] | None) -> list[Unit]:
    return units if kinds is None else [u for u in units if u.kind in kinds]


#: The least similarity (rapidfuzz's ratio, 0-100: twice the longest common subsequence over
#: both lengths) of a name suggested for one not found.
SUGGEST_CUTOFF = 50


class SuggestionIndex:
    """The folded names, with and without their kind prefix, of the units of some kinds:
    what a name not found is compared with for "did you mean"."""

    def __init__(self, session: Session, kinds: frozenset[str] | None = None) -> None:
        stmt = select(Unit.id, Unit.core_key, Unit.name_key)
        if kinds is not None:
            stmt = stmt.where(Unit.kind.in_(kinds))
        by_key: dict[str, int] = {}
        for unit_id, unit_core, name_key in session.execute(stmt):
            by_key.setdefault(unit_core, unit_id)
            by_key.setdefault(name_key, unit_id)
        self.keys = list(by_key)
        self.ids = list(by_key.values())

    def closest(self, core: str, limit: int = 3) -> list[int]:
        """The ids of at most ``limit`` units whose keys look most like ``core`` (folded,
        without its prefix), the most alike first (equal scores: the newer unit first)."""
        scored = sorted(
            (
                (score, self.ids[index])
                for _, score, index in process.extract(
                    core,
                    self.keys,
                    scorer=fuzz.ratio,
                    processor=None,
                    score_cutoff=SUGGEST_CUTOFF,
                    limit=None,
                )
            ),
            reverse=True,
        )
        chosen: list[int] = []
        for _, unit_id in scored:
            if len(chosen) >= limit:
                break
            if unit_id not in chosen:
                chosen.append(unit_id)
        return chosen


def suggest_units(
    session: Session, text: str, kinds: frozenset[str] | None = None, limit: int = 3
) -> list[Unit]:
    """The units whose names look closest to ``text`` (for "did you mean")."""
    return _units_by_id(session, SuggestionIndex(session, kinds).closest(core_key(text), limit))


def _units_by_id(session: Session, ids: list[int]) -> list[Unit]:
    if not ids:
        return []
    units = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(ids)))}
    return [units[i] for i in ids]


class UnitLookup:
    """Finding units for one import: each name is matched once however many rows write it
    (and however they write it: the same folded name is the same question), and the
    registry's names are read once for every "did you mean". Made for one import and
    dropped with it: the registry may change after, and an import changes it only once it
    stores."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._exact: ExactNames | None = None
        self._indexes: dict[frozenset[str] | None, SuggestionIndex] = {}
        self._matches: dict[tuple[str, date | None, frozenset[str] | None], Match] = {}
        self._suggested: dict[tuple[str, frozenset[str] | None], list[Unit]] = {}
        self._units: dict[int, Unit] = {}

    @property
    def exact(self) -> ExactNames:
        """Every unit's name and aliases (read on first use)."""
        if self._exact is None:
            self._exact = ExactNames(self.session)
        return self._exact

    def find(self, text: str, on: date | None = None, kinds: frozenset[str] | None = None) -> Match:
        """What :func:`find_unit` says of ``text``; the answer for a folded name is kept,
        only the query is the text as written here."""
        query = text.strip()
        key = (fold(query), on, kinds)
        match = self._matches.get(key)
        if match is None:
            match = find_unit(self.session, query, on=on, kinds=kinds, suggest=self.suggest)
            self._matches[key] = match
        return match if match.query == query else replace(match, query=query)

    def suggest(self, text: str, kinds: frozenset[str] | None = None) -> list[Unit]:
        """:func:`suggest_units`, once per name without its prefix and kinds."""
        key = (core_key(text), kinds)
        if key not in self._suggested:
            index = self._indexes.get(kinds)
            if index is None:
                index = self._indexes[kinds] = SuggestionIndex(self.session, kinds)
            ids = index.closest(key[0])
            missing = [i for i in ids if i not in self._units]
            if missing:
                self._units.update((u.id, u) for u in _units_by_id(self.session, missing))
            self._suggested[key] = [self._units[i] for i in ids]
        return list(self._suggested[key])


def describe_match_failure(match: Match) -> str:
    """A Vietnamese sentence saying why a name did not give one unit."""
    if match.ambiguous:
        names = "; ".join(u.name for u in match.candidates[:6])
        return f"«{match.query}» khớp với nhiều đơn vị: {names}. Hãy ghi rõ tên đầy đủ"
    if match.suggestions:
        names = "; ".join(u.name for u in match.suggestions)
        return f"không tìm thấy đơn vị «{match.query}». Gần nhất: {names}"
    return f"không tìm thấy đơn vị «{match.query}» trong danh mục đơn vị"


def unit_keys(name: str) -> tuple[str, str]:
    """(name_key, core_key) stored for a unit or an alias."""
    return fold(name), core_key(name)


def unit_counts_by_kind(session: Session) -> dict[str, int]:
    """How many units of each kind the registry holds."""
    return {
        kind: count
        for kind, count in session.execute(select(Unit.kind, func.count()).group_by(Unit.kind))
    }


def units_of_kind(
    session: Session, kind: str, page: int, page_size: int, today: date
) -> list[Unit]:
    """One page (from 1) of a kind's units by name: those that exist ``today`` first, then
    those that ended."""
    ended = Unit.valid_to.is_not(None) & (Unit.valid_to < today)
    return list(
        session.scalars(
            select(Unit)
            .where(Unit.kind == kind)
            .order_by(case((ended, 1), else_=0), Unit.name)
            .offset((page - 1) * page_size)
            .limit(page_size)
        )
    )


def predecessors(session: Session, unit: Unit) -> list[Unit]:
    """Every unit whose work passed to ``unit`` by mergers, directly or through a chain of
    them (one recursive statement); the most recently ended first."""
    chain = select(Unit.id).where(Unit.successor_id == unit.id).cte("chain", recursive=True)
    chain = chain.union(select(Unit.id).join(chain, Unit.successor_id == chain.c.id))
    earlier = session.scalars(
        select(Unit)
        .where(Unit.id.in_(select(chain.c.id)), Unit.id != unit.id)
        .options(lazyload(Unit.aliases))  # a card names them; their aliases are not needed
    ).all()
    return sorted(earlier, key=lambda u: (-(u.valid_to or date.max).toordinal(), u.name))


def answerable_unit(unit: Unit, on: date) -> Unit:
    """The unit answering on ``on`` for what ``unit`` left open: itself while it exists, else
    the end of its chain of successors (a merged department's overdue dossiers and
    publication tasks become its successor's)."""
    seen = {unit.id}
    while unit.ended_before(on) and unit.successor is not None and unit.successor.id not in seen:
        unit = unit.successor
        seen.add(unit.id)
    return unit
