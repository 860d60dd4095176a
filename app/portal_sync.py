"""Syncing the 766 index from the national portal's reporting API (Cổng DVCQG), asked
through :mod:`app.portal_client`.

A sync is complete only when every endpoint answered and its answer validated; then it is
stored as one import (an identical answer again changes nothing, a changed one is kept as
a revision) and the alert rules run. Anything less is kept as an incomplete sync with its
raw answers, the admins are told, and the last complete snapshot stays what the bot uses.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy.orm import Session

from app.alerts.rules.source import SourcePayload, source_alert
from app.imports import alert_step, import_settings
from app.portal_client import PortalClient, PortalStop
from app.services import Services
from core.vnformat import fmt_count, fmt_date
from storage.alerts import store_alerts
from storage.catalogue import Catalogue
from storage.importers.base import ImportContext
from storage.importers.observations import ObservationRecord, store_observations, summary_lines
from storage.models import ImportFile, PortalSync
from storage.portal.answers import (
    ENDPOINTS,
    GROUPS,
    NATIONAL_ENDPOINT,
    NATIONAL_SCOPE,
    NATIONAL_SOURCE,
    PROVINCE_SCOPE,
    SOURCE,
    AnswerProblem,
    Endpoint,
    Fetched,
    GroupAnswer,
    PeriodProblem,
    PortalPeriod,
    UnitAnswer,
    answers_digest,
    describe_sync,
    ensure_metric_indicators,
    match_units,
    national_records,
    observation_records,
    previous_import,
    province_portal_id,
    read_group_answer,
    read_national_answer,
    record_sync,
)

log = logging.getLogger(__name__)

Progress = Callable[[str], None]


@dataclass
class SyncOutcome:
    """What one sync did, worded for the terminal or a chat."""

    period: PortalPeriod | None
    complete: bool
    lines: list[str] = field(default_factory=list)
    import_id: int | None = None
    #: Nothing new: the portal gave the same answers as a sync already stored.
    unchanged: bool = False

    def report(self) -> str:
        return "\n".join(self.lines)


def _root_id(services: Services, root: str | None) -> str | None:
    if root:
        return root
    if services.config.dvcqg.root_department_id:
        return services.config.dvcqg.root_department_id
    with services.session_factory() as session:
        return province_portal_id(session, services.config.office.province)


@dataclass
class SyncRun:
    """One sync under way: what it asks, what came back, and how it ends (stored whole, or
    kept as incomplete and told)."""

    services: Services
    scope: str
    period: PortalPeriod
    label: str
    root: str | None = None
    fetched: list[Fetched] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.started = self.services.clock.now()
        self.as_of = self.period.as_of(self.started.date())

    def client(
        self,
        base_url: str | None,
        sleep: Callable[[float], None],
        transport: httpx.BaseTransport | None,
    ) -> PortalClient:
        clock = self.services.clock
        return PortalClient(
            self.services.config.dvcqg,
            clock.now,
            base_url=base_url,
            sleep=sleep,
            transport=transport,
        )

    def ask(self, client: PortalClient, endpoint: str, body: dict[str, Any]) -> bytes:
        """One answer's body; :class:`PortalStop` or :class:`AnswerProblem` when unusable
        (what came back is kept either way)."""
        try:
            item = client.post(endpoint, body)
        except PortalStop as exc:
            if exc.fetched is not None:
                self.fetched.append(exc.fetched)
            raise
        self.fetched.append(item)
        if item.status is not None and item.status >= 400:
            raise AnswerProblem(f"cổng trả lời mã HTTP {item.status}")
        return item.body or b""

    def _record(
        self, session: Session, problem: str | None, import_id: int | None = None
    ) -> PortalSync:
        return record_sync(
            session,
            scope=self.scope,
            period=self.period,
            as_of=self.as_of,
            root_department_id=self.root,
            started_at=self.started,
            finished_at=self.services.clock.now(),
            fetched=self.fetched,
            problem=problem,
            import_id=import_id,
        )

    def incomplete(self, problem: str) -> SyncOutcome:
        """Keep the attempt and its raw answers, tell the admins; store no data."""
        services, period = self.services, self.period
        log.warning("portal sync (%s) of %s incomplete: %s", self.scope, period.key, problem)
        now = services.clock.now()
        with services.session_factory.begin() as session:
            sync = self._record(session, problem)
            payload = SourcePayload(kind="dvcqg", ok=False, subject=self.label, lines=[problem])
            store_alerts(session, [source_alert(f"dvcqg:{sync.id}", payload)], now)
        return SyncOutcome(
            period,
            False,
            [
                f"Không lấy đủ số liệu Cổng DVCQG {self.label}: {problem}.",
                "Số liệu đầy đủ gần nhất được giữ nguyên; đã báo quản trị viên.",
            ],
        )

    def store(self, source: str, build: Callable[[Session, Any], Built]) -> SyncOutcome:
        """Store a complete sync as one import (unless the same answers were stored
        already), then run the alert rules."""
        services, period = self.services, self.period
        clock = services.clock
        title = f"Cổng DVCQG {self.label}"
        digest = answers_digest(self.scope, period, self.fetched)
        with services.session_factory.begin() as session:
            earlier = previous_import(session, digest)
            if earlier is not None:
                return SyncOutcome(
                    period,
                    True,
                    [f"{title}: không có gì mới (cùng số liệu với lần lấy số {earlier.id})."],
                    import_id=earlier.id,
                    unchanged=True,
                )
            now = clock.now()
            built = build(session, now)
            import_file = ImportFile(
                file_name=title,
                sha256=digest,
                kind="dvcqg",
                source=source,
                row_count=built.units,
                summary="",
                imported_at=now,
            )
            session.add(import_file)
            session.flush()
            ctx = ImportContext(
                session=session,
                settings=import_settings(services.config),
                clock=clock,
                calendar=services.calendar,
                file_name=title,
                source=source,
                dates_confirmed=True,
            )
            counts = store_observations(built.records, ctx, import_file)
            lines = [*built.lines, *summary_lines(counts, "Điểm số, tỷ lệ")]
            summary = {"summary": lines, "warnings": []}
            import_file.summary = json.dumps(summary, ensure_ascii=False)
            self._record(session, None, import_file.id)
            import_id = import_file.id
        lines.extend(alert_step(services).lines())
        return SyncOutcome(period, True, lines, import_id=import_id)


@dataclass(frozen=True)
class Built:
    """What a complete sync stores: its values, the first lines of its summary, its size."""

    records: list[ObservationRecord]
    lines: list[str]
    units: int


def _askable(services: Services, period: PortalPeriod | None) -> PortalPeriod | SyncOutcome:
    """The period to ask (the last finished month by default), or why it cannot be asked."""
    today = services.clock.now().date()
    period = period or PortalPeriod.last_finished_month(today)
    try:
        period.check_askable(today)
    except PeriodProblem as exc:
        return SyncOutcome(period, False, [f"Không lấy số liệu: {exc}."])
    return period


def sync_province(
    services: Services,
    period: PortalPeriod | None = None,
    *,
    base_url: str | None = None,
    root_department_id: str | None = None,
    progress: Progress | None = None,
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> SyncOutcome:
    """Fetch every group endpoint for the province and store one complete snapshot, or
    keep the attempt as incomplete and tell the admins."""
    asked = _askable(services, period)
    if isinstance(asked, SyncOutcome):
        return asked
    root = _root_id(services, root_department_id)
    if not root:
        return SyncOutcome(
            asked,
            False,
            [
                f"Không biết mã của «{services.config.office.province}» trên Cổng DVCQG: hãy ghi "
                "[dvcqg] root_department_id trong config.toml (hoặc sửa [office] province)."
            ],
        )
    run = SyncRun(services, PROVINCE_SCOPE, asked, asked.label, root)
    answers: list[GroupAnswer] = []
    with run.client(base_url, sleep, transport) as client:
        for number, endpoint in enumerate(ENDPOINTS, 1):
            if progress:
                progress(f"[{number}/{len(ENDPOINTS)}] {endpoint.group} ({endpoint.name})")
            try:
                answers.append(_all_pages(run, client, endpoint, root))
            except (PortalStop, AnswerProblem) as exc:
                return run.incomplete(f"{endpoint.name}: {exc}")

    def build(session: Session, now: Any) -> Built:
        units = match_units(
            session, answers[0].province, (n for a in answers for n in a.units), now
        )
        metrics = ensure_metric_indicators(session, answers)
        catalogue = Catalogue.load(session)
        records = observation_records(
            asked,
            run.as_of,
            answers,
            units,
            metrics,
            {g: catalogue.get(g) for g in GROUPS},
            catalogue.get("TOTAL"),
        )
        lines = [describe_sync(asked, run.as_of, len(units.ids), units.added)]
        return Built(records, lines, len(units.ids))

    return run.store(SOURCE, build)


def _all_pages(run: SyncRun, client: PortalClient, endpoint: Endpoint, root: str) -> GroupAnswer:
    """One endpoint's answer, every page of it, checked to be about the province asked."""
    collected: GroupAnswer | None = None
    page = 1
    while True:
        answer = read_group_answer(
            endpoint, run.ask(client, endpoint.name, run.period.body(endpoint, root, page))
        )
        if answer.province.department_id != root:
            raise AnswerProblem(
                f"câu trả lời là của «{answer.province.name}», không phải của tỉnh đã hỏi"
            )
        if collected is None:
            collected = answer
        else:
            collected.units.extend(answer.units)
        if page >= answer.total_pages:
            return collected
        page += 1


def sync_national(
    services: Services,
    period: PortalPeriod | None = None,
    *,
    base_url: str | None = None,
    progress: Progress | None = None,
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> SyncOutcome:
    """Every province's total and group scores (``service-results``), stored with the rank
    computed from them; incomplete answers are kept and told as for the province."""
    asked = _askable(services, period)
    if isinstance(asked, SyncOutcome):
        return asked
    run = SyncRun(services, NATIONAL_SCOPE, asked, f"xếp hạng các tỉnh {asked.label}")
    if progress:
        progress(f"xếp hạng các tỉnh ({NATIONAL_ENDPOINT})")
    with run.client(base_url, sleep, transport) as client:
        try:
            scores = read_national_answer(run.ask(client, NATIONAL_ENDPOINT, asked.national_body()))
        except (PortalStop, AnswerProblem) as exc:
            return run.incomplete(f"{NATIONAL_ENDPOINT}: {exc}")

    def build(session: Session, now: Any) -> Built:
        nodes = [
            UnitAnswer(
                s.department_id, s.name, s.code, "ADMINISTRATIVE_UNIT", "PROVINCE", None, None
            )
            for s in scores
        ]
        units = match_units(session, None, nodes, now)
        catalogue = Catalogue.load(session)
        records = national_records(
            asked,
            run.as_of,
            scores,
            units,
            {g: catalogue.get(g) for g in GROUPS},
            catalogue.get("TOTAL"),
        )
        line = (
            f"Cổng DVCQG {run.label} (số liệu đến ngày {fmt_date(run.as_of)}): "
            f"{fmt_count(len(scores))} tỉnh, thành phố"
        )
        if units.added:
            line += f", {fmt_count(len(units.added))} tỉnh mới được thêm vào danh mục"
        return Built(records, [line], len(scores))

    return run.store(NATIONAL_SOURCE, build)


def sync_latest(services: Services) -> list[SyncOutcome]:
    """The scheduled job: the last finished month of the province, then the ranking of the
    provinces for it."""
    outcomes = [sync_province(services)]
    if outcomes[0].complete:
        outcomes.append(sync_national(services))
    for outcome in outcomes:
        log.info("scheduled portal sync: %s", outcome.report())
    return outcomes
