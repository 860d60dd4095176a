"""The office's weekly or monthly notice (seed 001), computed from stored data.

:func:`build_notice` gathers what the notice says as plain values (:class:`Notice`);
:mod:`views.notice_document` lays them out as a Word document. Every number is computed
from the stored readings: the changes, the counts of falling, rising and unchanged
indicators, the order of the unit tables; nothing is copied from a document's text.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time

from sqlalchemy.orm import Session

from app.answers.common import province_unit
from core.clock import Clock
from core.config import Config
from core.records import Reading
from core.textnorm import fold
from core.workdays import WorkCalendar
from storage.catalogue import Catalogue
from storage.models import Period, UnitKind
from storage.queries.dossiers import overdue_counts, overdue_dossier_counts
from storage.queries.publications import publication_tasks_open_on
from storage.queries.rankings import dated_kind_table
from storage.queries.readings import readings_until
from storage.queries.snapshots import units_by_id
from views.labels import source_label
from views.notice import (
    Cadence,
    IndicatorRow,
    Notice,
    TaskRow,
    UnitRow,
    UnitTable,
    default_compare_to,
    period_title,
    province_short_name,
)
from views.tasks import task_state

#: Working days ahead within which a publication deadline is "near" (as /summary says).
NEAR_DAYS = 5
#: How the overdue paragraph names each level, in the seeds' order.
OVERDUE_LEVELS = (
    (UnitKind.DEPARTMENT.value, "Các sở, ban, ngành"),
    (UnitKind.DISTRICT.value, "UBND cấp huyện"),
    (UnitKind.COMMUNE.value, "UBND cấp xã"),
    (UnitKind.LAND_OFFICE.value, "Các Chi nhánh VPĐK Đất đai"),
    (UnitKind.OTHER.value, "Đơn vị khác"),
)


def build_notice(
    session: Session,
    config: Config,
    clock: Clock,
    calendar: WorkCalendar,
    cadence: Cadence,
    as_of: date | None = None,
    compare_to: date | None = None,
) -> Notice | str:
    """The notice as of ``as_of`` (default: today), each kind of data at its newest at or
    before that day; a Vietnamese reason when there is nothing to report."""
    province = province_unit(session, config)
    if province is None:
        return f"Chưa có đơn vị «{config.office.province}» ([office] province) trong danh mục."
    day = as_of or clock.now().astimezone(config.tz).date()
    compare = compare_to or default_compare_to(cadence, day)
    if compare is not None and compare >= day:
        return "Ngày so sánh phải trước ngày của thông báo."
    notice = Notice(cadence, province_short_name(province.name), day, period_title(cadence, day))
    catalogue = Catalogue.load(session)
    total = catalogue.get("TOTAL")
    _province_scores(session, notice, province.id, total.id, catalogue, compare)
    _overdue(session, notice, config, clock)
    for kinds, title, header in (
        ((UnitKind.DEPARTMENT.value,), "các sở, ban, ngành", "ĐƠN VỊ"),
        (
            (UnitKind.DISTRICT.value, UnitKind.COMMUNE.value),
            "các huyện, thị xã, thành phố",
            "ĐỊA PHƯƠNG",
        ),
    ):
        table = _unit_table(session, total.id, kinds, day, compare, title, header)
        if table is not None:
            notice.tables.append(table)
    notice.tasks = _tasks(session, day, calendar)
    if (
        notice.rank is None
        and notice.scores_as_of is None
        and not notice.tables
        and notice.overdue_as_of is None
    ):
        return f"Chưa có số liệu nào đến ngày {day:%d/%m/%Y} để lập thông báo."
    return notice


def _series(readings: list[Reading], source: str, period: str) -> list[Reading]:
    return [r for r in readings if (r.source, r.period) == (source, period)]


def _compared(series: list[Reading], latest: Reading, compare: date | None) -> Reading | None:
    """The reading compared with: the newest at or before ``compare``, else the one before
    the latest (``series`` is newest first)."""
    earlier = [r for r in series if r.as_of < latest.as_of]
    if compare is not None:
        earlier = [r for r in earlier if r.as_of <= compare]
    return earlier[0] if earlier else None


def _province_scores(
    session: Session,
    notice: Notice,
    province_id: int,
    total_id: int,
    catalogue: Catalogue,
    compare: date | None,
) -> None:
    """The rank and its move; the indicator table: each indicator's newest reading and the
    one compared with, the columns headed by the dates most indicators have."""
    ratios = catalogue.tracked_ratios()
    found = readings_until(session, province_id, [total_id, *(i.id for i in ratios)], notice.as_of)
    ranked = [
        r for r in found.get(total_id, []) if r.rank is not None and r.period == Period.DAY.value
    ]
    if ranked:
        latest = ranked[0]
        before = _compared(_series(ranked, latest.source, latest.period), latest, compare)
        notice.rank = (latest.rank or 0, latest.rank_of)
        notice.rank_as_of = latest.as_of
        if before is not None and before.rank is not None:
            notice.rank_before = (before.rank, before.rank_of)
            notice.rank_compared_as_of = before.as_of
    reference_year = notice.as_of.year - 1
    latest_dates: list[date] = []
    before_dates: list[date] = []
    for number, indicator in enumerate(ratios, start=1):
        readings = found.get(indicator.id, [])
        daily = [r for r in readings if r.period == Period.DAY.value]
        latest_reading = daily[0] if daily else None
        before_reading = None
        if latest_reading is not None:
            series = _series(daily, latest_reading.source, latest_reading.period)
            before_reading = _compared(series, latest_reading, compare)
            latest_dates.append(latest_reading.as_of)
        if before_reading is not None:
            before_dates.append(before_reading.as_of)
        yearly = [
            r for r in readings if r.period == Period.YEAR.value and r.as_of.year == reference_year
        ]
        if yearly:
            notice.reference_year = reference_year
        notice.indicators.append(
            IndicatorRow(
                number,
                indicator.name,
                yearly[0].value if yearly else None,
                before_reading.value if before_reading is not None else None,
                latest_reading.value if latest_reading is not None else None,
                before_reading.as_of if before_reading is not None else None,
                latest_reading.as_of if latest_reading is not None else None,
            )
        )
    if not latest_dates:
        notice.indicators = []
        return
    # The columns are headed by the date most indicators have; a row of another date says so
    notice.scores_as_of = Counter(latest_dates).most_common(1)[0][0]
    if before_dates:
        notice.compared_as_of = Counter(before_dates).most_common(1)[0][0]


def _overdue(session: Session, notice: Notice, config: Config, clock: Clock) -> None:
    """Per level, the units with overdue dossiers: the newest per-unit counts at or before
    the notice's day; without counts, the dossier lists at the end of that day."""
    as_of, source, rows = overdue_counts(session, until=notice.as_of)
    if not rows:
        today = clock.now().astimezone(config.tz)
        end = datetime.combine(notice.as_of, time(23, 59))
        moment = min(end, today.replace(tzinfo=None))
        rows = overdue_dossier_counts(session, moment)
        as_of, source = (moment.date(), "danh sách hồ sơ đã nhập") if rows else (None, None)
    if not rows or as_of is None:
        return
    notice.overdue_as_of = as_of
    notice.overdue_source = source_label(source or "")
    kinds = {u.id: str(u.kind) for u in units_by_id(session, [r.unit.id for r in rows]).values()}
    levels = dict(OVERDUE_LEVELS)
    other = levels[UnitKind.OTHER.value]
    for label in levels.values():
        listed = sorted(
            (
                (r.unit.name, r.count)
                for r in rows
                if levels.get(kinds.get(r.unit.id, ""), other) == label
            ),
            key=lambda pair: (-pair[1], fold(pair[0])),
        )
        if listed:
            notice.overdue.append((label, listed))


def _unit_table(
    session: Session,
    total_id: int,
    kinds: tuple[str, ...],
    day: date,
    compare: date | None,
    title: str,
    header: str,
) -> UnitTable | None:
    """The first kind with scores (districts, or communes since the 2025 reorganisation),
    sorted by the latest score; units without data last."""
    for kind in kinds:
        table = dated_kind_table(session, total_id, kind, day, compare)
        if table is None:
            continue
        scored = sorted(
            (r for r in table.rows if r[1] is not None),
            key=lambda r: (-(r[1] or 0.0), fold(r[0].name)),
        )
        missing = sorted((r for r in table.rows if r[1] is None), key=lambda r: fold(r[0].name))
        rows = [
            UnitRow(n, unit.name, before, latest)
            for n, (unit, latest, before) in enumerate([*scored, *missing], start=1)
        ]
        if kind == UnitKind.COMMUNE.value:
            title, header = "các xã, phường", "ĐỊA PHƯƠNG"
        return UnitTable(title, header, table.as_of, table.before_as_of, rows)
    return None


def _tasks(session: Session, day: date, calendar: WorkCalendar) -> list[TaskRow]:
    """Publication tasks late, or due within :data:`NEAR_DAYS` working days, on ``day``."""
    rows: list[TaskRow] = []
    for task, unit in publication_tasks_open_on(session, day):
        if task.deadline is None:
            continue
        late = task.deadline < day or (
            task.submission_date is not None and task.submission_date > task.deadline
        )
        near = (
            task.submission_date is None
            and 0 <= calendar.working_days_between(day, task.deadline) <= NEAR_DAYS
        )
        if not (late or near):
            continue
        rows.append(
            TaskRow(
                len(rows) + 1,
                unit.name,
                f"{task.ministry_decision}: {task.content}"
                if task.content
                else task.ministry_decision,
                task.office_letter or "",
                task.unit_submission or "",
                task_state(task, day, calendar),
            )
        )
    return rows
