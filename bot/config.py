"""Settings from the environment or a `.env` file, validated once at start-up.

A missing or malformed setting raises `ConfigError` with one clear line; the CLI prints it and stops.
"""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

TELEGRAM_DEFAULT_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///spoorzoeker.db"

# Async drivers we run on; a plain or sync-driver URL is mapped onto them.
_ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}
_ACCEPTED_ASYNC = {"sqlite+aiosqlite", "postgresql+asyncpg", "postgresql+psycopg"}


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line for the operator."""


def async_database_url(url: str) -> str:
    """Return `url` with an asyncio driver (aiosqlite / asyncpg); raise ValueError when unusable."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ValueError(f"cannot parse {url!r}") from exc
    backend = parsed.get_backend_name()
    if backend == "postgres":
        backend = "postgresql"
    if backend not in _ASYNC_DRIVERS:
        raise ValueError(f"unsupported database {backend!r}; use sqlite or postgresql")
    drivername = parsed.drivername if parsed.drivername in _ACCEPTED_ASYNC else _ASYNC_DRIVERS[backend]
    if backend == "postgresql" and not parsed.host:
        raise ValueError("a postgresql URL needs a host")
    return parsed.set(drivername=drivername).render_as_string(hide_password=False)


class Settings(BaseSettings):
    """Everything the bot reads from its environment."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: str | None = Field(default=None)
    telegram_base_url: str = Field(default=TELEGRAM_DEFAULT_BASE_URL)
    database_url: str = Field(default=DEFAULT_DATABASE_URL)
    default_timezone: str = Field(default="Europe/Amsterdam")
    send_rate_per_s: float = Field(default=30, gt=0, le=1000)  # Telegram allows about 30 messages/s
    sweep_interval_s: int = Field(default=60, ge=1, le=3600)
    # Fernet keys, comma-separated, newest first (storage.crypto); never shown in a repr or an error
    encryption_key: str | None = Field(default=None, repr=False)
    # `spoorzoeker run --webhook`: Telegram posts updates to WEBHOOK_URL (public https, behind a reverse proxy that
    # forwards to WEBHOOK_LISTEN:WEBHOOK_PORT); WEBHOOK_SECRET is the X-Telegram-Bot-Api-Secret-Token it must carry
    webhook_url: str | None = Field(default=None)
    webhook_listen: str = Field(default="127.0.0.1")
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    webhook_secret: str | None = Field(default=None, repr=False)
    # polling mode: serve /healthz, /readyz and /metrics on this port (0 or unset: not at all)
    metrics_port: int | None = Field(default=None, ge=0, le=65535)
    # the coach's dashboard: the public address its links and the Mini App button point to (https in production,
    # e.g. https://bot.example.nl), and in polling mode the port it is served on (webhook mode: WEBHOOK_PORT)
    dashboard_url: str | None = Field(default=None)
    dashboard_port: int | None = Field(default=None, ge=0, le=65535)
    log_format: str = Field(default="text")  # text | json (one JSON object per line)

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        bot_id, sep, secret = value.partition(":")
        if not sep or not bot_id.isdigit() or len(secret) < 20:
            raise ValueError("TELEGRAM_BOT_TOKEN looks wrong; it has the form 123456789:AA... (from @BotFather)")
        return value

    @field_validator("encryption_key")
    @classmethod
    def _keys_shape(cls, value: str | None) -> str | None:
        from storage.crypto import parse_keys

        if value is None or not value.strip():
            return None
        parse_keys(value)  # ValueError with one line that names no key material
        return ",".join(part.strip() for part in value.split(","))

    @field_validator("log_format")
    @classmethod
    def _log_format_known(cls, value: str) -> str:
        value = value.strip().lower()
        if value not in ("text", "json"):
            raise ValueError(f"LOG_FORMAT must be text or json, not {value!r}")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        if not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", value):
            raise ValueError("WEBHOOK_SECRET must be 16 to 256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url_shape(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        if not value.startswith(("https://", "http://")):
            raise ValueError("WEBHOOK_URL must be the public https URL Telegram posts updates to")
        return value

    @field_validator("dashboard_url")
    @classmethod
    def _dashboard_url_shape(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip().rstrip("/")
        if not value.startswith(("https://", "http://")):
            raise ValueError("DASHBOARD_URL must be the public address of the dashboard, e.g. https://bot.example.nl")
        return value

    @field_validator("telegram_base_url")
    @classmethod
    def _base_url_shape(cls, value: str) -> str:
        value = value.strip()
        if not value.startswith(("http://", "https://")) or not value.endswith("/bot"):
            raise ValueError(
                "TELEGRAM_BASE_URL must be an http(s) URL ending in /bot, e.g. https://api.telegram.org/bot"
            )
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url_shape(cls, value: str) -> str:
        try:
            return async_database_url(value.strip())
        except ValueError as exc:
            raise ValueError(f"DATABASE_URL is not usable: {exc}") from exc

    @field_validator("default_timezone")
    @classmethod
    def _timezone_exists(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"DEFAULT_TIMEZONE {value!r} is not a known time zone") from exc
        return value

    @property
    def base_file_url(self) -> str:
        """The file-download prefix that belongs to `telegram_base_url`."""
        return self.telegram_base_url[: -len("/bot")] + "/file/bot"


def load_settings(**overrides: object) -> Settings:
    """Read and validate the settings; raise ConfigError with one line on the first problem."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        message = str(first.get("msg", "invalid setting")).removeprefix("Value error, ")
        field = ".".join(str(part) for part in first.get("loc", ())).upper()
        if field and field not in message:
            message = f"{field}: {message}"
        raise ConfigError(message) from None
