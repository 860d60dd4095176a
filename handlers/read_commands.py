"""Read commands: thin handlers that parse arguments, apply the asker's view, call answers."""

from __future__ import annotations

from app.answers.compare import compare_reply
from app.answers.deadlines import deadlines_reply
from app.answers.overdue import overdue_reply, unit_overdue_reply
from app.answers.rank import rank_reply
from app.answers.sources import sources_reply
from app.answers.tables import indicators_reply, ranking_reply
from app.answers.unit import pick_unit, split_two_units, unit_card, unit_keyboard
from core.reply import Reply
from handlers.request import Request
from storage.models import Unit
from views.windows import split_window


def rank_command(request: Request) -> Reply:
    """The province's rank; an optional window word (4w, q, y) switches the comparison."""
    _, window = split_window(request.args)
    services = request.services
    return rank_reply(request.session, services.config, services.clock.now().date(), window)


def unit_command(request: Request) -> Reply:
    """One unit's card; without a name a focal point gets their own unit, others a keyboard."""
    session, clock, asker = request.session, request.services.clock, request.asker
    calendar = request.services.calendar
    stale_days = request.services.config.alerts.stale_days
    query, window = split_window(request.args)
    if query.startswith("@"):
        kind, _, page = query[1:].partition(" ")
        page_no = int(page) if page.isdigit() else 1
        return unit_keyboard(session, clock.now().date(), kind or None, page_no)
    if not query:
        if asker.unit_id is not None:
            own = session.get(Unit, asker.unit_id)
            if own is not None:
                return unit_card(
                    session, clock, calendar, own, window=window, stale_days=stale_days
                )
        return unit_keyboard(session, clock.now().date())
    found = pick_unit(session, clock, query, "/unit")
    if isinstance(found, Reply):
        return found
    return unit_card(
        session,
        clock,
        calendar,
        found,
        detail=asker.sees_details_of(found.id),
        window=window,
        stale_days=stale_days,
    )


def top_command(request: Request) -> Reply:
    """Units with the highest latest score."""
    return ranking_reply(request.session, request.args, bottom=False)


def bottom_command(request: Request) -> Reply:
    """Units with the lowest latest score."""
    return ranking_reply(request.session, request.args, bottom=True)


def indicators_command(request: Request) -> Reply:
    """The province's tracked ratios."""
    return indicators_reply(request.session, request.services.config)


def sources_command(request: Request) -> Reply:
    """Each source's newest figures, the portal's syncs, the largest gaps between sources."""
    services = request.services
    return sources_reply(request.session, services.config, services.clock.now().date())


def overdue_command(request: Request) -> Reply:
    """Overdue dossiers per unit, or one unit's list (focal points: their own unit only)."""
    session, clock, asker = request.session, request.services.clock, request.asker
    if not request.args:
        return overdue_reply(session, clock, only_unit_id=asker.only_unit_id)
    found = pick_unit(session, clock, request.args, "/overdue")
    if isinstance(found, Reply):
        return found
    if not asker.sees_details_of(found.id):
        return Reply("Bạn chỉ xem được danh sách hồ sơ quá hạn của đơn vị mình.")
    return unit_overdue_reply(session, clock, found)


def deadlines_command(request: Request) -> Reply:
    """Publication tasks by deadline (focal points: their own unit's tasks)."""
    services, asker = request.services, request.asker
    return deadlines_reply(
        request.session, services.clock, services.calendar, only_unit_id=asker.only_unit_id
    )


def compare_command(request: Request) -> Reply:
    """Two units side by side (scores are public)."""
    pair = split_two_units(request.session, request.services.clock, request.args)
    if isinstance(pair, str):
        return Reply(pair)
    return compare_reply(request.session, *pair)
