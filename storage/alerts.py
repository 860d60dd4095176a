"""The alert queue: alerts stored once under a stable identity, deliveries claimed once.

Healthchecks-style: a rule's finding is stored first; a sender claims a chat's
pending deliveries with a conditional UPDATE (only rows still ``pending``), so
two bot processes never send the same delivery; a claim that was never
finished (the process died) is released after a lease and tried again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Integer,
    String,
    bindparam,
    cast,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from storage.models import (
    Acknowledgement,
    Alert,
    AlertStatus,
    Chat,
    ChatSettings,
    Delivery,
    Person,
    Role,
    Snapshot,
    Subscription,
    Unit,
    UTCDateTime,
)
from storage.units import answerable_unit

#: Marks the identity of an alert that no longer holds (see :func:`retire_identity`).
RETIRED = "~"


class Audience(StrEnum):
    UNIT = "unit"  # the unit's focal points, its group, its subscribers
    LEADERS = "leaders"  # leaders and admins
    DEADLINE = "deadline"  # the lead unit (as UNIT) and admins
    ADMINS = "admins"
    GROUPS = "groups"  # every registered group chat


@dataclass
class AlertDraft:
    """What a rule found, before it is stored."""

    identity: str
    rule: str
    audience: Audience
    payload: dict[str, Any] = field(default_factory=dict)
    unit_id: int | None = None
    indicator_id: int | None = None
    period_key: str | None = None
    snapshot_id: int | None = None
    value: float | None = None
    urgent: bool = False
    #: Exactly these chats, instead of the audience's (a correction goes where the alert went).
    chats: list[int] | None = None


def pending_deliveries(session: Session) -> int:
    """Deliveries not sent yet (waiting for the bot, quiet hours or a retry)."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(Delivery)
            .where(Delivery.status == AlertStatus.PENDING.value)
        )
        or 0
    )


def delivery_counts(session: Session) -> dict[str, int]:
    """Deliveries by status (pending, claimed, sent, failed, withdrawn)."""
    stmt = select(Delivery.status, func.count()).group_by(Delivery.status)
    return {str(status): int(count) for status, count in session.execute(stmt)}


def blocked_chats(session: Session) -> set[int]:
    stmt = select(ChatSettings.chat_id).where(ChatSettings.blocked_at.is_not(None))
    return set(session.scalars(stmt))


@dataclass
class Directory:
    """Who is reachable, read in a few queries for a whole batch of alerts: the active focal
    points and groups of each unit, subscribers, leaders and admins, blocked chats."""

    focal: dict[int, set[int]] = field(default_factory=dict)
    groups: dict[int | None, set[int]] = field(default_factory=dict)
    subscribers: dict[int, set[int]] = field(default_factory=dict)
    by_role: dict[str, set[int]] = field(default_factory=dict)
    blocked: set[int] = field(default_factory=set)

    @classmethod
    def load(cls, session: Session) -> Directory:
        found = cls(blocked=blocked_chats(session))
        people = select(Person.telegram_id, Person.role, Person.unit_id).where(
            Person.active.is_(True)
        )
        for telegram_id, role, unit_id in session.execute(people):
            found.by_role.setdefault(role, set()).add(telegram_id)
            if role == Role.FOCAL.value and unit_id is not None:
                found.focal.setdefault(unit_id, set()).add(telegram_id)
        for chat_id, unit_id in session.execute(
            select(Chat.chat_id, Chat.unit_id).where(Chat.active.is_(True))
        ):
            found.groups.setdefault(unit_id, set()).add(chat_id)
        for chat_id, unit_id in session.execute(select(Subscription.chat_id, Subscription.unit_id)):
            found.subscribers.setdefault(unit_id, set()).add(chat_id)
        return found

    def roles(self, *roles: Role) -> set[int]:
        return set().union(*(self.by_role.get(role.value, set()) for role in roles))


def recipients(
    session: Session,
    audience: Audience,
    unit_id: int | None,
    on: date | None = None,
    directory: Directory | None = None,
) -> set[int]:
    """The chat ids an alert goes to (private chats are the person's Telegram id).

    A unit's alerts go to its own focal points, groups and subscribers and, once the unit
    has ended by a merger (on ``on``), to those of the unit that took over its work.
    """
    known = directory if directory is not None else Directory.load(session)
    chats: set[int] = set()
    if audience in (Audience.UNIT, Audience.DEADLINE) and unit_id is not None:
        units = {unit_id}
        unit = session.get(Unit, unit_id)
        if unit is not None and on is not None:
            units.add(answerable_unit(unit, on).id)
        for one in units:
            chats |= known.focal.get(one, set())
            chats |= known.groups.get(one, set())
            chats |= known.subscribers.get(one, set())
    if audience is Audience.LEADERS:
        chats |= known.roles(Role.LEADER, Role.ADMIN)
    if audience in (Audience.DEADLINE, Audience.ADMINS):
        chats |= known.roles(Role.ADMIN)
    if audience is Audience.GROUPS:
        chats |= set().union(*known.groups.values()) if known.groups else set()
    return chats - known.blocked


class AudienceCache:
    """Who an alert goes to, looked up once per audience and unit (many alerts share them),
    from one :class:`Directory` read for the whole batch."""

    def __init__(self, session: Session, on: date) -> None:
        self.session = session
        self.on = on
        self.found: dict[tuple[Audience, int | None], set[int]] = {}
        self._directory: Directory | None = None

    def chats(self, draft: AlertDraft) -> set[int]:
        """The draft's own chats when it names them, else its audience's."""
        if draft.chats is not None:
            return set(draft.chats)
        key = (draft.audience, draft.unit_id)
        if key not in self.found:
            if self._directory is None:
                self._directory = Directory.load(self.session)
            self.found[key] = recipients(
                self.session, draft.audience, draft.unit_id, self.on, self._directory
            )
        return self.found[key]


#: Rows per INSERT statement when storing alerts and their deliveries.
_BATCH = 500


def insert_ignoring_duplicates(session: Session, table: Any) -> Any:
    """``INSERT … ON CONFLICT DO NOTHING`` (``INSERT OR IGNORE``) for the session's engine: a
    row another process stored meanwhile is skipped, without a savepoint per row."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert(table).on_conflict_do_nothing()
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table).on_conflict_do_nothing()


def store_alerts(session: Session, drafts: list[AlertDraft], now: datetime) -> list[Alert]:
    """Store the drafts not stored before, each with a pending delivery per recipient.

    Idempotent: an identity already stored (by an earlier run, a re-import, another
    process) is skipped. Set-based: the identities already stored are looked up in bulk,
    the new alerts and their deliveries written a few hundred rows per statement, each
    ``INSERT … ON CONFLICT DO NOTHING`` so that one stored meanwhile by another process is
    left out (with its deliveries). The caller commits.
    """
    audiences = AudienceCache(session, now.date())
    known = known_identities(session, [d.identity for d in drafts])
    new: dict[str, AlertDraft] = {}
    for draft in drafts:
        if draft.identity not in known:
            new.setdefault(draft.identity, draft)  # the same identity twice: stored once
    if not new:
        return []
    rows = [
        {
            "identity": d.identity,
            "rule": d.rule,
            "unit_id": d.unit_id,
            "indicator_id": d.indicator_id,
            "period_key": d.period_key,
            "snapshot_id": d.snapshot_id,
            "value": d.value,
            "urgent": d.urgent,
            "audience": d.audience.value,
            "payload": d.payload,
            "created_at": now,
        }
        for d in new.values()
    ]
    alerts = Alert.__table__
    stored: dict[str, int] = {}
    insert_alerts = insert_ignoring_duplicates(session, alerts).returning(
        alerts.c.id, alerts.c.identity
    )
    for start in range(0, len(rows), _BATCH):
        result = session.execute(insert_alerts, rows[start : start + _BATCH])
        stored.update((identity, alert_id) for alert_id, identity in result)
    pending = [
        (alert_id, chat_id)
        for identity, alert_id in stored.items()
        for chat_id in sorted(audiences.chats(new[identity]))
    ]
    _insert_pending_deliveries(session, pending, now)
    return sorted(stored_alerts(session, list(stored)), key=lambda alert: alert.id)


#: Deliveries sent to PostgreSQL per statement, as two arrays.
_ARRAY_BATCH = 20_000


def _insert_pending_deliveries(
    session: Session, pending: list[tuple[int, int]], now: datetime
) -> None:
    """A pending delivery per (alert id, chat id), due now, ``ON CONFLICT DO NOTHING``.

    PostgreSQL gets the pairs as two arrays, unnested into one ``INSERT … SELECT``: a day's
    alerts at the nation tier go to 150,000 chats, and one statement per row (psycopg's
    executemany) took 4.4 of the rules' 11 seconds. SQLite takes them a few hundred rows
    per statement."""
    table: Any = Delivery.__table__
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        for start in range(0, len(pending), _ARRAY_BATCH):
            chunk = pending[start : start + _ARRAY_BATCH]
            pairs = (
                func.unnest(
                    bindparam("alert_ids", [a for a, _ in chunk], type_=ARRAY(Integer)),
                    bindparam("chat_ids", [c for _, c in chunk], type_=ARRAY(BigInteger)),
                )
                .table_valued("alert_id", "chat_id")
                .render_derived(name="pairs")
            )
            rows = select(
                pairs.c.alert_id,
                pairs.c.chat_id,
                literal(AlertStatus.PENDING.value, String()),
                literal(0, Integer()),
                literal(now, UTCDateTime()),
            )
            columns = ["alert_id", "chat_id", "status", "attempts", "next_attempt_at"]
            session.execute(
                postgresql_insert(table).from_select(columns, rows).on_conflict_do_nothing()
            )
        return
    statement = insert_ignoring_duplicates(session, table)
    for start in range(0, len(pending), _BATCH):
        session.execute(
            statement,
            [
                {
                    "alert_id": alert_id,
                    "chat_id": chat_id,
                    "status": AlertStatus.PENDING.value,
                    "attempts": 0,
                    "next_attempt_at": now,
                }
                for alert_id, chat_id in pending[start : start + _BATCH]
            ],
        )


def release_expired_claims(session: Session, now: datetime, lease: timedelta) -> int:
    """Claims older than the lease (the sender died) go back to pending."""
    result = session.execute(
        update(Delivery)
        .where(Delivery.status == AlertStatus.CLAIMED.value, Delivery.claimed_at < now - lease)
        .values(status=AlertStatus.PENDING.value, claim_token=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def chats_with_due_deliveries(session: Session, now: datetime) -> list[tuple[int, bool]]:
    """(chat id, whether any due delivery is urgent) for chats with something to send."""
    stmt = (
        select(Delivery.chat_id, func.max(cast(Alert.urgent, Integer)))
        .join(Alert, Alert.id == Delivery.alert_id)
        .where(Delivery.status == AlertStatus.PENDING.value, Delivery.next_attempt_at <= now)
        .group_by(Delivery.chat_id)
        .order_by(Delivery.chat_id)
    )
    return [(chat_id, bool(urgent)) for chat_id, urgent in session.execute(stmt)]


def postpone_due(session: Session, chat_ids: list[int], until: datetime) -> None:
    """Pending deliveries of these chats wait until ``until`` (a flood wait of the bot)."""
    if not chat_ids:
        return
    session.execute(
        update(Delivery)
        .where(
            Delivery.chat_id.in_(chat_ids),
            Delivery.status == AlertStatus.PENDING.value,
            Delivery.next_attempt_at < until,
        )
        .values(next_attempt_at=until)
        .execution_options(synchronize_session=False)
    )


def claim(
    session: Session, chat_id: int, token: str, now: datetime, urgent_only: bool
) -> list[tuple[Delivery, Alert]]:
    """Claim this chat's due deliveries for one message; empty when another sender took them."""
    stmt = (
        update(Delivery)
        .where(
            Delivery.chat_id == chat_id,
            Delivery.status == AlertStatus.PENDING.value,
            Delivery.next_attempt_at <= now,
        )
        .values(
            status=AlertStatus.CLAIMED.value,
            claim_token=token,
            claimed_at=now,
            attempts=Delivery.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if urgent_only:
        stmt = stmt.where(Delivery.alert_id.in_(select(Alert.id).where(Alert.urgent.is_(True))))
    session.execute(stmt)
    session.flush()
    rows = session.execute(
        select(Delivery, Alert)
        .join(Alert, Alert.id == Delivery.alert_id)
        .where(Delivery.claim_token == token)
        .order_by(Alert.rule, Alert.unit_id, Alert.id)
    ).all()
    return [(delivery, alert) for delivery, alert in rows]


def finish_claim(
    session: Session,
    token: str,
    status: AlertStatus,
    now: datetime,
    *,
    message_id: int | None = None,
    error: str | None = None,
    retry_at: datetime | None = None,
) -> None:
    """Record what became of a claimed batch: sent, failed, or pending again at ``retry_at``."""
    values: dict[str, Any] = {"status": status.value, "last_error": error}
    if status is AlertStatus.SENT:
        values.update(sent_at=now, message_id=message_id)
    if status is AlertStatus.PENDING:
        values.update(claim_token=None, next_attempt_at=retry_at or now)
    session.execute(
        update(Delivery)
        .where(Delivery.claim_token == token, Delivery.status == AlertStatus.CLAIMED.value)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def settings_for(session: Session, chat_id: int) -> ChatSettings | None:
    return session.scalars(select(ChatSettings).filter_by(chat_id=chat_id)).first()


def settings_row(session: Session, chat_id: int) -> ChatSettings:
    row = settings_for(session, chat_id)
    if row is None:
        row = ChatSettings(chat_id=chat_id)
        session.add(row)
        session.flush()
    return row


def block_chat(session: Session, chat_id: int, reason: str, now: datetime) -> None:
    """The bot was blocked or the chat deleted: stop trying it."""
    row = settings_row(session, chat_id)
    row.blocked_at, row.blocked_reason = now, reason
    session.execute(update(Chat).where(Chat.chat_id == chat_id).values(active=False))
    session.execute(
        update(Delivery)
        .where(
            Delivery.chat_id == chat_id,
            Delivery.status.in_([AlertStatus.PENDING.value, AlertStatus.CLAIMED.value]),
        )
        .values(status=AlertStatus.FAILED.value, last_error=reason)
        .execution_options(synchronize_session=False)
    )


def chat_blocked(session: Session, chat_id: int) -> bool:
    """Whether deliveries to this chat are held because it blocked the bot (or left)."""
    row = settings_for(session, chat_id)
    return row is not None and row.blocked_at is not None


def unblock_chat(session: Session, chat_id: int) -> None:
    """The person wrote to the bot again: they can be reached."""
    row = settings_for(session, chat_id)
    if row is not None and row.blocked_at is not None:
        row.blocked_at = None
        row.blocked_reason = None


def migrate_chat(session: Session, old_chat_id: int, new_chat_id: int) -> None:
    """A group became a supergroup: everything continues under the new id."""
    for model in (Chat, ChatSettings, Subscription):
        session.execute(
            update(model).where(model.chat_id == old_chat_id).values(chat_id=new_chat_id)
        )
    session.execute(
        update(Delivery)
        .where(Delivery.chat_id == old_chat_id)
        .values(chat_id=new_chat_id)
        .execution_options(synchronize_session=False)
    )


def acknowledge(session: Session, token: str, telegram_id: int, chat_id: int, now: datetime) -> int:
    """Record "Đã nhận" for every alert of the message with this claim token, when that
    message went to this chat (a token copied from another chat acknowledges nothing)."""
    alert_ids = session.scalars(
        select(Delivery.alert_id).where(Delivery.claim_token == token, Delivery.chat_id == chat_id)
    ).all()
    for alert_id in alert_ids:
        exists = session.scalar(
            select(Acknowledgement.id).filter_by(alert_id=alert_id, telegram_id=telegram_id)
        )
        if exists is None:
            session.add(
                Acknowledgement(alert_id=alert_id, telegram_id=telegram_id, acknowledged_at=now)
            )
    session.flush()
    return len(alert_ids)


def alerts_about_snapshots(
    session: Session, rules: list[str], snapshot_ids: list[int]
) -> list[Alert]:
    """The stored alerts of these rules about these snapshots, but those already retired."""
    if not snapshot_ids:
        return []
    stmt = select(Alert).where(
        Alert.rule.in_(rules),
        Alert.snapshot_id.in_(snapshot_ids),
        Alert.identity.not_like(f"%{RETIRED}%"),
    )
    return list(session.scalars(stmt))


def delivery_chats(session: Session, alert_id: int, statuses: list[AlertStatus]) -> list[int]:
    """The chats an alert's deliveries in these states go to."""
    stmt = select(Delivery.chat_id).where(
        Delivery.alert_id == alert_id, Delivery.status.in_([s.value for s in statuses])
    )
    return sorted(session.scalars(stmt))


#: ``last_error`` of a delivery withdrawn because its chat may no longer receive the alert.
NO_LONGER_ALLOWED = "the recipient is no longer allowed this alert"


def withdraw_disallowed(session: Session, chat_ids: set[int], on: date) -> int:
    """Deliveries not sent yet to these chats whose alert the chat may no longer receive
    (the person was revoked or moved to another unit, the group given to another unit) are
    withdrawn, in the caller's transaction; how many. Who may receive an alert is decided
    as when it was stored: its audience and unit, with today's people and groups."""
    if not chat_ids:
        return 0
    rows = session.execute(
        select(Delivery.id, Delivery.chat_id, Alert.audience, Alert.unit_id)
        .join(Alert, Alert.id == Delivery.alert_id)
        .where(Delivery.chat_id.in_(chat_ids), Delivery.status == AlertStatus.PENDING.value)
    ).all()
    if not rows:
        return 0
    directory = Directory.load(session)
    allowed: dict[tuple[str, int | None], set[int]] = {}
    withdrawn = []
    for delivery_id, chat_id, audience, unit_id in rows:
        key = (audience, unit_id)
        if key not in allowed:
            allowed[key] = recipients(session, Audience(audience), unit_id, on, directory)
        if chat_id not in allowed[key]:
            withdrawn.append(delivery_id)
    for start in range(0, len(withdrawn), _BATCH):
        session.execute(
            update(Delivery)
            .where(
                Delivery.id.in_(withdrawn[start : start + _BATCH]),
                Delivery.status == AlertStatus.PENDING.value,
            )
            .values(status=AlertStatus.WITHDRAWN.value, last_error=NO_LONGER_ALLOWED)
            .execution_options(synchronize_session=False)
        )
    return len(withdrawn)


def withdraw_pending(session: Session, alert_id: int) -> int:
    """Deliveries of an alert not sent yet are withdrawn (never sent); how many."""
    result = session.execute(
        update(Delivery)
        .where(Delivery.alert_id == alert_id, Delivery.status == AlertStatus.PENDING.value)
        .values(status=AlertStatus.WITHDRAWN.value)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def stored_alerts(session: Session, identities: list[str]) -> list[Alert]:
    """The stored alerts with these identities (looked up a few hundred at a time: the
    overdue dossiers of a province are thousands)."""
    found: list[Alert] = []
    unique = sorted(set(identities))
    for start in range(0, len(unique), 900):
        chunk = unique[start : start + 900]
        found.extend(session.scalars(select(Alert).where(Alert.identity.in_(chunk))))
    return found


def add_deliveries(session: Session, alert_id: int, chat_ids: set[int], now: datetime) -> int:
    """Pending deliveries of an alert for chats it was never meant for before (someone who
    joined since); how many."""
    have = set(session.scalars(select(Delivery.chat_id).where(Delivery.alert_id == alert_id)))
    new = sorted(chat_ids - have)
    for chat_id in new:
        session.add(
            Delivery(
                alert_id=alert_id,
                chat_id=chat_id,
                status=AlertStatus.PENDING.value,
                attempts=0,
                next_attempt_at=now,
            )
        )
    return len(new)


def retire_identity(session: Session, alert: Alert) -> None:
    """The alert no longer holds (withdrawn or corrected): its identity is freed, so that
    the same finding, should a later file bring it back, is raised and sent anew."""
    alert.identity = f"{alert.identity}{RETIRED}{alert.id}"


def known_identities(session: Session, identities: list[str]) -> set[str]:
    """Which of these alert identities are stored already."""
    found: set[str] = set()
    unique = sorted(set(identities))
    for start in range(0, len(unique), 900):
        chunk = unique[start : start + 900]
        found.update(session.scalars(select(Alert.identity).where(Alert.identity.in_(chunk))))
    return found


def told_values(
    session: Session,
    rule: str,
    not_about: int,
    *,
    period_key: str | None = None,
    series: tuple[str, str, date, date] | None = None,
) -> dict[tuple[int, int], float | None]:
    """Per (unit, indicator): the value of the newest alert of a rule, raised about another
    snapshot than ``not_about`` and not withdrawn or corrected since; those of one period
    (``period_key``, a quarter) or about snapshots of one source and period dated from a day
    and before another (``series``: source, period, since, before). One query for every unit
    and indicator."""
    stmt = select(Alert.unit_id, Alert.indicator_id, Alert.value).where(
        Alert.rule == rule,
        or_(Alert.snapshot_id.is_(None), Alert.snapshot_id != not_about),
        Alert.identity.not_like(f"%{RETIRED}%"),
    )
    if period_key is not None:
        stmt = stmt.where(Alert.period_key == period_key)
    if series is not None:
        source, period, since, before = series
        stmt = stmt.join(Snapshot, Snapshot.id == Alert.snapshot_id).where(
            Snapshot.source == source,
            Snapshot.period == period,
            Snapshot.as_of >= since,
            Snapshot.as_of < before,
        )
    told: dict[tuple[int, int], float | None] = {}
    for unit_id, indicator_id, value in session.execute(stmt.order_by(Alert.id)):
        if unit_id is not None and indicator_id is not None:
            told[(unit_id, indicator_id)] = value  # the newest last
    return told


def mark_escalated(session: Session, alert_id: int, now: datetime) -> None:
    """The alert was escalated to the leaders (so it is not escalated again)."""
    session.execute(
        update(Alert)
        .where(Alert.id == alert_id)
        .values(escalated_at=now)
        .execution_options(synchronize_session=False)
    )


def unacknowledged_for_escalation(
    session: Session, rules: list[str], sent_before: datetime
) -> list[Alert]:
    """Alerts of these rules delivered before ``sent_before``, never acknowledged or escalated."""
    acknowledged = select(Acknowledgement.alert_id)
    delivered = select(Delivery.alert_id).where(
        Delivery.status == AlertStatus.SENT.value, Delivery.sent_at <= sent_before
    )
    stmt = select(Alert).where(
        Alert.rule.in_(rules),
        Alert.escalated_at.is_(None),
        Alert.id.in_(delivered),
        Alert.id.not_in(acknowledged),
    )
    return list(session.scalars(stmt))


@dataclass(frozen=True)
class AlertRow:
    alert: Alert
    pending: int
    sent: int
    failed: int
    acknowledged: int
    withdrawn: int = 0


def alert_overview(session: Session, limit: int = 30) -> list[AlertRow]:
    """The newest alerts with their delivery counts (for /alerts)."""
    alerts = session.scalars(select(Alert).order_by(Alert.id.desc()).limit(limit)).all()
    ids = [a.id for a in alerts]
    counts: dict[tuple[int, str], int] = {}
    for alert_id, status, n in session.execute(
        select(Delivery.alert_id, Delivery.status, func.count())
        .where(Delivery.alert_id.in_(ids))
        .group_by(Delivery.alert_id, Delivery.status)
    ):
        counts[(alert_id, status)] = n
    acks = dict(
        (alert_id, n)
        for alert_id, n in session.execute(
            select(Acknowledgement.alert_id, func.count())
            .where(Acknowledgement.alert_id.in_(ids))
            .group_by(Acknowledgement.alert_id)
        )
    )
    return [
        AlertRow(
            a,
            counts.get((a.id, AlertStatus.PENDING.value), 0)
            + counts.get((a.id, AlertStatus.CLAIMED.value), 0),
            counts.get((a.id, AlertStatus.SENT.value), 0),
            counts.get((a.id, AlertStatus.FAILED.value), 0),
            acks.get(a.id, 0),
            counts.get((a.id, AlertStatus.WITHDRAWN.value), 0),
        )
        for a in alerts
    ]
