"""People, group chats and one-time invites: who may talk to the bot, and as what."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from storage.alerts import withdraw_disallowed
from storage.models import Chat, Invite, Person, Role, Subscription, Unit


def active_person(session: Session, telegram_id: int) -> Person | None:
    return session.scalars(
        select(Person).where(Person.telegram_id == telegram_id, Person.active.is_(True))
    ).first()


def active_chat(session: Session, chat_id: int) -> Chat | None:
    return session.scalars(
        select(Chat).where(Chat.chat_id == chat_id, Chat.active.is_(True))
    ).first()


def follow_access(session: Session, chat_id: int, now: datetime) -> None:
    """After a person's or a group's access changed (revoked, another role or unit): the
    subscriptions it may no longer have are removed and the deliveries not sent yet that it
    may no longer receive are withdrawn, in the same transaction as the change, so that
    nothing reaches it under its old access, not even what was already queued."""
    session.flush()
    person = session.scalars(select(Person).filter_by(telegram_id=chat_id)).first()
    chat = session.scalars(select(Chat).filter_by(chat_id=chat_id)).first()
    owner: Person | Chat | None = person if person is not None and person.active else chat
    if owner is not None and not owner.active:
        owner = None
    # Leaders, admins and groups of the whole province may follow any unit; a focal point
    # or a unit's group only its own unit; nobody else any.
    everything = owner is not None and (
        (isinstance(owner, Person) and owner.role != Role.FOCAL.value)
        or (isinstance(owner, Chat) and owner.unit_id is None)
    )
    if not everything:
        stale = delete(Subscription).where(Subscription.chat_id == chat_id)
        if owner is not None:
            stale = stale.where(Subscription.unit_id != owner.unit_id)
        session.execute(stale.execution_options(synchronize_session=False))
    withdraw_disallowed(session, {chat_id}, now.date())


def save_person(
    session: Session,
    telegram_id: int,
    role: Role,
    unit_id: int | None,
    now: datetime,
    name: str | None = None,
) -> Person:
    """Create or update a person (re-activating a revoked one); what a new role or unit no
    longer allows is withdrawn (:func:`follow_access`)."""
    if role is Role.FOCAL and unit_id is None:
        raise ValueError("a focal point belongs to one unit")
    person = session.scalars(select(Person).filter_by(telegram_id=telegram_id)).first()
    if person is None:
        person = Person(telegram_id=telegram_id, created_at=now)
        session.add(person)
    person.role = role
    person.unit_id = unit_id
    person.active = True
    if name:
        person.name = name
    follow_access(session, telegram_id, now)
    return person


def revoke_person(session: Session, telegram_id: int, now: datetime) -> bool:
    """Deactivate a person (kept for the record), with their subscriptions and the alerts
    queued for them; False when unknown or already revoked."""
    person = active_person(session, telegram_id)
    if person is None:
        return False
    person.active = False
    follow_access(session, telegram_id, now)
    return True


def list_people(session: Session) -> list[tuple[Person, Unit | None]]:
    stmt = (
        select(Person, Unit)
        .outerjoin(Unit, Unit.id == Person.unit_id)
        .where(Person.active.is_(True))
        .order_by(Person.role, Person.telegram_id)
    )
    return [(person, unit) for person, unit in session.execute(stmt)]


def list_chats(session: Session) -> list[tuple[Chat, Unit | None]]:
    stmt = (
        select(Chat, Unit)
        .outerjoin(Unit, Unit.id == Chat.unit_id)
        .where(Chat.active.is_(True))
        .order_by(Chat.chat_id)
    )
    return [(chat, unit) for chat, unit in session.execute(stmt)]


def people_with_roles(session: Session, roles: list[str]) -> list[Person]:
    stmt = select(Person).where(Person.active.is_(True), Person.role.in_(roles))
    return list(session.scalars(stmt))


def register_chat(
    session: Session, chat_id: int, title: str | None, unit_id: int | None, now: datetime
) -> Chat:
    """Register (or re-register) a group chat for summaries."""
    chat = session.scalars(select(Chat).filter_by(chat_id=chat_id)).first()
    if chat is None:
        chat = Chat(chat_id=chat_id, created_at=now)
        session.add(chat)
    chat.title = title or chat.title
    chat.unit_id = unit_id
    chat.active = True
    follow_access(session, chat_id, now)
    return chat


def create_invite(
    session: Session,
    role: Role,
    unit_id: int | None,
    created_by: int | None,
    now: datetime,
    valid_for: timedelta,
) -> Invite:
    """A fresh one-time code (URL-safe, fits Telegram's 64-character start parameter)."""
    invite = Invite(
        code=secrets.token_urlsafe(16),
        role=role.value,
        unit_id=unit_id,
        created_by=created_by,
        created_at=now,
        expires_at=now + valid_for,
    )
    session.add(invite)
    session.flush()
    return invite


def redeem_invite(
    session: Session, code: str, telegram_id: int, name: str | None, now: datetime
) -> Person | str:
    """Register the person an invite was made for; a Vietnamese reason when it cannot be used.

    The invite is taken with a conditional UPDATE (only while nobody used it and it has not
    expired): of two people opening the same link at once, on SQLite or PostgreSQL, exactly
    one is registered; the other is told it was used."""
    taken = session.execute(
        update(Invite)
        .where(Invite.code == code, Invite.used_at.is_(None), Invite.expires_at > now)
        .values(used_by=telegram_id, used_at=now)
        .execution_options(synchronize_session=False)
    )
    invite = session.scalars(
        select(Invite).filter_by(code=code).execution_options(populate_existing=True)
    ).first()
    if invite is None:
        return "Mã mời không đúng. Hãy xin Văn phòng UBND tỉnh một đường dẫn mời mới."
    if not taken.rowcount:  # type: ignore[attr-defined]
        if invite.used_at is None:
            return "Mã mời đã hết hạn. Hãy xin Văn phòng UBND tỉnh một đường dẫn mời mới."
        if invite.used_by == telegram_id:
            person = active_person(session, telegram_id)
            if person is not None:
                return person
        return "Mã mời này đã được dùng. Mỗi đường dẫn mời chỉ dùng được một lần."
    return save_person(session, telegram_id, Role(invite.role), invite.unit_id, now, name)


def subscribe(session: Session, chat_id: int, unit_id: int) -> bool:
    """This chat also receives the unit's alerts; False when it already did."""
    exists = session.scalar(select(Subscription.id).filter_by(chat_id=chat_id, unit_id=unit_id))
    if exists is not None:
        return False
    session.add(Subscription(chat_id=chat_id, unit_id=unit_id))
    return True


def unsubscribe(session: Session, chat_id: int, unit_id: int) -> bool:
    """Stop the unit's extra alerts in this chat; False when it was not subscribed."""
    result = session.execute(
        delete(Subscription).where(Subscription.chat_id == chat_id, Subscription.unit_id == unit_id)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def subscribed_units(session: Session, chat_id: int) -> list[Unit]:
    """The units this chat subscribed to, by name."""
    return list(
        session.scalars(
            select(Unit)
            .join(Subscription, Subscription.unit_id == Unit.id)
            .where(Subscription.chat_id == chat_id)
            .order_by(Unit.name)
        )
    )


def describe_chats(session: Session, chat_ids: list[int]) -> list[str]:
    """Who each chat is, for checking an alert's routing: "501 (focal, Ba, Sở Y tế)"."""
    people = {
        p.telegram_id: (p, u)
        for p, u in session.execute(
            select(Person, Unit)
            .outerjoin(Unit, Unit.id == Person.unit_id)
            .where(Person.telegram_id.in_(chat_ids), Person.active.is_(True))
        )
    }
    chats = {
        c.chat_id: (c, u)
        for c, u in session.execute(
            select(Chat, Unit)
            .outerjoin(Unit, Unit.id == Chat.unit_id)
            .where(Chat.chat_id.in_(chat_ids))
        )
    }
    described = []
    for chat_id in chat_ids:
        if chat_id in people:
            person, unit = people[chat_id]
            parts = [str(person.role), person.name, unit.name if unit else None]
        elif chat_id in chats:
            chat, unit = chats[chat_id]
            parts = [f"nhóm «{chat.title or 'không tên'}»", unit.name if unit else None]
        else:
            parts = ["đăng ký theo dõi"]
        described.append(f"{chat_id} ({', '.join(p for p in parts if p)})")
    return described
