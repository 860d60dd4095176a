"""``make bench``: measure the paths a user waits on, on generated tiers, and write
``bench/results.json`` and ``docs/benchmarks.md``. Benchmarks report figures; they never fail.

    python -m bench.run [--tier province] [--days 90,365,1095] [--quick]

Measured: reply compute in-process (median and p95, at each history length), all data rules
after the newest snapshot, imports against the bare pandas + calamine read of the same file,
resident memory, and (``bench.telegram``) the 1,000-chat fan-out and a burst of /top against
an echo bot. ``--tier nation --url …`` runs the replies and the rules on PostgreSQL.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench.generate import TIERS, generate

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
RESULTS = ROOT / "bench" / "results.json"
REPORT = ROOT / "docs" / "benchmarks.md"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = datetime(2026, 12, 1, 9, 0, tzinfo=TZ)
COMMANDS = {
    "rank": "/rank",
    "unit": "/unit Sở Mẫu 1.5",
    "top": "/top",
    "top_commune": "/top xã",
    "overdue": "/overdue",
    "indicators": "/indicators",
    "compare": "/compare Sở Mẫu 1.5, Sở Mẫu 1.6",
}
#: Replies that come with a chart (their goal is the chart's).
WITH_CHART = {"rank", "unit"}
GOALS_MS = {"text": 30.0, "chart": 250.0}

Results = dict[str, dict[str, Any]]


#: Reply goals per tier (text, chart) in ms, and the data rules' goal in seconds.
TEXT_GOAL_MS = {"province": 30.0, "nation": 100.0}
RULES_GOAL_S = {"province": 0.5, "nation": 10.0}
#: The nation tier's PostgreSQL database (``--url``), when measured.
_URLS: dict[str, str] = {}


def _key(tier: str, name: str) -> str:
    return name if tier == "province" else f"{tier}_{name}"


def _database(tier: str, days: int) -> str:
    """The tier's database of ``days`` days, generated the first time: SQLite files under
    bench/data, or the PostgreSQL database given for the nation tier."""
    from sqlalchemy import inspect, text

    from storage import db

    base = _URLS.get(tier)
    url = f"{base}_{days}" if base else f"sqlite:///{DATA / f'{tier}-{days}.db'}"
    _create_database(url)
    engine = db.make_engine(url)
    try:
        with engine.connect() as connection:
            built = (
                inspect(connection).has_table("snapshots")
                and connection.execute(text("SELECT count(*) FROM snapshots")).scalar_one()
            )
    finally:
        engine.dispose()
    if not built:
        DATA.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        generate(url, TIERS[tier], TODAY.date(), days)
        print(f"generated {tier}-{days} in {time.monotonic() - started:.0f} s", file=sys.stderr)
        _vacuum(url)
    # Migrated like any database (one built by an earlier version), with its statistics.
    engine = db.make_engine(url)
    db.upgrade(engine)
    engine.dispose()
    return url


def _vacuum(url: str) -> None:
    """A freshly written PostgreSQL database vacuumed, as autovacuum leaves a live one: the
    visibility map lets index-only scans skip the table."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    if make_url(url).get_backend_name() != "postgresql":
        return
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("VACUUM (ANALYZE)"))
    finally:
        engine.dispose()


def _create_database(url: str) -> None:
    """A PostgreSQL database that does not exist yet is created (empty)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            found = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": parsed.database}
            ).first()
            if found is None:
                connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    finally:
        admin.dispose()


@contextlib.contextmanager
def _scratch(url: str) -> Iterator[str]:
    """A throw-away copy of a database: a file copy, or ``CREATE DATABASE … TEMPLATE``."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            assert parsed.database is not None
            copy = Path(folder) / Path(parsed.database).name
            shutil.copy(parsed.database, copy)
            yield f"sqlite:///{copy}"
        return
    name = f"{parsed.database}_scratch"
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{parsed.database}"'))
        yield parsed.set(database=name).render_as_string(hide_password=False)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _services(url: str) -> Any:
    """The services as the bot builds them, settled as the bot settles before its first
    update (``settle_after_start``)."""
    from bot.app import build_services, settle_after_start
    from core.clock import FrozenClock
    from core.config import Config

    config = Config.model_validate(
        {"database": {"url": url}, "office": {"province": "UBND tỉnh Mẫu 1"}}
    )
    services = build_services(config, FrozenClock(TZ, TODAY))
    settle_after_start()
    return services


def _timed(action: Callable[[], object], runs: int, warmup: int = 2) -> list[float]:
    for _ in range(warmup):
        action()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return times


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure_replies(results: Results, tier: str, days_list: list[int], runs: int) -> None:
    from handlers.access import Asker
    from handlers.router import answer
    from storage.queries.rankings import clear_table_cache
    from views.charts import clear_cache

    admin = Asker()
    for days in days_list:
        services = _services(_database(tier, days))
        try:
            for name, text in COMMANDS.items():
                reply = answer(services, text, admin)
                assert not reply.text.startswith("Lỗi"), reply.text
                kind = "chart" if name in WITH_CHART else "text"

                def drawn(s: Any = services, t: str = text) -> None:
                    # Computed and drawn anew each time: the cost, not the caches'.
                    clear_cache()
                    clear_table_cache()
                    answer(s, t, admin)

                times = _timed(drawn, runs)
                goal = GOALS_MS[kind] if kind == "chart" else TEXT_GOAL_MS[tier]
                p95 = _p95(times)
                key = _key(tier, f"reply_{name}_{days}d_p95")
                results[key] = {
                    "value": round(p95, 1),
                    "unit": "ms",
                    "goal": f"< {goal:g} ms ({kind})",
                    "met": p95 < goal,
                    "tier": tier,
                    "median": round(statistics.median(times), 1),
                }
                # The same reply asked again, the data unchanged: from the caches.
                cached = _timed(lambda s=services, t=text: answer(s, t, admin), runs)
                if statistics.median(cached) < 0.8 * statistics.median(times):
                    results[key]["cached_median"] = round(statistics.median(cached), 1)
        finally:
            services.close()


#: Days replayed one by one by the rules benchmark (a week of daily runs, and one more).
REPLAYED_DAYS = 8


def measure_rules(results: Results, tier: str, days_list: list[int]) -> None:
    """The data rules after each new day's snapshot, as after each daily import: on a copy of
    the database without its newest days, the rules' first run stores what was open then;
    the days are put back one at a time, the rules raised and stored after each (the daily
    steady state, with a week of alerts told). Reported: the last day's run, the alerts a day
    brought, and every finding evaluated without storing."""
    from sqlalchemy import create_engine, text

    from app.alerts.engine import evaluate, raise_alerts, rule_context
    from app.alerts.registry import DATA_RULES

    goal = RULES_GOAL_S[tier]
    for days in days_list:
        with _scratch(_database(tier, days)) as copy:
            engine = create_engine(copy)
            with engine.begin() as connection:
                held = list(
                    connection.execute(
                        text("SELECT DISTINCT as_of FROM snapshots ORDER BY as_of DESC LIMIT :n"),
                        {"n": REPLAYED_DAYS},
                    ).scalars()
                )[::-1]
                for statement in (
                    "CREATE TABLE held_snapshots AS SELECT * FROM snapshots WHERE as_of >= :day",
                    "CREATE TABLE held_observations AS SELECT * FROM observations"
                    " WHERE snapshot_id IN (SELECT id FROM held_snapshots)",
                    "DELETE FROM observations WHERE snapshot_id IN (SELECT id FROM held_snapshots)",
                    "DELETE FROM snapshots WHERE id IN (SELECT id FROM held_snapshots)",
                ):
                    connection.execute(text(statement), {"day": held[0]})
            services = _services(copy)
            try:
                started = time.perf_counter()
                raise_alerts(services, DATA_RULES)  # before: everything open is new
                first = time.perf_counter() - started
                per_day: list[Counter[str]] = []
                for day in held:
                    with engine.begin() as connection:
                        connection.execute(
                            text(
                                "INSERT INTO snapshots SELECT * FROM held_snapshots"
                                " WHERE as_of = :day"
                            ),
                            {"day": day},
                        )
                        connection.execute(
                            text(
                                "INSERT INTO observations SELECT * FROM held_observations"
                                " WHERE snapshot_id IN"
                                " (SELECT id FROM held_snapshots WHERE as_of = :day)"
                            ),
                            {"day": day},
                        )
                    started = time.perf_counter()
                    raised = raise_alerts(services, DATA_RULES)
                    value = time.perf_counter() - started
                    per_day.append(Counter(alert.rule for alert in raised))
            finally:
                services.close()
                engine.dispose()
        results[_key(tier, f"data_rules_new_day_{days}d")] = {
            "value": round(value, 2),
            "unit": "s",
            "goal": f"< {goal:g} s",
            "met": value < goal,
            "tier": tier,
            "alerts_per_day": [sum(c.values()) for c in per_day],
            "last_day_by_rule": dict(per_day[-1]),
            "first_run_s": round(first, 2),
        }
        services = _services(_database(tier, days))
        try:
            with services.session_factory() as session:
                times = _timed(
                    lambda s=services, db=session: evaluate(rule_context(s, db), DATA_RULES),
                    3,
                    warmup=1,
                )
            value = statistics.median(times) / 1000
            results[_key(tier, f"data_rules_every_finding_{days}d")] = {
                "value": round(value, 2),
                "unit": "s",
                "goal": "(for reference: previews, recipients' catch-up)",
                "met": True,
                "tier": tier,
            }
        finally:
            services.close()


def _import_against_bare_read(path: Path, tier: str, days: int, runs: int) -> dict[str, Any]:
    """A dry-run import of the file (checked, stored, rolled back) against
    ``pandas.read_excel(engine="calamine")`` reading the same file."""
    import pandas as pd

    from app.imports import import_file
    from storage.importers import ImportOptions

    services = _services(_database(tier, days))
    try:
        options = ImportOptions(dry_run=True, as_of=None)
        outcome = import_file(services, path, options)
        assert outcome.ok, outcome.report()
        ours = statistics.median(
            _timed(lambda: import_file(services, path, options), runs, 1 if runs > 1 else 0)
        )
    finally:
        services.close()
    bare = statistics.median(
        _timed(lambda: pd.read_excel(path, sheet_name=None, engine="calamine"), 3, 1)
    )
    ratio = ours / bare
    return {
        "value": round(ratio, 1),
        "unit": "× pandas+calamine",
        "goal": "≤ 2×",
        "met": ratio <= 2,
        "tier": tier,
        "ms": round(ours),
        "bare_ms": round(bare),
    }


def measure_import(results: Results, tier: str, days: int) -> None:
    """A 10,000-row scores sheet: a dry-run import against pandas + calamine reading it."""

    path = DATA / "scores-10000.xlsx"
    if not path.exists():
        rows: list[list[object]] = [["Ngày", "Đơn vị", "Chỉ số", "Giá trị"]]
        codes = ["TOTAL", "R01", "R03", "R04", "R05"]
        for n in range(10_000):  # 100 units x 5 indicators x 20 days, each once
            number = n % 100
            unit = f"Sở Mẫu 1.{number + 1}" if number < 40 else f"UBND xã Mẫu 1.{number + 6}"
            day = f"{n // 500 + 1:02d}/11/2026"
            code = codes[(n // 100) % len(codes)]
            rows.append([day, unit, code, f"{50 + n % 40},{n % 100:02d}"])
        import openpyxl

        workbook = openpyxl.Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.title = "Điểm"
        for row in rows:
            sheet.append(row)
        workbook.save(path)
    results["import_scores_10000_ratio"] = _import_against_bare_read(path, tier, days, runs=3)


def measure_dossier_import(results: Results, tier: str, days: int, rows: int = 100_000) -> None:
    """A dossier export of ``rows`` rows (the portal's columns): a dry-run import against
    pandas + calamine reading it."""

    path = DATA / f"dossiers-{rows}.xlsx"
    if not path.exists():
        import openpyxl

        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet("Hồ sơ")
        sheet.append(
            [
                "MaHoSo",
                "TenTTHC",
                "DonVi",
                "NgayTiepNhan",
                "NgayHenTra",
                "NgayKetThucXuLy",
                "TrangThai",
            ]
        )
        for n in range(rows):
            number = n % 100
            unit = f"Sở Mẫu 1.{number + 1}" if number < 40 else f"UBND xã Mẫu 1.{number + 6}"
            day = 1 + n % 28
            done = n % 4 != 0
            sheet.append(
                [
                    f"000.00.00.H99-2611{day:02d}-{n:06d}",
                    f"Thủ tục số {n % 300}",
                    unit,
                    f"{day:02d}/11/2026 08:00",
                    f"{min(day + 5, 28):02d}/11/2026 17:00",
                    f"{min(day + 3, 28):02d}/11/2026 10:00" if done else None,
                    "Đã trả kết quả" if done else "Đang xử lý",
                ]
            )
        workbook.save(path)
    results[f"import_dossiers_{rows}_ratio"] = _import_against_bare_read(path, tier, days, runs=1)


MEMORY_SCRIPT = """
import importlib.abc, resource, sys
sys.path.insert(0, {root!r})

class DevelopmentOnly(importlib.abc.MetaPathFinder):
    # What only `make test` installs is absent where the bot is deployed (`make run`
    # installs requirements.lock): httpx, for one, imports its command line (click, rich,
    # pygments: 5 MB) when they are there.
    def find_spec(self, name, path, target=None):
        if name.partition(".")[0] in {hidden!r}:
            raise ImportError(name)
        return None

sys.meta_path.insert(0, DevelopmentOnly())
from bench.run import _services, COMMANDS

def resident():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 1024 / 1024

import bot.telegram.application  # what `tthc-bot run` imports at start
services = _services({url!r})
start = resident()
from handlers.access import Asker
from handlers.router import answer
texts = list(COMMANDS.values())
samples = []
for n in range({rounds}):
    # Each round asks every command, for another unit each time (so charts are drawn anew
    # and the chart cache turns over), like an office's leaders and focal points.
    unit = "Sở Mẫu 1." + str(n % 40 + 1)
    for text in texts + ["/unit " + unit, "/compare " + unit + ", Sở Mẫu 1.1"]:
        answer(services, text, Asker())
    samples.append(resident())
# The high-water mark of this program's memory (VmHWM starts again at exec; ru_maxrss
# would carry the parent's size at fork).
with open("/proc/self/status") as fh:
    peak = next(int(l.split()[1]) for l in fh if l.startswith("VmHWM")) / 1024
print(start, samples[len(samples) // 10], samples[-1], peak)
"""


def _locked(path: Path) -> set[str]:
    """The distributions a lock file pins, by normalised name."""
    names = set()
    for line in path.read_text().splitlines():
        if "==" in line and not line.lstrip().startswith("#"):
            names.add(line.split("==")[0].strip().lower().replace("_", "-"))
    return names


def _development_only_modules() -> set[str]:
    """Top-level modules whose every distribution is in requirements-dev.lock only."""
    from importlib.metadata import packages_distributions

    dev_only = _locked(ROOT / "requirements-dev.lock") - _locked(ROOT / "requirements.lock")
    return {
        module
        for module, dists in packages_distributions().items()
        if dists and all(d.lower().replace("_", "-") in dev_only for d in dists)
    }


def measure_memory(results: Results, tier: str, days: int, rounds: int) -> None:
    """Resident size after start, and after ``rounds`` rounds of every command (the default
    300 rounds are 2,700 replies: more than an office asks in an hour); "flat" compares the
    size a tenth of the way through with the size at the end."""
    url = _database(tier, days)
    hidden = sorted(_development_only_modules())
    script = MEMORY_SCRIPT.format(root=str(ROOT), url=url, rounds=rounds, hidden=hidden)
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.split()
    start, warm, end, peak = (float(x) for x in out[-4:])
    results["memory_after_start"] = {
        "value": round(start),
        "unit": "MB",
        "goal": "< 150 MB",
        "met": start < 150,
        "tier": tier,
    }
    results["memory_after_traffic"] = {
        "value": round(end),
        "unit": "MB",
        "goal": "< 150 MB, flat",
        "met": end < 150 and end - warm < 10,
        "tier": tier,
        "after_a_tenth": round(warm),
        "peak": round(peak),
        "replies": rounds * (len(COMMANDS) + 2),
    }


PLANS_HEADING = "\n## Query plans\n"
NOTES_HEADING = "\n## Notes\n"
ENGINES = {"sqlite": "SQLite (province tier)", "postgresql": "PostgreSQL (nation tier)"}


def measure_plans(tier: str, days: int) -> tuple[str, list[str]]:
    """The plans of what the replies and the data rules send, on the tier's engine."""
    from app.alerts.engine import evaluate, rule_context
    from app.alerts.registry import DATA_RULES
    from bench.explain import plans
    from handlers.access import Asker
    from handlers.router import answer
    from storage.queries.rankings import clear_table_cache

    services = _services(_database(tier, days))
    try:
        clear_table_cache()

        def rules() -> None:
            with services.session_factory() as session:
                evaluate(rule_context(services, session, new_only=True), DATA_RULES)

        actions: dict[str, Callable[[], object]] = {
            text: (lambda t=text: answer(services, t, Asker())) for text in COMMANDS.values()
        }
        actions["the data rules"] = rules
        return services.engine.dialect.name, plans(services, actions)
    finally:
        services.close()


def _sections(text: str, heading: str) -> dict[str, str]:
    """The ``### engine`` sections under a heading of the existing report."""
    if heading not in text:
        return {}
    body = text.split(heading, 1)[1].split("\n## ", 1)[0]
    found = {}
    for part in body.split("\n### ")[1:]:
        title, _, rest = part.partition("\n")
        for engine, label in ENGINES.items():
            if title.strip() == label:
                found[engine] = rest.strip("\n")
    return found


def write_report(results: Results, plans: dict[str, list[str]]) -> None:
    """bench/results.json (merged with the figures of tiers not measured this time) and
    docs/benchmarks.md: the table, the notes kept as written, the query plans."""
    merged: Results = {}
    if RESULTS.exists():
        merged = json.loads(RESULTS.read_text("utf-8"))
    merged.update(results)
    RESULTS.write_text(json.dumps(merged, ensure_ascii=False, indent=2) + "\n", "utf-8")
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`bench/run.py`) on the generated tiers of `bench/generate.py`;",
        "figures from the last run on this repository's machine (2 cores). Benchmarks report,",
        "they never fail the test suite.",
        "",
        "| benchmark | value | goal | met | tier |",
        "|---|---|---|---|---|",
    ]
    for name, item in merged.items():
        met = "✅" if item["met"] else "❌"
        value = f"{item['value']} {item['unit']}"
        if "median" in item:
            value += f" (median {item['median']} ms"
            if "cached_median" in item:
                value += f"; from the cache {item['cached_median']} ms"
            value += ")"
        extra = {
            k: v
            for k, v in item.items()
            if k not in ("value", "unit", "goal", "met", "tier", "median", "cached_median")
        }
        if extra:
            value += "<br>" + ", ".join(f"{k}: {v}" for k, v in extra.items())
        lines.append(f"| {name} | {value} | {item['goal']} | {met} | {item['tier']} |")
    REPORT.parent.mkdir(exist_ok=True)
    existing = REPORT.read_text("utf-8") if REPORT.exists() else ""
    notes = ""
    if NOTES_HEADING in existing:
        notes = existing.split(NOTES_HEADING, 1)[1].split(PLANS_HEADING, 1)[0].rstrip("\n")
    kept = _sections(existing, PLANS_HEADING)
    kept.update({engine: "\n".join(found) for engine, found in plans.items()})
    text = "\n".join(lines) + "\n"
    if notes:
        text += NOTES_HEADING + notes + "\n"
    if kept:
        text += PLANS_HEADING + (
            "\nEach statement the replies and the data rules send that reads observations,"
            " dossiers or alerts, as the engine plans it (written by `make bench`).\n"
        )
        for engine, label in ENGINES.items():
            if engine in kept:
                text += f"\n### {label}\n\n{kept[engine]}\n"
    REPORT.write_text(text, "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description="measure the paths a user waits on")
    parser.add_argument("--tier", choices=sorted(TIERS), default="province")
    parser.add_argument(
        "--url",
        help="the nation tier's PostgreSQL databases: URL_30 for 30 days… (generated when empty)",
    )
    parser.add_argument("--days", help="history lengths, comma-separated (province: 90,365,1095)")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="one history length, fewer runs")
    args = parser.parse_args()
    if args.tier == "nation":
        if not args.url:
            parser.error("the nation tier runs on PostgreSQL: give --url")
        _URLS["nation"] = args.url
    default_days = "90,365,1095" if args.tier == "province" else "30"
    days_list = [int(d) for d in (args.days or default_days).split(",")]
    if args.quick:
        days_list = days_list[:1]
    runs = 5 if args.quick else args.runs
    results: Results = {}
    measure_replies(results, args.tier, days_list, runs)
    measure_rules(results, args.tier, days_list)
    engine, found = measure_plans(args.tier, days_list[-1])
    if args.tier == "province":
        measure_import(results, args.tier, days_list[0])
        measure_dossier_import(results, args.tier, days_list[0])
        measure_memory(results, args.tier, days_list[0], 30 if args.quick else 300)
        from bench.telegram import measure_burst, measure_fanout

        results.update(measure_fanout())
        results.update(measure_burst(DATA / f"{args.tier}-{days_list[0]}.db"))
    write_report(results, {engine: found})
    for name, item in results.items():
        print(f"{name}: {item['value']} {item['unit']} (goal {item['goal']})")


if __name__ == "__main__":
    main()
