"""Named queries checked against the plain definition of what they answer, on histories
shaped to reach every path (the newest pages, the fallback over older history, ties)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from bot.app import Services
from storage import queries
from storage.models import Indicator, Observation, Period, Snapshot, Unit

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _reference(readings: list[queries.Reading], depth: int) -> dict[int, list[queries.Reading]]:
    """Per indicator, the series (source, period) holding its newest reading (the first
    source by name on a tie) and that series' ``depth`` newest readings."""
    result: dict[int, list[queries.Reading]] = {}
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
            r for r in (queries.history(session, unit.id, i.id) for i in (a, b, c, d, e)) for r in r
        ]
        for depth in (1, 2, 3):
            expected = _reference(everything, depth)
            assert queries.latest_readings(session, unit.id, depth=depth) == expected
            ids = [b.id, c.id, e.id]
            assert queries.latest_readings(session, unit.id, ids, depth=depth) == {
                k: v for k, v in expected.items() if k in ids
            }
        assert queries.latest_readings(session, unit.id, [b.id])[b.id][1].value == 3.0
        assert [r.value for r in queries.latest_readings(session, unit.id, [c.id])[c.id]] == [
            6.0,
            7.0,
        ]
