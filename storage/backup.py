"""``tthc-bot backup --out FILE`` and ``tthc-bot restore FILE``: a consistent copy of the
database while the bot runs, and putting one back.

SQLite uses its online backup API (one step under a read transaction: in WAL mode the bot
keeps writing meanwhile and the copy is the database as of one instant). PostgreSQL uses
``pg_dump`` (one snapshot, custom format) and ``pg_restore``. Both write to a temporary file
first and rename it, so a failed backup never leaves a truncated file under the name asked
for. A restore first keeps a copy of what it replaces next to the backup file, then migrates
the restored database to the newest schema if it came from an older version.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import URL

from storage import db

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


class BackupFailed(Exception):
    """The backup or restore did not happen; the message says why, in Vietnamese."""


@dataclass(frozen=True)
class RestoreReport:
    #: Where the database as it was before the restore was kept.
    previous: Path
    #: The schema revision of the backup, and the one the database is at now.
    restored_revision: str | None
    revision: str | None


def backup(engine: Engine, out: Path) -> int:
    """A consistent copy of the database in ``out``; its size in bytes."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    try:
        if engine.dialect.name == "sqlite":
            _sqlite_copy(_sqlite_path(engine.url), partial)
        else:
            _pg_dump(engine.url, partial)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    return out.stat().st_size


def restore(engine: Engine, backup_file: Path, now: datetime) -> RestoreReport:
    """Put ``backup_file`` back as the database; what it replaces is kept first."""
    backup_file = backup_file.resolve()
    if not backup_file.is_file():
        raise BackupFailed(f"không có tệp {backup_file}")
    with backup_file.open("rb") as fh:
        head = fh.read(len(SQLITE_MAGIC))
    sqlite = engine.dialect.name == "sqlite"
    expected = SQLITE_MAGIC if sqlite else PG_DUMP_MAGIC
    if not head.startswith(expected):
        kind = "SQLite" if sqlite else "pg_dump (định dạng custom)"
        raise BackupFailed(
            f"{backup_file.name} không phải bản sao lưu {kind} của tthc-bot cho cơ sở dữ liệu "
            f"này ({db.describe_url(str(engine.url))})"
        )
    suffix = ".db" if sqlite else ".dump"
    previous = backup_file.with_name(f"truoc-khi-phuc-hoi-{now:%Y%m%d-%H%M%S}{suffix}")
    backup(engine, previous)
    engine.dispose()
    if sqlite:
        restored_revision = _sqlite_revision(backup_file)
        _sqlite_copy(backup_file, _sqlite_path(engine.url))
    else:
        _pg_restore(engine.url, backup_file)
        restored_revision = db.current_revision(engine)
    engine.dispose()
    head_revision = db.head_revision()
    if restored_revision != head_revision:
        db.upgrade(engine)
    return RestoreReport(previous, restored_revision, db.current_revision(engine))


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        raise BackupFailed("chỉ sao lưu được cơ sở dữ liệu SQLite nằm trong một tệp")
    return Path(url.database)


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup, ``source`` into ``target`` (replacing its contents)."""
    if not source.exists():
        raise BackupFailed(f"không có cơ sở dữ liệu {source}")
    reading = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    try:
        writing = sqlite3.connect(target, timeout=30)
        try:
            reading.backup(writing)  # every page in one step: one consistent instant
        finally:
            writing.close()
    except sqlite3.Error as exc:
        raise BackupFailed(f"SQLite: {exc}") from exc
    finally:
        reading.close()


def _sqlite_revision(path: Path) -> str | None:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error as exc:
        raise BackupFailed(f"{path.name} không phải cơ sở dữ liệu của tthc-bot ({exc})") from exc
    finally:
        connection.close()
    return str(row[0]) if row else None


def _libpq(url: URL) -> tuple[list[str], dict[str, str]]:
    """Connection options for pg_dump/pg_restore; the password goes in the environment, never
    on a command line other users can read."""
    args = ["--dbname", url.database or "postgres"]
    if url.host:
        args += ["--host", url.host]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def _run_pg(tool: str, args: list[str], env: dict[str, str]) -> None:
    program = shutil.which(tool)
    if program is None:
        raise BackupFailed(
            f"không tìm thấy {tool}: cài gói postgresql-client cùng phiên bản với máy chủ"
        )
    result = subprocess.run([program, *args], env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupFailed(f"{tool}: {result.stderr.strip()[-500:]}")


def _pg_dump(url: URL, out: Path) -> None:
    args, env = _libpq(url)
    _run_pg("pg_dump", [*args, "--format=custom", "--no-owner", "--file", str(out)], env)


def _pg_restore(url: URL, backup_file: Path) -> None:
    args, env = _libpq(url)
    _run_pg(
        "pg_restore",
        [*args, "--clean", "--if-exists", "--no-owner", "--single-transaction", str(backup_file)],
        env,
    )
