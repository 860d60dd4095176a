"""The console chat: one message per line on stdin, replies on stdout."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TextIO

from app.services import Services
from core.reply import Reply
from handlers.access import Asker
from handlers.router import answer


def write_reply(reply: Reply, out: TextIO, image_dir: Path) -> None:
    """Print a reply; save its image (if any) and print the path."""
    out.write(reply.text.rstrip() + "\n")
    for row in reply.buttons:
        for button in row:
            out.write(f"  [{button.label}] → {button.command}\n")
    if reply.image is not None:
        out.write(f"(biểu đồ: {_save(image_dir, reply.image_name, reply.image)})\n")
    if reply.document is not None:
        out.write(f"(tệp: {_save(image_dir, reply.document_name, reply.document)})\n")
    out.flush()


def _save(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^0-9A-Za-z_.-]", "-", name)
    index = 1
    while (path := folder / f"{index:03d}-{stem}").exists():
        index += 1
    path.write_bytes(data)
    return path


def run_console(
    services: Services, asker: Asker, source: TextIO, out: TextIO, image_dir: Path
) -> int:
    """Answer each line until end of input."""
    for line in source:
        text = line.strip()
        if not text:
            continue
        out.write(f"> {text}\n")
        write_reply(answer(services, text, asker), out, image_dir)
        out.write("\n")
    return 0
