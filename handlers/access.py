"""Who is asking: one place turns a Telegram (or console) sender into an :class:`Asker`."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from storage.models import Role
from storage.people import active_chat, active_person

STRANGER = "stranger"
GROUP = "group"
#: A group nobody registered, where an admin typed: nothing is answered there but
#: /register_group (everyone in the group would read the answer).
UNREGISTERED_GROUP = "unregistered_group"
#: What an admin may do in a group besides what the group may: register it.
GROUP_ADMIN = "group_admin"

ROLE_LABELS = {
    Role.ADMIN.value: "quản trị (Văn phòng UBND tỉnh)",
    Role.LEADER.value: "lãnh đạo",
    Role.FOCAL.value: "đầu mối kiểm soát TTHC",
    GROUP: "nhóm nhận thông báo",
    UNREGISTERED_GROUP: "nhóm chưa đăng ký",
    STRANGER: "chưa được cấp quyền",
}


@dataclass(frozen=True)
class Asker:
    """The sender of one message: a role, the unit it is tied to, and where it was said."""

    role: str = Role.ADMIN.value
    unit_id: int | None = None
    telegram_id: int | None = None
    chat_id: int | None = None
    in_group: bool = False
    name: str | None = None
    chat_title: str | None = None
    #: An admin typing in a group: answered as the group (everyone there reads the answer),
    #: but may (re-)register it.
    admin_here: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN.value

    @property
    def roles(self) -> frozenset[str]:
        """What commands may check: the role, and an admin's rights in a group."""
        return frozenset({self.role, GROUP_ADMIN} if self.admin_here else {self.role})

    def sees_details_of(self, unit_id: int) -> bool:
        """Dossier codes, overdue lists and tasks: everything for admins and leaders,
        only their own unit for focal points and unit groups."""
        if self.role in (Role.ADMIN.value, Role.LEADER.value):
            return True
        if self.role == GROUP and self.unit_id is None:
            return True
        return self.unit_id is not None and self.unit_id == unit_id

    @property
    def sees_everything(self) -> bool:
        return self.role in (Role.ADMIN.value, Role.LEADER.value) or (
            self.role == GROUP and self.unit_id is None
        )

    @property
    def only_unit_id(self) -> int | None:
        """The one unit whose dossiers and tasks lists show (None: every unit; -1: none)."""
        return None if self.sees_everything else self.unit_id or -1


def resolve_asker(
    session: Session,
    user_id: int | None,
    chat_id: int,
    in_group: bool,
    name: str | None = None,
    chat_title: str | None = None,
) -> Asker | None:
    """The asker, a stranger, or None when the message must be ignored (unregistered group).

    In a group everyone speaks for the group, admins included: the whole group reads the
    answer, so it shows what the group may see. An admin may also register the group; in a
    group nobody registered, that is all an admin gets.
    """
    person = active_person(session, user_id) if user_id is not None else None
    if not in_group:
        if person is None:
            return Asker(STRANGER, telegram_id=user_id, chat_id=chat_id, name=name)
        return Asker(person.role, person.unit_id, user_id, chat_id, False, person.name or name)
    admin = person is not None and person.role == Role.ADMIN.value
    chat = active_chat(session, chat_id)
    if chat is None:
        if not admin:
            return None
        return Asker(UNREGISTERED_GROUP, None, user_id, chat_id, True, name, chat_title, True)
    return Asker(GROUP, chat.unit_id, user_id, chat_id, True, name, chat_title, admin)
