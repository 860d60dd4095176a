"""Turning stored alerts into one Vietnamese message per recipient (rendering, not sending)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from app.alerts.base import RenderContext
from app.alerts.registry import BY_NAME, RULES
from storage.alerts import AlertDraft
from storage.models import Alert


def render_context(list_limit: int = 10) -> RenderContext:
    return RenderContext(list_limit, BY_NAME)


def render_batch(alerts: list[Alert], list_limit: int = 10) -> str:
    """Everything new for one recipient, grouped by kind of alert (in the rules' order)."""
    by_rule: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for alert in alerts:
        by_rule[alert.rule].append(alert.payload)
    ctx = render_context(list_limit)
    return "\n\n".join(
        rule.render_stored(by_rule[rule.name], ctx) for rule in RULES if rule.name in by_rule
    )


def render_preview(draft: AlertDraft) -> str:
    """How one draft would read (for ``tthc-bot alerts preview``)."""
    return BY_NAME[draft.rule].render_stored([draft.payload], render_context())
