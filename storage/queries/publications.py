"""TTHC publication tasks still waiting for the province's decision."""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from storage.models import (
    PublicationTask,
    Unit,
)


def open_publication_tasks(session: Session, unit_id: int) -> list[PublicationTask]:
    """Tasks of a lead unit still waiting for the province's decision, nearest deadline first."""
    return open_tasks_of(session, [unit_id]).get(unit_id, [])


def open_tasks_of(session: Session, unit_ids: list[int]) -> dict[int, list[PublicationTask]]:
    """Each lead unit's tasks still waiting for the province's decision, nearest deadline
    first, in one statement (units without any: absent)."""
    stmt = (
        select(PublicationTask)
        .where(PublicationTask.lead_unit_id.in_(unit_ids), PublicationTask.is_open)
        .order_by(PublicationTask.deadline.is_(None), PublicationTask.deadline, PublicationTask.id)
    )
    found: dict[int, list[PublicationTask]] = {}
    for task in session.scalars(stmt):
        found.setdefault(task.lead_unit_id, []).append(task)
    return found


def all_open_publication_tasks(session: Session) -> list[tuple[PublicationTask, Unit]]:
    """Every task still waiting for the province's decision, with its lead unit."""
    stmt = (
        select(PublicationTask, Unit)
        .join(Unit, Unit.id == PublicationTask.lead_unit_id)
        .where(PublicationTask.is_open)
        .order_by(PublicationTask.deadline.is_(None), PublicationTask.deadline)
    )
    return [(task, unit) for task, unit in session.execute(stmt)]


def publication_tasks_open_on(session: Session, day: date) -> list[tuple[PublicationTask, Unit]]:
    """The tasks still waiting for the province's decision on ``day`` (decided later, or
    not yet), known by then, with their lead unit, by deadline."""
    stmt = (
        select(PublicationTask, Unit)
        .join(Unit, Unit.id == PublicationTask.lead_unit_id)
        .where(
            or_(
                PublicationTask.is_open,
                PublicationTask.province_decision_date > day,
            ),
            or_(
                PublicationTask.ministry_decision_date.is_(None),
                PublicationTask.ministry_decision_date <= day,
            ),
        )
        .order_by(PublicationTask.deadline.is_(None), PublicationTask.deadline)
    )
    return [(task, unit) for task, unit in session.execute(stmt)]
