"""Granting and withdrawing access: the same use case for ``tthc-bot users``/``groups``,
``/grant``, ``/revoke``, ``/register_group`` and an invite opened in Telegram.

Each runs in its caller's unit of work. Whoever is given a unit receives, in the same
transaction, the alerts of that unit still relevant (the overdue dossiers still overdue,
the publication deadlines at their current stage); whoever loses access loses, in the
same transaction, what was queued for them and may no longer reach them
(:func:`storage.people.follow_access`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.alerts.engine import extend_in
from app.services import Services
from storage import people
from storage.models import Role


@dataclass(frozen=True)
class Granted:
    """A person or group given access, and the open alerts queued for them at once."""

    role: str | None  # None for a group
    unit_id: int | None
    alerts_added: int


def grant(
    services: Services,
    session: Session,
    telegram_id: int,
    role: Role,
    unit_id: int | None,
    name: str | None = None,
) -> Granted:
    """Give a person a role (and a unit); a focal point without a unit is a ValueError."""
    person = people.save_person(session, telegram_id, role, unit_id, services.clock.now(), name)
    session.flush()
    return Granted(person.role, person.unit_id, extend_in(services, session))


def register_group(
    services: Services, session: Session, chat_id: int, title: str | None, unit_id: int | None
) -> Granted:
    """Register a group chat (for one unit, or for the whole province)."""
    chat = people.register_chat(session, chat_id, title, unit_id, services.clock.now())
    session.flush()
    return Granted(None, chat.unit_id, extend_in(services, session))


def redeem_invite(
    services: Services, session: Session, code: str, telegram_id: int, name: str | None
) -> Granted | str:
    """Whoever opened an invite link becomes what it says; a refusal in words otherwise."""
    result = people.redeem_invite(session, code, telegram_id, name, services.clock.now())
    if isinstance(result, str):
        return result
    session.flush()
    return Granted(result.role, result.unit_id, extend_in(services, session))


def revoke(services: Services, session: Session, telegram_id: int) -> bool:
    """Withdraw a person's access; False when nobody active has this id."""
    return people.revoke_person(session, telegram_id, services.clock.now())


def added_text(granted: Granted) -> str:
    """The sentence saying how many open alerts were queued for the newcomer ("" for none)."""
    if not granted.alerts_added:
        return ""
    return (
        f"{granted.alerts_added} cảnh báo còn hiệu lực của đơn vị được xếp hàng gửi cho người mới."
    )
