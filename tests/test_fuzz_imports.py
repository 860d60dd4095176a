"""Fuzzing the importers (hypothesis): the demo files, mutated cell by cell and byte by byte,
written as CSV, .xlsx and .ods. Whatever comes, an import is stored whole or refused with
a message in Vietnamese, nothing of a refused file is stored, and no exception escapes."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.imports import import_file
from bot.app import Services
from storage.models import Base
from tests import hostile
from tests.conftest import DEMO_FILES

SEEDS = sorted(DEMO_FILES.glob("*.csv"))
#: Values importers have choked on, or might: huge, malformed, invisible, empty.
NASTY = [
    "",
    " ",
    "-",
    "0",
    "-0",
    "1e309",
    "9" * 400,
    "9" * 400 + "/" + "9" * 400,
    "NaN",
    "inf",
    "1.000.000,5",
    "31/02/2025",
    "29/02/2023",
    "Năm 0000",
    "00/00/0000",
    "32767/1/1",
    "(31/02/2025)",
    "\u202eevil",
    "\x00",
    "\x1b[31m",
    '=HYPERLINK("x")',
    "Phú Riềng" * 300,
    "9223372036854775808",
    "1/0",
    "100%",
    "-5%",
    "50/0",
]
#: An English exception's name or a traceback in what a user reads is a bug.
LEAK = re.compile(r"Traceback|Exception|[A-Z][a-z]+Error\b|\bNone\b")

cell = st.one_of(st.sampled_from(NASTY), st.text(max_size=40))


@st.composite
def mutated_rows(draw: st.DrawFn) -> tuple[str, list[list[str]]]:
    seed = draw(st.sampled_from(SEEDS))
    rows = [list(r) for r in csv.reader(io.StringIO(seed.read_text(encoding="utf-8")))]
    for _ in range(draw(st.integers(1, 6))):
        r = draw(st.integers(0, len(rows) - 1))
        action = draw(st.sampled_from(["cell", "cell", "cell", "drop", "copy", "cut", "grow"]))
        if action == "cell" and rows[r]:
            rows[r][draw(st.integers(0, len(rows[r]) - 1))] = draw(cell)
        elif action == "drop" and len(rows) > 1:
            del rows[r]
        elif action == "copy":
            rows.insert(r, list(rows[r]))
        elif action == "cut":
            rows[r] = rows[r][: draw(st.integers(0, len(rows[r])))]
        else:
            rows[r] = rows[r] + [draw(cell)]
    return seed.stem, rows


def _as_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


WRITERS = {".csv": _as_csv, ".xlsx": hostile.xlsx_from_rows, ".ods": hostile.ods_from_rows}


def _counts(services: Services) -> dict[str, int]:
    with services.session_factory() as session:
        return {
            t.name: int(session.scalar(select(func.count()).select_from(t)) or 0)
            for t in Base.metadata.sorted_tables
        }


def _check(services: Services, name: str, data: bytes) -> None:
    before = _counts(services)
    outcome = import_file(services, Path(name), data=data, file_name=name)  # never raises
    report = outcome.report()
    event("stored" if outcome.ok else "refused")  # --hypothesis-show-statistics
    assert not LEAK.search(report), report
    if outcome.ok:
        return
    assert outcome.errors and report.startswith(f"Không nhập tệp «{name}»"), report
    assert all(p.describe().strip() for p in outcome.errors)
    assert _counts(services) == before, "a refused file left rows behind"


FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,  # the same examples on every run: CI never fails by chance
)


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize("suffix", sorted(WRITERS))
@FUZZ
@given(mutated=mutated_rows())
def test_mutated_cells_are_imported_whole_or_refused_cleanly(
    demo: Services, suffix: str, mutated: tuple[str, list[list[str]]]
) -> None:
    stem, rows = mutated
    _check(demo, f"{stem}{suffix}", WRITERS[suffix](rows))


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize("suffix", sorted(WRITERS))
@FUZZ
@given(
    seed=st.sampled_from(SEEDS),
    flips=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.binary(max_size=8)), max_size=6),
    cut=st.floats(0.05, 1),
)
def test_damaged_bytes_are_imported_whole_or_refused_cleanly(
    demo: Services, suffix: str, seed: Path, flips: list[tuple[float, bytes]], cut: float
) -> None:
    rows = [list(r) for r in csv.reader(io.StringIO(seed.read_text(encoding="utf-8")))]
    data = bytearray(WRITERS[suffix](rows))
    for where, junk in flips:
        at = int(where * len(data))
        data[at : at + len(junk)] = junk
    _check(demo, f"{seed.stem}{suffix}", bytes(data[: max(1, int(len(data) * cut))]))


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize(
    "bomb",
    [
        hostile.far_cell_xlsx,
        hostile.sparse_ods,
        hostile.wide_ods,
        hostile.long_cell_xlsx,
        hostile.whitespace_xlsx,
    ],
)
def test_the_bomb_files_are_refused_cleanly(demo: Services, bomb: object) -> None:
    assert callable(bomb)
    data = bomb()
    suffix = ".ods" if data[:2] == b"PK" and b"opendocument" in data[:200] else ".xlsx"
    before = _counts(demo)
    outcome = import_file(demo, Path(f"bom{suffix}"), data=data, file_name=f"bom{suffix}")
    report = outcome.report()
    assert not outcome.ok and not LEAK.search(report)
    assert "tệp quá lớn hoặc không đọc được" in report or "32.767 ký tự" in report
    assert _counts(demo) == before
