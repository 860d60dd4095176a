"""``/status`` (admins): is the bot well — its version and uptime, how fresh each source is,
the alert queue, the last error and the last run of every job."""

from __future__ import annotations

from datetime import datetime, timedelta
from importlib import metadata

from sqlalchemy.orm import Session

from app.services import Services
from core.reply import Reply
from core.vnformat import fmt_count, fmt_date
from storage import job_runs
from storage.alerts import delivery_counts
from storage.queries.snapshots import newest_snapshot_by_source
from views.labels import source_label


def _version() -> str:
    try:
        return metadata.version("tthc-bot")
    except metadata.PackageNotFoundError:
        return "chưa cài"


def _duration(elapsed: timedelta) -> str:
    minutes = int(elapsed.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{days} ngày"] if days else []
    if hours or days:
        parts.append(f"{hours} giờ")
    parts.append(f"{minutes} phút")
    return " ".join(parts)


def status_reply(session: Session, services: Services) -> Reply:
    now = services.clock.now()
    tz = services.config.tz

    def at(moment: datetime) -> str:
        return f"{moment.astimezone(tz):%H:%M} {fmt_date(moment.astimezone(tz))}"

    lines = [f"🩺 tthc-bot {_version()}"]
    health = services.health
    if health is not None:
        lines.append(f"Chạy từ {at(health.started_at)} ({_duration(now - health.started_at)}).")
    newest = sorted(newest_snapshot_by_source(session))
    lines.append("📥 Số liệu mới nhất của từng nguồn:")
    lines.extend(
        f"  • {source_label(s.source)}: ngày {fmt_date(s.as_of)}, nhập lúc {at(s.created_at)}"
        for s in newest
    )
    if not newest:
        lines.append("  (chưa có)")
    counts = delivery_counts(session)
    lines.append(
        f"📨 Tin cảnh báo: chờ gửi {fmt_count(counts.get('pending', 0))}, "
        f"đang gửi {fmt_count(counts.get('claimed', 0))}, "
        f"lỗi {fmt_count(counts.get('failed', 0))}, đã gửi {fmt_count(counts.get('sent', 0))}."
    )
    if health is not None:
        if health.last_error is None:
            lines.append("✅ Không có lỗi từ khi chạy.")
        else:
            lines.append(
                f"⚠️ {fmt_count(health.errors)} lỗi từ khi chạy; gần nhất lúc "
                f"{at(health.last_error.at)}: {health.last_error.text}"
            )
    runs = job_runs.last_runs(session)
    lines.append("⏱ Lần chạy gần nhất của từng việc:")
    for run in runs:
        if run.finished_at is not None:
            state = f"xong lúc {at(run.finished_at)}"
        elif run.failed_at is not None:
            state = f"lỗi lúc {at(run.failed_at)} (lần {run.attempts}): {(run.error or '')[:120]}"
        else:
            state = f"đang chạy từ {at(run.started_at)}"
        lines.append(f"  • {run.name} (lịch {at(run.scheduled_for)}): {state}")
    if not runs:
        lines.append("  (chưa chạy việc nào)")
    return Reply("\n".join(lines))
