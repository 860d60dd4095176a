"""Fixtures: a migrated database per test (SQLite always, PostgreSQL when configured),
a frozen clock in the office's time zone, services built by the composition root."""

from __future__ import annotations

import contextlib
import csv
import fcntl
import hashlib
import io
import itertools
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.imports import import_file
from bot.app import Services, build_services
from bot.cli import load_demo, main
from core.clock import FrozenClock
from core.config import Config
from storage import db
from storage.alerts import AlertDraft, Audience
from storage.importers import ImportOptions, ImportOutcome

PG_URL = os.environ.get("TTHC_TEST_POSTGRES_URL")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest tests first (the checkers, then the minutes-long ones): spread over the
    workers (`make test` runs pytest-xdist), they start at once instead of last."""
    rank = {"lint": 0, "long": 1}
    items.sort(
        key=lambda item: min(
            (rank[m.name] for m in item.iter_markers() if m.name in rank), default=2
        )
    )


# What bot.telegram.application does before building the bot: durations as timedelta.
os.environ.setdefault("PTB_TIMEDELTA", "true")
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
DEMO_FILES = Path(__file__).resolve().parent.parent / "bot" / "demo"
_counter = itertools.count()

BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(not PG_URL, reason="TTHC_TEST_POSTGRES_URL is not set"),
    ),
]


#: What a template database holds before a test starts (each built once per session).
EMPTY, UNITS, DEMO = "empty", "units", "demo"
_TEMPLATE_CLOCK = datetime(2025, 4, 10, 9, 0, tzinfo=TZ)


def _fill(url: str, contents: str) -> None:
    """Migrate a database and load what ``contents`` asks for, through the real importer."""
    config = Config.model_validate({"database": {"url": url}})
    built = build_services(config, FrozenClock(TZ, _TEMPLATE_CLOCK))
    try:
        db.upgrade(built.engine)
        if contents == UNITS:
            assert do_import(built, DEMO_FILES / "01_don_vi.csv").ok
        elif contents == DEMO:
            with contextlib.redirect_stdout(io.StringIO()):
                assert load_demo(built) == 0
    finally:
        built.close()


class Templates:
    """Migrated (and filled) databases built once per test run, copied for each test: a file
    copy on SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL. The workers of one run
    (pytest-xdist) share them: the first to need one builds it under a lock in the run's
    folder, the others wait and copy it; the run's controller drops them at its end.

    A PostgreSQL copy takes half a second: the next test's copy of the same template is
    made, and a finished test's database dropped, in the background while tests run."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.built: dict[tuple[str, str], str] = {}
        self._background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pg-copies")
        self._next: dict[str, Future[str]] = {}

    def _once(self, backend: str, contents: str, build: Callable[[], str]) -> str:
        key = (backend, contents)
        if key not in self.built:
            marker = self.folder / f"{backend}-{contents}.built"
            with (self.folder / f"{backend}-{contents}.lock").open("w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
                if not marker.exists():
                    marker.write_text(build(), encoding="utf-8")
            self.built[key] = marker.read_text(encoding="utf-8")
        return self.built[key]

    def sqlite(self, contents: str) -> Path:
        def build() -> str:
            path = self.folder / f"{contents}.db"
            _fill(f"sqlite:///{path}", contents)
            engine = db.make_engine(f"sqlite:///{path}")
            with engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            engine.dispose()
            return str(path)

        return Path(self._once("sqlite", contents, build))

    def postgresql(self, contents: str) -> str:
        def build() -> str:
            name = f"{_pg_template_prefix(self.folder.parent)}{contents}"
            _pg_execute(f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"')
            _fill(_pg_url(name), contents)
            return name

        return self._once("postgresql", contents, build)

    def postgresql_copy(self, contents: str) -> str:
        """A database of the test's own, copied from the template of ``contents``."""
        template = self.postgresql(contents)
        ready = self._next.pop(template, None)
        name = ready.result() if ready is not None else _pg_copy(template)
        self._next[template] = self._background.submit(_pg_copy, template)
        return name

    def drop_later(self, name: str) -> None:
        self._background.submit(_pg_execute, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def drop_copies(self) -> None:
        """The copies made ahead that no test took (the templates are the run's)."""
        unused = [ready.result() for ready in self._next.values()]
        self._background.shutdown(wait=True)
        for name in unused:
            _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run_folder(factory: pytest.TempPathFactory) -> Path:
    """The folder of this run: a worker's base folder is inside its controller's."""
    base = factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def _pg_template_prefix(run_folder: Path) -> str:
    return f"tthc_tmpl_{hashlib.sha1(str(run_folder).encode()).hexdigest()[:10]}_"


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The run's PostgreSQL templates dropped once every worker is done (by the controller,
    or by the only process)."""
    if not PG_URL or hasattr(session.config, "workerinput"):
        return
    prefix = _pg_template_prefix(_run_folder(session.config._tmp_path_factory))  # type: ignore[attr-defined]
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            names = connection.execute(
                text("SELECT datname FROM pg_database WHERE starts_with(datname, :prefix)"),
                {"prefix": prefix},
            ).scalars()
            for name in list(names):
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _pg_copy(template: str) -> str:
    name = f"tthc_t_{os.getpid()}_{next(_counter)}"
    _pg_execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return name


def _pg_url(name: str) -> str:
    assert PG_URL
    return make_url(PG_URL).set(database=name).render_as_string(False)


def _pg_execute(*statements: str) -> None:
    assert PG_URL
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            for statement in statements:
                connection.execute(text(statement))
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    folder = _run_folder(tmp_path_factory) / "templates"
    folder.mkdir(exist_ok=True)
    built = Templates(folder)
    yield built
    if PG_URL:
        built.drop_copies()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _copy(templates: Templates, backend: str, contents: str, folder: Path) -> Iterator[str]:
    if backend == "sqlite":
        target = folder / "tthc.db"
        shutil.copy(templates.sqlite(contents), target)
        yield f"sqlite:///{target}"
        return
    name = templates.postgresql_copy(contents)
    yield _pg_url(name)
    templates.drop_later(name)


def _services(url: str, clock: FrozenClock) -> Iterator[Services]:
    built = build_services(Config.model_validate({"database": {"url": url}}), clock)
    yield built
    built.close()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(TZ, _TEMPLATE_CLOCK)


@pytest.fixture
def database_url(templates: Templates, backend: str, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database of its own for this test."""
    yield from _copy(templates, backend, EMPTY, tmp_path)


@pytest.fixture
def services(database_url: str, clock: FrozenClock) -> Iterator[Services]:
    yield from _services(database_url, clock)


@pytest.fixture
def demo(
    templates: Templates, backend: str, tmp_path: Path, clock: FrozenClock
) -> Iterator[Services]:
    """A database of its own holding the demo data (``tthc-bot demo``)."""
    for url in _copy(templates, backend, DEMO, tmp_path):
        yield from _services(url, clock)


@pytest.fixture
def units(
    templates: Templates, backend: str, tmp_path: Path, clock: FrozenClock
) -> Iterator[Services]:
    """A database of its own holding only the unit registry of the demo."""
    for url in _copy(templates, backend, UNITS, tmp_path):
        yield from _services(url, clock)


def run_cli(args: list[str], env: dict[str, str], cwd: Path, expect: int = 0) -> str:
    """``tthc-bot ARGS`` in this process, with exactly this environment and working folder:
    the same ``main`` as the installed command, without an interpreter's start-up."""
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if n not in env]:
            patch.delenv(name)
        for name, value in env.items():
            patch.setenv(name, value)
        patch.chdir(cwd)
        with contextlib.redirect_stdout(out):
            code = main(args)
    assert code == expect, out.getvalue()
    return out.getvalue()


def start_bot(
    folder: Path, env: dict[str, str], *args: str, log: str = "bot.log"
) -> subprocess.Popen[str]:
    """``tthc-bot ARGS`` (``run`` and its options) as a process of its own in ``folder``, its
    output in the file ``log`` there: a pipe nobody reads would fill up and stall the bot."""
    with (folder / log).open("w", encoding="utf-8") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "bot.cli", *args],
            env=env,
            cwd=folder,
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
        )


def chat_alerts(
    prefix: str, chats: Iterable[int], also: Callable[[int], list[int]] | None = None
) -> list[AlertDraft]:
    """One overdue alert per chat, addressed to that chat (and to ``also(chat)``): what the
    delivery tests queue ("overdue:<prefix><chat>")."""
    return [
        AlertDraft(
            identity=f"overdue:{prefix}{chat}",
            rule="overdue",
            audience=Audience.UNIT,
            payload={"unit": "Sở Mẫu", "code": f"{prefix}{chat}", "procedure": "Cấp phép"},
            chats=[chat, *(also(chat) if also is not None else [])],
        )
        for chat in chats
    ]


def do_import(services: Services, path: Path, **kwargs: object) -> ImportOutcome:
    return import_file(services, path, ImportOptions(**kwargs))  # type: ignore[arg-type]


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
