"""Plain values read from storage that answers carry to the views: storage fills them, the
views format them, and neither needs the other (nor the database) to know their shape."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class Reading:
    """One observation with the snapshot it belongs to."""

    as_of: date
    period: str
    source: str
    value: float | None
    max_score: float | None
    rank: int | None
    rank_of: int | None
    snapshot_id: int
    indicator_id: int


@dataclass(frozen=True)
class OverdueSummary:
    """Overdue dossiers of one unit: from dossier lists and from per-unit counts."""

    #: Dossiers still to act on, past their due time (``Dossier.overdue_open``).
    dossiers_overdue: int
    #: Dossiers finished after their due time (``Dossier.finished_late``).
    dossiers_finished_late: int
    dossiers_known: int
    oldest_due: datetime | None
    count_value: float | None
    count_as_of: date | None
    count_source: str | None
    #: The newest list of counts of that source, when it is newer than the unit's count
    #: (the unit was not in it: its count is old, not current).
    newer_list_as_of: date | None = None


@dataclass(frozen=True)
class SourceGap:
    """The same indicator of the same unit at the same date and period from two sources."""

    unit_id: int
    indicator_id: int
    as_of: date
    source_a: str
    value_a: float
    source_b: str
    value_b: float

    @property
    def gap(self) -> float:
        return self.value_b - self.value_a
