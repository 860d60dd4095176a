"""Fixtures: a migrated database per test (SQLite always, PostgreSQL when configured),
a frozen clock in the office's time zone, services built by the composition root."""

from __future__ import annotations

import csv
import itertools
import os
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.app import Services, build_services
from bot.cli import load_demo
from core.clock import FrozenClock
from core.config import Config
from storage import db
from storage.importers import ImportOutcome, run_import

PG_URL = os.environ.get("TTHC_TEST_POSTGRES_URL")
# What bot.telegram.application does before building the bot: durations as timedelta.
os.environ.setdefault("PTB_TIMEDELTA", "true")
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
_counter = itertools.count()

BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(not PG_URL, reason="TTHC_TEST_POSTGRES_URL is not set"),
    ),
]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "tthc.db"
    engine = db.make_engine(f"sqlite:///{path}")
    db.upgrade(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


def _pg_admin():  # type: ignore[no-untyped-def]
    assert PG_URL
    return create_engine(PG_URL, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    name = f"tthc_tmpl_{os.getpid()}"
    admin = _pg_admin()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = db.make_engine(make_url(PG_URL).set(database=name).render_as_string(False))
    db.upgrade(engine)
    engine.dispose()
    yield name
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        target = tmp_path / "tthc.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), target)
        yield f"sqlite:///{target}"
        return
    template = request.getfixturevalue("pg_template")
    name = f"tthc_t_{os.getpid()}_{next(_counter)}"
    admin = _pg_admin()
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield make_url(PG_URL).set(database=name).render_as_string(False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(TZ, datetime(2025, 4, 10, 9, 0, tzinfo=TZ))


@pytest.fixture
def services(database_url: str, clock: FrozenClock) -> Iterator[Services]:
    config = Config.model_validate({"database": {"url": database_url}})
    built = build_services(config, clock)
    yield built
    built.close()


@pytest.fixture
def demo(services: Services) -> Services:
    assert load_demo(services) == 0
    return services


@pytest.fixture
def units(services: Services) -> Services:
    """Only the unit registry of the demo."""
    assert do_import(services, EXAMPLES / "demo" / "01_don_vi.csv").ok
    return services


def do_import(services: Services, path: Path, **kwargs: object) -> ImportOutcome:
    return run_import(
        services.session_factory,
        services.config,
        services.clock,
        services.calendar,
        path,
        **kwargs,  # type: ignore[arg-type]
    )


def write_csv(
    folder: Path, name: str, rows: list[list[object]], delimiter: str = ",", bom: bool = False
) -> Path:
    path = folder / name
    with path.open("w", newline="", encoding="utf-8-sig" if bom else "utf-8") as fh:
        csv.writer(fh, delimiter=delimiter).writerows(rows)
    return path


def write_xlsx(folder: Path, name: str, sheets: dict[str, list[list[object]]]) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    path = folder / name
    workbook.save(path)
    return path
