"""What the bot fetched or picked up by itself, told to the admins: a portal sync that
failed (the last complete snapshot stays), a file of the inbox imported or refused.

Never detected by evaluating data: the sync and the inbox job raise it
(:func:`source_alert`)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from app.alerts.base import AlertRule, Draft, Payload, RenderContext, RuleContext
from storage.alerts import AlertDraft, Audience

#: The stored name of this rule's alerts (``alerts.rule``), the first part of each identity.
NAME = "source"


class SourcePayload(Payload):
    #: "dvcqg" (a portal sync) or "inbox" (a file of the inbox folder).
    kind: str
    ok: bool
    #: What it was about: the period ("tháng 8/2026") or the file name.
    subject: str
    lines: list[str]


def detect(_ctx: RuleContext) -> list[Draft[SourcePayload]]:
    return []


def render(items: Sequence[SourcePayload], _ctx: RenderContext) -> str:
    parts = []
    for p in items:
        if p.kind == "dvcqg":
            head = (
                f"🛰 Đã lấy số liệu Cổng DVCQG {p.subject}."
                if p.ok
                else f"🛰 Không lấy được số liệu Cổng DVCQG {p.subject}; số liệu đầy đủ gần nhất "
                "vẫn được giữ nguyên, không gửi cảnh báo nào từ lần lấy này."
            )
        else:
            head = (
                f"📥 Đã nhập tệp «{p.subject}» từ thư mục nhận tệp."
                if p.ok
                else f"📥 Không nhập được tệp «{p.subject}» từ thư mục nhận tệp:"
            )
        parts.append("\n".join([head, *(f"  - {line}" for line in p.lines)]))
    return "\n\n".join(parts)


RULE = AlertRule(
    name=NAME,
    label="nguồn số liệu",
    order=3,
    payload_type=SourcePayload,
    detect=detect,
    render=render,
    when=frozenset(),
)


def source_alert(identity: str, payload: SourcePayload) -> AlertDraft:
    """The admins' alert about one sync or one inbox file (``identity`` makes it once)."""
    if len(identity) > 200:  # a long file name: the stored identity has 255 characters
        identity = hashlib.sha256(identity.encode()).hexdigest()
    return AlertDraft(
        identity=f"{NAME}:{identity}",
        rule=NAME,
        audience=Audience.ADMINS,
        payload=payload.model_dump(mode="json"),
        period_key=identity[:64],
        urgent=not payload.ok,
    )
