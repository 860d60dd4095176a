"""The database schema (SQLAlchemy 2 declarative models).

Schema changes go through Alembic migrations in ``storage/migrations``; the
models here must match the newest migration (a test checks it).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ColumnElement,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    and_,
    text,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """An aware timestamp stored as UTC on every backend (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


E = TypeVar("E", bound=StrEnum)


class EnumText(TypeDecorator[E]):
    """A ``StrEnum`` stored as its plain text value (``VARCHAR``, no database enum type), read
    back as the enum member; a value outside the enum is refused when written."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[E], length: int) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> E | None:
        return None if value is None else self.enum(value)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UnitKind(StrEnum):
    PROVINCE = "province"
    DEPARTMENT = "department"
    DISTRICT = "district"
    COMMUNE = "commune"
    LAND_OFFICE = "land_office"
    OTHER = "other"


class IndicatorCategory(StrEnum):
    TOTAL = "total"  # the 766 total score (100 points)
    GROUP = "group"  # one of the six 766 groups
    METRIC = "metric"  # a 766 metric inside a group
    RATIO = "ratio"  # a tracked ratio of Nghị quyết 02/NQ-CP
    COUNT = "count"  # a count, e.g. overdue dossiers of a unit at a date


class Period(StrEnum):
    DAY = "day"  # a reading "as of" a date (the portal computes year to date)
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


class Role(StrEnum):
    ADMIN = "admin"
    LEADER = "leader"
    FOCAL = "focal"


class Measure(StrEnum):
    POINT = "point"
    PERCENT = "percent"
    COUNT = "count"


class DossierState(StrEnum):
    """Where a dossier stands, read from the export's status column (``TrangThai``)."""

    PROCESSING = "processing"  # received, being handled: the clock runs
    SUPPLEMENT = "supplement"  # waiting for the citizen's supplement: the clock stops
    FINISHED = "finished"  # result given
    WITHDRAWN = "withdrawn"  # the citizen withdrew it
    RETURNED = "returned"  # returned or refused, not to be handled
    CLOSED = "closed"  # absent from a complete list of open dossiers (``--complete``)


#: States in which a dossier is still to act on (only these can be overdue and open).
OPEN_DOSSIER_STATES = (DossierState.PROCESSING,)


class DeadlineBasis(StrEnum):
    """Where a publication task's deadline came from."""

    GIVEN = "given"  # the file's own deadline column
    LETTER = "letter"  # "(Hạn xử lý dd/mm/yyyy)" in the office's letter
    COMPUTED = "computed"  # N working days before the act takes effect


class Unit(Base):
    """An administrative unit: the province, a department, a district, a commune …"""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    name_key: Mapped[str] = mapped_column(String(255), unique=True)
    core_key: Mapped[str] = mapped_column(String(255), index=True)
    kind: Mapped[UnitKind] = mapped_column(EnumText(UnitKind, 20), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    portal_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: How the national portal classes the unit (``departmentType``, ``departmentLevel``).
    portal_type: Mapped[str | None] = mapped_column(String(40))
    portal_level: Mapped[str | None] = mapped_column(String(20))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    #: The unit that took over this one's work when it ended (a merger): its history is
    #: shown, labelled, on the successor's card, and what is still open goes to it.
    successor_id: Mapped[int | None] = mapped_column(
        ForeignKey("units.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    aliases: Mapped[list[UnitAlias]] = relationship(
        back_populates="unit", cascade="all, delete-orphan", lazy="selectin"
    )
    parent: Mapped[Unit | None] = relationship(
        remote_side=[id], foreign_keys=[parent_id], lazy="joined"
    )
    successor: Mapped[Unit | None] = relationship(
        remote_side=[id], foreign_keys=[successor_id], lazy="select"
    )

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    def ends_or_begins_between(self, earlier: date, later: date) -> bool:
        """Whether the unit began or ended between two dates: readings on either side are
        not compared (a merger, the 2025 reorganisation changed what the unit is)."""
        return ends_or_begins_between(self.valid_from, self.valid_to, earlier, later)

    def ended_before(self, day: date) -> bool:
        return self.valid_to is not None and self.valid_to < day


def ends_or_begins_between(
    valid_from: date | None, valid_to: date | None, earlier: date, later: date
) -> bool:
    """Whether a unit valid from ``valid_from`` to ``valid_to`` began or ended between two
    dates (see :meth:`Unit.ends_or_begins_between`; tables read the two columns alone)."""
    began = valid_from is not None and earlier < valid_from <= later
    ended = valid_to is not None and earlier <= valid_to < later
    return began or ended


class UnitAlias(Base):
    """Another way people write a unit's name ("Sở TT&TT")."""

    __tablename__ = "unit_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(String(255))
    alias_key: Mapped[str] = mapped_column(String(255), unique=True)
    core_key: Mapped[str] = mapped_column(String(255), index=True)

    unit: Mapped[Unit] = relationship(back_populates="aliases")


class Indicator(Base):
    """One entry of the indicator catalogue (editable data, seeded by a migration)."""

    __tablename__ = "indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(500))
    short_name: Mapped[str | None] = mapped_column(String(120))
    category: Mapped[IndicatorCategory] = mapped_column(EnumText(IndicatorCategory, 20))
    group_code: Mapped[str | None] = mapped_column(String(16))
    measure: Mapped[Measure] = mapped_column(EnumText(Measure, 16))
    max_score: Mapped[float | None] = mapped_column(Float)
    higher_is_better: Mapped[bool] = mapped_column(Boolean, default=True)
    tracked: Mapped[bool] = mapped_column(Boolean, default=False)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    aliases: Mapped[list[IndicatorAlias]] = relationship(
        back_populates="indicator", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def label(self) -> str:
        return self.short_name or self.name


class IndicatorAlias(Base):
    """Another name of an indicator as it appears in files."""

    __tablename__ = "indicator_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("indicators.id", ondelete="CASCADE"), index=True
    )
    alias: Mapped[str] = mapped_column(String(500), unique=True)

    indicator: Mapped[Indicator] = relationship(back_populates="aliases")


class ImportFile(Base):
    """One imported file (or, later, one accepted portal answer)."""

    __tablename__ = "import_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    source: Mapped[str | None] = mapped_column(String(40))
    row_count: Mapped[int] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Snapshot(Base):
    """A reading of some source at a date: observations hang off it."""

    __tablename__ = "snapshots"
    __table_args__ = (UniqueConstraint("source", "period", "as_of"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[date] = mapped_column(Date, index=True)
    period: Mapped[Period] = mapped_column(EnumText(Period, 10))
    source: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ObservationValues:
    """What a reading holds, shared by observations and their revisions (one definition)."""

    value: Mapped[float | None] = mapped_column(Float)
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
    score: Mapped[float | None] = mapped_column(Float)
    max_score: Mapped[float | None] = mapped_column(Float)
    rank: Mapped[int | None] = mapped_column(Integer)
    rank_of: Mapped[int | None] = mapped_column(Integer)
    quality_status: Mapped[str | None] = mapped_column(String(64))
    quality_message: Mapped[str | None] = mapped_column(Text)


#: The fields of a reading, compared when a corrected file arrives and kept in revisions.
OBSERVATION_FIELDS: tuple[str, ...] = tuple(ObservationValues.__annotations__)


class Observation(ObservationValues, Base):
    """One value of one indicator for one unit in one snapshot; ``value`` None is no data."""

    __tablename__ = "observations"
    __table_args__ = (
        UniqueConstraint("snapshot_id", "unit_id", "indicator_id"),
        Index("ix_observations_unit_indicator", "unit_id", "indicator_id"),
        # "Does this snapshot hold this indicator?", newest snapshot first: one probe each.
        Index("ix_observations_snapshot_indicator", "snapshot_id", "indicator_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshots.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id", ondelete="CASCADE"))
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_files.id", ondelete="SET NULL"), index=True
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ObservationRevision(ObservationValues, Base):
    """The previous version of an observation that a corrected file replaced (audit)."""

    __tablename__ = "observation_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    observation_id: Mapped[int] = mapped_column(
        ForeignKey("observations.id", ondelete="CASCADE"), index=True
    )
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_files.id", ondelete="SET NULL")
    )
    replaced_by_import_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_files.id", ondelete="SET NULL")
    )
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Target(Base):
    """A yearly target with its quarterly roadmap minimum for one kind of unit (seed 004)."""

    __tablename__ = "targets"
    __table_args__ = (UniqueConstraint("indicator_id", "unit_kind", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id", ondelete="CASCADE"))
    unit_kind: Mapped[UnitKind] = mapped_column(EnumText(UnitKind, 20))
    year: Mapped[int] = mapped_column(Integer)
    yearly: Mapped[float | None] = mapped_column(Float)
    q1: Mapped[float | None] = mapped_column(Float)
    q2: Mapped[float | None] = mapped_column(Float)
    q3: Mapped[float | None] = mapped_column(Float)
    q4: Mapped[float | None] = mapped_column(Float)
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_files.id", ondelete="SET NULL")
    )

    def for_quarter(self, quarter: int) -> float | None:
        value: float | None = getattr(self, f"q{quarter}")
        return value


class Dossier(Base):
    """One citizen's application (hồ sơ TTHC); times are naive local wall-clock times."""

    __tablename__ = "dossiers"
    __table_args__ = (
        Index("ix_dossiers_unit_finished", "unit_id", "finished_at"),
        # The unfinished dossiers alone (a few thousand of years of them): what /overdue, the
        # unit cards and the overdue rule read, without touching the finished ones.
        Index(
            "ix_dossiers_unfinished",
            "unit_id",
            "due_at",
            "state",
            sqlite_where=text("finished_at IS NULL"),
            postgresql_where=text("finished_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(100), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    procedure: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime | None] = mapped_column(DateTime)
    due_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: The status as the export wrote it, and what it means.
    status: Mapped[str | None] = mapped_column(String(200))
    state: Mapped[DossierState] = mapped_column(
        EnumText(DossierState, 12), default=DossierState.PROCESSING
    )
    #: When a complete list of open dossiers no longer had it (``--complete``).
    closed_at: Mapped[date | None] = mapped_column(Date)
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_files.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    # "Quá hạn chưa giải quyết": still to act on (being handled: not finished, withdrawn,
    # returned, closed, nor waiting for the citizen's supplement, when the clock stops) and
    # past its due time; the one definition of an overdue dossier that the bot lists, counts
    # and alerts on (in Python, of a dossier's values, and in SQL).
    @staticmethod
    def overdue_open_of(
        finished_at: datetime | None,
        state: DossierState | None,
        due_at: datetime | None,
        now_local: datetime,
    ) -> bool:
        return (
            finished_at is None
            and (state or DossierState.PROCESSING) in OPEN_DOSSIER_STATES
            and due_at is not None
            and due_at < now_local
        )

    @classmethod
    def overdue_open(cls, now_local: datetime) -> ColumnElement[bool]:
        return and_(
            cls.finished_at.is_(None),
            cls.state.in_([s.value for s in OPEN_DOSSIER_STATES]),
            cls.due_at < now_local,
        )

    @staticmethod
    def late_of(finished_at: datetime | None, due_at: datetime | None) -> bool:
        """ "Giải quyết trễ hạn": finished after its due time (counted apart, never listed as
        still overdue)."""
        return finished_at is not None and due_at is not None and finished_at > due_at

    @hybrid_property
    def finished_late(self) -> bool:
        return Dossier.late_of(self.finished_at, self.due_at)

    @finished_late.inplace.expression
    @classmethod
    def _finished_late_expression(cls) -> ColumnElement[bool]:
        return cls.finished_at > cls.due_at


class PublicationTask(Base):
    """The province's duty to publish procedures after a ministry's decision."""

    __tablename__ = "publication_tasks"
    __table_args__ = (UniqueConstraint("ministry_decision_no", "lead_unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ministry_decision: Mapped[str] = mapped_column(Text)
    ministry_decision_no: Mapped[str] = mapped_column(String(100))
    ministry_decision_date: Mapped[date | None] = mapped_column(Date)
    content: Mapped[str | None] = mapped_column(Text)
    lead_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    effective_date: Mapped[date | None] = mapped_column(Date)
    deadline: Mapped[date | None] = mapped_column(Date, index=True)
    deadline_basis: Mapped[DeadlineBasis | None] = mapped_column(EnumText(DeadlineBasis, 20))
    office_letter: Mapped[str | None] = mapped_column(Text)
    office_letter_date: Mapped[date | None] = mapped_column(Date)
    unit_submission: Mapped[str | None] = mapped_column(Text)
    submission_date: Mapped[date | None] = mapped_column(Date)
    province_decision: Mapped[str | None] = mapped_column(Text)
    province_decision_date: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_files.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    @hybrid_property
    def is_open(self) -> bool:
        """Still waiting for the province's decision (no decision number or date)."""
        return self.province_decision_date is None and self.province_decision is None

    @is_open.inplace.expression
    @classmethod
    def _is_open_expression(cls) -> ColumnElement[bool]:
        return and_(cls.province_decision_date.is_(None), cls.province_decision.is_(None))


class Person(Base):
    """Someone who may talk to the bot, with a role (focal points belong to one unit)."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    name: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(EnumText(Role, 20))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Invite(Base):
    """A one-time registration code behind a t.me/<bot>?start=<code> deep link."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[Role] = mapped_column(EnumText(Role, 20))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_by: Mapped[int | None] = mapped_column(BigInteger)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Chat(Base):
    """A registered group chat that receives summaries (optionally for one unit)."""

    __tablename__ = "chats"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    title: Mapped[str | None] = mapped_column(String(255))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AlertStatus(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"
    WITHDRAWN = "withdrawn"  # a corrected file removed what the alert said, before sending


class Alert(Base):
    """Something a rule found, stored once under a stable identity before anything is sent."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    identity: Mapped[str] = mapped_column(String(255), unique=True)
    rule: Mapped[str] = mapped_column(String(32), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    indicator_id: Mapped[int | None] = mapped_column(
        ForeignKey("indicators.id", ondelete="CASCADE")
    )
    period_key: Mapped[str | None] = mapped_column(String(64))
    #: The snapshot the alert is about (drops, ranks, counts, the roadmap): a corrected
    #: file re-checks the alerts about the snapshots it changed.
    snapshot_id: Mapped[int | None] = mapped_column(
        ForeignKey("snapshots.id", ondelete="SET NULL"), index=True
    )
    value: Mapped[float | None] = mapped_column(Float)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Who may receive it (:class:`storage.alerts.Audience`): a person or group no longer in
    #: it (revoked, moved to another unit) loses the deliveries not sent yet.
    audience: Mapped[str] = mapped_column(String(16), server_default="unit")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Delivery(Base):
    """One alert for one chat; claimed with a conditional UPDATE so it is sent once."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("alert_id", "chat_id"),
        Index("ix_deliveries_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    status: Mapped[AlertStatus] = mapped_column(EnumText(AlertStatus, 12))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claim_token: Mapped[str | None] = mapped_column(String(40), index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    last_error: Mapped[str | None] = mapped_column(Text)


class Acknowledgement(Base):
    """Who pressed "Đã nhận" on an alert, and when."""

    __tablename__ = "acknowledgements"
    __table_args__ = (UniqueConstraint("alert_id", "telegram_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    telegram_id: Mapped[int] = mapped_column(BigInteger)
    acknowledged_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Subscription(Base):
    """A chat that asked (/subscribe) for one more unit's alerts."""

    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("chat_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))


class ChatSettings(Base):
    """Per-chat quiet hours, mute and reachability (blocked or deleted chats are not tried)."""

    __tablename__ = "chat_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    quiet_hours: Mapped[str | None] = mapped_column(String(20))
    quiet_weekends: Mapped[bool | None] = mapped_column(Boolean)
    muted_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    blocked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    blocked_reason: Mapped[str | None] = mapped_column(Text)


class JobRun(Base):
    """One scheduled run of a job, claimed by inserting it: a run never happens twice. A run
    whose action failed keeps the failure (``failed_at``, ``error``) until a later attempt,
    claimed again by a conditional update, finishes it."""

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("name", "scheduled_for"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    scheduled_for: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=1, server_default="1")
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(Text)


class PortalSync(Base):
    """One attempt to read a period from the national portal: complete (every endpoint
    answered and validated, stored as the import ``import_id``) or not (kept with what went
    wrong, never stored as data)."""

    __tablename__ = "portal_syncs"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "province" (the six group endpoints) or "national" (every province's scores).
    scope: Mapped[str] = mapped_column(String(20))
    #: "month:2026-08", "quarter:2026-Q3", "year:2026".
    period_key: Mapped[str] = mapped_column(String(20), index=True)
    as_of: Mapped[date] = mapped_column(Date)
    root_department_id: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
    complete: Mapped[bool] = mapped_column(Boolean, index=True)
    #: Why it is not complete (Vietnamese), None when complete.
    problem: Mapped[str | None] = mapped_column(Text)
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_files.id", ondelete="SET NULL")
    )

    responses: Mapped[list[PortalResponse]] = relationship(
        back_populates="sync", cascade="all, delete-orphan", order_by="PortalResponse.id"
    )


class PortalResponse(Base):
    """The raw answer to one request of a sync, compressed, kept so a later version can
    read history again."""

    __tablename__ = "portal_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    sync_id: Mapped[int] = mapped_column(
        ForeignKey("portal_syncs.id", ondelete="CASCADE"), index=True
    )
    endpoint: Mapped[str] = mapped_column(String(60))
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    http_status: Mapped[int | None] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(String(120))
    sha256: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    #: The body as received, zlib-compressed (None when nothing was received).
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)

    sync: Mapped[PortalSync] = relationship(back_populates="responses")
