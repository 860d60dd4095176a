"""The weekly summary job: one summary per week, queued for every registered group."""

from __future__ import annotations

from bot.answers.summary import summary_reply
from bot.app import Services
from storage.alerts import AlertDraft, Audience, store_alerts
from storage.models import Alert


def queue_weekly_summary(services: Services) -> list[Alert]:
    """Store this week's summary as an alert to every group (sent by the delivery loop)."""
    now = services.clock.now()
    week = now.astimezone(services.config.tz).date().isocalendar()
    with services.session_factory() as session:
        reply = summary_reply(session, services.config, services.clock, services.calendar)
        draft = AlertDraft(
            identity=f"summary:{week.year}-W{week.week:02d}",
            rule="summary",
            audience=Audience.GROUPS,
            period_key=f"{week.year}-W{week.week:02d}",
            payload={"text": reply.text},
        )
        created = store_alerts(session, [draft], now)
        session.commit()
        return created
