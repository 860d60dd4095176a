"""Running the rules where data arrives and storing what they find (the queue's producer)."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.alerts.rules import ALL_RULES, Rule, RuleContext, evaluate
from bot.app import Services
from storage.alerts import AlertDraft, store_alerts
from storage.catalogue import Catalogue
from storage.models import Alert


def raise_alerts(services: Services, rules: list[Rule] = ALL_RULES) -> list[Alert]:
    """Evaluate the rules and store new alerts with a pending delivery per recipient."""
    now = services.clock.now()
    with services.session_factory() as session:
        ctx = RuleContext(
            session, services.config, services.clock, services.calendar, Catalogue.load(session)
        )
        created = store_alerts(session, evaluate(ctx, rules), now)
        for alert in created:
            if alert.rule == "escalation":
                original = session.get(Alert, json.loads(alert.payload)["alert_id"])
                if original is not None:
                    original.escalated_at = now
        session.commit()
        return created


def preview_alerts(
    services: Services, rules: list[Rule] = ALL_RULES
) -> list[tuple[AlertDraft, bool]]:
    """What the rules would raise now, each with whether it is new; nothing is stored."""
    with services.session_factory() as session:
        ctx = RuleContext(
            session, services.config, services.clock, services.calendar, Catalogue.load(session)
        )
        drafts = evaluate(ctx, rules)
        known = (
            set(
                session.scalars(
                    select(Alert.identity).where(Alert.identity.in_([d.identity for d in drafts]))
                )
            )
            if drafts
            else set()
        )
        return [(draft, draft.identity not in known) for draft in drafts]
