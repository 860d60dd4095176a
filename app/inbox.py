"""The inbox folder (``[sources] inbox``): files dropped there are imported without anyone
sending them to the bot.

Each look (the ``inbox`` schedule, every 5 minutes by default) imports the files whose size
and modification time have not changed since the previous look, so a file still being
copied is never read half-way; temporary names (``~$…``, ``.part``, ``.tmp``, hidden files)
are left alone. An imported file moves to ``done/``, a refused one to ``failed/``, each with
its report beside it (``NAME.txt``), and the admins are told in Telegram.
"""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

from app.alerts.rules.source import SourcePayload, source_alert
from app.imports import import_and_alert
from app.services import Services
from storage.alerts import store_alerts
from storage.importers import ImportOptions
from storage.importers.reader import SUPPORTED_SUFFIXES

log = logging.getLogger(__name__)

#: What the previous look saw (name -> [size, mtime]), kept in the folder itself.
STATE_FILE = ".tthc-inbox.json"
TEMPORARY_SUFFIXES = (".part", ".tmp", ".crdownload", ".partial", ".download")
#: Lines of a report repeated in the admins' message (the whole report is beside the file).
MESSAGE_LINES = 8


@dataclass(frozen=True)
class InboxResult:
    name: str
    ok: bool
    moved_to: Path


def inbox_folder(services: Services) -> Path | None:
    configured = services.config.sources.inbox
    if not configured:
        return None
    folder = Path(configured)
    return folder if folder.is_absolute() else services.config.base_dir / folder


def _temporary(path: Path) -> bool:
    name = path.name
    return name.startswith((".", "~$")) or name.lower().endswith(TEMPORARY_SUFFIXES)


def _load_state(folder: Path) -> dict[str, list[float]]:
    try:
        data = json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _save_state(folder: Path, state: dict[str, list[float]]) -> None:
    temporary = folder / f"{STATE_FILE}.new"
    temporary.write_text(json.dumps(state), encoding="utf-8")
    temporary.replace(folder / STATE_FILE)


def _free_name(folder: Path, name: str) -> Path:
    """``name`` in ``folder``, numbered when a file of that name is there already."""
    target = folder / name
    stem, suffix = Path(name).stem, Path(name).suffix
    number = 1
    while target.exists() or target.with_name(target.name + ".txt").exists():
        number += 1
        target = folder / f"{stem} ({number}){suffix}"
    return target


def scan_inbox(services: Services) -> list[InboxResult]:
    """One look at the inbox: import the files that are ready, move them, tell the admins."""
    folder = inbox_folder(services)
    if folder is None:
        return []
    if not folder.is_dir():
        log.warning("inbox %s is not a folder", folder)
        return []
    previous = _load_state(folder)
    seen: dict[str, list[float]] = {}
    ready: list[Path] = []
    for path in sorted(p for p in folder.iterdir() if p.is_file() and not _temporary(p)):
        stat = path.stat()
        look = [float(stat.st_size), stat.st_mtime]
        if previous.get(path.name) == look:
            ready.append(path)
        else:
            seen[path.name] = look  # new or still changing: look again next time
    results = [_take(services, folder, path) for path in ready]
    _save_state(folder, seen)
    return results


def _take(services: Services, folder: Path, path: Path) -> InboxResult:
    """Import one ready file and move it with its report."""
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        ok = False
        report = (
            f"Không nhập tệp «{path.name}»: loại tệp không được hỗ trợ (chỉ nhận "
            f"{', '.join(sorted(SUPPORTED_SUFFIXES))})."
        )
        lines = ["loại tệp không được hỗ trợ"]
    else:
        try:
            outcome, step = import_and_alert(services, path, ImportOptions())
        except Exception:  # an unattended job: one bad file must not stop the others
            log.exception("inbox import of %s failed", path.name)
            ok = False
            report = f"Không nhập tệp «{path.name}»: lỗi không mong muốn (xem nhật ký của bot)."
            lines = ["lỗi không mong muốn (xem nhật ký của bot)"]
        else:
            ok = outcome.ok
            # the alert step's failure is recorded and attempted again by the running bot
            report = "\n".join([outcome.report(), *(step.lines() if step else [])])
            if outcome.duplicate_of is not None:
                lines = [report]
            elif ok:
                lines = list(outcome.summary) + [
                    f"cảnh báo: {p.describe()}" for p in outcome.warnings
                ]
            else:
                lines = [p.describe() for p in outcome.errors]
    target_folder = folder / ("done" if ok else "failed")
    target_folder.mkdir(exist_ok=True)
    target = _free_name(target_folder, path.name)
    shutil.move(str(path), target)
    target.with_name(target.name + ".txt").write_text(report + "\n", encoding="utf-8")
    shown = lines[:MESSAGE_LINES]
    if len(lines) > MESSAGE_LINES:
        shown.append(f"… và {len(lines) - MESSAGE_LINES} dòng khác (xem {target.name}.txt)")
    payload = SourcePayload(kind="inbox", ok=ok, subject=path.name, lines=shown)
    now = services.clock.now()
    with services.session_factory.begin() as session:
        identity = f"inbox:{target.parent.name}/{target.name}:{now.isoformat()}"
        store_alerts(session, [source_alert(identity, payload)], now)
    log.info("inbox: %s -> %s", path.name, target)
    return InboxResult(path.name, ok, target)
