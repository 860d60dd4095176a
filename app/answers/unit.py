"""/unit NAME: picking the unit, the units keyboard, and the values of its card (read here,
formatted by :mod:`views.unit_card`)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session, lazyload

from app.answers.sources import unit_gaps
from core.clock import Clock
from core.records import Reading
from core.reply import Button, Reply
from core.vnformat import fmt_date, sentence
from core.workdays import WorkCalendar
from storage.catalogue import Catalogue
from storage.models import Indicator, Period, Unit
from storage.queries.dossiers import overdue_for_units
from storage.queries.publications import open_tasks_of
from storage.queries.rankings import kind_table, place_in_table
from storage.queries.readings import (
    first_readings_from,
    histories,
    latest_readings,
    latest_snapshot_with,
    newest_of_units,
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
from views.unit_card import (
    MAX_PREDECESSORS,
    Goal,
    Group,
    Metric,
    Place,
    PortalGroups,
    Predecessor,
    Ratio,
    Task,
    UnitCard,
    UnitRef,
    unit_card_reply,
)
from views.windows import Window, window_start

PAGE_SIZE = 10


def pick_unit(session: Session, clock: Clock, query: str, command: str) -> Unit | Reply:
    """The unit a user typed ("#12" from a button, or a loose name), or a reply with choices.

    The choices are buttons that repeat ``command`` with the chosen unit.
    """
    query = query.strip()
    if query.startswith("#") and query[1:].isdigit():
        unit = session.get(Unit, int(query[1:]), options=[lazyload(Unit.aliases)])
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
    """Everything the office tracks about one unit: read, then formatted.

    Without ``detail`` (a focal point looking at another unit) only the public scores are
    shown (dossiers and tasks are not even read)."""
    card = load_unit_card(
        session, clock, calendar, unit, detail=detail, window=window, stale_days=stale_days
    )
    return unit_card_reply(card)


def load_unit_card(
    session: Session,
    clock: Clock,
    calendar: WorkCalendar,
    unit: Unit,
    *,
    detail: bool = True,
    window: Window = Window.LATEST,
    stale_days: int = 8,
) -> UnitCard:
    """The values of one unit's card, in a bounded number of statements whatever the length
    of its history and however many units were merged into it."""
    catalogue = Catalogue.load(session)
    total = catalogue.get("TOTAL")
    ratios = catalogue.tracked_ratios()
    ids = [total.id, *(i.id for i in ratios)]
    latest = latest_readings(session, unit.id, ids)
    baselines = _baselines(session, unit, ids, latest, window)
    earlier = predecessors(session, unit)
    earlier_ids = [u.id for u in earlier]
    now_local = clock.now().replace(tzinfo=None)
    overdue = overdue_for_units(session, [unit.id, *earlier_ids], now_local) if detail else {}
    tasks = open_tasks_of(session, [unit.id, *earlier_ids]) if detail else {}
    newest_totals = newest_of_units(session, earlier_ids, total.id)
    drawn = [unit.id, *earlier_ids[:MAX_PREDECESSORS]]
    series = histories(session, drawn, total.id, Period.DAY.value)
    successor = unit.successor
    return UnitCard(
        unit=_ref(unit),
        kind=unit.kind,
        kind_label=KIND_LABELS.get(unit.kind, unit.kind),
        kind_short=KIND_SHORT.get(unit.kind, "đơn vị"),
        successor=_ref(successor) if successor is not None else None,
        today=clock.now().date(),
        stale_days=stale_days,
        window=window,
        detail=detail,
        total_max=total.max_score,
        totals=latest.get(total.id, []),
        baselines=baselines,
        total_id=total.id,
        place=_place(session, unit, total),
        ratios=_ratios(session, unit, ratios, latest, baselines),
        portal=_portal(session, catalogue, unit),
        gaps=unit_gaps(session, unit.id, catalogue),
        overdue=overdue.get(unit.id),
        tasks=[
            Task(t.ministry_decision_no, t.deadline, t.submission_date)
            for t in tasks.get(unit.id, [])
        ],
        calendar=calendar,
        predecessors=[
            Predecessor(
                _ref(u), newest_totals.get(u.id), overdue.get(u.id), len(tasks.get(u.id, []))
            )
            for u in earlier
        ],
        history=series[unit.id],
        predecessor_histories=[(u.name, series[u.id]) for u in earlier[:MAX_PREDECESSORS]],
    )


def _ref(unit: Unit) -> UnitRef:
    return UnitRef(unit.id, unit.name, unit.valid_to)


def _place(session: Session, unit: Unit, total: Indicator) -> Place | None:
    """Where the unit stands in the table of its kind (None: no table for the kind)."""
    table = kind_table(session, total.id, unit.kind)
    if table is None:
        return None
    rank = place_in_table(table, unit.id)
    return Place(table.as_of, rank.rank, rank.ranked, rank.listed)


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


def _ratios(
    session: Session,
    unit: Unit,
    ratios: list[Indicator],
    latest: dict[int, list[Reading]],
    baselines: dict[int, Reading],
) -> list[Ratio]:
    """The tracked ratios the unit has readings of, with the targets of each reading's year."""
    years = sorted({latest[i.id][0].as_of.year for i in ratios if latest.get(i.id)})
    targets = {year: targets_for(session, year, unit.kind) for year in years}
    found = []
    for indicator in ratios:
        readings = latest.get(indicator.id)
        if not readings:
            continue
        newest = readings[0]
        target = targets[newest.as_of.year].get(indicator.id)
        goal = (
            Goal(target.yearly, (target.q1, target.q2, target.q3, target.q4))
            if target is not None
            else None
        )
        found.append(Ratio(indicator.label, newest, baselines.get(indicator.id), goal))
    return found


def _portal(session: Session, catalogue: Catalogue, unit: Unit) -> PortalGroups | None:
    """The six group scores of the newest snapshot holding them, with their metrics."""
    groups = catalogue.groups()
    snapshot_id = latest_snapshot_with(session, unit.id, [g.id for g in groups])
    if snapshot_id is None:
        return None
    snapshot, found = snapshot_observations(session, unit.id, snapshot_id)
    metrics = [i for i in catalogue.indicators if i.category == "metric"]
    shown = []
    for group in groups:
        observed = found.get(group.id)
        if observed is None:
            continue
        shown.append(
            Group(
                group.name,
                observed.value,
                observed.max_score or group.max_score,
                [
                    Metric(
                        metric.group_code or "",
                        metric.label,
                        reading.value,
                        reading.numerator,
                        reading.denominator,
                        reading.score,
                        reading.max_score,
                        reading.quality_status,
                        reading.quality_message,
                    )
                    for metric in metrics
                    if metric.group_code == group.code
                    and (reading := found.get(metric.id)) is not None
                ],
            )
        )
    if not shown:
        return None
    return PortalGroups(snapshot.source, snapshot.period, snapshot.as_of, shown)
