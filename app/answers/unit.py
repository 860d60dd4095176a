"""/unit NAME: one unit's card — score, change, rank among its kind, ratios against the roadmap."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from app.answers.overdue import FINISHED_LATE, old_count_note
from app.answers.sources import gap_lines
from core.clock import Clock
from core.records import Reading
from core.reply import Button, Reply
from core.vnformat import (
    NO_DATA,
    QUARTER_NAMES,
    fmt_change,
    fmt_count,
    fmt_date,
    fmt_number,
    fmt_percent,
    fmt_score,
    sentence,
)
from core.workdays import WorkCalendar
from storage.catalogue import Catalogue
from storage.models import Indicator, Period, Target, Unit
from storage.queries.dossiers import overdue_for_unit
from storage.queries.publications import open_publication_tasks
from storage.queries.rankings import kind_table, place_in_table
from storage.queries.readings import (
    first_readings_from,
    history,
    latest_readings,
    latest_snapshot_with,
    snapshot_observations,
    targets_for,
)
from storage.units import (
    KIND_LABELS,
    KIND_ORDER,
    KIND_SHORT,
    Match,
    describe_match_failure,
    find_unit,
    predecessors,
    unit_counts_by_kind,
    units_of_kind,
)
from views.charts import score_history_chart
from views.labels import age_note, source_label
from views.tasks import task_state
from views.windows import (
    WINDOW_LABELS,
    Window,
    describe_as_of,
    describe_baseline,
    describe_no_baseline,
    quarter_of,
    window_start,
)

PAGE_SIZE = 10
#: Merged units drawn on a card's chart and offered as buttons (the text lists them all).
MAX_PREDECESSORS = 4


def pick_unit(session: Session, clock: Clock, query: str, command: str) -> Unit | Reply:
    """The unit a user typed ("#12" from a button, or a loose name), or a reply with choices.

    The choices are buttons that repeat ``command`` with the chosen unit.
    """
    query = query.strip()
    if query.startswith("#") and query[1:].isdigit():
        unit = session.get(Unit, int(query[1:]))
        return unit if unit is not None else Reply(f"Không có đơn vị mã {query}.")
    match = find_unit(session, query, on=clock.now().date(), partial=True)
    if match.unit is not None:
        return match.unit
    options = match.candidates or match.suggestions
    buttons = [[Button(u.name, f"{command} #{u.id}")] for u in options[:8]]
    return Reply(sentence(describe_match_failure(match)) + ".", buttons=buttons)


SEPARATORS = ("|", ";", ",", " và ", " với ", " vs ")


def split_two_units(session: Session, clock: Clock, text: str) -> tuple[Unit, Unit] | str:
    """Two unit names in one line ("A | B", "A, B", "A và B", or "A B" when that is
    unambiguous), or what is wrong in Vietnamese. A separator may also stand inside a name
    ("Sở Dân tộc và Tôn giáo và Sở Tư pháp"): every place it stands is tried."""
    today = clock.now().date()

    def unit(name: str) -> Match:
        return find_unit(session, name, on=today, partial=True)

    splits = [
        (text[:i], text[i + len(separator) :])
        for separator in SEPARATORS
        for i in _positions(text, separator)
    ]
    if not splits:
        words = text.split()
        splits = [(" ".join(words[:cut]), " ".join(words[cut:])) for cut in range(1, len(words))]
    pairs: list[tuple[Unit, Unit]] = []
    half_found: list[Match] = []
    for left, right in splits:
        a, b = unit(left), unit(right)
        if a.unit is not None and b.unit is not None:
            pairs.append((a.unit, b.unit))
        elif a.unit is not None or b.unit is not None:
            half_found.append(b if a.unit is not None else a)
    distinct = {(a.id, b.id): (a, b) for a, b in pairs}
    if len(distinct) == 1:
        first, second = next(iter(distinct.values()))
        if first.id == second.id:
            return f"Hai tên cùng chỉ {first.name}: hãy chọn hai đơn vị khác nhau."
        return first, second
    if not distinct and half_found and any(s in text for s in SEPARATORS):
        return sentence(describe_match_failure(half_found[0])) + "."
    return (
        "Hãy ghi hai đơn vị, cách nhau bằng dấu phẩy hoặc «|», ví dụ: /compare Phú Riềng, Bù Đăng"
    )


def _positions(text: str, separator: str) -> list[int]:
    found, start = [], text.find(separator)
    while start > 0:
        found.append(start)
        start = text.find(separator, start + 1)
    return found


def unit_keyboard(session: Session, today: date, kind: str | None = None, page: int = 1) -> Reply:
    """Units grouped by kind: first the kinds, then one kind's units page by page (those
    that exist today first, then the merged or abolished ones, marked with their end)."""
    if kind is None:
        counts = unit_counts_by_kind(session)
        buttons = [
            [Button(f"{sentence(KIND_LABELS[k])} ({counts[k]})", f"/unit @{k} 1")]
            for k in KIND_ORDER
            if counts.get(k)
        ]
        if not buttons:
            return Reply("Chưa có đơn vị nào trong danh mục.")
        return Reply("Chọn cấp đơn vị (hoặc gõ /unit <tên đơn vị>):", buttons=buttons)
    total = unit_counts_by_kind(session).get(kind, 0)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    units = units_of_kind(session, kind, page, PAGE_SIZE, today)
    buttons = [
        [
            Button(
                u.name + (f" (đến {fmt_date(u.valid_to)})" if u.ended_before(today) else ""),
                f"/unit #{u.id}",
            )
        ]
        for u in units
    ]
    nav = []
    if page > 1:
        nav.append(Button("◀ Trước", f"/unit @{kind} {page - 1}"))
    nav.append(Button("Các cấp", "/unit @"))
    if page < pages:
        nav.append(Button("Sau ▶", f"/unit @{kind} {page + 1}"))
    buttons.append(nav)
    label = sentence(KIND_LABELS.get(kind, kind))
    return Reply(f"{label} — trang {page}/{pages}:", buttons=buttons, edit=True)


def unit_card(
    session: Session,
    clock: Clock,
    calendar: WorkCalendar,
    unit: Unit,
    *,
    detail: bool = True,
    window: Window = Window.LATEST,
    stale_days: int = 8,
) -> Reply:
    """Everything the office tracks about one unit, computed from stored data.

    Without ``detail`` (a focal point looking at another unit) only the public
    scores are shown.
    """
    catalogue = Catalogue.load(session)
    total = catalogue.get("TOTAL")
    ratios = catalogue.tracked_ratios()
    ids = [total.id, *(i.id for i in ratios)]
    latest = latest_readings(session, unit.id, ids)
    baselines = _baselines(session, unit, ids, latest, window)
    lines = [f"🏢 {unit.name} ({KIND_LABELS.get(unit.kind, unit.kind)})"]
    if unit.valid_to is not None:
        ended = f"Đơn vị hoạt động đến ngày {fmt_date(unit.valid_to)}"
        if unit.successor is not None:
            merged_on = unit.valid_to + timedelta(days=1)
            ended += f", sáp nhập vào {unit.successor.name} từ ngày {fmt_date(merged_on)}"
        lines.append(ended + ".")
    today = clock.now().date()
    totals = latest.get(total.id, [])
    if window is not Window.LATEST:
        if totals and total.id not in baselines:
            lines.append(sentence(describe_no_baseline(window, totals[0].as_of)) + ".")
        else:
            lines.append(f"So sánh với {describe_baseline(window)}.")
    note = age_note(totals[0].as_of, today, stale_days, totals[0].period) if totals else ""
    lines.extend(_total_lines(session, unit, total, totals, baselines, note))
    ratio_lines = _ratio_lines(session, unit, ratios, latest, baselines)
    if ratio_lines:
        newest_ratio = max(
            (r[0] for i, r in latest.items() if i != total.id), key=lambda r: r.as_of
        )
        old = age_note(newest_ratio.as_of, today, stale_days, newest_ratio.period)
        old = old.removeprefix(" — ")
        lines.append("Các chỉ tiêu" + (f" ({old})" if old else "") + ":")
        lines.extend(ratio_lines)
    lines.extend(_portal_lines(session, catalogue, unit))
    lines.extend(gap_lines(session, unit.id))
    if detail:
        lines.extend(_overdue_lines(session, clock, unit))
        lines.extend(_publication_lines(session, clock, calendar, unit))
    earlier = predecessors(session, unit)
    lines.extend(_predecessor_lines(session, clock, earlier, total, detail))
    buttons = [
        [
            Button(("• " if w is window else "") + WINDOW_LABELS[w], f"/unit #{unit.id} {w.value}")
            for w in Window
        ]
    ]
    if unit.successor is not None:
        buttons.append([Button(f"➡️ {unit.successor.name}", f"/unit #{unit.successor.id}")])
    buttons.extend([Button(f"⬅️ {u.name}", f"/unit #{u.id}")] for u in earlier[:MAX_PREDECESSORS])
    image = _history_chart(session, unit, total, earlier)
    return Reply("\n".join(lines), image=image, image_name="don-vi.png", buttons=buttons, edit=True)


def _daily_history(session: Session, unit: Unit, total: Indicator) -> list[Reading]:
    return [r for r in history(session, unit.id, total.id) if r.period == Period.DAY.value]


def _history_chart(
    session: Session, unit: Unit, total: Indicator, earlier: list[Unit]
) -> bytes | None:
    """The total score over time, with the merged units' own lines, labelled (never joined
    to the unit's: they are other units)."""
    own = _daily_history(session, unit, total)
    others = [(u.name, _daily_history(session, u, total)) for u in earlier[:MAX_PREDECESSORS]]
    points = sum(1 for r in own if r.value is not None)
    points += sum(1 for _, h in others for r in h if r.value is not None)
    if points < 2:
        return None
    return score_history_chart(
        f"{unit.name}: tổng điểm 766",
        [r.as_of for r in own],
        [r.value for r in own],
        earlier=[
            (f"{name} (trước sáp nhập)", [r.as_of for r in h], [r.value for r in h])
            for name, h in others
        ],
        name=unit.name,
    )


def _predecessor_lines(
    session: Session, clock: Clock, earlier: list[Unit], total: Indicator, detail: bool
) -> list[str]:
    """The last figures of the units merged into this one, each labelled with its unit and
    dated: history to follow across the merger, never compared with today's figures."""
    if not earlier:
        return []
    lines = ["Đơn vị đã sáp nhập vào đơn vị này (số liệu trước sáp nhập, không so sánh):"]
    now_local = clock.now().replace(tzinfo=None)
    for unit in earlier:
        facts = []
        readings = latest_readings(session, unit.id, [total.id], depth=1).get(total.id)
        if readings:
            newest = readings[0]
            maximum = newest.max_score or total.max_score
            fact = f"tổng điểm 766 ngày {fmt_date(newest.as_of)}: " + (
                NO_DATA if newest.value is None else fmt_score(newest.value, maximum)
            )
            if newest.rank is not None:
                out_of = f"/{newest.rank_of}" if newest.rank_of else ""
                fact += f", xếp hạng {newest.rank}{out_of} ({source_label(newest.source)})"
            facts.append(fact)
        if detail:
            summary = overdue_for_unit(session, unit.id, now_local)
            if summary.dossiers_overdue:
                facts.append(
                    f"{fmt_count(summary.dossiers_overdue)} hồ sơ quá hạn chưa giải quyết "
                    "(nay thuộc đơn vị này)"
                )
            if summary.count_as_of is not None and summary.count_value is not None:
                facts.append(
                    f"hồ sơ quá hạn theo {source_label(summary.count_source or '')} ngày "
                    f"{fmt_date(summary.count_as_of)}: {fmt_count(int(summary.count_value))} hồ sơ"
                )
            tasks = open_publication_tasks(session, unit.id)
            if tasks:
                facts.append(
                    f"{fmt_count(len(tasks))} nhiệm vụ công bố TTHC chưa có quyết định của tỉnh "
                    "(nay thuộc đơn vị này)"
                )
        until = f" (đến {fmt_date(unit.valid_to)})" if unit.valid_to is not None else ""
        lines.append(f"  • {unit.name}{until}: " + ("; ".join(facts) or "chưa có số liệu") + ".")
    return lines


def _baselines(
    session: Session,
    unit: Unit,
    ids: list[int],
    latest: dict[int, list[Reading]],
    window: Window,
) -> dict[int, Reading]:
    """Per indicator, the reading the newest one is compared with in this window."""
    if window is Window.LATEST:
        return {
            i: r[1]
            for i, r in latest.items()
            if len(r) > 1 and not unit.ends_or_begins_between(r[1].as_of, r[0].as_of)
        }
    newest_days = [r[0].as_of for r in latest.values()]
    if not newest_days:
        return {}
    reference = max(newest_days)
    start = window_start(window, reference)
    assert start is not None
    before = first_readings_from(session, unit.id, ids, start, reference)
    result = {}
    for indicator_id, readings in latest.items():
        newest = readings[0]
        found = before.get((indicator_id, newest.source, newest.period))
        if (
            found is not None
            and found.as_of < newest.as_of
            and not unit.ends_or_begins_between(found.as_of, newest.as_of)
        ):
            result[indicator_id] = found
    return result


def _change_text(newest: Reading, base: Reading | None, unit_word: str) -> str:
    if base is None:
        return ""
    if newest.value is None or base.value is None:
        return f" (ngày {fmt_date(base.as_of)} không có dữ liệu để so sánh)"
    return (
        f", {fmt_change(newest.value - base.value)}{unit_word} so với ngày "
        f"{fmt_date(base.as_of)} ({fmt_number(base.value)})"
    )


def _total_lines(
    session: Session,
    unit: Unit,
    total: Indicator,
    readings: list[Reading],
    baselines: dict[int, Reading],
    age: str,
) -> list[str]:
    """The total score (with ``age``, the note on an old figure), the rank among the kind."""
    if not readings:
        return ["Tổng điểm 766: chưa có số liệu."]
    newest = readings[0]
    maximum = newest.max_score or total.max_score
    if newest.value is None:
        line = f"Tổng điểm 766 ngày {fmt_date(newest.as_of)}: {NO_DATA} (không tính là 0)"
    else:
        line = f"Tổng điểm 766 ngày {fmt_date(newest.as_of)}: {fmt_score(newest.value, maximum)}"
        line += _change_text(newest, baselines.get(total.id), " điểm")
    lines = [line + age + "."]
    table = kind_table(session, total.id, unit.kind)
    rank = place_in_table(table, unit.id) if table is not None else None
    kind_name = KIND_SHORT.get(unit.kind, "đơn vị")
    if rank is not None and rank.rank is not None:
        text = f"Xếp hạng trong các {kind_name}: {rank.rank}/{rank.ranked}"
        if table is not None and table.as_of != newest.as_of:
            text += f" (số liệu mới nhất của từng đơn vị, đến ngày {fmt_date(table.as_of)})"
        unranked = rank.listed - rank.ranked
        if unranked:
            text += f" ({unranked} đơn vị không có dữ liệu, không xếp hạng)"
        lines.append(text + ".")
    elif table is not None and unit.ended_before(table.as_of):
        pass  # ended before the table's date: not ranked among the units that exist
    elif unit.kind != "province":
        lines.append(f"Không xếp hạng trong các {kind_name} (không có dữ liệu).")
    if newest.rank is not None:
        out_of = f"/{newest.rank_of}" if newest.rank_of else ""
        lines.append(f"Xếp hạng do {source_label(newest.source)} công bố: {newest.rank}{out_of}.")
    return lines


def _ratio_lines(
    session: Session,
    unit: Unit,
    ratios: list[Indicator],
    latest: dict[int, list[Reading]],
    baselines: dict[int, Reading],
) -> list[str]:
    targets_cache: dict[int, dict[int, Target]] = {}
    lines = []
    for indicator in ratios:
        readings = latest.get(indicator.id)
        if not readings:
            continue
        newest = readings[0]
        text = f"  • {indicator.label}: {fmt_percent(newest.value)} ({fmt_date(newest.as_of)})"
        base = baselines.get(indicator.id)
        if base is not None and newest.value is not None and base.value is not None:
            text += f", {fmt_change(newest.value - base.value)}"
        year = newest.as_of.year
        if year not in targets_cache:
            targets_cache[year] = targets_for(session, year, unit.kind)
        target = targets_cache[year].get(indicator.id)
        if target is not None and newest.value is not None:
            text += _roadmap_text(target, newest)
        lines.append(text)
    return lines


def _roadmap_text(target: Target, newest: Reading) -> str:
    assert newest.value is not None
    year = newest.as_of.year
    if newest.period == Period.YEAR.value:
        goal, label = target.yearly, f"chỉ tiêu năm {year}"
    else:
        quarter = quarter_of(newest.as_of)
        goal, label = target.for_quarter(quarter), f"lộ trình quý {QUARTER_NAMES[quarter]}/{year}"
    if goal is None:
        return ""
    if newest.value >= goal:
        return f" — {label}: {fmt_percent(goal)}, ✅ đạt"
    return (
        f" — {label}: {fmt_percent(goal)}, ❌ chưa đạt "
        f"(thiếu {fmt_number(goal - newest.value)} điểm %)"
    )


#: Short words for the portal's data-quality flags, explained once under the list.
QUALITY_WORDS = {
    "TEMP_NATIONAL_REPORT_DENOMINATOR": "mẫu số tạm",
    "NO_NATIONAL_REPORT_DATA": "chưa có báo cáo tổng hợp",
}


def _portal_lines(session: Session, catalogue: Catalogue, unit: Unit) -> list[str]:
    """The six group scores of the newest snapshot holding them, each with its metrics as
    the portal gives them (ratio, numerator/denominator, score) and its data-quality flag."""
    groups = catalogue.groups()
    snapshot_id = latest_snapshot_with(session, unit.id, [g.id for g in groups])
    if snapshot_id is None:
        return []
    snapshot, found = snapshot_observations(session, unit.id, snapshot_id)
    metrics = [i for i in catalogue.indicators if i.category == "metric"]
    lines = [
        f"Điểm theo nhóm ({source_label(snapshot.source)}, "
        f"{describe_as_of(snapshot.period, snapshot.as_of)}):"
    ]
    flags: dict[str, str] = {}
    for group in groups:
        observed = found.get(group.id)
        if observed is None:
            continue
        maximum = observed.max_score or group.max_score
        lines.append(f"  • {group.name}: {fmt_score(observed.value, maximum)}")
        for metric in (m for m in metrics if m.group_code == group.code):
            reading = found.get(metric.id)
            if reading is None:
                continue
            text = f"      – {metric.label}: {fmt_percent(reading.value)}"
            if reading.numerator is not None and reading.denominator is not None:
                text += (
                    f" ({fmt_count(int(reading.numerator))}/{fmt_count(int(reading.denominator))})"
                )
            if reading.score is not None and reading.max_score:
                text += f", {fmt_score(reading.score, reading.max_score)} điểm"
            if reading.quality_status:
                word = QUALITY_WORDS.get(reading.quality_status, reading.quality_status)
                flags[word] = reading.quality_message or word
                text += f" ⚠️ {word}"
            lines.append(text)
    lines.extend(f"⚠️ {word}: {message}" for word, message in flags.items())
    return lines if len(lines) > 1 else []


def _overdue_lines(session: Session, clock: Clock, unit: Unit) -> list[str]:
    now_local = clock.now().replace(tzinfo=None)
    summary = overdue_for_unit(session, unit.id, now_local)
    lines = []
    if summary.dossiers_known:
        text = (
            "Hồ sơ quá hạn chưa giải quyết (danh sách hồ sơ đã nhập): "
            f"{fmt_count(summary.dossiers_overdue)} hồ sơ"
        )
        if summary.oldest_due is not None:
            text += f", quá hạn lâu nhất từ {fmt_date(summary.oldest_due)}"
        lines.append(text + ".")
        if summary.dossiers_finished_late:
            lines.append(FINISHED_LATE.format(fmt_count(summary.dossiers_finished_late)))
    if summary.count_as_of is not None:
        count = (
            "không có dữ liệu"
            if summary.count_value is None
            else f"{fmt_count(int(summary.count_value))} hồ sơ"
        )
        lines.append(
            f"Hồ sơ quá hạn theo {source_label(summary.count_source or '')} ngày "
            f"{fmt_date(summary.count_as_of)}: {count}{old_count_note(summary)}."
        )
    return lines


def _publication_lines(
    session: Session, clock: Clock, calendar: WorkCalendar, unit: Unit
) -> list[str]:
    tasks = open_publication_tasks(session, unit.id)
    if not tasks:
        return []
    today = clock.now().date()
    lines = [f"Nhiệm vụ công bố TTHC chưa có quyết định của tỉnh: {len(tasks)}"]
    for task in tasks[:5]:
        lines.append(f"  • {task.ministry_decision_no}: {task_state(task, today, calendar)}")
    return lines
