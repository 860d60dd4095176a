"""The national portal's reporting API (Cổng DVCQG) as a polite client: one request at a
time with a pause (and some jitter) between them, a timeout on each, a few retries with a
growing pause for timeouts and server errors, and a stop at once on 403, 429 or an HTML
page (a firewall). What the answers mean is :mod:`storage.portal.answers`; syncing them is
:mod:`app.portal_sync`."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import Any

import httpx

from core.config import DvcqgConfig
from core.vnformat import fmt_number
from storage.portal.answers import Fetched

log = logging.getLogger(__name__)

API = "/api/v1/reporting/evaluation/"
#: Statuses after which the client stops at once: the portal refuses us.
STOP_STATUSES = {403: "cổng từ chối truy cập (403)", 429: "cổng báo gửi quá nhiều yêu cầu (429)"}


class PortalStop(Exception):
    """The portal cannot be asked further now; the message is Vietnamese. ``fetched`` is
    what came back, if anything (kept with the sync)."""

    def __init__(self, message: str, fetched: Fetched | None = None) -> None:
        super().__init__(message)
        self.fetched = fetched


class PortalClient:
    """Sequential POSTs to the portal with pauses, a timeout, bounded retries."""

    def __init__(
        self,
        config: DvcqgConfig,
        clock_now: Callable[[], Any],
        *,
        base_url: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.config = config
        self.now = clock_now
        self.sleep = sleep
        self.requests = 0
        self.http = httpx.Client(
            base_url=(base_url or config.base_url).rstrip("/"),
            timeout=config.timeout_seconds,
            headers={"User-Agent": config.user_agent, "Accept": "application/json"},
            transport=transport,
            follow_redirects=False,
        )

    def __enter__(self) -> PortalClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.http.close()

    def _pause(self, seconds: float) -> None:
        if seconds > 0:
            self.sleep(seconds)

    def post(self, endpoint: str, body: dict[str, Any]) -> Fetched:
        """One answer (any status but the stopping ones); :class:`PortalStop` when the portal
        refuses, answers HTML, or still fails after the retries."""
        if self.requests:
            self._pause(self.config.delay_seconds + random.uniform(0, self.config.jitter_seconds))
        self.requests += 1
        problem = ""
        for attempt in range(self.config.retries + 1):
            if attempt:
                self._pause(self.config.backoff_seconds * 2 ** (attempt - 1))
            try:
                response = self.http.post(API + endpoint, json=body)
            except httpx.TimeoutException:
                problem = f"cổng không trả lời trong {fmt_number(self.config.timeout_seconds)} giây"
                log.warning("portal %s: timeout (attempt %d)", endpoint, attempt + 1)
                continue
            except httpx.TransportError as exc:
                problem = "không kết nối được tới cổng"
                log.warning("portal %s: %s (attempt %d)", endpoint, exc, attempt + 1)
                continue
            fetched = Fetched(
                endpoint=endpoint,
                request=body,
                status=response.status_code,
                content_type=response.headers.get("content-type"),
                body=response.content,
                fetched_at=self.now(),
            )
            if response.status_code in STOP_STATUSES:
                raise PortalStop(STOP_STATUSES[response.status_code], fetched)
            if "html" in (fetched.content_type or "") or response.content.lstrip()[:1] == b"<":
                raise PortalStop("cổng trả về một trang HTML thay vì dữ liệu (tường lửa?)", fetched)
            if response.status_code >= 500:
                problem = f"cổng báo lỗi máy chủ ({response.status_code})"
                log.warning("portal %s: HTTP %d", endpoint, response.status_code)
                continue
            return fetched
        raise PortalStop(f"{problem} sau {self.config.retries + 1} lần thử")
