"""The national portal's 766 reporting API (Cổng DVCQG): what is asked, how an answer is
read and checked, and how a complete sync is stored.

Nothing here does I/O but the database: the HTTP client lives in ``app.portal_client``. The
portal's scores are stored as given (never recomputed); the total of a unit is the sum of
its six group scores, computed, and only when all six are known.  ``null`` stays None.
"""

from __future__ import annotations

import calendar as month_calendar
import hashlib
import json
import re
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.vnformat import QUARTER_NAMES, fmt_count, fmt_date
from storage.importers.observations import ObservationRecord
from storage.models import (
    ImportFile,
    Indicator,
    IndicatorCategory,
    Measure,
    Period,
    PortalResponse,
    PortalSync,
    Unit,
    UnitKind,
)
from storage.units import find_unit, unit_keys

SOURCE = "DVCQG"
#: The ranking of the provinces (``service-results``): every province's total and groups.
NATIONAL_SOURCE = "DVCQG_NATIONAL"
PROVINCE_SCOPE = "province"
NATIONAL_SCOPE = "national"


class Shape(StrEnum):
    """The two answer shapes: A (``overview`` + ``evaluation[]`` with ``metrics[]``),
    B (``parent`` + ``children[]`` with counts on each node)."""

    A = "A"
    B = "B"


@dataclass(frozen=True)
class Endpoint:
    name: str
    group: str
    shape: Shape
    page_size: int
    #: Asked with a date range instead of the period (``handling-satisfaction``).
    date_range: bool = False


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("transparency", "CKMB", Shape.A, 200),
    Endpoint("handling-satisfaction", "MDHL", Shape.A, 200, date_range=True),
    Endpoint("dossier-digitized", "MDSH", Shape.A, 200),
    Endpoint("dvc-progress-tree", "TDGQ", Shape.B, 100),
    Endpoint("provide-online-tree", "CLGQ", Shape.B, 200),
    Endpoint("formality-online-payment-tree", "TTTT", Shape.B, 100),
)
GROUPS: tuple[str, ...] = tuple(e.group for e in ENDPOINTS)
NATIONAL_ENDPOINT = "service-results"

#: The portal's department types, as unit kinds of the registry.
PORTAL_KINDS = {
    "PROVINCE": UnitKind.PROVINCE,
    "ADMINISTRATIVE_UNIT": UnitKind.PROVINCE,
    "PROVINCIAL_DEPARTMENT": UnitKind.DEPARTMENT,
    "DISTRICT_PEOPLE_COMMITTEE": UnitKind.DISTRICT,
    "COMMUNE_PEOPLE_COMMITTEE": UnitKind.COMMUNE,
}


class PeriodProblem(ValueError):
    """A period the portal cannot be asked for; the message is Vietnamese."""


@dataclass(frozen=True)
class PortalPeriod:
    """A month, quarter or year of the portal's reporting."""

    kind: Period
    year: int
    number: int | None = None  # the month or the quarter

    @classmethod
    def parse(cls, text: str) -> PortalPeriod:
        """ "month:2026-08", "quarter:2026-Q3", "year:2026"."""
        value = text.strip().lower()
        if match := re.fullmatch(r"month:(\d{4})-(\d{1,2})", value):
            year, month = int(match[1]), int(match[2])
            if not 1 <= month <= 12:
                raise PeriodProblem(f"tháng «{match[2]}» không hợp lệ")
            return cls(Period.MONTH, year, month)
        if match := re.fullmatch(r"quarter:(\d{4})-q([1-4])", value):
            return cls(Period.QUARTER, int(match[1]), int(match[2]))
        if match := re.fullmatch(r"year:(\d{4})", value):
            return cls(Period.YEAR, int(match[1]))
        raise PeriodProblem(
            f"kỳ «{text}» không hợp lệ (ví dụ: month:2026-08, quarter:2026-Q3, year:2026)"
        )

    @classmethod
    def last_finished_month(cls, today: date) -> PortalPeriod:
        last = today.replace(day=1) - timedelta(days=1)
        return cls(Period.MONTH, last.year, last.month)

    @property
    def key(self) -> str:
        if self.kind is Period.MONTH:
            return f"month:{self.year}-{self.number:02d}"
        if self.kind is Period.QUARTER:
            return f"quarter:{self.year}-Q{self.number}"
        return f"year:{self.year}"

    @property
    def label(self) -> str:
        if self.kind is Period.MONTH:
            return f"tháng {self.number}/{self.year}"
        if self.kind is Period.QUARTER:
            assert self.number is not None
            return f"quý {QUARTER_NAMES[self.number]}/{self.year}"
        return f"năm {self.year}"

    @property
    def first_day(self) -> date:
        if self.kind is Period.MONTH:
            assert self.number is not None
            return date(self.year, self.number, 1)
        if self.kind is Period.QUARTER:
            assert self.number is not None
            return date(self.year, 3 * self.number - 2, 1)
        return date(self.year, 1, 1)

    @property
    def last_day(self) -> date:
        if self.kind is Period.YEAR:
            return date(self.year, 12, 31)
        assert self.number is not None
        month = self.number if self.kind is Period.MONTH else 3 * self.number
        return date(self.year, month, month_calendar.monthrange(self.year, month)[1])

    def check_askable(self, today: date) -> None:
        """A month may be asked for only once it has ended; a quarter or a year that is
        still running gives its figures so far."""
        if self.first_day >= today:
            raise PeriodProblem(f"{self.label} chưa bắt đầu")
        if self.kind is Period.MONTH and self.last_day >= today:
            raise PeriodProblem(f"{self.label} chưa kết thúc: cổng chỉ trả số liệu tháng đã qua")

    def as_of(self, today: date) -> date:
        """The date the figures stand at: the period's end, or yesterday while it runs."""
        return min(self.last_day, today - timedelta(days=1))

    def body(self, endpoint: Endpoint, root_department_id: str, page: int = 1) -> dict[str, Any]:
        """The JSON body of one request (see the API's README)."""
        body: dict[str, Any]
        if endpoint.date_range:
            body = {
                "fromDate": self.first_day.isoformat(),
                "toDate": self.last_day.isoformat(),
            }
        else:
            body = {"timeType": self.kind.value, "year": self.year}
            if self.kind is Period.MONTH:
                body["month"] = self.number
            elif self.kind is Period.QUARTER:
                body["quarter"] = self.number
        body.update(
            {
                "rootDepartmentId": root_department_id,
                "currentPage": page,
                "pageSize": endpoint.page_size,
            }
        )
        return body

    def national_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "timeType": self.kind.value,
            "year": self.year,
            "departmentType": "ADMINISTRATIVE_UNIT",
        }
        if self.kind is Period.MONTH:
            body["month"] = self.number
        elif self.kind is Period.QUARTER:
            body["quarter"] = self.number
        return body


class AnswerProblem(ValueError):
    """An answer that cannot be used as it is (malformed, an error, a changed schema); the
    message is Vietnamese."""


@dataclass
class MetricAnswer:
    code: str
    name: str
    numerator: float | None
    denominator: float | None
    ratio: float | None
    score: float | None
    max_score: float | None
    quality_status: str | None = None
    quality_message: str | None = None


@dataclass
class UnitAnswer:
    """One unit's node in an answer: its group score and, in shape A, its metrics."""

    department_id: str
    name: str
    code: str | None
    type: str | None
    level: str | None
    score: float | None
    max_score: float | None
    metrics: list[MetricAnswer] = field(default_factory=list)


@dataclass
class GroupAnswer:
    """One endpoint's answer: the province (overview / parent) and its units."""

    endpoint: Endpoint
    province: UnitAnswer
    units: list[UnitAnswer]
    total_pages: int = 1


@dataclass
class ProvinceScore:
    """One province in the national ranking (``service-results``)."""

    department_id: str
    name: str
    code: str | None
    total: float | None
    groups: dict[str, float | None]


def _envelope(body: bytes) -> Any:
    """The ``data`` of a ``{"code": "OK", "data": …}`` answer."""
    text = body.lstrip()
    if text[:1] == b"<":
        raise AnswerProblem("cổng trả về một trang HTML thay vì dữ liệu (tường lửa?)")
    try:
        answer = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AnswerProblem(
            f"câu trả lời không phải JSON hợp lệ (bị cắt ở ký tự {fmt_count(exc.pos)}?)"
            if isinstance(exc, json.JSONDecodeError)
            else "câu trả lời không đọc được (không phải UTF-8)"
        ) from exc
    if not isinstance(answer, dict):
        raise AnswerProblem("câu trả lời không có dạng {code, data}")
    if answer.get("code") != "OK":
        raise AnswerProblem(
            f"cổng trả lời mã «{answer.get('code')}»: {answer.get('message') or 'không rõ lý do'}"
        )
    data = answer.get("data")
    if data is None:
        raise AnswerProblem("câu trả lời thiếu trường «data»")
    return data


def _field(node: Mapping[str, Any], name: str, where: str) -> Any:
    if name not in node:
        raise AnswerProblem(f"thiếu trường «{name}» ở {where} (cổng đổi cấu trúc dữ liệu?)")
    return node[name]


def _number(node: Mapping[str, Any], name: str, where: str, required: bool = True) -> float | None:
    value = _field(node, name, where) if required else node.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AnswerProblem(f"trường «{name}» ở {where} không phải là số: «{value}»")
    return float(value)


def _text(node: Mapping[str, Any], name: str, where: str) -> str:
    value = _field(node, name, where)
    if not isinstance(value, str) or not value.strip():
        raise AnswerProblem(f"trường «{name}» ở {where} trống")
    return value.strip()


def _unit(node: Any, shape: Shape, where: str, province: bool) -> UnitAnswer:
    if not isinstance(node, dict):
        raise AnswerProblem(f"{where} không phải là một đối tượng")
    name = _text(node, "departmentName", where)
    where = f"{where} «{name}»"
    score_name = "totalScore" if shape is Shape.A or province or "totalScore" in node else "score"
    if shape is Shape.B and not province and "totalScore" not in node and "score" not in node:
        raise AnswerProblem(f"thiếu trường «score» ở {where} (cổng đổi cấu trúc dữ liệu?)")
    max_name = "totalMaxScore" if score_name == "totalScore" else "maxScore"
    unit = UnitAnswer(
        department_id=_text(node, "departmentId", where),
        name=name,
        code=node.get("departmentCode"),
        type=node.get("departmentType") or ("PROVINCE" if province else None),
        level=node.get("departmentLevel") or node.get("level"),
        score=_number(node, score_name, where),
        max_score=_number(node, max_name, where),
    )
    if shape is Shape.A:
        metrics = _field(node, "metrics", where)
        if not isinstance(metrics, list):
            raise AnswerProblem(f"trường «metrics» ở {where} không phải là danh sách")
        for item in metrics:
            if not isinstance(item, dict):
                raise AnswerProblem(f"một chỉ tiêu ở {where} không phải là một đối tượng")
            code = _text(item, "code", where)
            at = f"chỉ tiêu {code} của {where}"
            unit.metrics.append(
                MetricAnswer(
                    code=code,
                    name=str(item.get("name") or code),
                    numerator=_number(item, "numerator", at),
                    denominator=_number(item, "denominator", at),
                    ratio=_number(item, "ratio", at),
                    score=_number(item, "score", at),
                    max_score=_number(item, "maxScore", at),
                    quality_status=item.get("dataQualityStatus"),
                    quality_message=item.get("dataQualityMessage"),
                )
            )
    return unit


def read_group_answer(endpoint: Endpoint, body: bytes) -> GroupAnswer:
    """Check and read one group endpoint's answer; :class:`AnswerProblem` when unusable."""
    data = _envelope(body)
    if not isinstance(data, dict):
        raise AnswerProblem("trường «data» không phải là một đối tượng")
    top, rows = ("overview", "evaluation") if endpoint.shape is Shape.A else ("parent", "children")
    province = _unit(_field(data, top, "câu trả lời"), endpoint.shape, "đơn vị tỉnh", True)
    nodes = _field(data, rows, "câu trả lời")
    if not isinstance(nodes, list):
        raise AnswerProblem(f"trường «{rows}» không phải là danh sách")
    units = [
        _unit(node, endpoint.shape, f"đơn vị thứ {n}", False) for n, node in enumerate(nodes, 1)
    ]
    pagination = data.get("pagination") or {}
    pages = pagination.get("totalPages", 1) if isinstance(pagination, dict) else 1
    return GroupAnswer(endpoint, province, units, pages if isinstance(pages, int) else 1)


def read_national_answer(body: bytes) -> list[ProvinceScore]:
    """Every province's total and group scores from ``service-results``."""
    data = _envelope(body)
    rows = _field(data, "evaluation", "câu trả lời") if isinstance(data, dict) else None
    if not isinstance(rows, list) or not rows:
        raise AnswerProblem("bảng xếp hạng các tỉnh trống hoặc sai cấu trúc")
    found = []
    for n, row in enumerate(rows, 1):
        if not isinstance(row, dict):
            raise AnswerProblem(f"dòng thứ {n} của bảng xếp hạng không phải là một đối tượng")
        name = _text(row, "departmentName", f"dòng thứ {n}")
        where = f"tỉnh «{name}»"
        groups = _field(row, "groupScores", where)
        if not isinstance(groups, dict):
            raise AnswerProblem(f"trường «groupScores» ở {where} không phải là một đối tượng")
        found.append(
            ProvinceScore(
                department_id=_text(row, "departmentId", where),
                name=name,
                code=row.get("departmentCode"),
                total=_number(row, "totalScore", where),
                groups={g: _number(groups, g, where, required=False) for g in GROUPS},
            )
        )
    return found


# -- storing ---------------------------------------------------------------------------


def compress(body: bytes) -> bytes:
    return zlib.compress(body, 6)


def decompress(stored: bytes) -> bytes:
    return zlib.decompress(stored)


@dataclass
class Fetched:
    """One request of a sync and what came back (the body as received, or None)."""

    endpoint: str
    request: dict[str, Any]
    status: int | None
    content_type: str | None
    body: bytes | None
    fetched_at: datetime


def record_sync(
    session: Session,
    *,
    scope: str,
    period: PortalPeriod,
    as_of: date,
    root_department_id: str | None,
    started_at: datetime,
    finished_at: datetime,
    fetched: Sequence[Fetched],
    problem: str | None,
    import_id: int | None = None,
) -> PortalSync:
    """Keep one sync attempt with the raw answers it received (compressed)."""
    sync = PortalSync(
        scope=scope,
        period_key=period.key,
        as_of=as_of,
        root_department_id=root_department_id,
        started_at=started_at,
        finished_at=finished_at,
        complete=problem is None,
        problem=problem,
        import_id=import_id,
    )
    for item in fetched:
        sync.responses.append(
            PortalResponse(
                endpoint=item.endpoint,
                request=item.request,
                http_status=item.status,
                content_type=item.content_type,
                sha256=hashlib.sha256(item.body).hexdigest() if item.body is not None else None,
                size=len(item.body or b""),
                body=compress(item.body) if item.body is not None else None,
                fetched_at=item.fetched_at,
            )
        )
    session.add(sync)
    session.flush()
    return sync


def answers_digest(scope: str, period: PortalPeriod, fetched: Sequence[Fetched]) -> str:
    """One fingerprint of a sync's answers: the same answers again are the same import."""
    digest = hashlib.sha256(f"{SOURCE}:{scope}:{period.key}".encode())
    for item in fetched:
        digest.update(item.endpoint.encode())
        digest.update(item.body or b"")
    return digest.hexdigest()


def previous_import(session: Session, digest: str) -> ImportFile | None:
    return session.scalars(select(ImportFile).filter_by(sha256=digest)).one_or_none()


@dataclass
class UnitsSeen:
    """Units of an answer matched to the registry (added when unknown)."""

    ids: dict[str, int] = field(default_factory=dict)
    added: list[str] = field(default_factory=list)


_PROVINCE_SUFFIX = re.compile(r"\s+-\s+(tỉnh|thành phố)\s+.+$", re.IGNORECASE)


def match_units(
    session: Session, province: UnitAnswer | None, units: Iterable[UnitAnswer], now: datetime
) -> UnitsSeen:
    """Find each unit of an answer by its portal id, else by its name or an alias (then
    remember the portal id), else add it with the portal's id, type and level, under the
    province (none for the provinces of the national ranking). A few queries for the whole
    answer, not a few per unit."""
    nodes: dict[str, UnitAnswer] = {}
    for node in units:
        nodes.setdefault(node.department_id, node)
    if province is not None:
        nodes.pop(province.department_id, None)
    ids = [*([province.department_id] if province is not None else []), *nodes]
    by_portal: dict[str, Unit] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        by_portal.update(
            (u.portal_id, u)
            for u in session.scalars(select(Unit).where(Unit.portal_id.in_(chunk)))
            if u.portal_id
        )
    unclaimed: dict[str, Unit] = {}
    for unit in session.scalars(select(Unit).where(Unit.portal_id.is_(None))):
        unclaimed.setdefault(unit.name_key, unit)
        for alias in unit.aliases:
            unclaimed.setdefault(alias.alias_key, unit)
    taken = set(session.scalars(select(Unit.name_key)))
    claimed: set[int] = set()
    seen = UnitsSeen()

    def match(node: UnitAnswer, parent: Unit | None) -> Unit:
        kind = PORTAL_KINDS.get(node.type or "", UnitKind.OTHER)
        unit = by_portal.get(node.department_id)
        short = _PROVINCE_SUFFIX.sub("", node.name) if parent is not None else node.name
        if unit is None:
            for name in dict.fromkeys([short, node.name]):
                candidate = unclaimed.get(unit_keys(name)[0])
                if (
                    candidate is not None
                    and candidate.kind == kind.value
                    and id(candidate) not in claimed
                ):
                    unit = candidate
                    break
        if unit is None:
            name = short if unit_keys(short)[0] not in taken else node.name
            name_key, core = unit_keys(name)
            unit = Unit(
                name=name,
                name_key=name_key,
                core_key=core,
                kind=kind,
                parent=parent,
                created_at=now,
            )
            session.add(unit)
            taken.add(name_key)
            seen.added.append(name)
        claimed.add(id(unit))
        unit.portal_id = node.department_id
        unit.portal_type = node.type or unit.portal_type
        unit.portal_level = node.level or unit.portal_level
        return unit

    matched: dict[str, Unit] = {}
    parent = None
    if province is not None:
        parent = matched[province.department_id] = match(province, None)
    for department_id, node in nodes.items():
        matched[department_id] = match(node, parent)
    session.flush()
    seen.ids = {department_id: unit.id for department_id, unit in matched.items()}
    return seen


def ensure_metric_indicators(
    session: Session, answers: Sequence[GroupAnswer]
) -> dict[str, Indicator]:
    """The catalogue's indicator of every metric code in the answers; a code the catalogue
    does not know yet is added (a ratio in its group, with the portal's name and maximum)."""
    known = {i.code.upper(): i for i in session.scalars(select(Indicator))}
    found: dict[str, Indicator] = {}
    for answer in answers:
        for unit in [answer.province, *answer.units]:
            for metric in unit.metrics:
                code = metric.code.upper()
                if code in found:
                    continue
                indicator = known.get(code)
                if indicator is None:
                    indicator = Indicator(
                        code=code,
                        name=metric.name,
                        category=IndicatorCategory.METRIC,
                        group_code=answer.endpoint.group,
                        measure=Measure.PERCENT,
                        max_score=metric.max_score,
                        higher_is_better=True,
                        tracked=False,
                        sort_order=900,
                        active=True,
                    )
                    session.add(indicator)
                    session.flush()
                found[code] = indicator
    return found


def observation_records(
    period: PortalPeriod,
    as_of: date,
    answers: Sequence[GroupAnswer],
    units: UnitsSeen,
    metrics: Mapping[str, Indicator],
    groups: Mapping[str, Indicator],
    total: Indicator,
) -> list[ObservationRecord]:
    """Every value of the answers as stored: each unit's group scores and metrics as given,
    and its total computed as the sum of its six group scores when all six are known."""
    records: list[ObservationRecord] = []
    group_scores: dict[int, dict[str, tuple[float | None, float | None]]] = {}

    def record(unit_id: int, indicator: Indicator, where: str, **values: Any) -> None:
        records.append(_record(period, as_of, SOURCE, unit_id, indicator, where, **values))

    for answer in answers:
        group = answer.endpoint.group
        for node in [answer.province, *answer.units]:
            unit_id = units.ids[node.department_id]
            group_scores.setdefault(unit_id, {})[group] = (node.score, node.max_score)
            record(
                unit_id,
                groups[group],
                answer.endpoint.name,
                value=node.score,
                score=node.score,
                max_score=node.max_score,
            )
            for metric in node.metrics:
                record(
                    unit_id,
                    metrics[metric.code.upper()],
                    answer.endpoint.name,
                    value=metric.ratio,
                    numerator=metric.numerator,
                    denominator=metric.denominator,
                    score=metric.score,
                    max_score=metric.max_score,
                    quality_status=metric.quality_status,
                    quality_message=metric.quality_message,
                )
    for unit_id, scores in group_scores.items():
        values = [scores.get(g, (None, None)) for g in GROUPS]
        if all(score is not None for score, _ in values):
            known_max = [m for _, m in values if m is not None]
            record(
                unit_id,
                total,
                "tổng",
                value=round(sum(score for score, _ in values if score is not None), 2),
                max_score=sum(known_max) if len(known_max) == len(values) else None,
            )
    return records


def national_records(
    period: PortalPeriod,
    as_of: date,
    scores: Sequence[ProvinceScore],
    units: UnitsSeen,
    groups: Mapping[str, Indicator],
    total: Indicator,
) -> list[ObservationRecord]:
    """Each province's total (with its rank among the provinces that have one, computed:
    equal totals share a place) and group scores, as the portal gives them."""
    totals = [s.total for s in scores if s.total is not None]
    records = []
    for province in scores:
        unit_id = units.ids[province.department_id]
        rank = None
        if province.total is not None:
            rank = 1 + sum(1 for other in totals if other > province.total)
        records.append(
            _record(
                period,
                as_of,
                NATIONAL_SOURCE,
                unit_id,
                total,
                NATIONAL_ENDPOINT,
                value=province.total,
                score=province.total,
                max_score=total.max_score,
                rank=rank,
                rank_of=len(totals) if rank is not None else None,
            )
        )
        for code, value in province.groups.items():
            group = groups[code]
            records.append(
                _record(
                    period,
                    as_of,
                    NATIONAL_SOURCE,
                    unit_id,
                    group,
                    NATIONAL_ENDPOINT,
                    value=value,
                    score=value,
                    max_score=group.max_score,
                )
            )
    return records


def _record(
    period: PortalPeriod,
    as_of: date,
    source: str,
    unit_id: int,
    indicator: Indicator,
    where: str,
    **values: Any,
) -> ObservationRecord:
    """One value of an answer as stored (``where``: the endpoint it came from)."""
    return ObservationRecord(
        as_of=as_of,
        period=period.kind.value,
        source=source,
        unit=unit_id,
        indicator_id=indicator.id,
        sheet=where,
        row=0,
        **values,
    )


def describe_sync(period: PortalPeriod, as_of: date, units: int, added: Sequence[str]) -> str:
    text = (
        f"Cổng DVCQG {period.label} (số liệu đến ngày {fmt_date(as_of)}): {fmt_count(units)} đơn vị"
    )
    if added:
        text += f", {fmt_count(len(added))} đơn vị mới được thêm vào danh mục"
    return text


def portal_provinces() -> list[dict[str, str]]:
    """The 34 provinces with their portal ids, as the portal listed them (shipped with the
    bot, ``provinces.json``)."""
    from importlib.resources import files

    data = json.loads(files("storage.portal").joinpath("provinces.json").read_text("utf-8"))
    return list(data["provinces"])


def province_portal_id(session: Session, province: str) -> str | None:
    """The portal id of the office's province: the registry's, else the portal's list's."""
    unit = find_unit(session, province, kinds=frozenset({UnitKind.PROVINCE.value})).unit
    if unit is not None and unit.portal_id:
        return unit.portal_id
    wanted = unit_keys(province)[1]
    for item in portal_provinces():
        if unit_keys(item["departmentName"])[1] == wanted:
            return item["departmentId"]
    return None


def latest_syncs(session: Session) -> list[PortalSync]:
    """Per scope, the newest complete sync and any incomplete one after it."""
    found: list[PortalSync] = []
    for scope in (PROVINCE_SCOPE, NATIONAL_SCOPE):
        complete = session.scalars(
            select(PortalSync)
            .filter_by(scope=scope, complete=True)
            .order_by(PortalSync.finished_at.desc(), PortalSync.id.desc())
            .limit(1)
        ).first()
        failed = select(PortalSync).filter_by(scope=scope, complete=False)
        if complete is not None:
            failed = failed.where(PortalSync.finished_at >= complete.finished_at)
            found.append(complete)
        newest_failure = session.scalars(
            failed.order_by(PortalSync.finished_at.desc(), PortalSync.id.desc()).limit(1)
        ).first()
        if newest_failure is not None:
            found.append(newest_failure)
    return found
