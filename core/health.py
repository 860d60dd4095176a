"""What the running process knows about itself for ``/status`` and the error notices: when it
started and the errors it logged (counted, the newest kept as one short line).

:class:`ErrorRecorder` is a logging handler: every ERROR record of any part of the bot is
seen, whoever logged it. It keeps only the first line of the message and the exception's
type, never the traceback or the exception's text, which may quote a dossier's row (names,
phone numbers) or SQL parameters.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime

#: Characters of a logged error kept for /status and the notices.
ERROR_TEXT_LIMIT = 300


@dataclass
class LoggedError:
    at: datetime
    text: str


@dataclass
class Health:
    started_at: datetime
    #: Errors logged since start.
    errors: int = 0
    last_error: LoggedError | None = None
    #: ``errors`` when the last notice was sent, and when.
    reported: int = 0
    reported_at: datetime | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def record(self, at: datetime, text: str) -> None:
        with self._lock:
            self.errors += 1
            self.last_error = LoggedError(at, text)

    def take_unreported(self, now: datetime) -> tuple[int, LoggedError | None]:
        """The errors logged since the last notice (counted, the newest), marked reported."""
        with self._lock:
            count = self.errors - self.reported
            self.reported, self.reported_at = self.errors, now
            return count, self.last_error


def short_text(record: logging.LogRecord) -> str:
    """One line for people: the message's first line, and the exception's type."""
    lines = record.getMessage().splitlines()
    text = lines[0] if lines else ""
    if record.exc_info and record.exc_info[0] is not None:
        text += f" ({record.exc_info[0].__name__})"
    return text[:ERROR_TEXT_LIMIT]


class ErrorRecorder(logging.Handler):
    """Counts ERROR records into a :class:`Health` (installed on the root logger)."""

    def __init__(self, health: Health) -> None:
        super().__init__(level=logging.ERROR)
        self.health = health

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.health.record(datetime.fromtimestamp(record.created, UTC), short_text(record))
        except Exception:  # a logging handler never raises
            self.handleError(record)
