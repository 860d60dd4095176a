"""A reply is a value: text, an optional image and optional buttons, sent by a transport."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Button:
    """An inline button; ``command`` is what pressing it asks (e.g. "/unit #12")."""

    label: str
    command: str


@dataclass
class Reply:
    text: str
    image: bytes | None = None
    image_name: str = "chart.png"
    buttons: list[list[Button]] = field(default_factory=list)
    #: When the reply answers a button press, edit that message instead of sending a new one.
    edit: bool = False
    #: Answer a button press with a short notification instead of a message.
    toast: bool = False
    #: A file sent after the text (a full report too long for messages).
    document: bytes | None = None
    document_name: str = "bao_cao.txt"
