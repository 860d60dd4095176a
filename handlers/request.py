"""What a handler receives: services, one session for this message, the asker, the arguments."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from handlers.access import Asker
from handlers.services import Services


@dataclass
class Request:
    services: Services
    session: Session
    asker: Asker
    args: str
