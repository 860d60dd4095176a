"""Sending the queue: one message per recipient per round, exactly once, politely.

The transport (Telegram, or the console) only sends and classifies its errors;
everything else is decided here: quiet hours and mute, silent messages at the
edges of the working window, retries with backoff, 429's ``retry_after``,
chats that blocked the bot, groups that became supergroups.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import ParamSpec, Protocol, TypeVar

from sqlalchemy.exc import SQLAlchemyError

from app.alerts.registry import BY_NAME
from app.alerts.render import render_batch
from app.answers.summary import province_chart
from app.services import Services
from core.parsing import parse_time_window
from core.workdays import WorkCalendar
from storage import alerts as queue
from storage import db
from storage.models import AlertStatus, ChatSettings

log = logging.getLogger(__name__)


class DeliveryError(Exception):
    """A transport failure, classified."""


class RetryLater(DeliveryError):
    """Transient (network, 5xx, 429): try again; ``retry_after`` when the server said so."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unreachable(DeliveryError):
    """Permanent for this chat: the bot was blocked, kicked, or the chat is gone."""


class ChatMoved(DeliveryError):
    """The group became a supergroup with a new id."""

    def __init__(self, message: str, new_chat_id: int) -> None:
        super().__init__(message)
        self.new_chat_id = new_chat_id


class Rejected(DeliveryError):
    """Permanent for this message (a bad request): it is marked failed, not retried."""


class TransportDown(DeliveryError):
    """Nothing can be sent by anyone now (Telegram refused the bot's token): the round stops
    and what was claimed goes back to the queue."""


class Transport(Protocol):
    async def send(
        self, chat_id: int, text: str, ack_token: str, silent: bool, image: bytes | None
    ) -> int:
        """Send one message (a chart first when given) with a "Đã nhận" button; its id."""
        ...


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    blocked: list[int] = field(default_factory=list)
    migrated: list[tuple[int, int]] = field(default_factory=list)
    waiting: int = 0
    #: Why the round stopped before its end (the transport is down), else None.
    stopped: str | None = None


def _in_window(now: time, start: time, end: time) -> bool:
    return start <= now < end if start < end else now >= start or now < end


@dataclass(frozen=True)
class QuietPolicy:
    """When a chat should not be disturbed (its own settings, else the config)."""

    hours: tuple[time, time] | None
    weekends: bool
    edge: timedelta

    def quiet(self, now_local: datetime, calendar: WorkCalendar) -> bool:
        if self.weekends and not calendar.is_working_day(now_local.date()):
            return True
        return self.hours is not None and _in_window(now_local.time(), *self.hours)

    def silent(self, now_local: datetime) -> bool:
        """At the edges of the working window, messages go out without a sound."""
        if self.hours is None or not self.edge:
            return False
        start, end = self.hours
        opened = datetime.combine(now_local.date(), end, now_local.tzinfo)
        closes = datetime.combine(now_local.date(), start, now_local.tzinfo)
        return (opened <= now_local < opened + self.edge) or (
            closes - self.edge <= now_local < closes
        )


def policy_for(services: Services, settings: ChatSettings | None) -> QuietPolicy:
    config = services.config.alerts
    hours = config.quiet_hours
    weekends = config.quiet_weekends
    if settings is not None:
        if settings.quiet_hours is not None:
            hours = settings.quiet_hours
        if settings.quiet_weekends is not None:
            weekends = settings.quiet_weekends
    return QuietPolicy(
        parse_time_window(hours), weekends, timedelta(minutes=config.silent_edge_minutes)
    )


def _backoff(attempts: int, limit: int) -> timedelta:
    return timedelta(seconds=min(15 * 2 ** max(attempts - 1, 0), limit))


@dataclass
class _Batch:
    chat_id: int
    token: str
    text: str
    silent: bool
    attempts: int
    image: bytes | None = None


@dataclass
class _Round:
    """One delivery round: the chats with something due, found once, and the chart drawn
    at most once for all of them."""

    services: Services
    due: list[tuple[int, bool]]
    chart: bytes | None = None
    waiting: int = 0


def _start_round(services: Services, now: datetime) -> _Round:
    """Release the claims of senders that died; list the chats with something due."""
    lease = timedelta(seconds=services.config.alerts.claim_lease_seconds)
    with services.session_factory.begin() as session:
        queue.release_expired_claims(session, now, lease)
        return _Round(services, queue.chats_with_due_deliveries(session, now))


def _claim_next(round_: _Round, chat_id: int, has_urgent: bool) -> _Batch | None:
    """Claim one chat's due deliveries for one message, just before it is sent: a claim
    lives for one message, never for a whole round, so however long a round takes (slow
    network, a thousand chats), no claim outlives the lease while its sender is alive and
    another process never sends the same delivery. None: nothing to send to this chat now
    (muted, quiet hours, or another sender took it)."""
    services = round_.services
    config = services.config.alerts
    now = services.clock.now()
    local = now.astimezone(services.config.tz)
    with services.session_factory() as session:
        with session.begin():
            settings = queue.settings_for(session, chat_id)
            if settings is not None and settings.muted_until and settings.muted_until > now:
                round_.waiting += 1
                return None
            policy = policy_for(services, settings)
            quiet = policy.quiet(local, services.calendar)
            if quiet and not has_urgent:
                round_.waiting += 1
                return None
            token = secrets.token_hex(8)
            rows = queue.claim(session, chat_id, token, now, urgent_only=quiet)
        if not rows:
            return None  # another sender claimed them first
        alerts = [alert for _, alert in rows]
        text = render_batch(alerts, config.list_limit)
        image = None
        if any(BY_NAME[a.rule].with_chart for a in alerts):
            if round_.chart is None:  # the same chart for every group: drawn once per round
                with session.begin():
                    round_.chart = province_chart(session, services.config) or b""
            image = round_.chart or None
        return _Batch(
            chat_id,
            token,
            text,
            quiet or policy.silent(local),
            max(d.attempts for d, _ in rows),
            image,
        )


def _finish(services: Services, batch: _Batch, status: AlertStatus, **kwargs: object) -> None:
    with services.session_factory.begin() as session:
        queue.finish_claim(session, batch.token, status, services.clock.now(), **kwargs)  # type: ignore[arg-type]


def _postpone(services: Services, chat_ids: list[int], until: datetime) -> None:
    with services.session_factory.begin() as session:
        queue.postpone_due(session, chat_ids, until)


def _block(services: Services, chat_id: int, reason: str) -> None:
    with services.session_factory.begin() as session:
        queue.block_chat(session, chat_id, reason, services.clock.now())


def _migrate(services: Services, old: int, new: int) -> None:
    with services.session_factory.begin() as session:
        queue.migrate_chat(session, old, new)


_P = ParamSpec("_P")
_T = TypeVar("_T")
#: Delivery's own threads for its database work: a burst of commands filling the default
#: pool (every reply computes in it) never holds back the alerts.
_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="delivery")


async def _in_delivery_pool(function: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
    """``asyncio.to_thread`` on delivery's own pool."""
    call = functools.partial(contextvars.copy_context().run, function, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(_POOL, call)


async def deliver_pending(services: Services, transport: Transport) -> DeliveryReport:
    """One round: for each chat with something due, claim it and send it, recording each
    outcome before the next chat is claimed.

    A chat that fails in a way nobody foresaw, or whose claim or record meets a locked or
    lost database, is left for a later round (put back in the queue at once when the
    database lets it, else when its claim's lease ends) and the round goes on to the next
    chat: one bad chat never holds back the others."""
    report = DeliveryReport()
    round_ = await _in_delivery_pool(_start_round, services, services.clock.now())
    for index, (chat_id, has_urgent) in enumerate(round_.due):
        try:
            stop = await _deliver_chat(round_, transport, report, chat_id, has_urgent)
        except SQLAlchemyError as exc:
            log.warning("chat %s left for a later round: %s", chat_id, db.database_problem(exc))
            report.retried += 1
            continue
        if stop is not None:
            rest = [chat for chat, _ in round_.due[index + 1 :]]
            if stop.until is not None:  # a flood wait applies to the bot as a whole
                await _in_delivery_pool(_postpone, services, rest, stop.until)
            break
    report.waiting = round_.waiting
    return report


@dataclass(frozen=True)
class _Stop:
    """The round ends here; the other chats wait ``until`` then (None: the next round)."""

    until: datetime | None = None


async def _deliver_chat(
    round_: _Round, transport: Transport, report: DeliveryReport, chat_id: int, urgent: bool
) -> _Stop | None:
    """Claim one chat's due deliveries, send them as one message, record the outcome."""
    services = round_.services
    limit = services.config.alerts.max_backoff_seconds
    batch = await _in_delivery_pool(_claim_next, round_, chat_id, urgent)
    if batch is None:
        return None
    try:
        message_id = await transport.send(
            batch.chat_id, batch.text, batch.token, batch.silent, batch.image
        )
    except RetryLater as exc:
        wait = (
            timedelta(seconds=exc.retry_after)
            if exc.retry_after is not None
            else _backoff(batch.attempts, limit)
        )
        log.warning("delivery to %s will be retried in %s: %s", batch.chat_id, wait, exc)
        retry_at = services.clock.now() + wait
        await _in_delivery_pool(
            _finish, services, batch, AlertStatus.PENDING, error=str(exc), retry_at=retry_at
        )
        report.retried += 1
        return _Stop(retry_at) if exc.retry_after is not None else None
    except TransportDown as exc:
        log.error("delivery round stopped: %s", exc)
        await _in_delivery_pool(_finish, services, batch, AlertStatus.PENDING, error=str(exc))
        report.retried += 1
        report.stopped = str(exc)
        return _Stop()
    except ChatMoved as exc:
        await _in_delivery_pool(_finish, services, batch, AlertStatus.PENDING, error=str(exc))
        await _in_delivery_pool(_migrate, services, batch.chat_id, exc.new_chat_id)
        report.migrated.append((batch.chat_id, exc.new_chat_id))
    except Unreachable as exc:
        log.warning("chat %s is unreachable, not tried again: %s", batch.chat_id, exc)
        await _in_delivery_pool(_finish, services, batch, AlertStatus.FAILED, error=str(exc))
        await _in_delivery_pool(_block, services, batch.chat_id, str(exc))
        report.blocked.append(batch.chat_id)
    except Rejected as exc:
        log.error("delivery to %s rejected: %s", batch.chat_id, exc)
        await _in_delivery_pool(_finish, services, batch, AlertStatus.FAILED, error=str(exc))
        report.failed += 1
    except Exception as exc:  # a fault nobody classified: this chat waits, not the others
        wait = _backoff(batch.attempts, limit)
        log.exception("delivery to %s failed unexpectedly; retried in %s", batch.chat_id, wait)
        await _in_delivery_pool(
            _finish,
            services,
            batch,
            AlertStatus.PENDING,
            error=f"{type(exc).__name__}: {exc}",
            retry_at=services.clock.now() + wait,
        )
        report.retried += 1
    else:
        await _in_delivery_pool(_finish, services, batch, AlertStatus.SENT, message_id=message_id)
        report.sent += 1
    return None
