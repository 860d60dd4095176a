from datetime import date

from core.vnformat import fmt_change, fmt_date, fmt_number, fmt_rank, fmt_rank_move, fmt_score
from core.workdays import WorkCalendar


def test_numbers_are_written_the_vietnamese_way() -> None:
    assert fmt_number(61.02) == "61,02"
    assert fmt_number(100.0) == "100"
    assert fmt_number(1234.5) == "1.234,5"
    assert fmt_change(2.48) == "+2,48"
    assert fmt_change(-24.27) == "-24,27"
    assert fmt_change(0.0001) == "0"
    assert fmt_score(11.1, 18) == "11,1/18"
    assert fmt_score(None, 18) == "không có dữ liệu"
    assert fmt_date(date(2025, 4, 8)) == "08/04/2025"
    assert fmt_rank(20, 63) == "20/63"


def test_rank_moves_read_like_the_notices() -> None:
    assert fmt_rank_move(8, 20) == "giảm 12 bậc"
    assert fmt_rank_move(46, 3) == "tăng 43 bậc"
    assert fmt_rank_move(5, 5) == "giữ nguyên thứ hạng"


def test_working_days_skip_tet_and_weekends() -> None:
    calendar = WorkCalendar()
    # Tết 2025: 27/01 to 31/01 are holidays; 25-26/01 and 01-02/02 are weekends.
    assert calendar.add_working_days(date(2025, 1, 24), 1) == date(2025, 2, 3)
    assert calendar.working_days_between(date(2025, 1, 24), date(2025, 2, 3)) == 1
    # Five working days before Monday 12/05/2025 is Monday 05/05/2025 (no holiday in between).
    assert calendar.add_working_days(date(2025, 5, 12), -5) == date(2025, 5, 5)
    # 30/04 and 01/05/2025 are holidays, 02/05 a bridge day paid back on Saturday 26/04.
    assert calendar.add_working_days(date(2025, 4, 29), 1) == date(2025, 5, 5)
    assert calendar.is_working_day(date(2025, 4, 26))


def test_the_office_can_add_its_own_days_off() -> None:
    calendar = WorkCalendar(
        extra_holidays=[date(2025, 4, 11)], extra_working_days=[date(2025, 4, 12)]
    )
    assert not calendar.is_working_day(date(2025, 4, 11))
    assert calendar.is_working_day(date(2025, 4, 12))
    assert calendar.add_working_days(date(2025, 4, 10), 1) == date(2025, 4, 12)


def test_a_months_figures_are_old_once_the_next_month_is_overdue() -> None:
    from datetime import date

    from views.windows import days_stale, next_period_end

    assert next_period_end("month", date(2026, 12, 31)) == date(2027, 1, 31)
    assert next_period_end("quarter", date(2026, 8, 15)) == date(2026, 12, 31)
    assert next_period_end("year", date(2025, 12, 31)) == date(2026, 12, 31)
    august = date(2026, 8, 31)
    assert days_stale(august, "month", date(2026, 10, 7), 8) is None  # September: 7 days
    assert days_stale(august, "month", date(2026, 10, 8), 8) == 38
    assert days_stale(august, "month", date(2026, 12, 3), 8) == 94  # three months missing
    assert days_stale(date(2026, 12, 1), "day", date(2026, 12, 8), 8) is None
    assert days_stale(date(2026, 11, 30), "day", date(2026, 12, 8), 8) == 8
