"""The province lost places (or left the configured top band), with what caused it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from app.alerts.base import AlertRule, Draft, Payload, RenderContext, RuleContext, When
from app.answers.common import province_unit
from core.records import Reading
from core.vnformat import fmt_date, fmt_number, fmt_rank, fmt_rank_move
from storage.alerts import Audience
from storage.queries.readings import history, readings_before

#: The stored name of this rule's alerts (``alerts.rule``), the first part of each identity.
NAME = "rank"

#: How far before the earlier rank's date a cause's earlier reading is looked for first.
CAUSE_LOOKBACK_DAYS = 31


class Cause(Payload):
    label: str
    delta: float


class RankPayload(Payload):
    province: str
    old_rank: int
    new_rank: int
    rank_of: int | None
    old_date: date
    new_date: date
    band: int | None = None
    causes: tuple[Cause, ...] = ()


def detect(ctx: RuleContext) -> list[Draft[RankPayload]]:
    province = province_unit(ctx.session, ctx.config)
    if province is None:
        return []
    settings = ctx.config.alerts
    total = ctx.catalogue.get("TOTAL")
    ranked = [r for r in history(ctx.session, province.id, total.id) if r.rank]
    if len(ranked) < 2:
        return []
    latest = ranked[-1]
    before = [r for r in ranked[:-1] if (r.source, r.period) == (latest.source, latest.period)]
    if not before:
        return []
    previous = before[-1]
    assert latest.rank is not None and previous.rank is not None
    if previous.rank_of and latest.rank_of and previous.rank_of != latest.rank_of:
        return []  # out of a different total (63 -> 34 provinces): places do not compare
    lost = latest.rank - previous.rank
    band = settings.rank_band
    left_band = band > 0 and previous.rank <= band < latest.rank
    if lost < settings.rank_drop_places and not left_band:
        return []
    return [
        Draft(
            identity=f"{NAME}:{province.id}:{latest.snapshot_id}",
            audience=Audience.LEADERS,
            unit_id=province.id,
            indicator_id=total.id,
            period_key=str(latest.snapshot_id),
            snapshot_id=latest.snapshot_id,
            value=float(latest.rank),
            payload=RankPayload(
                province=province.name,
                old_rank=previous.rank,
                new_rank=latest.rank,
                rank_of=latest.rank_of,
                old_date=previous.as_of,
                new_date=latest.as_of,
                band=band if left_band else None,
                causes=tuple(_causes(ctx, province.id, previous, latest)),
            ),
        )
    ]


def _causes(ctx: RuleContext, province_id: int, previous: Reading, latest: Reading) -> list[Cause]:
    """Groups and ratios that fell between the two rank readings, largest fall first: each
    one's newest reading after the earlier rank's date, against its reading then (the newest
    on or before it)."""
    candidates = [i for i in ctx.catalogue.indicators if i.category in ("group", "ratio")]
    ids = [i.id for i in candidates]
    session = ctx.session
    now = readings_before(
        session, province_id, ids, latest.as_of, strict=False, after=previous.as_of
    )
    moved = sorted({indicator_id for indicator_id, _, _ in now})
    # Then: looked for in the month before first (a few snapshots), further back only for
    # what that month does not hold; never across the whole history for every series.
    then = readings_before(
        session,
        province_id,
        moved,
        previous.as_of,
        strict=False,
        after=previous.as_of - timedelta(days=CAUSE_LOOKBACK_DAYS),
    )
    if missing := sorted({key[0] for key in now if key not in then}):
        then |= readings_before(session, province_id, missing, previous.as_of, False)
    by_id = {i.id: i for i in candidates}
    falls = []
    for key, reading in now.items():
        old = then.get(key)
        if old is None or reading.value is None or old.value is None:
            continue
        delta = reading.value - old.value
        if delta < 0:
            falls.append(Cause(label=by_id[reading.indicator_id].label, delta=delta))
    falls.sort(key=lambda f: f.delta)
    return falls[:3]


def render(items: Sequence[RankPayload], _ctx: RenderContext) -> str:
    lines = []
    for p in items:
        move = fmt_rank_move(p.old_rank, p.new_rank)
        line = (
            f"📉 {p.province}: xếp hạng Bộ chỉ số 766 "
            f"{fmt_rank(p.new_rank, p.rank_of)} ngày {fmt_date(p.new_date)}, {move} so với "
            f"ngày {fmt_date(p.old_date)} ({fmt_rank(p.old_rank, p.rank_of)})"
        )
        if p.band:
            line += f"; đã ra khỏi nhóm {p.band} tỉnh dẫn đầu"
        lines.append(line + ".")
        if p.causes:
            lines.append(
                "Do: "
                + "; ".join(f"{c.label} giảm {fmt_number(-c.delta)} điểm" for c in p.causes)
                + "."
            )
    return "\n".join(lines)


RULE = AlertRule(
    name=NAME,
    label="tụt hạng",
    order=10,
    payload_type=RankPayload,
    detect=detect,
    render=render,
    when=frozenset({When.DATA}),
    correctable=True,
)
