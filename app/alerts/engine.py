"""Running the rules and storing what they find (the queue's producer)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app.alerts.base import AlertRule, RuleContext
from app.alerts.registry import (
    ALL_RULES,
    BY_NAME,
    CORRECTABLE,
    DATA_RULES,
    FOLLOW_NEW_RECIPIENTS,
)
from app.alerts.rules.correction import correction_for
from app.services import Services
from storage.alerts import (
    AlertDraft,
    AudienceCache,
    add_deliveries,
    alerts_about_snapshots,
    delivery_chats,
    known_identities,
    retire_identity,
    store_alerts,
    stored_alerts,
    withdraw_pending,
)
from storage.catalogue import Catalogue
from storage.models import Alert, AlertStatus
from storage.people import describe_chats
from storage.queries.snapshots import latest_snapshots


def rule_context(services: Services, session: Session, *, new_only: bool = False) -> RuleContext:
    return RuleContext(
        session,
        services.config,
        services.clock,
        services.calendar,
        Catalogue.load(session),
        BY_NAME,
        new_only=new_only,
    )


def evaluate(ctx: RuleContext, rules: Sequence[AlertRule[Any]]) -> list[AlertDraft]:
    """Every draft the rules find now (duplicates by identity removed)."""
    seen: dict[str, AlertDraft] = {}
    for rule in rules:
        for draft in rule.find(ctx):
            seen.setdefault(draft.identity, draft)
    return list(seen.values())


def raise_alerts(services: Services, rules: Sequence[AlertRule[Any]] = ALL_RULES) -> list[Alert]:
    """Evaluate the rules and store new alerts with a pending delivery per recipient
    (one unit of work)."""
    now = services.clock.now()
    with services.session_factory.begin() as session:
        ctx = rule_context(services, session, new_only=True)
        created = store_alerts(session, evaluate(ctx, rules), now)
        for alert in created:
            rule = BY_NAME[alert.rule]
            if rule.after_store is not None:
                rule.after_store(session, rule.parse(alert.payload), now)
        return created


@dataclass(frozen=True)
class Recheck:
    """What a re-check after new or corrected data changed."""

    withdrawn: int  # deliveries not sent yet, withdrawn
    refreshed: int  # alerts not sent yet whose figures changed
    corrections: list[Alert]  # correction messages queued for alerts already sent


def recheck_alerts(services: Services) -> Recheck:
    """Alerts about the newest snapshots that the data no longer supports (a corrected
    file): deliveries not sent yet are withdrawn; where the alert was sent, a correction goes
    to the same chats. Alerts still true but with other figures are refreshed if unsent."""
    now = services.clock.now()
    withdrawn = refreshed = 0
    corrections: list[AlertDraft] = []
    with services.session_factory.begin() as session:
        ctx = rule_context(services, session)
        current = {d.identity: d for d in evaluate(ctx, CORRECTABLE)}
        latest = [s.id for s in latest_snapshots(session)]
        names = [rule.name for rule in CORRECTABLE]
        for alert in alerts_about_snapshots(session, names, latest):
            sent = delivery_chats(session, alert.id, [AlertStatus.SENT, AlertStatus.CLAIMED])
            still = current.get(alert.identity)
            if still is not None:
                if still.payload != alert.payload and not sent:
                    alert.payload = still.payload
                    refreshed += 1
                continue
            withdrawn += withdraw_pending(session, alert.id)
            if sent:
                corrections.append(correction_for(alert, sent))
            retire_identity(session, alert)
        created = store_alerts(session, corrections, now)
    return Recheck(withdrawn, refreshed, created)


def extend_to_new_recipients(services: Services) -> int:
    """Someone who joined a unit since its still-relevant alerts were raised (a new focal
    point, a group, a subscriber) gets them too, in a transaction of its own (the minute
    job's safety net); :func:`extend_in` is the same within a caller's unit of work."""
    with services.session_factory.begin() as session:
        return extend_in(services, session)


def extend_in(services: Services, session: Session) -> int:
    """The overdue dossiers still overdue and the publication deadlines at their current
    stage, as the rules find them now, for whoever may receive them and has not yet; never
    old drops. Returns the number of deliveries added."""
    now = services.clock.now()
    added = 0
    drafts = evaluate(rule_context(services, session), FOLLOW_NEW_RECIPIENTS)
    stored = {a.identity: a for a in stored_alerts(session, [d.identity for d in drafts])}
    audiences = AudienceCache(session, now.date())
    for draft in drafts:
        alert = stored.get(draft.identity)
        if alert is not None:
            added += add_deliveries(session, alert.id, audiences.chats(draft), now)
    return added


def after_new_data(services: Services) -> tuple[list[Alert], Recheck]:
    """What runs after every import: the data rules, then the re-check of earlier alerts."""
    return raise_alerts(services, DATA_RULES), recheck_alerts(services)


@dataclass(frozen=True)
class Preview:
    """What a rule would raise now: the draft, whether it is new, and who would get it."""

    draft: AlertDraft
    new: bool
    recipients: list[str]


def preview_alerts(
    services: Services, rules: Sequence[AlertRule[Any]] = ALL_RULES
) -> list[Preview]:
    """What the rules would raise now, each with whether it is new and its recipients
    (person, role, unit, or group); nothing is stored."""
    with services.session_factory() as session:
        drafts = evaluate(rule_context(services, session), rules)
        known = known_identities(session, [d.identity for d in drafts])
        audiences = AudienceCache(session, services.clock.now().date())
        return [
            Preview(
                draft,
                draft.identity not in known,
                describe_chats(session, sorted(audiences.chats(draft))),
            )
            for draft in drafts
        ]
