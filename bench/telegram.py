"""The benchmarks that go through Telegram's HTTP API: the fake Bot API server of the tests
(``tests/fake_telegram.py``), enforcing Telegram's flood limits, on 127.0.0.1.

- fan-out: 1,000 alerts to 1,000 chats, delivered by the bot's own delivery loop through
  python-telegram-bot and its rate limiter: the time against the 1,000 / 30 s floor, the
  alerts lost, the 429s provoked;
- burst: a burst of ``/top`` through the real bot (``tthc-bot run``, long polling) against a
  python-telegram-bot echo bot with the same rate limiter and concurrency (``bench/echo_bot.py``),
  measured in the same run, with alerts queued before the burst that must go out during it.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.fake_telegram import Call, FakeTelegram, Limits

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "4242:bench"
#: Scheduled jobs never fire during a run (29 February only); alerts go out at any hour.
QUIET_CONFIG = (
    '[schedules]\nweekly_summary = "0 8 29 2 *"\ndaily_checks = "0 8 29 2 *"\n'
    'stale_check = "0 8 29 2 *"\nescalation = "0 8 29 2 *"\ndvcqg_sync = "0 8 29 2 *"\n'
    'inbox = "0 8 29 2 *"\ndeliver_every_seconds = 1\n'
    '[alerts]\nquiet_hours = ""\nquiet_weekends = false\nsilent_edge_minutes = 0\n'
)


def _queue_alerts(url: str, chat_ids: list[int]) -> None:
    """One alert (an overdue dossier) for each chat, stored as the rules store them."""
    from bot.app import build_services
    from core.config import Config
    from storage.alerts import AlertDraft, Audience, store_alerts

    services = build_services(Config.model_validate({"database": {"url": url}}))
    try:
        with services.session_factory.begin() as session:
            drafts = [
                AlertDraft(
                    identity=f"overdue:BENCH-{chat_id}",
                    rule="overdue",
                    audience=Audience.UNIT,
                    payload={
                        "unit": "Sở Mẫu",
                        "code": f"BENCH-{chat_id}",
                        "procedure": "Cấp giấy phép xây dựng",
                        "due": "2026-11-30T17:00:00",
                    },
                    chats=[chat_id],
                )
                for chat_id in chat_ids
            ]
            store_alerts(session, drafts, datetime.now(UTC))
    finally:
        services.close()


def _sent_deliveries(url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return int(
                connection.execute(
                    text("SELECT count(*) FROM deliveries WHERE status = 'sent'")
                ).scalar_one()
            )
    finally:
        engine.dispose()


def measure_fanout(chats: int = 1000) -> dict[str, Any]:
    """1,000 alerts to 1,000 chats through the delivery loop, the fake enforcing the limits."""
    from app.alerts.delivery import deliver_pending
    from bot.app import build_services
    from bot.telegram.alerts import TelegramTransport, rate_limiter, use_timedelta_durations
    from core.config import Config
    from storage import db

    use_timedelta_durations()
    fake = FakeTelegram(TOKEN, Limits()).start()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'fanout.db'}"
        engine = db.make_engine(url)
        db.upgrade(engine)
        engine.dispose()
        chat_ids = [20_000 + n for n in range(chats)]
        _queue_alerts(url, chat_ids)
        config = Config.model_validate(
            {
                "database": {"url": url},
                "telegram": {"base_url": fake.base_url, "base_file_url": fake.base_file_url},
                "alerts": {"quiet_hours": "", "quiet_weekends": False, "silent_edge_minutes": 0},
            }
        )
        services = build_services(config)

        async def deliver() -> float:
            from telegram.ext import ExtBot

            bot = ExtBot(TOKEN, base_url=fake.base_url, rate_limiter=rate_limiter())
            async with bot:
                started = time.perf_counter()
                deadline = started + 10 * chats / 30
                while _sent_deliveries(url) < chats and time.perf_counter() < deadline:
                    report = await deliver_pending(services, TelegramTransport(bot))
                    if not report.sent:
                        await asyncio.sleep(0.2)  # a 429's retry_after: the next round waits
                return time.perf_counter() - started

        try:
            elapsed = asyncio.run(deliver())
            sent = _sent_deliveries(url)
        finally:
            services.close()
            fake.stop()
    received = {int(c.params["chat_id"]) for c in fake.calls if c.method == "sendMessage"}
    floor = chats / 30
    ratio = elapsed / floor
    return {
        "fanout_1000_chats_time_ratio": {
            "value": round(ratio, 2),
            "unit": f"× the {floor:.1f} s floor",
            "goal": "≤ 1.1×, 0 lost, 0 provoked 429",
            "met": ratio <= 1.1 and len(received) == chats == sent and fake.too_many == 0,
            "tier": "fake Bot API",
            "seconds": round(elapsed, 1),
            "lost": chats - len(received),
            "provoked_429": fake.too_many,
        }
    }


def _start(args: list[str], env: dict[str, str], cwd: Path, log: Path) -> subprocess.Popen[Any]:
    with log.open("w", encoding="utf-8") as out:
        return subprocess.Popen(args, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)


def _stop(process: subprocess.Popen[Any]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _burst(fake: FakeTelegram, senders: list[int], per_sender: int, text: str) -> float:
    """Post the burst at once; seconds until every message has its reply."""
    expected = len(senders) * per_sender
    start = len(fake.calls)

    def replies(calls: list[Call]) -> int:
        return sum(
            1
            for c in calls[start:]
            if c.method in ("sendMessage", "sendPhoto")
            and int(c.params.get("chat_id") or 0) in chosen
        )

    chosen = set(senders)
    started = time.perf_counter()
    for _ in range(per_sender):
        for sender in senders:
            fake.message(sender, text)
    fake.wait_until(lambda calls: replies(calls) >= expected, timeout=60 + expected / 5)
    return time.perf_counter() - started


def measure_burst(database: Path, senders: int = 30, per_sender: int = 10) -> dict[str, Any]:
    """Replies per second for a burst of /top, the bot against the echo bot (each on a fake
    server of its own, enforcing the limits), and the alerts queued before the burst that
    went out during it."""
    leaders = [10_000 + 10 * n for n in range(senders)]  # the tier's leaders
    alert_chats = [30_000 + n for n in range(50)]
    echo_fake = FakeTelegram(TOKEN, Limits()).start()
    bot_fake = FakeTelegram(TOKEN, Limits()).start()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        shutil.copy(database, work / "tthc.db")
        url = f"sqlite:///{work / 'tthc.db'}"
        (work / "config.toml").write_text(
            f'[database]\nurl = "{url}"\n'
            '[office]\nprovince = "UBND tỉnh Mẫu 1"\n'
            f'[telegram]\nbase_url = "{bot_fake.base_url}"\n'
            f'base_file_url = "{bot_fake.base_file_url}"\npoll_timeout = 1\n' + QUIET_CONFIG,
            encoding="utf-8",
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "TTHC_"))}
        env.update(
            TTHC_CONFIG=str(work / "config.toml"), TELEGRAM_BOT_TOKEN=TOKEN, PYTHONPATH=str(ROOT)
        )
        processes: list[subprocess.Popen[Any]] = []
        try:
            echo_command = [sys.executable, "-m", "bench.echo_bot", echo_fake.base_url]
            echo = _start(echo_command, env, ROOT, work / "echo.log")
            processes.append(echo)
            echo_fake.wait_for(lambda c: c.method == "setMyCommands", timeout=60)
            echo_seconds = _burst(echo_fake, leaders, per_sender, "/top")
            _stop(echo)
            bot = _start([sys.executable, "-m", "bot.cli", "run"], env, work, work / "bot.log")
            processes.append(bot)
            bot_fake.wait_for(lambda c: c.method == "setMyCommands", timeout=60)
            _queue_alerts(url, alert_chats)  # waiting when the burst starts
            try:
                bot_seconds = _burst(bot_fake, leaders, per_sender, "/top")
            except AssertionError:
                print((work / "bot.log").read_text("utf-8")[-3000:], file=sys.stderr)
                raise

            def alerted(calls: list[Call]) -> int:
                return len(
                    {
                        int(c.params["chat_id"])
                        for c in calls
                        if c.method == "sendMessage" and int(c.params["chat_id"]) in alert_chats
                    }
                )

            alerts_during = alerted(list(bot_fake.calls))
            ended = time.perf_counter()
            bot_fake.wait_until(lambda calls: alerted(calls) == len(alert_chats), timeout=60)
            alerts_after = time.perf_counter() - ended
            _stop(bot)
        finally:
            for process in processes:
                if process.poll() is None:
                    _stop(process)
            echo_fake.stop()
            bot_fake.stop()
    count = senders * per_sender
    ratio = echo_seconds / bot_seconds
    provoked = echo_fake.too_many + bot_fake.too_many
    return {
        "burst_top_vs_echo_ratio": {
            "value": round(ratio, 2),
            "unit": "× the echo bot's replies/s",
            "goal": "≥ 0.8, alerts keep going during the burst",
            "met": ratio >= 0.8 and alerts_during > 0 and provoked == 0,
            "tier": "province, fake Bot API",
            "bot_replies_per_s": round(count / bot_seconds, 1),
            "echo_replies_per_s": round(count / echo_seconds, 1),
            "alerts_sent_during_burst": f"{alerts_during}/{len(alert_chats)}",
            "last_alert_after_burst_s": round(alerts_after, 1),
            "provoked_429": provoked,
            "provoked_429_echo": echo_fake.too_many,
        }
    }
