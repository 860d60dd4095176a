"""/unit's card as text, buttons and chart: a pure function of :class:`UnitCard`, the values
:func:`app.answers.unit.load_unit_card` read (score, change, rank among its kind, ratios
against the roadmap, the portal's groups, sources that disagree, overdue dossiers,
publication tasks, the units merged into this one)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from core.records import OverdueSummary, Reading
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
from views.charts import score_history_chart
from views.labels import FINISHED_LATE, Gap, age_note, gap_lines, old_count_note, source_label
from views.tasks import task_state
from views.windows import (
    WINDOW_LABELS,
    Window,
    describe_as_of,
    describe_baseline,
    describe_no_baseline,
    quarter_of,
)

#: Merged units drawn on a card's chart and offered as buttons (the text lists them all).
MAX_PREDECESSORS = 4
#: Publication tasks listed on a card (the count says how many there are).
TASKS_LISTED = 5
#: Short words for the portal's data-quality flags, explained once under the list.
QUALITY_WORDS = {
    "TEMP_NATIONAL_REPORT_DENOMINATOR": "mẫu số tạm",
    "NO_NATIONAL_REPORT_DATA": "chưa có báo cáo tổng hợp",
}
PERIOD_YEAR = "year"


@dataclass(frozen=True)
class UnitRef:
    """A unit as a card names it."""

    id: int
    name: str
    valid_to: date | None = None

    def ended_before(self, day: date) -> bool:
        return self.valid_to is not None and self.valid_to < day


@dataclass(frozen=True)
class Place:
    """Where the unit stands among the units of its kind in the table of the total score."""

    table_as_of: date
    rank: int | None
    ranked: int
    listed: int


@dataclass(frozen=True)
class Goal:
    """A ratio's target for the year and its quarterly roadmap (percent; None: not set)."""

    yearly: float | None
    quarters: tuple[float | None, float | None, float | None, float | None]


@dataclass(frozen=True)
class Ratio:
    label: str
    newest: Reading
    base: Reading | None
    goal: Goal | None


@dataclass(frozen=True)
class Metric:
    """One of the portal's metrics of a group, as the portal gives it."""

    group_code: str
    label: str
    value: float | None
    numerator: float | None
    denominator: float | None
    score: float | None
    max_score: float | None
    quality_status: str | None
    quality_message: str | None


@dataclass(frozen=True)
class Group:
    name: str
    value: float | None
    max_score: float | None
    metrics: list[Metric]


@dataclass(frozen=True)
class PortalGroups:
    """The six group scores of the newest snapshot holding them."""

    source: str
    period: str
    as_of: date
    groups: list[Group]


@dataclass(frozen=True)
class Task:
    """An open publication task (it satisfies :class:`views.tasks.TaskDates`)."""

    ministry_decision_no: str
    deadline: date | None
    submission_date: date | None


@dataclass(frozen=True)
class Predecessor:
    """A unit merged into this one: its last figures, labelled, never compared."""

    unit: UnitRef
    newest_total: Reading | None
    overdue: OverdueSummary | None
    open_tasks: int


@dataclass(frozen=True)
class UnitCard:
    """Everything the card says about one unit, as read from storage."""

    unit: UnitRef
    kind: str
    kind_label: str  # "UBND cấp huyện"
    kind_short: str  # "huyện" in "Xếp hạng trong các huyện"
    successor: UnitRef | None
    today: date
    stale_days: int
    window: Window
    #: Focal points see another unit's public scores only: no dossiers, no tasks.
    detail: bool
    total_max: float | None
    #: The total score's readings, newest first (the newest and the one before).
    totals: list[Reading]
    #: Per indicator id, the reading the newest one is compared with in this window.
    baselines: dict[int, Reading]
    total_id: int
    place: Place | None
    ratios: list[Ratio]
    portal: PortalGroups | None
    gaps: list[Gap]
    overdue: OverdueSummary | None
    tasks: list[Task]
    calendar: WorkCalendar
    predecessors: list[Predecessor] = field(default_factory=list)
    #: The daily total score of the unit and of its first merged units, oldest first.
    history: list[Reading] = field(default_factory=list)
    predecessor_histories: list[tuple[str, list[Reading]]] = field(default_factory=list)


def unit_card_reply(card: UnitCard) -> Reply:
    """The card as a reply: text, the window buttons, the merged units' buttons, the chart."""
    unit = card.unit
    lines = [f"🏢 {unit.name} ({card.kind_label})"]
    if unit.valid_to is not None:
        ended = f"Đơn vị hoạt động đến ngày {fmt_date(unit.valid_to)}"
        if card.successor is not None:
            merged_on = unit.valid_to + timedelta(days=1)
            ended += f", sáp nhập vào {card.successor.name} từ ngày {fmt_date(merged_on)}"
        lines.append(ended + ".")
    totals = card.totals
    if card.window is not Window.LATEST:
        if totals and card.total_id not in card.baselines:
            lines.append(sentence(describe_no_baseline(card.window, totals[0].as_of)) + ".")
        else:
            lines.append(f"So sánh với {describe_baseline(card.window)}.")
    note = (
        age_note(totals[0].as_of, card.today, card.stale_days, totals[0].period) if totals else ""
    )
    lines.extend(_total_lines(card, note))
    ratio_lines = [_ratio_line(r) for r in card.ratios]
    if ratio_lines:
        newest = max((r.newest for r in card.ratios), key=lambda r: r.as_of)
        old = age_note(newest.as_of, card.today, card.stale_days, newest.period)
        old = old.removeprefix(" — ")
        lines.append("Các chỉ tiêu" + (f" ({old})" if old else "") + ":")
        lines.extend(ratio_lines)
    lines.extend(_portal_lines(card.portal))
    lines.extend(gap_lines(card.gaps))
    if card.detail:
        lines.extend(_overdue_lines(card.overdue))
        lines.extend(_task_lines(card))
    lines.extend(_predecessor_lines(card))
    buttons = [
        [
            Button(
                ("• " if w is card.window else "") + WINDOW_LABELS[w], f"/unit #{unit.id} {w.value}"
            )
            for w in Window
        ]
    ]
    if card.successor is not None:
        buttons.append([Button(f"➡️ {card.successor.name}", f"/unit #{card.successor.id}")])
    buttons.extend(
        [Button(f"⬅️ {p.unit.name}", f"/unit #{p.unit.id}")]
        for p in card.predecessors[:MAX_PREDECESSORS]
    )
    image = _history_chart(card)
    return Reply("\n".join(lines), image=image, image_name="don-vi.png", buttons=buttons, edit=True)


def _change_text(newest: Reading, base: Reading | None, unit_word: str) -> str:
    if base is None:
        return ""
    if newest.value is None or base.value is None:
        return f" (ngày {fmt_date(base.as_of)} không có dữ liệu để so sánh)"
    return (
        f", {fmt_change(newest.value - base.value)}{unit_word} so với ngày "
        f"{fmt_date(base.as_of)} ({fmt_number(base.value)})"
    )


def _total_lines(card: UnitCard, age: str) -> list[str]:
    """The total score (with ``age``, the note on an old figure), the rank among the kind."""
    if not card.totals:
        return ["Tổng điểm 766: chưa có số liệu."]
    newest = card.totals[0]
    maximum = newest.max_score or card.total_max
    if newest.value is None:
        line = f"Tổng điểm 766 ngày {fmt_date(newest.as_of)}: {NO_DATA} (không tính là 0)"
    else:
        line = f"Tổng điểm 766 ngày {fmt_date(newest.as_of)}: {fmt_score(newest.value, maximum)}"
        line += _change_text(newest, card.baselines.get(card.total_id), " điểm")
    lines = [line + age + "."]
    place = card.place
    if place is not None and place.rank is not None:
        text = f"Xếp hạng trong các {card.kind_short}: {place.rank}/{place.ranked}"
        if place.table_as_of != newest.as_of:
            text += f" (số liệu mới nhất của từng đơn vị, đến ngày {fmt_date(place.table_as_of)})"
        unranked = place.listed - place.ranked
        if unranked:
            text += f" ({unranked} đơn vị không có dữ liệu, không xếp hạng)"
        lines.append(text + ".")
    elif place is not None and card.unit.ended_before(place.table_as_of):
        pass  # ended before the table's date: not ranked among the units that exist
    elif card.kind != "province":
        lines.append(f"Không xếp hạng trong các {card.kind_short} (không có dữ liệu).")
    if newest.rank is not None:
        out_of = f"/{newest.rank_of}" if newest.rank_of else ""
        lines.append(f"Xếp hạng do {source_label(newest.source)} công bố: {newest.rank}{out_of}.")
    return lines


def _ratio_line(ratio: Ratio) -> str:
    newest, base = ratio.newest, ratio.base
    text = f"  • {ratio.label}: {fmt_percent(newest.value)} ({fmt_date(newest.as_of)})"
    if base is not None and newest.value is not None and base.value is not None:
        text += f", {fmt_change(newest.value - base.value)}"
    if ratio.goal is not None and newest.value is not None:
        text += _roadmap_text(ratio.goal, newest)
    return text


def _roadmap_text(goal: Goal, newest: Reading) -> str:
    assert newest.value is not None
    year = newest.as_of.year
    if newest.period == PERIOD_YEAR:
        target, label = goal.yearly, f"chỉ tiêu năm {year}"
    else:
        quarter = quarter_of(newest.as_of)
        target = goal.quarters[quarter - 1]
        label = f"lộ trình quý {QUARTER_NAMES[quarter]}/{year}"
    if target is None:
        return ""
    if newest.value >= target:
        return f" — {label}: {fmt_percent(target)}, ✅ đạt"
    return (
        f" — {label}: {fmt_percent(target)}, ❌ chưa đạt "
        f"(thiếu {fmt_number(target - newest.value)} điểm %)"
    )


def _portal_lines(portal: PortalGroups | None) -> list[str]:
    """The six group scores, each with its metrics as the portal gives them (ratio,
    numerator/denominator, score) and its data-quality flag."""
    if portal is None:
        return []
    lines = [
        f"Điểm theo nhóm ({source_label(portal.source)}, "
        f"{describe_as_of(portal.period, portal.as_of)}):"
    ]
    flags: dict[str, str] = {}
    for group in portal.groups:
        lines.append(f"  • {group.name}: {fmt_score(group.value, group.max_score)}")
        for metric in group.metrics:
            text = f"      – {metric.label}: {fmt_percent(metric.value)}"
            if metric.numerator is not None and metric.denominator is not None:
                text += (
                    f" ({fmt_count(int(metric.numerator))}/{fmt_count(int(metric.denominator))})"
                )
            if metric.score is not None and metric.max_score:
                text += f", {fmt_score(metric.score, metric.max_score)} điểm"
            if metric.quality_status:
                word = QUALITY_WORDS.get(metric.quality_status, metric.quality_status)
                flags[word] = metric.quality_message or word
                text += f" ⚠️ {word}"
            lines.append(text)
    lines.extend(f"⚠️ {word}: {message}" for word, message in flags.items())
    return lines if len(lines) > 1 else []


def _overdue_lines(summary: OverdueSummary | None) -> list[str]:
    if summary is None:
        return []
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


def _task_lines(card: UnitCard) -> list[str]:
    if not card.tasks:
        return []
    lines = [f"Nhiệm vụ công bố TTHC chưa có quyết định của tỉnh: {len(card.tasks)}"]
    for task in card.tasks[:TASKS_LISTED]:
        state = task_state(task, card.today, card.calendar)
        lines.append(f"  • {task.ministry_decision_no}: {state}")
    return lines


def _predecessor_lines(card: UnitCard) -> list[str]:
    """The last figures of the units merged into this one, each labelled with its unit and
    dated: history to follow across the merger, never compared with today's figures."""
    if not card.predecessors:
        return []
    lines = ["Đơn vị đã sáp nhập vào đơn vị này (số liệu trước sáp nhập, không so sánh):"]
    for earlier in card.predecessors:
        facts = []
        newest = earlier.newest_total
        if newest is not None:
            maximum = newest.max_score or card.total_max
            fact = f"tổng điểm 766 ngày {fmt_date(newest.as_of)}: " + (
                NO_DATA if newest.value is None else fmt_score(newest.value, maximum)
            )
            if newest.rank is not None:
                out_of = f"/{newest.rank_of}" if newest.rank_of else ""
                fact += f", xếp hạng {newest.rank}{out_of} ({source_label(newest.source)})"
            facts.append(fact)
        summary = earlier.overdue
        if card.detail and summary is not None:
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
        if card.detail and earlier.open_tasks:
            facts.append(
                f"{fmt_count(earlier.open_tasks)} nhiệm vụ công bố TTHC chưa có quyết định của "
                "tỉnh (nay thuộc đơn vị này)"
            )
        valid_to = earlier.unit.valid_to
        until = f" (đến {fmt_date(valid_to)})" if valid_to is not None else ""
        text = "; ".join(facts) or "chưa có số liệu"
        lines.append(f"  • {earlier.unit.name}{until}: {text}.")
    return lines


def _history_chart(card: UnitCard) -> bytes | None:
    """The total score over time, with the merged units' own lines, labelled (never joined
    to the unit's: they are other units)."""
    own, others = card.history, card.predecessor_histories
    points = sum(1 for r in own if r.value is not None)
    points += sum(1 for _, h in others for r in h if r.value is not None)
    if points < 2:
        return None
    return score_history_chart(
        f"{card.unit.name}: tổng điểm 766",
        [r.as_of for r in own],
        [r.value for r in own],
        earlier=[
            (f"{name} (trước sáp nhập)", [r.as_of for r in h], [r.value for r in h])
            for name, h in others
        ],
        name=card.unit.name,
    )
