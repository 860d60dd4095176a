"""What several commands share: the parser type, dates typed on the command line, the
schema brought up to date, a unit named on the command line."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from typing import Any

from app.services import Services
from core.parsing import ValueProblem, parse_date
from storage import db
from storage.units import describe_match_failure, find_unit

#: What ``sub.add_parser`` is called on (argparse keeps the type private).
Commands = Any
#: What a command runs: the parsed arguments and the services in, the exit code out.
Run = Callable[[argparse.Namespace, Services], int]


def as_of(text: str) -> date:
    """A DD/MM/YYYY argument."""
    try:
        day = parse_date(text)
    except ValueProblem as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
    if day is None:
        raise argparse.ArgumentTypeError("thiếu ngày")
    return day


def require_schema(services: Services) -> None:
    """Bring the database to the code's schema (every command but ``db``, ``demo``,
    ``backup``, ``restore`` and ``doctor`` works on a migrated database)."""
    if db.current_revision(services.engine) != db.head_revision():
        db.upgrade(services.engine)


def unit_id(services: Services, name: str | None) -> int | str | None:
    """The id of a unit named on the command line, None without a name, or an error."""
    if name is None:
        return None
    with services.session_factory() as session:
        match = find_unit(session, name)
        return match.unit.id if match.unit is not None else describe_match_failure(match)
