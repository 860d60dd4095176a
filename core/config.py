"""Typed configuration, read once from ``config.toml`` and the environment.

Handlers and jobs never read files or environment variables: they receive
the :class:`Config` built here by the composition root.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

CONFIG_ENV = "TTHC_CONFIG"
TOKEN_ENV = "TELEGRAM_BOT_TOKEN"
TOKEN_FILE_ENV = "TELEGRAM_BOT_TOKEN_FILE"
DATABASE_URL_ENV = "TTHC_DATABASE_URL"
DEFAULT_CONFIG_NAME = "config.toml"


class ConfigError(Exception):
    """The configuration file is missing or invalid."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OfficeConfig(_Section):
    """Who the bot works for."""

    province: str = "UBND tỉnh Bình Phước"
    timezone: str = "Asia/Ho_Chi_Minh"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


class DatabaseConfig(_Section):
    """Where data is stored; a relative SQLite path is relative to the config file."""

    url: str = "sqlite:///data/tthc.db"
    #: The demo data lives in a database of its own, never mixed with real data.
    demo_url: str = "sqlite:///data/demo.db"
    echo: bool = False
    #: SQLite: how long a statement waits for another writer before "database is locked".
    busy_timeout_seconds: float = Field(default=30, gt=0)


class ImportConfig(_Section):
    """Defaults for ``tthc-bot import``."""

    score_source: str = "DVCQG"
    count_source: str = "DVC_TINH"
    progress_every: int = Field(default=5000, gt=0)
    #: A snapshot date farther than this from today and from every other date of its source
    #: (in the file or stored) is refused unless confirmed with --as-of; a future date always.
    far_days: int = Field(default=366, gt=0)
    #: Sources (--source) whose dossier files are always the complete list of open dossiers.
    complete_sources: list[str] = Field(default_factory=list)
    #: Reading one file (in a child process): beyond these it is refused as too big.
    max_file_mb: int = Field(default=50, gt=0)
    max_uncompressed_mb: int = Field(default=200, gt=0)
    max_rows: int = Field(default=300_000, gt=0)
    max_columns: int = Field(default=300, gt=0)
    read_seconds: float = Field(default=60.0, gt=0)
    read_memory_mb: int = Field(default=2048, ge=256)


class WorkdaysConfig(_Section):
    """Days the ``holidays`` package does not know about."""

    extra_holidays: list[date] = Field(default_factory=list)
    extra_working_days: list[date] = Field(default_factory=list)


class PublicationConfig(_Section):
    """Deadline rule for the province's decision publishing procedures."""

    working_days_before_effect: int = Field(default=5, ge=0)


class AlertsConfig(_Section):
    """Thresholds and timings of the alert rules and their delivery."""

    drop_threshold: float = Field(default=1.0, gt=0)
    #: Per-indicator thresholds by code, e.g. {TOTAL = 2.0, R09 = 5.0}.
    drop_thresholds: dict[str, float] = Field(default_factory=dict)
    rank_drop_places: int = Field(default=1, ge=1)
    #: A ratio under the roadmap is told again in the same quarter only once it is this
    #: many percentage points below the last value told (a noisy daily ratio: no flood).
    roadmap_worse_step: float = Field(default=1.0, ge=0)
    #: A fall told in the last N days is told again only once the value is a threshold below
    #: the value told (a daily ratio going up and down: no daily alert). 0: every fall.
    drop_repeat_days: int = Field(default=7, ge=0)
    #: Alert when the province falls out of the top N (0: off).
    rank_band: int = Field(default=0, ge=0)
    deadline_stages: list[int] = Field(default_factory=lambda: [3, 1, 0])
    escalate_after_working_days: int = Field(default=2, ge=1)
    stale_days: int = Field(default=8, ge=1)
    quiet_hours: str = Field(default="21:00-07:00", pattern=r"^$|^\d{1,2}:\d{2}-\d{1,2}:\d{2}$")
    quiet_weekends: bool = True
    #: Minutes after the window opens and before it closes when messages go out silently.
    silent_edge_minutes: int = Field(default=30, ge=0)
    claim_lease_seconds: int = Field(default=300, gt=0)
    max_backoff_seconds: int = Field(default=3600, gt=0)
    list_limit: int = Field(default=10, gt=0)


class SchedulesConfig(_Section):
    """Cron expressions (minute hour day month weekday) in the office's time zone."""

    weekly_summary: str = "0 8 * * mon"
    daily_checks: str = "30 7 * * mon-fri"
    stale_check: str = "0 9 * * mon-fri"
    escalation: str = "0 10 * * mon-fri"
    #: The portal's figures of the last finished month (and the provinces' ranking).
    dvcqg_sync: str = "30 6 * * *"
    #: The inbox folder (``[sources] inbox``) is looked at.
    inbox: str = "*/5 * * * *"
    deliver_every_seconds: int = Field(default=5, gt=0)
    #: A run whose action failed is attempted again this many times, the first after
    #: retry_minutes, each next after twice the pause before.
    retries: int = Field(default=3, ge=0)
    retry_minutes: int = Field(default=5, gt=0)
    #: A run started this long ago that neither finished nor failed (the process died) is
    #: attempted again.
    interrupted_after_hours: int = Field(default=2, gt=0)
    #: How late a missed run may still happen after a restart (hours); the summary: same day.
    grace_hours: int = Field(default=12, ge=0)


class WebhookConfig(_Section):
    """``tthc-bot run --webhook`` behind a reverse proxy."""

    listen: str = "127.0.0.1"
    port: int = Field(default=8443, gt=0, lt=65536)
    path: str = "telegram"
    #: The public HTTPS address Telegram calls (the proxy's), without the path.
    url: str | None = None
    #: Telegram sends it back in a header so forged calls are refused (1-256 of A-Z a-z 0-9 _ -).
    secret_token: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,256}$")


class TelegramConfig(_Section):
    """The Telegram transport; the token itself only ever comes from the environment."""

    #: From ``TELEGRAM_BOT_TOKEN`` or the file named by ``TELEGRAM_BOT_TOKEN_FILE``, never
    #: from config.toml; a secret value, so printing the config never shows it.
    token: SecretStr | None = Field(default=None, exclude=True)

    base_url: str = "https://api.telegram.org/bot"
    base_file_url: str = "https://api.telegram.org/file/bot"
    bot_username: str | None = None
    invite_days: int = Field(default=7, gt=0)
    #: The chat that receives error notices; without it, every admin's chat.
    developer_chat_id: int | None = None
    #: At most one error notice per this many minutes (it counts the errors in between).
    error_notice_minutes: int = Field(default=30, gt=0)
    poll_timeout: int = Field(default=30, ge=0)
    webhook: WebhookConfig = WebhookConfig()


class DvcqgConfig(_Section):
    """The national portal's reporting API (``tthc-bot sync dvcqg`` and its daily job)."""

    base_url: str = "https://dichvucong.gov.vn"
    #: The province's id on the portal (``rootDepartmentId``); empty: looked up from
    #: ``[office] province`` in the portal's list of the 34 provinces.
    root_department_id: str = ""
    timeout_seconds: float = Field(default=30.0, gt=0)
    #: Pause between two requests, plus a random part of up to ``jitter_seconds``.
    delay_seconds: float = Field(default=2.0, ge=0)
    jitter_seconds: float = Field(default=1.0, ge=0)
    #: Retries of a request that timed out or met a server error (5xx), with a growing pause.
    retries: int = Field(default=2, ge=0, le=5)
    backoff_seconds: float = Field(default=5.0, ge=0)
    user_agent: str = (
        "tthc-bot/1.0 (bot theo doi Bo chi so 766 cua Van phong UBND tinh; "
        "doc du lieu cong khai, moi ngay mot lan)"
    )


class SourcesConfig(_Section):
    """Where files come from without a person sending them."""

    #: A folder watched for new files (imported, then moved to done/ or failed/); empty: off.
    inbox: str = ""


class Config(_Section):
    """The whole configuration."""

    office: OfficeConfig = OfficeConfig()
    database: DatabaseConfig = DatabaseConfig()
    imports: ImportConfig = Field(default=ImportConfig(), alias="import")
    workdays: WorkdaysConfig = WorkdaysConfig()
    publication: PublicationConfig = PublicationConfig()
    telegram: TelegramConfig = TelegramConfig()
    alerts: AlertsConfig = AlertsConfig()
    schedules: SchedulesConfig = SchedulesConfig()
    dvcqg: DvcqgConfig = DvcqgConfig()
    sources: SourcesConfig = SourcesConfig()
    base_dir: Path = Path(".")

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.office.timezone)


def resolve_database_url(url: str, base_dir: Path) -> str:
    """Make a relative SQLite path absolute against ``base_dir``."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith("sqlite:////"):
        rest = url[len(prefix) :]
        if rest and rest != ":memory:" and not rest.startswith(":"):
            return prefix + str((base_dir / rest).resolve())
    return url


def load_config(path: Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    """Read the config file (``TTHC_CONFIG`` or ``./config.toml``) and apply env overrides.

    A missing ``./config.toml`` gives the documented defaults; a missing file
    that was named explicitly is an error.
    """
    env = os.environ if env is None else env
    token = read_token(env)
    explicit = path is not None or bool(env.get(CONFIG_ENV))
    if path is None:
        path = Path(env.get(CONFIG_ENV) or DEFAULT_CONFIG_NAME)
    raw: dict[str, object] = {}
    if path.exists():
        try:
            with path.open("rb") as fh:
                raw = tomllib.load(fh)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read {path}: {exc}") from exc
    elif explicit:
        raise ConfigError(f"config file {path} does not exist")
    base_dir = path.resolve().parent
    telegram_section = raw.get("telegram")
    if isinstance(telegram_section, dict) and "token" in telegram_section:
        raise ConfigError(
            f"{path}: the bot token never goes in the config file; set {TOKEN_ENV} "
            f"or {TOKEN_FILE_ENV} in the environment"
        )
    try:
        config = Config.model_validate({**raw, "base_dir": base_dir})
    except ValidationError as exc:
        raise ConfigError(f"invalid config {path}:\n{exc}") from exc
    url = env.get(DATABASE_URL_ENV) or config.database.url
    database = config.database.model_copy(
        update={
            "url": resolve_database_url(url, base_dir),
            "demo_url": resolve_database_url(config.database.demo_url, base_dir),
        }
    )
    telegram = config.telegram.model_copy(update={"token": token})
    return config.model_copy(update={"database": database, "telegram": telegram})


def read_token(env: Mapping[str, str]) -> SecretStr | None:
    """The bot token from ``TELEGRAM_BOT_TOKEN`` or the file ``TELEGRAM_BOT_TOKEN_FILE``."""
    if env.get(TOKEN_ENV, "").strip():
        return SecretStr(env[TOKEN_ENV].strip())
    if env.get(TOKEN_FILE_ENV):
        try:
            token = Path(env[TOKEN_FILE_ENV]).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"cannot read {TOKEN_FILE_ENV}: {exc.strerror}") from exc
        return SecretStr(token) if token else None
    return None
