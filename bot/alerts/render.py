"""Turning stored alerts into one Vietnamese message per recipient (rendering, not sending)."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from typing import Any

from bot.answers.common import QUARTER_NAMES, source_label
from bot.vnformat import fmt_change, fmt_date, fmt_number, fmt_percent, fmt_rank, fmt_rank_move
from storage.models import Alert

RULE_ORDER = [
    "rank",
    "escalation",
    "deadline",
    "overdue",
    "overdue_count",
    "drop",
    "roadmap",
    "stale",
    "summary",
]


def _d(text: str | None) -> str:
    return fmt_date(date.fromisoformat(text[:10])) if text else "—"


def _value(payload: dict[str, Any], key: str) -> str:
    measure = payload.get("measure", "percent")
    value = payload.get(key)
    return fmt_number(value) if measure == "point" else fmt_percent(value)


def render_batch(alerts: list[Alert], list_limit: int = 10) -> str:
    """Everything new for one recipient, grouped by kind of alert and by unit."""
    by_rule: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for alert in alerts:
        by_rule[alert.rule].append(json.loads(alert.payload))
    parts = []
    for rule in sorted(by_rule, key=lambda r: RULE_ORDER.index(r) if r in RULE_ORDER else 99):
        parts.append(_RENDERERS[rule](by_rule[rule], list_limit))
    return "\n\n".join(parts)


def render_preview(draft: Any) -> str:
    """How one draft would read (for ``tthc-bot alerts preview``)."""
    return _RENDERERS[draft.rule]([draft.payload], 10)


def _rank(items: list[dict[str, Any]], _limit: int) -> str:
    lines = []
    for p in items:
        move = fmt_rank_move(p["old_rank"], p["new_rank"])
        line = (
            f"📉 {p['province']}: xếp hạng Bộ chỉ số 766 "
            f"{fmt_rank(p['new_rank'], p['rank_of'])} ngày {_d(p['new_date'])}, {move} so với "
            f"ngày {_d(p['old_date'])} ({fmt_rank(p['old_rank'], p['rank_of'])})"
        )
        if p.get("band"):
            line += f"; đã ra khỏi nhóm {p['band']} tỉnh dẫn đầu"
        lines.append(line + ".")
        causes = p.get("causes") or []
        if causes:
            lines.append(
                "Do: "
                + "; ".join(
                    f"{c['label']} giảm {fmt_number(-float(c['delta']))} điểm" for c in causes
                )
                + "."
            )
    return "\n".join(lines)


def _drop(items: list[dict[str, Any]], _limit: int) -> str:
    lines = ["🔻 Chỉ số giảm:"]
    for unit, group in _by_unit(items):
        lines.append(f"{unit}:")
        for p in group:
            lines.append(
                f"  • {p['indicator']}: {_value(p, 'old')} → {_value(p, 'new')} "
                f"({fmt_change(p['delta'])}; ngày {_d(p['old_date'])} → {_d(p['new_date'])}, "
                f"{source_label(p['source'])})"
            )
    return "\n".join(lines)


def _roadmap(items: list[dict[str, Any]], _limit: int) -> str:
    lines = ["🎯 Chưa đạt lộ trình quý:"]
    for unit, group in _by_unit(items):
        lines.append(f"{unit}:")
        for p in group:
            quarter = QUARTER_NAMES[int(p["quarter"])]
            worse = (
                f", thấp hơn lần báo trước ({fmt_percent(p['worse_than'])})"
                if p.get("worse_than") is not None
                else ""
            )
            lines.append(
                f"  • {p['indicator']}: {fmt_percent(p['value'])} ngày {_d(p['date'])}, "
                f"tối thiểu quý {quarter}/{p['year']} là {fmt_percent(p['target'])} "
                f"(thiếu {fmt_number(float(p['target']) - float(p['value']))} điểm %){worse}"
            )
    return "\n".join(lines)


def _overdue(items: list[dict[str, Any]], limit: int) -> str:
    lines = []
    for unit, group in _by_unit(items):
        lines.append(f"⏰ {unit}: {len(group)} hồ sơ mới quá hạn")
        for p in group[:limit]:
            due = f" (hẹn trả {_d(p['due'])})" if p.get("due") else ""
            lines.append(f"  • {p['code']} — {p['procedure'] or 'không rõ thủ tục'}{due}")
        if len(group) > limit:
            lines.append(f"  … và {len(group) - limit} hồ sơ khác")
    lines.append(
        "Đề nghị đơn vị báo cáo giải trình nguyên nhân và gửi phiếu xin lỗi, hẹn lại ngày trả "
        "kết quả cho tổ chức, công dân."
    )
    return "\n".join(lines)


def _overdue_count(items: list[dict[str, Any]], _limit: int) -> str:
    lines = ["⏰ Số hồ sơ quá hạn tăng:"]
    for p in items:
        lines.append(
            f"  • {p['unit']}: {int(p['old'])} → {int(p['new'])} hồ sơ "
            f"(ngày {_d(p['old_date'])} → {_d(p['new_date'])}, {source_label(p['source'])})"
        )
    lines.append(
        "Đề nghị đơn vị báo cáo giải trình và gửi phiếu xin lỗi, hẹn lại ngày trả kết quả."
    )
    return "\n".join(lines)


def _deadline(items: list[dict[str, Any]], _limit: int) -> str:
    lines = ["📅 Hạn tham mưu công bố TTHC:"]
    for p in items:
        if p["stage"] == "overdue":
            when = f"đã quá hạn {-int(p['left'])} ngày làm việc (hạn {_d(p['deadline'])})"
        elif int(p["left"]) == 0:
            when = f"hết hạn hôm nay ({_d(p['deadline'])})"
        else:
            when = f"còn {p['left']} ngày làm việc (hạn {_d(p['deadline'])})"
        lines.append(f"  • {p['task']} — {p['unit']}: {when}")
    lines.append("Đơn vị tham mưu trình UBND tỉnh Quyết định công bố danh mục TTHC đúng hạn.")
    return "\n".join(lines)


def _stale(items: list[dict[str, Any]], _limit: int) -> str:
    return "\n".join(
        f"🛰 Không có số liệu mới từ {source_label(p['source'])} đã {p['days']} ngày "
        f"(lần cuối: {_d(p['last_date'])})."
        for p in items
    )


def _escalation(items: list[dict[str, Any]], limit: int) -> str:
    lines = [
        f"⚠️ Cảnh báo chưa được xác nhận «Đã nhận» sau {items[0]['working_days']} ngày làm việc:"
    ]
    originals: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for p in items:
        originals[p["rule"]].append(json.loads(p["original"]))
    for rule, group in originals.items():
        lines.append(_RENDERERS[rule](group, limit))
    return "\n".join(lines)


def _summary(items: list[dict[str, Any]], _limit: int) -> str:
    return "\n\n".join(str(p["text"]) for p in items)


def _by_unit(items: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        groups[str(item.get("unit", ""))].append(item)
    return sorted(groups.items())


_RENDERERS = {
    "rank": _rank,
    "drop": _drop,
    "roadmap": _roadmap,
    "overdue": _overdue,
    "overdue_count": _overdue_count,
    "deadline": _deadline,
    "stale": _stale,
    "escalation": _escalation,
    "summary": _summary,
}
