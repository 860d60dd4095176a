"""/compare A B: two units side by side, indicator by indicator."""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.reply import Reply
from core.vnformat import fmt_date, fmt_number, fmt_percent
from storage.catalogue import Catalogue
from storage.models import Unit
from storage.queries.readings import latest_readings


def compare_reply(session: Session, first: Unit, second: Unit) -> Reply:
    """Latest values of the total score and every tracked ratio for both units."""
    catalogue = Catalogue.load(session)
    indicators = [catalogue.get("TOTAL"), *catalogue.tracked_ratios()]
    ids = [i.id for i in indicators]
    left = latest_readings(session, first.id, ids, depth=1)
    right = latest_readings(session, second.id, ids, depth=1)
    lines = [f"⚖️ {first.name}  |  {second.name}"]
    shown = 0
    for indicator in indicators:
        a, b = left.get(indicator.id), right.get(indicator.id)
        if not a and not b:
            continue
        shown += 1
        fmt = fmt_number if indicator.measure == "point" else fmt_percent
        texts = [
            f"{fmt(r[0].value)} ({fmt_date(r[0].as_of)})" if r else "chưa có số liệu"
            for r in (a, b)
        ]
        lines.append(f"• {indicator.label}: {texts[0]}  |  {texts[1]}")
    if not shown:
        lines.append("Cả hai đơn vị chưa có số liệu.")
    return Reply("\n".join(lines))
