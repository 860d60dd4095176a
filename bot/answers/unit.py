"""/unit NAME: one unit's card — score, change, rank among its kind, ratios against the roadmap."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from bot.answers.common import QUARTER_NAMES, source_label
from bot.clock import Clock
from bot.reply import Button, Reply
from bot.vnformat import (
    NO_DATA,
    fmt_change,
    fmt_date,
    fmt_number,
    fmt_percent,
    fmt_score,
    sentence,
)
from storage import queries
from storage.catalogue import Catalogue
from storage.models import Indicator, Period, Unit
from storage.units import KIND_LABELS, KIND_SHORT, describe_match_failure, find_unit


def pick_unit(session: Session, clock: Clock, query: str, command: str) -> Unit | Reply:
    """The unit a user typed ("#12" from a button, or a loose name), or a reply with choices.

    The choices are buttons that repeat ``command`` with the chosen unit.
    """
    query = query.strip()
    if query.startswith("#") and query[1:].isdigit():
        unit = session.get(Unit, int(query[1:]))
        return unit if unit is not None else Reply(f"Không có đơn vị mã {query}.")
    match = find_unit(session, query, on=clock.now().date())
    if match.unit is not None:
        return match.unit
    options = match.candidates or match.suggestions
    buttons = [[Button(u.name, f"{command} #{u.id}")] for u in options[:8]]
    return Reply(sentence(describe_match_failure(match)) + ".", buttons=buttons)


def unit_lookup_reply(session: Session, clock: Clock, query: str) -> Reply:
    """Find the unit a user typed and answer with its card, or with choices."""
    found = pick_unit(session, clock, query, "/unit")
    return found if isinstance(found, Reply) else unit_card(session, clock, found)


def split_two_units(session: Session, clock: Clock, text: str) -> tuple[Unit, Unit] | None:
    """Two unit names in one line: "A | B", "A, B", "A và B" or just "A B" when unambiguous."""
    today = clock.now().date()
    for separator in ("|", ";", ",", " và ", " với ", " vs "):
        if separator in text:
            left, _, right = text.partition(separator)
            a, b = find_unit(session, left, on=today).unit, find_unit(session, right, on=today).unit
            if a is not None and b is not None:
                return a, b
    words = text.split()
    found = []
    for cut in range(1, len(words)):
        a = find_unit(session, " ".join(words[:cut]), on=today).unit
        b = find_unit(session, " ".join(words[cut:]), on=today).unit
        if a is not None and b is not None:
            found.append((a, b))
    return found[0] if len(found) == 1 else None


def _quarter(day: date) -> int:
    return (day.month - 1) // 3 + 1


def unit_card(session: Session, clock: Clock, unit: Unit) -> Reply:
    """Everything the office tracks about one unit, computed from stored data."""
    catalogue = Catalogue.load(session)
    total = catalogue.get("TOTAL")
    ratios = catalogue.tracked_ratios()
    latest = queries.latest_readings(session, unit.id, [total.id, *(i.id for i in ratios)])
    lines = [f"🏢 {unit.name} ({KIND_LABELS.get(unit.kind, unit.kind)})"]
    if unit.valid_to is not None:
        lines.append(f"Đơn vị hoạt động đến ngày {fmt_date(unit.valid_to)}.")
    lines.extend(_total_lines(session, unit, total, latest.get(total.id, [])))
    ratio_lines = _ratio_lines(session, unit, ratios, latest)
    if ratio_lines:
        lines.append("Các chỉ tiêu:")
        lines.extend(ratio_lines)
    lines.extend(_overdue_lines(session, clock, unit))
    lines.extend(_publication_lines(session, clock, unit))
    return Reply("\n".join(lines))


def _total_lines(
    session: Session, unit: Unit, total: Indicator, readings: list[queries.Reading]
) -> list[str]:
    if not readings:
        return ["Tổng điểm 766: chưa có số liệu."]
    newest = readings[0]
    maximum = newest.max_score or total.max_score
    if newest.value is None:
        line = f"Tổng điểm 766 ngày {fmt_date(newest.as_of)}: {NO_DATA} (không tính là 0)"
    else:
        line = f"Tổng điểm 766 ngày {fmt_date(newest.as_of)}: {fmt_score(newest.value, maximum)}"
        if len(readings) > 1:
            before = readings[1]
            if before.value is None:
                line += f" (ngày {fmt_date(before.as_of)} không có dữ liệu để so sánh)"
            else:
                line += (
                    f", {fmt_change(newest.value - before.value)} điểm so với ngày "
                    f"{fmt_date(before.as_of)} ({fmt_number(before.value)})"
                )
    lines = [line + "."]
    rank = queries.rank_among_kind(session, newest.snapshot_id, total.id, unit.kind, unit.id)
    kind_name = KIND_SHORT.get(unit.kind, "đơn vị")
    if rank.rank is not None:
        text = f"Xếp hạng trong các {kind_name}: {rank.rank}/{rank.ranked}"
        unranked = rank.listed - rank.ranked
        if unranked:
            text += f" ({unranked} đơn vị không có dữ liệu, không xếp hạng)"
        lines.append(text + ".")
    elif unit.kind != "province":
        lines.append(f"Không xếp hạng trong các {kind_name} (không có dữ liệu).")
    if newest.rank is not None:
        lines.append(
            f"Xếp hạng do {source_label(newest.source)} công bố: {newest.rank}"
            + (f"/{newest.rank_of}" if newest.rank_of else "")
            + "."
        )
    return lines


def _ratio_lines(
    session: Session,
    unit: Unit,
    ratios: list[Indicator],
    latest: dict[int, list[queries.Reading]],
) -> list[str]:
    targets_cache: dict[int, dict[int, object]] = {}
    lines = []
    for indicator in ratios:
        readings = latest.get(indicator.id)
        if not readings:
            continue
        newest = readings[0]
        text = f"  • {indicator.label}: {fmt_percent(newest.value)} ({fmt_date(newest.as_of)})"
        if len(readings) > 1 and newest.value is not None and readings[1].value is not None:
            text += f", {fmt_change(newest.value - readings[1].value)}"
        year = newest.as_of.year
        if year not in targets_cache:
            targets_cache[year] = dict(queries.targets_for(session, year, unit.kind))
        target = targets_cache[year].get(indicator.id)
        if target is not None and newest.value is not None:
            if newest.period == Period.YEAR.value:
                goal, label = target.yearly, f"chỉ tiêu năm {year}"  # type: ignore[attr-defined]
            else:
                quarter = _quarter(newest.as_of)
                goal = target.for_quarter(quarter)  # type: ignore[attr-defined]
                label = f"lộ trình quý {QUARTER_NAMES[quarter]}/{year}"
            if goal is not None:
                if newest.value >= goal:
                    text += f" — {label}: {fmt_percent(goal)}, ✅ đạt"
                else:
                    text += (
                        f" — {label}: {fmt_percent(goal)}, ❌ chưa đạt "
                        f"(thiếu {fmt_number(goal - newest.value)} điểm %)"
                    )
        lines.append(text)
    return lines


def _overdue_lines(session: Session, clock: Clock, unit: Unit) -> list[str]:
    now_local = clock.now().replace(tzinfo=None)
    summary = queries.overdue_for_unit(session, unit.id, now_local)
    lines = []
    if summary.dossiers_known:
        text = f"Hồ sơ quá hạn (theo danh sách hồ sơ đã nhập): {summary.dossiers_overdue} hồ sơ"
        if summary.oldest_due is not None:
            text += f", hồ sơ chưa xong quá hạn lâu nhất từ {fmt_date(summary.oldest_due)}"
        lines.append(text + ".")
    if summary.count_as_of is not None:
        count = (
            "không có dữ liệu"
            if summary.count_value is None
            else f"{int(summary.count_value)} hồ sơ"
        )
        lines.append(
            f"Hồ sơ quá hạn theo {source_label(summary.count_source or '')} ngày "
            f"{fmt_date(summary.count_as_of)}: {count}."
        )
    return lines


def _publication_lines(session: Session, clock: Clock, unit: Unit) -> list[str]:
    tasks = queries.open_publication_tasks(session, unit.id)
    if not tasks:
        return []
    today = clock.now().date()
    lines = [f"Nhiệm vụ công bố TTHC chưa có quyết định của tỉnh: {len(tasks)}"]
    for task in tasks[:5]:
        if task.deadline is None:
            due = "chưa rõ hạn"
        elif task.deadline < today:
            due = f"hạn {fmt_date(task.deadline)}, đã quá hạn"
        else:
            due = f"hạn {fmt_date(task.deadline)}"
        lines.append(f"  • {task.ministry_decision_no}: {due}")
    return lines
