"""The checkers `make lint` runs, as tests: `make test` runs them beside the others (they
are collected first, so the longest, mypy, starts at once on a worker of its own)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SOURCES = ["app", "bot", "core", "handlers", "jobs", "storage", "views", "tests", "bench"]


def _run(*command: str) -> None:
    result = subprocess.run(
        [str(BIN / command[0]), *command[1:]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.lint
def test_mypy_finds_no_type_error() -> None:
    _run("mypy")


@pytest.mark.lint
def test_ruff_finds_nothing() -> None:
    _run("ruff", "check", *SOURCES)


@pytest.mark.lint
def test_the_code_is_formatted() -> None:
    _run("ruff", "format", "--check", *SOURCES)


@pytest.mark.lint
def test_imports_keep_to_the_layers() -> None:
    _run("lint-imports", "--no-cache")


def test_the_makefile_lints_what_the_tests_lint() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert f"SOURCES := {' '.join(SOURCES)}" in makefile
