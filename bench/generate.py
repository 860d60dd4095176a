"""Build a data tier straight into the schema (bulk inserts, no importer):

    python -m bench.generate --tier province|nation [--days N] [--url URL]

province: 1 province, 150 units, 25 values each, a snapshot every day (3 years by default),
50,000 dossiers, 200 publication tasks, 500 people and chats (SQLite by default).
nation: 34 provinces, 3,400 units, the same per unit, 2,000,000 dossiers, 20,000 people and
chats (PostgreSQL: give --url).  Values follow a seeded random walk, so every run of a tier
builds the same data.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Table, insert, select

from storage import db
from storage.models import Base, Indicator
from storage.units import unit_keys

#: The 25 values each unit has per day: the total, the six groups, 12 tracked ratios, 6 metrics.
CODES = (
    ["TOTAL", "CKMB", "TDGQ", "CLGQ", "TTTT", "MDHL", "MDSH"]
    + [f"R{n:02d}" for n in range(1, 13)]
    + [
        "PUBLISH_ON_TIME",
        "DOSSIER_SYNC",
        "ORIGINAL_RESULT_AVAILABLE",
        "SO_HOA_GIAY_TO_GIAI_QUYET",
        "DOSSIER_RECEIVING_SATISFACTION",
        "PETITION_PROCESSING_ON_TIME",
    ]
)
CHUNK = 20_000
NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Tier:
    name: str
    provinces: int
    units_per_province: int
    dossiers: int
    tasks: int
    people: int
    days: int


TIERS = {
    "province": Tier("province", 1, 150, 50_000, 200, 500, 1095),
    "nation": Tier("nation", 34, 100, 2_000_000, 6_800, 20_000, 365),
}


def _chunks(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _bulk(connection: Connection, table: Table, rows: Iterator[dict[str, Any]]) -> int:
    count = 0
    for chunk in _chunks(rows):
        connection.execute(insert(table), chunk)
        count += len(chunk)
    return count


def _unit(name: str, kind: str, parent: int | None, number: int) -> dict[str, Any]:
    name_key, core = unit_keys(name)
    return {
        "id": number,
        "name": name,
        "name_key": name_key,
        "core_key": core,
        "kind": kind,
        "parent_id": parent,
        "created_at": NOW,
    }


def generate(url: str, tier: Tier, today: date, days: int | None = None) -> dict[str, int]:
    """Fill the (empty) database at ``url`` with the tier; the counts of rows written."""
    days = days or tier.days
    engine = db.make_engine(url)
    db.upgrade(engine)
    tables = Base.metadata.tables
    rng = random.Random(766)
    counts: dict[str, int] = {}
    with engine.begin() as connection:
        indicators = {
            code: (iid, maximum, measure)
            for iid, code, maximum, measure in connection.execute(
                select(Indicator.id, Indicator.code, Indicator.max_score, Indicator.measure)
            )
        }
        units: list[dict[str, Any]] = []
        number = 0
        for p in range(tier.provinces):
            number += 1
            province = number
            units.append(_unit(f"UBND tỉnh Mẫu {p + 1}", "province", None, province))
            departments = tier.units_per_province * 3 // 10
            for u in range(tier.units_per_province - 1):
                number += 1
                kind = "department" if u < departments else "commune"
                label = (
                    f"Sở Mẫu {p + 1}.{u + 1}"
                    if kind == "department"
                    else (f"UBND xã Mẫu {p + 1}.{u + 1}")
                )
                units.append(_unit(label, kind, province, number))
        counts["units"] = _bulk(connection, tables["units"], iter(units))
        first = today - timedelta(days=days)
        snapshots = [
            {
                "id": n + 1,
                "as_of": first + timedelta(days=n),
                "period": "day",
                "source": "DVCQG",
                "created_at": NOW,
            }
            for n in range(days)
        ]
        counts["snapshots"] = _bulk(connection, tables["snapshots"], iter(snapshots))
        level = {(u["id"], code): rng.uniform(0.55, 0.95) for u in units for code in CODES}

        def observations() -> Iterator[dict[str, Any]]:
            for snapshot in snapshots:
                for unit in units:
                    for code in CODES:
                        iid, maximum, measure = indicators[code]
                        key = (unit["id"], code)
                        level[key] = min(1.0, max(0.0, level[key] + rng.gauss(0, 0.01)))
                        scale = 100.0 if measure == "percent" or maximum is None else maximum
                        value = round(level[key] * scale, 2)
                        row = {
                            "snapshot_id": snapshot["id"],
                            "unit_id": unit["id"],
                            "indicator_id": iid,
                            "value": None if rng.random() < 0.01 else value,
                            "max_score": maximum if measure == "point" else None,
                            "rank": None,
                            "rank_of": None,
                            "updated_at": NOW,
                        }
                        if code == "TOTAL" and unit["kind"] == "province":
                            row["rank"] = rng.randint(1, 34)
                            row["rank_of"] = 34
                        yield row

        counts["observations"] = _bulk(connection, tables["observations"], observations())
        unit_ids = [u["id"] for u in units if u["kind"] != "province"]

        def dossiers() -> Iterator[dict[str, Any]]:
            for n in range(tier.dossiers):
                received = datetime.combine(
                    today - timedelta(days=rng.randint(1, 120)), datetime.min.time()
                )
                due = received + timedelta(days=rng.randint(3, 30))
                finished = rng.random() < 0.85
                yield {
                    "code": f"H{n:08d}",
                    "unit_id": rng.choice(unit_ids),
                    "procedure": f"Thủ tục {n % 400}",
                    "received_at": received,
                    "due_at": due,
                    "finished_at": due - timedelta(days=1) if finished else None,
                    "state": "finished" if finished else "processing",
                    "updated_at": NOW,
                }

        counts["dossiers"] = _bulk(connection, tables["dossiers"], dossiers())

        def tasks() -> Iterator[dict[str, Any]]:
            for n in range(tier.tasks):
                deadline = today + timedelta(days=rng.randint(-30, 30))
                yield {
                    "ministry_decision": f"Quyết định số {n}/QĐ-BMẪU",
                    "ministry_decision_no": f"{n}/QĐ-BMẪU",
                    "lead_unit_id": rng.choice(unit_ids),
                    "deadline": deadline,
                    "deadline_basis": "given",
                    "updated_at": NOW,
                }

        counts["publication_tasks"] = _bulk(connection, tables["publication_tasks"], tasks())
        people = (
            {
                "telegram_id": 10_000 + n,
                "name": f"Cán bộ {n}",
                "role": "focal" if n % 10 else "leader",
                "unit_id": unit_ids[n % len(unit_ids)] if n % 10 else None,
                "active": True,
                "created_at": NOW,
            }
            for n in range(tier.people)
        )
        counts["people"] = _bulk(connection, tables["people"], people)
        chats = (
            {
                "chat_id": -1_000_000 - n,
                "title": f"Nhóm {n}",
                "unit_id": unit_ids[n % len(unit_ids)],
                "active": True,
                "created_at": NOW,
            }
            for n in range(tier.people // 2)
        )
        counts["chats"] = _bulk(connection, tables["chats"], chats)
        if connection.dialect.name == "postgresql":
            from storage.copy import move_sequences

            move_sequences(connection, list(Base.metadata.sorted_tables))
    engine.dispose()
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tier", choices=sorted(TIERS), default="province")
    parser.add_argument("--days", type=int)
    parser.add_argument("--url", help="database (default: sqlite:///bench/data/TIER-DAYS.db)")
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 12, 1))
    args = parser.parse_args()
    tier = TIERS[args.tier]
    days = args.days or tier.days
    url = args.url or f"sqlite:///bench/data/{tier.name}-{days}.db"
    started = time.monotonic()
    counts = generate(url, tier, args.today, days)
    print(f"{db.describe_url(url)}: {counts} in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
