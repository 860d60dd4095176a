"""Every alert rule, in the order their sections appear in a message."""

from __future__ import annotations

from typing import Any

from jobs.alerts.base import AlertRule, When
from jobs.alerts.rules import (
    correction,
    deadline,
    drop,
    escalation,
    overdue,
    overdue_count,
    rank,
    roadmap,
    source,
    stale,
    summary,
)

RANK = rank.RULE
ESCALATION = escalation.RULE
DEADLINE = deadline.RULE
OVERDUE = overdue.RULE
OVERDUE_COUNT = overdue_count.RULE
DROP = drop.RULE
ROADMAP = roadmap.RULE
STALE = stale.RULE
SUMMARY = summary.RULE
CORRECTION = correction.RULE
SOURCE = source.RULE

RULES: tuple[AlertRule[Any], ...] = tuple(
    sorted(
        (
            CORRECTION,
            SOURCE,
            RANK,
            ESCALATION,
            DEADLINE,
            OVERDUE,
            OVERDUE_COUNT,
            DROP,
            ROADMAP,
            STALE,
            SUMMARY,
        ),
        key=lambda r: r.order,
    )
)
BY_NAME: dict[str, AlertRule[Any]] = {rule.name.value: rule for rule in RULES}


def rules_for(*when: When) -> list[AlertRule[Any]]:
    """The rules that run on any of these occasions."""
    return [rule for rule in RULES if rule.when & set(when)]


#: Rules that run when new data arrives (after every import or sync).
DATA_RULES = rules_for(When.DATA)
#: Everything ``tthc-bot alerts run`` and ``preview`` evaluate (not the weekly summary).
ALL_RULES = rules_for(When.DATA, When.DAILY, When.STALE, When.ESCALATION)
#: Rules whose open alerts also go to whoever joins the unit later (still relevant as found).
FOLLOW_NEW_RECIPIENTS: list[AlertRule[Any]] = [OVERDUE, DEADLINE]
#: Rules whose alerts are about one snapshot (``snapshot_id``): a corrected file re-checks them.
CORRECTABLE: list[AlertRule[Any]] = [RANK, DROP, OVERDUE_COUNT, ROADMAP]
