"""The shape the tree promises: SQL only in storage/, transactions owned by callers."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERY_BUILDERS = {"select", "update", "delete", "insert", "func", "text", "and_", "or_"}


def _modules(*packages: str) -> list[Path]:
    return [p for package in packages for p in sorted((ROOT / package).rglob("*.py"))]


def test_no_sql_is_written_outside_storage() -> None:
    offenders = []
    for path in _modules("app", "bot", "core", "handlers", "jobs", "views"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
                used = {alias.name for alias in node.names} & QUERY_BUILDERS
                if used:
                    offenders.append(f"{path.relative_to(ROOT)}: {sorted(used)}")
            elif isinstance(node, ast.Import) and any(
                alias.name == "sqlalchemy" or alias.name.startswith("sqlalchemy.sql")
                for alias in node.names
            ):  # ``import sqlalchemy as sa`` and ``sa.text(…)``: the same builders
                offenders.append(f"{path.relative_to(ROOT)}: import sqlalchemy")
    assert offenders == []


def test_storage_functions_never_commit_nor_roll_back() -> None:
    """A unit of work is committed or rolled back by whoever opened it, never by storage."""
    offenders = []
    for path in _modules("storage"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("commit", "rollback")
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_the_deploy_files_run_the_bot_as_docs_deploy_says() -> None:
    import configparser

    root = ROOT
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(root / "deploy" / "tthc-bot.service", encoding="utf-8")
    service = unit["Service"]
    assert service["Restart"] == "on-failure"
    assert service["ExecStartPre"].endswith("tthc-bot db upgrade")  # migrations first
    assert service["ExecStart"].endswith("tthc-bot run")
    assert service["LoadCredential"] == "token:/etc/tthc-bot/token"
    assert "TELEGRAM_BOT_TOKEN_FILE=%d/token" in (root / "deploy" / "tthc-bot.service").read_text()
    guide = (root / "docs" / "deploy.md").read_text(encoding="utf-8")
    for name in sorted(p.name for p in (root / "deploy").iterdir()):
        assert name in guide, f"docs/deploy.md does not say what {name} is for"
    for command in ("tthc-bot doctor", "tthc-bot backup", "tthc-bot restore", "db upgrade"):
        assert command in guide
