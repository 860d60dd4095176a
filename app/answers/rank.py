"""/rank: the values of the province's card (read here, formatted by :mod:`views.rank_card`)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from app.answers.common import no_province_text, province_unit
from core.config import Config
from core.records import Reading
from core.reply import Reply
from storage.catalogue import Catalogue
from storage.portal.answers import NATIONAL_SOURCE
from storage.queries.readings import (
    history,
    latest_snapshot_with,
    snapshot_table,
    snapshot_values,
)
from storage.queries.snapshots import units_by_id
from views.rank_card import GroupScore, Neighbour, RankCard, Standing, rank_card_reply
from views.windows import Window


def rank_reply(
    session: Session, config: Config, today: date, window: Window = Window.LATEST
) -> Reply:
    """The province's latest rank "x/N", its moves, total and group scores, and a chart."""
    card = load_rank_card(session, config, today, window)
    if isinstance(card, str):
        return Reply(card)
    return rank_card_reply(card)


def load_rank_card(
    session: Session, config: Config, today: date, window: Window = Window.LATEST
) -> RankCard | str:
    """What /rank says, or why there is nothing to say (no province in the registry)."""
    province = province_unit(session, config)
    if province is None:
        return no_province_text(config)
    catalogue = Catalogue.load(session)
    total = catalogue.get("TOTAL")
    readings = history(session, province.id, total.id)
    ranked = [r for r in readings if r.rank is not None]
    standing = None
    if ranked and ranked[-1].source == NATIONAL_SOURCE:
        standing = _standing(session, catalogue, province.id, ranked[-1])
    groups_as_of, groups = _groups(session, catalogue, province.id)
    return RankCard(
        province=province.name,
        today=today,
        stale_days=config.alerts.stale_days,
        window=window,
        total_max=total.max_score,
        readings=readings,
        standing=standing,
        groups_as_of=groups_as_of,
        groups=groups,
    )


def _standing(
    session: Session, catalogue: Catalogue, province_id: int, latest: Reading
) -> Standing | None:
    """The provinces just above and below in the portal's ranking and the groups between
    (from the snapshot of the newest rank)."""
    total = catalogue.get("TOTAL")
    groups = catalogue.groups()
    table = snapshot_table(session, latest.snapshot_id, [total.id, *(g.id for g in groups)])
    mine = table.get(province_id, {})
    my_total = mine.get(total.id)
    if my_total is None:
        return None
    totals = {u: t for u, v in table.items() if (t := v.get(total.id)) is not None}
    names = units_by_id(session, list(totals))
    better = [t for t in totals.values() if t > my_total]
    worse = [t for t in totals.values() if t < my_total]

    def neighbour(wanted: float | None) -> Neighbour | None:
        if wanted is None:
            return None
        unit_id = next(u for u, t in totals.items() if t == wanted)
        theirs = table[unit_id]
        gaps = [
            (group.name, ours - other)
            for group in groups
            if (ours := mine.get(group.id)) is not None
            and (other := theirs.get(group.id)) is not None
        ]
        place = 1 + sum(1 for t in totals.values() if t > wanted)
        return Neighbour(names[unit_id].name, wanted, place, gaps)

    tied = [names[u].name for u, t in totals.items() if t == my_total and u != province_id]
    return Standing(
        my_total, tied, neighbour(min(better, default=None)), neighbour(max(worse, default=None))
    )


def _groups(
    session: Session, catalogue: Catalogue, unit_id: int
) -> tuple[date | None, list[GroupScore]]:
    """The six group scores of the newest snapshot holding any of them."""
    groups = catalogue.groups()
    snapshot_id = latest_snapshot_with(session, unit_id, [g.id for g in groups])
    if snapshot_id is None:
        return None, []
    values = snapshot_values(session, unit_id, snapshot_id)
    as_of = next(iter(values.values())).as_of
    scores = []
    for group in groups:
        reading = values.get(group.id)
        maximum = (reading.max_score if reading else None) or group.max_score
        scores.append(GroupScore(group.name, reading.value if reading else None, maximum))
    return as_of, scores
