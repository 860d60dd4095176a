"""Named queries checked against the plain definition of what they answer, on histories
shaped to reach every path (the newest pages, the fallback over older history, ties)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from bot.app import Services
from core.records import Reading
from storage.models import Indicator, Observation, Period, Snapshot, Unit, UnitAlias, UnitKind
from storage.queries.rankings import compute_kind_table, kinds_with_data
from storage.queries.readings import history, latest_readings
from storage.units import ExactNames, find_unit, unit_keys

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _reference(readings: list[Reading], depth: int) -> dict[int, list[Reading]]:
    """Per indicator, the series (source, period) holding its newest reading (the first
    source by name on a tie) and that series' ``depth`` newest readings."""
    result: dict[int, list[Reading]] = {}
    for indicator_id in {r.indicator_id for r in readings}:
        own = [r for r in readings if r.indicator_id == indicator_id]
        newest = max(r.as_of for r in own)
        series = min((r.source, r.period) for r in own if r.as_of == newest)
        chosen = [r for r in own if (r.source, r.period) == series]
        result[indicator_id] = sorted(chosen, key=lambda r: r.as_of, reverse=True)[:depth]
    return result


def test_latest_readings_match_the_plain_definition_across_pages(units: Services) -> None:
    day = date(2026, 11, 30)
    with units.session_factory() as session:
        unit, other = session.scalars(select(Unit).order_by(Unit.id).limit(2))
        a, b, c, d, e = session.scalars(select(Indicator).order_by(Indicator.id).limit(5))
        snapshots: dict[tuple[str, date], Snapshot] = {}

        def put(source: str, as_of: date, indicator: Indicator, value: float, who: Unit) -> None:
            snapshot = snapshots.get((source, as_of))
            if snapshot is None:
                snapshot = Snapshot(as_of=as_of, period=Period.DAY, source=source, created_at=NOW)
                session.add(snapshot)
                session.flush()
                snapshots[(source, as_of)] = snapshot
            session.add(
                Observation(
                    snapshot_id=snapshot.id,
                    unit_id=who.id,
                    indicator_id=indicator.id,
                    value=value,
                    updated_at=NOW,
                )
            )

        for n in range(60):  # a: daily in source A, newest first pages settle it
            put("A", day - timedelta(days=n), a, float(n), unit)
        put("B", day, b, 1.0, unit)  # b: tie at the newest date: source A wins by name
        put("A", day, b, 2.0, unit)
        put("A", day - timedelta(days=50), b, 3.0, unit)  # A's second reading is old
        put("B", day - timedelta(days=1), b, 4.0, unit)
        put("C", day - timedelta(days=45), c, 5.0, unit)  # c: only far back, two sources
        put("D", day - timedelta(days=40), c, 6.0, unit)
        put("D", day - timedelta(days=55), c, 7.0, unit)
        put("A", day - timedelta(days=3), d, 8.0, unit)  # d: one reading only
        put("A", day, e, 9.0, other)  # e: another unit's, not this one's
        session.flush()
        everything = [
            r for r in (history(session, unit.id, i.id) for i in (a, b, c, d, e)) for r in r
        ]
        for depth in (1, 2, 3):
            expected = _reference(everything, depth)
            assert latest_readings(session, unit.id, depth=depth) == expected
            ids = [b.id, c.id, e.id]
            assert latest_readings(session, unit.id, ids, depth=depth) == {
                k: v for k, v in expected.items() if k in ids
            }
        assert latest_readings(session, unit.id, [b.id])[b.id][1].value == 3.0
        assert [r.value for r in latest_readings(session, unit.id, [c.id])[c.id]] == [
            6.0,
            7.0,
        ]


def test_kind_tables_and_kinds_match_the_plain_definition(units: Services) -> None:
    """A table of a kind holds each living unit's two newest readings, whether the unit is
    in the newest snapshot, behind it (its last file was older) or missing from the snapshot
    before; a unit that ended before the table's date is left out; a kind is listed for an
    indicator only when one of its units has a value of it."""
    day = date(2026, 11, 30)
    with units.session_factory() as session:
        a, unused = session.scalars(select(Indicator).order_by(Indicator.id.desc()).limit(2))
        made = []
        for n in range(6):
            name_key, core_key = unit_keys(f"Xã Thử {n}")
            made.append(
                Unit(
                    name=f"Xã Thử {n}",
                    name_key=name_key,
                    core_key=core_key,
                    kind="commune",
                    created_at=NOW,
                )
            )
        made[5].valid_to = day - timedelta(days=1)
        session.add_all(made)
        snapshots = []
        for n in range(4):
            snapshot = Snapshot(
                as_of=day - timedelta(days=n), period=Period.DAY, source="A", created_at=NOW
            )
            session.add(snapshot)
            snapshots.append(snapshot)
        session.flush()
        present = {  # unit -> the snapshots (0 newest) it is in
            0: (0, 1, 2, 3),
            1: (0, 2, 3),  # missing from the snapshot before the newest
            2: (1, 2),  # behind: its newest reading is a day old
            3: (3,),  # behind with a single reading
            4: (),  # no reading at all
            5: (0, 1),  # ended the day before the newest snapshot
        }
        for n, held in present.items():
            for k in held:
                session.add(
                    Observation(
                        snapshot_id=snapshots[k].id,
                        unit_id=made[n].id,
                        indicator_id=a.id,
                        value=10.0 * n + k,
                        updated_at=NOW,
                    )
                )
        session.flush()
        table = compute_kind_table(session, a.id, "commune")
        assert table is not None and table.as_of == day
        expected = set()
        for n in (0, 1, 2, 3):
            own = list(reversed(history(session, made[n].id, a.id)))
            before = own[1] if len(own) > 1 else None
            expected.add(
                (
                    made[n].name,
                    own[0].value,
                    own[0].as_of,
                    before.value if before else None,
                    before.as_of if before else None,
                )
            )
        ours = {r for r in table.rows if r.unit.name.startswith("Xã Thử")}
        assert {(r.unit.name, r.value, r.as_of, r.before, r.before_as_of) for r in ours} == (
            expected
        )
        assert "commune" in kinds_with_data(session, a.id)
        assert "commune" not in kinds_with_data(session, unused.id)
        assert kinds_with_data(session, unused.id) == sorted(
            {
                str(kind)
                for kind in session.scalars(
                    select(Unit.kind)
                    .join(Observation, Observation.unit_id == Unit.id)
                    .where(Observation.indicator_id == unused.id)
                )
            }
        )


def test_exact_names_agree_with_find_unit(units: Services) -> None:
    """The import's one-query index of names and aliases finds, for every name and alias
    written any way, of any kind asked, the unit find_unit finds; it leaves to find_unit a
    key two units share (one's name, the other's alias) and what is not exact; it keeps a
    merged unit's successor."""
    with units.session_factory() as session:
        first, second = (
            session.scalars(select(Unit).filter_by(kind=kind).order_by(Unit.id).limit(1)).one()
            for kind in (UnitKind.DISTRICT, UnitKind.COMMUNE)
        )
        first.valid_to = date(2025, 6, 30)
        first.successor = second
        second.aliases.append(UnitAlias(alias=first.name, alias_key=first.name_key, core_key="x"))
        session.flush()
        index = ExactNames(session)
        texts = [u.name for u in session.scalars(select(Unit))]
        texts += [a.alias for a in session.scalars(select(UnitAlias))]
        kinds: list[frozenset[str] | None] = [None, *(frozenset({k.value}) for k in UnitKind)]
        found = 0
        for text in texts:
            for written in (text, f"  {text.upper()} "):
                for kind in kinds:
                    facts = index.only(written, kind)
                    if facts is not None:
                        found += 1
                        match = find_unit(session, written, kinds=kind)
                        assert match.unit is not None and facts.id == match.unit.id
        assert found > len(texts)
        assert index.only(first.name) is None  # first's name, second's alias
        assert find_unit(session, first.name).unit is first  # its kind, from "huyện"
        assert index.only("Sở không có") is None
        facts = index.only(first.name, frozenset({UnitKind.DISTRICT.value}))
        assert facts is not None and facts.id == first.id
        assert (facts.successor, facts.valid_to) == (second.name, date(2025, 6, 30))
        session.rollback()
