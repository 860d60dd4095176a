"""How many SQL statements an answer costs: a card reads a bounded, small number of
statements whatever the length of its unit's history and however many units were merged
into it (the views only format what was read)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import event

from app.services import Services
from handlers.access import Asker
from handlers.router import answer
from tests.conftest import do_import, write_csv

ADMIN = Asker()
#: The most statements one /unit card may read (a unit with merged units, any window).
UNIT_CARD_STATEMENTS = 18
#: The other answers a leader asks for most, each bounded the same way.
BOUNDS = {
    "/rank": 8,
    "/top sở": 4,
    "/overdue Sở Xây dựng": 7,
    "/compare Sở Xây dựng, Sở Tư pháp": 16,
}


@contextmanager
def counted(services: Services) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement)

    event.listen(services.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(services.engine, "before_cursor_execute", count)


def statements(services: Services, text: str) -> int:
    """Statements of one answer once the kept tables are warm (the first /top after an
    import computes its table once for everyone)."""
    answer(services, text, ADMIN)
    with counted(services) as seen:
        reply = answer(services, text, ADMIN)
    assert not reply.text.startswith("Xin lỗi"), reply.text
    return len(seen)


def _grow(services: Services, folder: Path, merged: int, days: int) -> None:
    """Merge ``merged`` more units into Sở Xây dựng, and give it and them ``days`` more
    daily scores, through the importer, as files the office would send."""
    units = [["STT", "Tên đơn vị", "Loại", "Bí danh", "Đơn vị cha", "Hiệu lực từ", "Hiệu lực đến",
              "Đơn vị kế thừa"]]  # fmt: skip
    names = [f"Sở Thử nghiệm {n}" for n in range(1, merged + 1)]
    units += [
        [str(n), name, "sở", "", "UBND tỉnh Bình Phước", "", "28/02/2025", "Sở Xây dựng"]
        for n, name in enumerate(names, 1)
    ]
    outcome = do_import(services, write_csv(folder, "sap_nhap.csv", units), kind="units")
    assert outcome.ok, outcome.report()
    first = date(2024, 12, 1)
    scores = [["Ngày", "Đơn vị", "Chỉ số", "Giá trị"]]
    for n in range(days):
        day = first + timedelta(days=n)
        for name in ["Sở Xây dựng", *names]:
            if name == "Sở Xây dựng" or day <= date(2025, 2, 28):
                scores.append([f"{day:%d/%m/%Y}", name, "TOTAL", f"{80 + n % 7},5"])
    outcome = do_import(services, write_csv(folder, "lich_su.csv", scores), dates_confirmed=True)
    assert outcome.ok, outcome.report()


def test_a_card_reads_the_same_few_statements_however_long_the_history(
    demo: Services, tmp_path: Path
) -> None:
    cards = ["/unit Sở Xây dựng", "/unit Sở Xây dựng 4w", "/unit Sở Xây dựng y"]
    before = {text: statements(demo, text) for text in [*cards, *BOUNDS]}
    assert max(before[text] for text in cards) <= UNIT_CARD_STATEMENTS, before
    assert all(before[text] <= bound for text, bound in BOUNDS.items()), before
    _grow(demo, tmp_path, merged=6, days=120)
    card = answer(demo, cards[0], ADMIN)
    assert card.text.count("(đến 28/02/2025)") == 7  # its merged units are all listed
    assert card.image is not None
    after = {text: statements(demo, text) for text in before}
    assert after == before
