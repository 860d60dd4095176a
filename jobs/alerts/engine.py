"""Running the rules and storing what they find (the queue's producer)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from handlers.services import Services
from jobs.alerts.base import AlertRule, RuleContext
from jobs.alerts.registry import ALL_RULES, BY_NAME
from storage.alerts import AlertDraft, known_identities, store_alerts
from storage.catalogue import Catalogue
from storage.models import Alert


def rule_context(services: Services, session: Session) -> RuleContext:
    return RuleContext(
        session,
        services.config,
        services.clock,
        services.calendar,
        Catalogue.load(session),
        BY_NAME,
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
        created = store_alerts(session, evaluate(rule_context(services, session), rules), now)
        for alert in created:
            rule = BY_NAME[alert.rule]
            if rule.after_store is not None:
                rule.after_store(session, rule.parse(alert.payload), now)
        return created


def preview_alerts(
    services: Services, rules: Sequence[AlertRule[Any]] = ALL_RULES
) -> list[tuple[AlertDraft, bool]]:
    """What the rules would raise now, each with whether it is new; nothing is stored."""
    with services.session_factory() as session:
        drafts = evaluate(rule_context(services, session), rules)
        known = known_identities(session, [d.identity for d in drafts])
        return [(draft, draft.identity not in known) for draft in drafts]
