"""Log lines without personal data: a traceback keeps its frames (file, line, code) but not
its exceptions' messages, which may quote a spreadsheet's cell (a name, a phone number) or,
for database errors, the row being written."""

from __future__ import annotations

import logging

_HEADERS = (
    "Traceback (most recent call last):",
    "The above exception was the direct cause of the following exception:",
    "During handling of the above exception, another exception occurred:",
)
HIDDEN = "(message hidden: it may hold personal data)"


def scrub_traceback(text: str) -> str:
    """``text`` (a formatted traceback) with each exception's message replaced by its type."""
    kept: list[str] = []
    in_message = False
    for line in text.splitlines():
        if line.startswith(_HEADERS) or (line.startswith(" ") and not in_message):
            kept.append(line)
            in_message = False
        elif not line.strip():
            kept.append(line)
        elif not in_message:  # "ValueError: could not convert 'Nguyễn Văn A'"
            kind = line.split(":", 1)[0]
            kept.append(f"{kind}: {HIDDEN}" if ":" in line else line)
            in_message = True
        # further lines of a message ("[SQL: …]", "[parameters: …]") are dropped
    return "\n".join(kept)


class ScrubExceptions(logging.Filter):
    """Installed on every handler of the root logger by the command line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_text is None:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub_traceback(record.exc_text)
        return True


def scrub_logs() -> None:
    scrubber = ScrubExceptions()
    for handler in logging.getLogger().handlers:
        handler.addFilter(scrubber)
