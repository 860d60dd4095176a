"""``tthc-bot db copy --to URL``: move a database (typically the SQLite file) into another
one (typically PostgreSQL), table by table in one transaction, then check it row by row.

The target is migrated to the same revision first and must hold no data of its own (the
indicator catalogue a migration seeds is replaced by the source's, which may have been
edited). Rows keep their ids; a table that refers to itself (a unit's parent and successor)
gets those references once all its rows are in; PostgreSQL's id sequences are moved past
the copied ids so new rows do not collide.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, insert, select, text, update

from storage import db
from storage.models import Base

#: Tables a fresh migration fills (the indicator catalogue): replaced by the source's rows.
SEEDED = ("indicator_aliases", "indicators")
CHUNK = 2000

Progress = Callable[[str, int], None]


class CopyRefused(Exception):
    """The copy cannot start or did not verify; the message is Vietnamese."""


@dataclass
class CopyReport:
    #: (table, rows) in the order they were copied.
    tables: list[tuple[str, int]] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(n for _, n in self.tables)


def _ordered(connection: Connection, table: Table) -> Iterator[tuple[Any, ...]]:
    key = list(table.primary_key.columns) or list(table.columns)
    result = connection.execution_options(stream_results=True).execute(select(table).order_by(*key))
    for partition in result.partitions(CHUNK):
        yield from (tuple(row) for row in partition)


def _self_references(table: Table) -> list[str]:
    return [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]


def copy_database(source: Engine, target_url: str, progress: Progress | None = None) -> CopyReport:
    """Copy every table of ``source`` into the database at ``target_url`` and verify it."""
    revision = db.current_revision(source)
    if revision is None or revision != db.head_revision():
        raise CopyRefused(
            "cơ sở dữ liệu nguồn chưa ở phiên bản mới nhất: chạy tthc-bot db upgrade trước"
        )
    target = db.make_engine(target_url)
    try:
        if target.url == source.url:
            raise CopyRefused("đích trùng với nguồn")
        db.upgrade(target)
        report = CopyReport()
        tables = [t for t in Base.metadata.sorted_tables]
        with source.connect() as reading, target.begin() as writing:
            for table in tables:
                if table.name in SEEDED:
                    continue
                if writing.scalar(select(func.count()).select_from(table)):
                    raise CopyRefused(
                        f"cơ sở dữ liệu đích đã có dữ liệu (bảng {table.name}); "
                        "chỉ chép vào một cơ sở dữ liệu mới"
                    )
            for name in SEEDED:
                writing.execute(Base.metadata.tables[name].delete())
            for table in tables:
                report.tables.append((table.name, _copy_table(reading, writing, table)))
                if progress:
                    progress(table.name, report.tables[-1][1])
            if writing.dialect.name == "postgresql":
                move_sequences(writing, tables)
            _verify(reading, writing, tables)
        return report
    finally:
        target.dispose()


def _copy_table(reading: Connection, writing: Connection, table: Table) -> int:
    names = [c.name for c in table.columns]
    later = _self_references(table)
    key = [c.name for c in table.primary_key.columns]
    deferred: list[dict[str, Any]] = []
    count = 0
    chunk: list[dict[str, Any]] = []
    for row in _ordered(reading, table):
        values = dict(zip(names, row, strict=True))
        if later and any(values[name] is not None for name in later):
            deferred.append({**{k: values[k] for k in key}, **{n: values[n] for n in later}})
            values.update({name: None for name in later})
        chunk.append(values)
        if len(chunk) >= CHUNK:
            writing.execute(insert(table), chunk)
            count += len(chunk)
            chunk = []
    if chunk:
        writing.execute(insert(table), chunk)
        count += len(chunk)
    for values in deferred:
        where = [table.c[k] == values[k] for k in key]
        writing.execute(update(table).where(*where).values({n: values[n] for n in later}))
    return count


def move_sequences(writing: Connection, tables: list[Table]) -> None:
    """PostgreSQL: each table's id sequence continues after the ids written explicitly."""
    for table in tables:
        column = table.c.get("id")
        if column is None or not column.primary_key:
            continue
        writing.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table.name}), 1), "
                f"(SELECT MAX(id) FROM {table.name}) IS NOT NULL)"
            )
        )


def _verify(reading: Connection, writing: Connection, tables: list[Table]) -> None:
    """Every row of every table is in the target, equal column by column."""
    for table in tables:
        copied = _ordered(writing, table)
        number = 0
        for number, row in enumerate(_ordered(reading, table), 1):
            other = next(copied, None)
            if other != row:
                raise CopyRefused(
                    f"kiểm tra sau khi chép: bảng {table.name}, dòng thứ {number} khác nhau; "
                    "không lưu gì"
                )
        if next(copied, None) is not None:
            raise CopyRefused(f"kiểm tra sau khi chép: bảng {table.name} có thêm dòng")
