"""The query plans of the paths a user waits on, on both engines, for docs/benchmarks.md.

Every statement a command (and the data rules) sends is caught as it runs; each one that
reads a big table (observations, dossiers, alerts) is explained on the same database:
``EXPLAIN QUERY PLAN`` on SQLite, ``EXPLAIN`` on PostgreSQL.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import event

BIG_TABLES = re.compile(r"\b(observations|dossiers|alerts)\b")


def plans(services: Any, actions: dict[str, Callable[[], object]]) -> list[str]:
    """Markdown: per action, each distinct statement on a big table and its plan."""
    engine = services.engine
    caught: list[tuple[str, Any]] = []

    def catch(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and BIG_TABLES.search(statement):
            caught.append((statement, parameters))

    lines: list[str] = []
    seen: set[str] = set()
    for name, action in actions.items():
        caught.clear()
        event.listen(engine, "before_cursor_execute", catch)
        try:
            action()
        finally:
            event.remove(engine, "before_cursor_execute", catch)
        statements = [(s, p) for s, p in caught if s not in seen]
        seen.update(s for s, _ in statements)
        if not statements:
            continue
        lines.append(f"#### {name}")
        for statement, parameters in statements:
            plan = _plan(engine, statement, parameters)
            lines += ["", "```sql", _short(statement), "```", "", "```", *plan, "```"]
        lines.append("")
    return lines


#: A list of bound values (``IN (?, ?, …)``, ``IN (%(p_1)s::INTEGER, …)``).
_BOUND = r"\s*(?:\?|%\([^)]*\)s(?:::\w+)?)\s*"
_VALUES = re.compile(rf"\((?:{_BOUND},){{3,}}{_BOUND}\)")
#: A literal array or list in a plan (``ANY ('{32,33,…}'::integer[])``).
_ARRAY = re.compile(r"'\{([^}]{60,})\}'")
#: Longest line kept in a plan.
_WIDTH = 160


def _short(statement: str) -> str:
    """The statement on a few lines (long column and value lists shortened)."""
    flat = " ".join(statement.split())
    flat = _VALUES.sub(lambda m: f"(… {m.group(0).count(',') + 1} values)", flat)
    flat = re.sub(r"SELECT (.{80}).*? FROM", r"SELECT \1… FROM", flat, count=1)
    return re.sub(r" (FROM|JOIN|LEFT OUTER JOIN|WHERE|GROUP BY|ORDER BY|LIMIT) ", r"\n\1 ", flat)


def _shown(line: str) -> str:
    """A plan line with long literal lists counted, not printed, and cut to a width."""
    line = _ARRAY.sub(lambda m: f"'{{… {m.group(1).count(',') + 1} values}}'", line)
    return line if len(line) <= _WIDTH else line[: _WIDTH - 1] + "…"


def _plan(engine: Any, statement: str, parameters: Any) -> list[str]:
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        cursor = raw.cursor()
        try:
            if engine.dialect.name == "sqlite":
                cursor.execute(f"EXPLAIN QUERY PLAN {statement}", parameters)
                depth: dict[int, int] = {0: -1}
                shown = []
                for node, parent, _unused, detail in cursor.fetchall():
                    depth[node] = depth.get(parent, -1) + 1
                    shown.append(_shown(f"{'  ' * depth[node]}{detail}"))
                return shown
            cursor.execute(f"EXPLAIN {statement}", parameters)
            return [_shown(row[0]) for row in cursor.fetchall()]
        finally:
            cursor.close()
