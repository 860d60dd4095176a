"""Asking Telegram whether the token works (``tthc-bot doctor``), and what time it is there."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime

import httpx

from core.config import TelegramConfig


@dataclass(frozen=True)
class TokenProbe:
    #: The bot's @username when Telegram accepted the token.
    username: str | None
    #: Why not, in Vietnamese, when it did not (never containing the token).
    problem: str | None
    #: The time Telegram's server gave in its answer (to check the local clock).
    server_time: datetime | None


def probe_token(settings: TelegramConfig, timeout: float = 15) -> TokenProbe:
    """One getMe with the configured token."""
    if settings.token is None:
        return TokenProbe(None, "chưa đặt TELEGRAM_BOT_TOKEN hoặc TELEGRAM_BOT_TOKEN_FILE", None)
    token = settings.token.get_secret_value()
    try:
        response = httpx.post(f"{settings.base_url}{token}/getMe", timeout=timeout)
    except httpx.HTTPError as exc:  # its text may hold the URL, hence the token
        reason = str(exc).replace(token, "<token>") or type(exc).__name__
        return TokenProbe(None, f"không kết nối được tới Telegram ({reason})", None)
    server_time = None
    if "date" in response.headers:
        try:
            server_time = parsedate_to_datetime(response.headers["date"])
        except (TypeError, ValueError):
            server_time = None
    if response.status_code in (401, 404):
        return TokenProbe(None, "Telegram từ chối mã bot (bị thu hồi hoặc gõ sai)", server_time)
    try:
        username = response.json()["result"]["username"]
    except (ValueError, KeyError, TypeError):
        return TokenProbe(
            None, f"Telegram trả lời bất thường (HTTP {response.status_code})", server_time
        )
    return TokenProbe(str(username), None, server_time)
