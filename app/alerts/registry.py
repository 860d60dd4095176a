"""Every alert rule, in the order their sections appear in a message.

A rule is its module in :mod:`app.alerts.rules` (exporting ``RULE``) and its name in
``RULE_MODULES`` here; everything else is derived: the names, the rules of each occasion,
those that follow new recipients and those a corrected file re-checks
(``tests/test_alert_registry.py`` fails for a rule module left out).
"""

from __future__ import annotations

import importlib
from enum import StrEnum
from typing import Any

from app.alerts import rules
from app.alerts.base import AlertRule, When

#: One line per rule: its module in :mod:`app.alerts.rules` (sections follow each ``order``).
RULE_MODULES = (
    "correction",
    "deadline",
    "drop",
    "escalation",
    "overdue",
    "overdue_count",
    "rank",
    "roadmap",
    "source",
    "stale",
    "summary",
)


def _rule(module: str) -> AlertRule[Any]:
    rule = getattr(importlib.import_module(f"{rules.__name__}.{module}"), "RULE", None)
    if not isinstance(rule, AlertRule):
        raise TypeError(f"app/alerts/rules/{module}.py exports no RULE")
    return rule


RULES: tuple[AlertRule[Any], ...] = tuple(
    sorted((_rule(module) for module in RULE_MODULES), key=lambda r: r.order)
)
BY_NAME: dict[str, AlertRule[Any]] = {rule.name: rule for rule in RULES}
#: The stored name of each rule (``alerts.rule``), derived from the rules themselves.
RuleName = StrEnum("RuleName", {rule.name.upper(): rule.name for rule in RULES})  # type: ignore[misc]


def rules_for(*when: When) -> list[AlertRule[Any]]:
    """The rules that run on any of these occasions."""
    return [rule for rule in RULES if rule.when & set(when)]


#: Rules that run when new data arrives (after every import or sync).
DATA_RULES = rules_for(When.DATA)
#: Everything ``tthc-bot alerts run`` and ``preview`` evaluate (not the weekly summary).
ALL_RULES = rules_for(When.DATA, When.DAILY, When.STALE, When.ESCALATION)
#: Rules whose open alerts also go to whoever joins the unit later (still relevant as found).
FOLLOW_NEW_RECIPIENTS = [rule for rule in RULES if rule.follows_new_recipients]
#: Rules whose alerts are about one snapshot (``snapshot_id``): a corrected file re-checks them.
CORRECTABLE = [rule for rule in RULES if rule.correctable]
