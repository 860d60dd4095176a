"""Engines, sessions and schema migrations for SQLite (default) and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:  # alembic is imported by the commands that migrate, not at start
    from alembic.config import Config as AlembicConfig

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def database_problem(exc: BaseException) -> str:
    """What went wrong with the database, in words for users (never "OperationalError")."""
    text = str(exc).lower()
    if "locked" in text or "lock timeout" in text or "deadlock" in text:
        return "cơ sở dữ liệu đang bị khóa (đang bận ghi), thử lại sau ít phút"
    if (isinstance(exc, DBAPIError) and exc.connection_invalidated) or any(
        words in text
        for words in ("connection", "server closed", "terminating", "could not connect")
    ):
        return "mất kết nối tới cơ sở dữ liệu, thử lại sau ít phút"
    if "disk" in text or "no space" in text or "readonly" in text or "read-only" in text:
        return "cơ sở dữ liệu không ghi được (ổ đĩa đầy hoặc chỉ đọc); hãy báo quản trị viên"
    return "lỗi cơ sở dữ liệu; hãy thử lại sau hoặc báo quản trị viên"


def make_engine(url: str, echo: bool = False, busy_timeout: float = 30) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout (seconds a
    statement waits for another writer)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, echo=echo, hide_parameters=True, connect_args={"timeout": busy_timeout}
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # Plans made for each statement's own values: after five runs of a prepared statement
    # PostgreSQL may switch to a plan for any values, and for "identity IN (900 values)" on
    # 300,000 alerts that was a sequential scan (3 s instead of 7 ms).
    return create_engine(
        url,
        echo=echo,
        hide_parameters=True,  # a failed statement's values (a dossier's row) stay out of logs
        pool_pre_ping=True,
        connect_args={"options": "-c plan_cache_mode=force_custom_plan"},
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def ping(engine: Engine) -> None:
    """Connect and ask the simplest question; raises the driver's error when it cannot."""
    from sqlalchemy import text

    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def describe_url(url: str) -> str:
    """The URL as it may be printed: without its password."""
    return make_url(url).render_as_string(hide_password=True)


def exists(url: str) -> bool:
    """Whether the database is there: an SQLite file that exists (asking would create it);
    any other server is assumed to be."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return True
    database = parsed.database
    return not database or database == ":memory:" or Path(database).exists()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def alembic_config(engine: Engine) -> AlembicConfig:
    """An Alembic config that runs the project's migrations on ``engine``."""
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to ``revision``."""
    from alembic import command

    command.upgrade(alembic_config(engine), revision)
    refresh_statistics(engine)


#: Rows SQLite reads per index when it gathers statistics: estimates within a few per cent,
#: in tens of milliseconds on millions of rows (a full ANALYZE reads every row).
SQLITE_ANALYSIS_LIMIT = 20_000


def refresh_statistics(engine: Engine) -> None:
    """Let the query planner know the tables' sizes (``ANALYZE``). Without statistics SQLite
    guesses, and picks the index of dossiers by due time over the one of unfinished dossiers
    (/overdue 60 ms instead of 15). Run after migrating and after each stored import; on
    PostgreSQL autovacuum does it too, later."""
    from sqlalchemy import text

    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(text(f"PRAGMA analysis_limit={SQLITE_ANALYSIS_LIMIT}"))
        connection.execute(text("ANALYZE"))


def downgrade(engine: Engine, revision: str) -> None:
    """Revert migrations down to ``revision`` ("base" for an empty database)."""
    from alembic import command

    command.downgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None when never migrated)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """The newest revision shipped with the code."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config_for_scripts()).get_current_head()


def alembic_config_for_scripts() -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def new_revision(engine: Engine, message: str) -> str:
    """Write the next migration, autogenerated from the difference between the models and
    the database at ``engine`` (which must be at the newest revision); its path."""
    from alembic import command

    head = head_revision()
    rev_id = f"{int(head) + 1:04d}" if head is not None and head.isdigit() else None
    script = command.revision(
        alembic_config(engine), message=message, autogenerate=True, rev_id=rev_id
    )
    scripts = script if isinstance(script, list) else [script]
    return ", ".join(str(s.path) for s in scripts if s is not None)


def drop(engine: Engine) -> None:
    """Remove everything of this database: the file of an SQLite database, else every table
    (the migrations down to nothing)."""
    url = engine.url
    engine.dispose()
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        for suffix in ("", "-wal", "-shm"):
            Path(url.database + suffix).unlink(missing_ok=True)
        return
    if current_revision(engine) is not None:
        downgrade(engine, "base")
