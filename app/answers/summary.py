"""The weekly summary: the office's weekly notice (seed 001) in a chat-sized form."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from app.answers.common import no_province_text, province_unit
from app.answers.tables import ratio_moves
from core.clock import Clock
from core.config import Config
from core.reply import Reply
from core.vnformat import fmt_change, fmt_count, fmt_date, fmt_rank, fmt_rank_move
from core.workdays import WorkCalendar
from storage.catalogue import Catalogue
from storage.queries.dossiers import overdue_counts, overdue_dossier_counts
from storage.queries.publications import all_open_publication_tasks
from storage.queries.rankings import kind_table
from storage.queries.readings import history as reading_history
from storage.units import RANKED_KINDS
from views.labels import age_note, source_label
from views.rank_card import rank_chart, rank_series
from views.tasks import time_left_text

MOVERS = 3
OVERDUE_UNITS = 5
DEADLINE_DAYS = 5


def summary_reply(
    session: Session,
    config: Config,
    clock: Clock,
    calendar: WorkCalendar,
    only_unit_id: int | None = None,
) -> Reply:
    """Rank and its move, ratios up/down, biggest drops and rises, overdue, near deadlines.

    With ``only_unit_id`` (a focal point) the overdue line and the deadlines name only that
    unit, as /overdue and /deadlines do for them; scores and ranks are public."""
    province = province_unit(session, config)
    if province is None:
        return Reply(no_province_text(config))
    today = clock.now().date()
    week = today.isocalendar()
    lines = [f"📰 Tóm tắt tuần {week.week}/{week.year} — {province.name} ({fmt_date(today)})"]
    total = Catalogue.load(session).get("TOTAL")
    history = reading_history(session, province.id, total.id)
    ranked = [r for r in history if r.rank is not None]
    if ranked:
        latest = ranked[-1]
        same = [r for r in ranked if (r.source, r.period) == (latest.source, latest.period)]
        line = (
            f"📊 Xếp hạng {fmt_rank(latest.rank, latest.rank_of)} ngày "
            f"{fmt_date(latest.as_of)} ({source_label(latest.source)})"
        )
        if len(same) > 1:
            line += (
                f", {fmt_rank_move(same[-2].rank, latest.rank, same[-2].rank_of, latest.rank_of)}"
                f" so với {fmt_date(same[-2].as_of)}"
            )
        lines.append(line + age_note(latest.as_of, today, config.alerts.stale_days) + ".")
    moves = ratio_moves(session, province.id)
    if moves is not None:
        newest = max(moves.newest_dates)
        lines.append(
            f"📋 Chỉ tiêu ({_period(moves.newest_dates, moves.previous_dates)}): "
            f"tăng {len(moves.rising)}, giảm {len(moves.falling)}, "
            f"không đổi {len(moves.flat)}, đạt 100%: {len(moves.full)}"
            + age_note(newest, today, config.alerts.stale_days)
            + "."
        )
        if moves.falling:
            lines.append("   Giảm: " + "; ".join(moves.falling))
    lines.extend(_movers(session, total.id, today, config))
    lines.extend(_overdue(session, clock, config, only_unit_id))
    lines.extend(_deadlines(session, clock, calendar, only_unit_id))
    image = rank_chart(province.name, rank_series(history))
    return Reply("\n".join(lines), image=image, image_name="tom-tat-tuan.png")


def province_chart(session: Session, config: Config) -> bytes | None:
    """The province's rank and total score over time (the summary's one chart)."""
    province = province_unit(session, config)
    if province is None:
        return None
    total = Catalogue.load(session).get("TOTAL")
    return rank_chart(province.name, rank_series(reading_history(session, province.id, total.id)))


def _period(newest: set[date], previous: set[date]) -> str:
    """ "ngày 08/04/2025 so với 27/03/2025", or the range when readings differ in date."""

    def dates(days: set[date]) -> str:
        if len(days) == 1:
            return fmt_date(next(iter(days)))
        return f"{fmt_date(min(days))}–{fmt_date(max(days))}"

    text = f"ngày {dates(newest)}"
    return text + (f" so với {dates(previous)}" if previous else "")


def _movers(session: Session, total_id: int, today: date, config: Config) -> list[str]:
    changes: list[tuple[float, str]] = []
    newest: set[date] = set()
    previous: set[date] = set()
    for kind in RANKED_KINDS:
        table = kind_table(session, total_id, kind)
        if table is None:
            continue
        for row in table.rows:
            if row.value is None or row.before is None or row.as_of != table.as_of:
                continue
            assert row.before_as_of is not None
            changes.append((row.value - row.before, row.unit.name))
            newest.add(row.as_of)
            previous.add(row.before_as_of)
    if not changes:
        return []
    changes.sort()
    lines = []
    drops = [c for c in changes if c[0] < 0][:MOVERS]
    rises = [c for c in reversed(changes) if c[0] > 0][:MOVERS]
    when = f" ({_period(newest, previous)})"
    if drops:
        lines.append(
            f"🔻 Giảm nhiều nhất{when}: " + "; ".join(f"{n} ({fmt_change(d)})" for d, n in drops)
        )
    if rises:
        lines.append(
            f"🔺 Tăng nhiều nhất{when}: " + "; ".join(f"{n} ({fmt_change(d)})" for d, n in rises)
        )
    if lines:
        lines[-1] += age_note(max(newest), today, config.alerts.stale_days)
    return lines


def _overdue(session: Session, clock: Clock, config: Config, only_unit_id: int | None) -> list[str]:
    now_local = clock.now().replace(tzinfo=None)
    rows = overdue_dossier_counts(session, now_local)
    label = f"theo danh sách hồ sơ, đến {fmt_date(now_local)}"
    age = ""
    if not rows:
        as_of, source, rows = overdue_counts(session)
        label = f"theo {source_label(source or '')} ngày {fmt_date(as_of)}" if as_of else ""
        age = age_note(as_of, now_local.date(), config.alerts.stale_days) if as_of else ""
    if not rows:
        return ["⏰ Hồ sơ quá hạn: chưa có số liệu."]
    total = sum(r.count for r in rows)
    total_text = f"{fmt_count(total)} hồ sơ tại {len(rows)} đơn vị"
    if only_unit_id is not None:
        own = [r for r in rows if r.unit.id == only_unit_id]
        top = "; ".join(f"{r.unit.name}: {fmt_count(r.count)}" for r in own)
        top = top or "đơn vị của bạn: không có hồ sơ quá hạn"
        return [f"⏰ Hồ sơ quá hạn ({label}): {total_text} — {top}{age}."]
    top = "; ".join(f"{r.unit.name}: {fmt_count(r.count)}" for r in rows[:OVERDUE_UNITS])
    more = f"; … và {len(rows) - OVERDUE_UNITS} đơn vị khác" if len(rows) > OVERDUE_UNITS else ""
    return [f"⏰ Hồ sơ quá hạn ({label}): {total_text} — {top}{more}{age}."]


def _deadlines(
    session: Session, clock: Clock, calendar: WorkCalendar, only_unit_id: int | None
) -> list[str]:
    today = clock.now().date()
    near, late = [], 0
    for task, unit in all_open_publication_tasks(session):
        if only_unit_id is not None and unit.id != only_unit_id:
            continue
        if task.deadline is None or task.submission_date is not None:
            continue  # submitted tasks wait for the province, not for their unit
        left = calendar.working_days_between(today, task.deadline)
        if left < 0:
            late += 1
        elif left <= DEADLINE_DAYS:
            near.append(
                f"{task.ministry_decision_no} — {unit.name}: "
                + time_left_text(task.deadline, today, calendar)
            )
    lines = [
        f"📅 Hạn công bố TTHC trong {DEADLINE_DAYS} ngày làm việc tới: "
        + ("; ".join(near) if near else "không có")
        + "."
    ]
    if late:
        lines.append(f"   {late} nhiệm vụ đã quá hạn, đơn vị tham mưu chưa trình.")
    return lines
