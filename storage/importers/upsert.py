"""The one counted upsert every importer stores through: insert what is new, update what
changed, count what is unchanged, in bulk statements."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm import Session

from core.vnformat import fmt_count


class _HasId(Protocol):
    id: Any


Row = TypeVar("Row", bound=_HasId)
Key = TypeVar("Key", bound=Hashable)


@dataclass
class UpsertCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def describe(self, noun: str = "") -> str:
        """ "3 mới, 1 cập nhật, 0 không đổi" ("3 hồ sơ mới, …" with a noun)."""
        word = f"{noun} " if noun else ""
        return (
            f"{fmt_count(self.inserted)} {word}mới, {fmt_count(self.updated)} {word}cập nhật, "
            f"{fmt_count(self.unchanged)} không đổi"
        )


def counted_upsert(
    session: Session,
    model: type[Any],
    existing: Mapping[Key, Row],
    rows: Iterable[tuple[Key, dict[str, Any]]],
    *,
    compare: Sequence[str],
    stamp: Mapping[str, Any],
    counts: UpsertCounts,
    before_update: Callable[[Row], None] | None = None,
) -> None:
    """Store ``rows`` (key, column values) against the ``existing`` rows of the same keys.

    A new key is inserted with ``stamp`` (e.g. import id, time); an existing row whose
    ``compare`` columns differ is updated with ``stamp`` (``before_update`` sees the old row
    first, e.g. to keep a revision); an equal one is only counted. A key given twice keeps
    its last values. Values outside ``compare`` are the row's key (equal for an existing
    row), written only on insert.

    Core statements, one executemany each: ORM bulk persistence costs twice as much per
    row, and setting the key columns again makes SQLite rewrite their index entries."""
    inserts: dict[Key, dict[str, Any]] = {}
    updates: dict[Key, dict[str, Any]] = {}
    for key, values in rows:
        old = existing.get(key)
        if old is None:
            inserts[key] = {**values, **stamp}
        elif all(getattr(old, name) == values[name] for name in compare):
            counts.unchanged += 1
        else:
            if before_update is not None and key not in updates:
                before_update(old)
            updates[key] = {"_id": old.id, **{name: values[name] for name in compare}, **stamp}
    table = model.__table__
    if inserts:
        session.execute(insert(table), list(inserts.values()))
    if updates:
        session.execute(update(table).where(table.c.id == bindparam("_id")), list(updates.values()))
    counts.inserted += len(inserts)
    counts.updated += len(updates)
