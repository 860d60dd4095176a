"""What a handler receives: services, one session for this message, the asker, the arguments."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.services import Services
from handlers.access import Asker


@dataclass
class Request:
    services: Services
    session: Session
    asker: Asker
    args: str
