from datetime import date, datetime

import pytest

from core.parsing import (
    ValueProblem,
    find_date,
    parse_count,
    parse_date,
    parse_datetime,
    parse_rank,
    parse_value,
)


@pytest.mark.parametrize(
    ("cell", "value", "maximum"),
    [
        ("61,68", 61.68, None),
        ("61.68", 61.68, None),
        ("96%", 96.0, None),
        ("17,6/20", 17.6, 20.0),
        ("+2,48", 2.48, None),
        ("-24,27", -24.27, None),
        ("\u22120,06", -0.06, None),
        ("1.234,5", 1234.5, None),
        ("1,234.5", 1234.5, None),
        (84.28, 84.28, None),
        (100, 100.0, None),
    ],
)
def test_it_reads_numbers_as_people_write_them(cell: object, value: float, maximum: float) -> None:
    parsed = parse_value(cell)
    assert parsed.value == pytest.approx(value)
    assert parsed.max_score == maximum


@pytest.mark.parametrize(
    "cell", ["Hệ thống không thông báo dữ liệu", "-", "", None, "  ", "—", "không có dữ liệu"]
)
def test_no_data_is_none_never_zero(cell: object) -> None:
    assert parse_value(cell).value is None


@pytest.mark.parametrize("cell", ["8x,2", "abc", "1,2,3", "12/0", "25/20"])
def test_it_refuses_what_is_not_a_number(cell: str) -> None:
    with pytest.raises(ValueProblem):
        parse_value(cell)


def test_it_reads_counts_with_words_and_thousands() -> None:
    assert parse_count("204 hồ sơ") == 204
    assert parse_count("02") == 2
    assert parse_count("1.234") == 1234
    assert parse_count("-") is None
    with pytest.raises(ValueProblem):
        parse_count("2,5")


def test_it_reads_ranks() -> None:
    assert parse_rank("20/63") == (20, 63)
    assert parse_rank("03/63") == (3, 63)
    assert parse_rank(8) == (8, None)
    assert parse_rank("") == (None, None)
    with pytest.raises(ValueProblem):
        parse_rank("64/63")


def test_it_reads_dates_in_cells_and_headers() -> None:
    assert parse_date("27/3/2025") == date(2025, 3, 27)
    assert parse_date("2025-03-27") == date(2025, 3, 27)
    assert parse_date(datetime(2025, 4, 8, 9, 30)) == date(2025, 4, 8)
    assert find_date("ĐIỂM ĐÁNH GIÁ (08/4/2025)") == date(2025, 4, 8)
    assert find_date("Năm 2024") is None
    with pytest.raises(ValueProblem):
        parse_date("31/02/2025")


def test_it_reads_local_date_times() -> None:
    assert parse_datetime("10/04/2025 09:30") == datetime(2025, 4, 10, 9, 30)
    assert parse_datetime("10/04/2025") == datetime(2025, 4, 10)


def test_excel_serial_numbers_in_general_format_cells_are_dates() -> None:
    from datetime import datetime

    from core.parsing import parse_datetime

    assert parse_date(45755) == date(2025, 4, 8)
    assert parse_date(45755.0) == date(2025, 4, 8)
    assert parse_datetime(45755.5) == datetime(2025, 4, 8, 12, 0)
    with pytest.raises(ValueProblem):
        parse_date(12)  # a small number is no date
