"""An offline Spoorzoeker: the real bot against the built-in fake Bot API server on 127.0.0.1, with its own
SQLite database. Used by `spoorzoeker demo`, `spoorzoeker chat` and the tests. It encrypts with ENCRYPTION_KEY, or
with a key of its own when none is set."""

from __future__ import annotations

import contextlib
import re
import socket
import tempfile
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

from cryptography.fernet import Fernet
from telegram.ext import Application

from bot.app import running
from bot.config import Settings, load_settings
from bot.core.clock import Clock, SystemClock
from bot.core.context import Work
from bot.flows.onboarding import add_coach
from bot.jobs import sweep_once
from bot.sandbox.fake_telegram import FakeTelegram, SentMessage
from storage import crypto
from storage.db import Database

# A made-up token in the shape Telegram uses; it only ever reaches the fake server.
SANDBOX_TOKEN = "0:sandbox.fake.token.not.for.telegram"  # dots: no real token has them
_LINK = re.compile(r"start=([A-Za-z0-9_-]+)")


class Sandbox:
    """The fake Telegram, the settings pointing at it, and a database handle for setting up people."""

    def __init__(self, fake: FakeTelegram, settings: Settings, clock: Clock) -> None:
        self.fake = fake
        self.settings = settings
        self.clock = clock
        self.db = Database(settings.database_url)
        self.app: Application | None = None

    @contextlib.asynccontextmanager
    async def bot_running(self) -> AsyncIterator[Application]:
        """Start the bot (migrations, polling) and stop it when the block ends; entering again is a restart."""
        async with running(self.settings, clock=self.clock, poll_timeout=1, scheduled=False) as app:
            self.app = app
            delivery = app.bot_data["runtime"].delivery
            self.fake.idle_probe = lambda: (
                app.update_queue.empty() and app.update_processor.current_concurrent_updates == 0 and delivery.idle()
            )
            try:
                yield app
            finally:
                self.app = None
                self.fake.idle_probe = None

    @property
    def dashboard_url(self) -> str | None:
        """Where the running bot serves the dashboard on 127.0.0.1 (None when it does not). With a public
        DASHBOARD_URL (`sandbox(dashboard_url=...)`) the links in the chat name that address instead."""
        if self.app is None or self.app.bot_data["runtime"].dashboard_url is None:
            return None
        if self.settings.dashboard_url:
            return f"http://{self.settings.webhook_listen}:{self.settings.dashboard_port}"
        return self.app.bot_data["runtime"].dashboard_url

    async def run_due(self):
        """Run the sweeps once at the sandbox clock's time and send what is due (like `spoorzoeker run-due`)."""
        runtime = self.app.bot_data["runtime"]
        result = await sweep_once(runtime.db, self.clock, self.fake.bot_username, self.settings.default_timezone)
        await runtime.delivery.drain()
        return result

    async def add_coach(self, name: str) -> str:
        """Add a coach as an operator would (`spoorzoeker coach add`) and return their registration token."""
        async with self.db.session() as session:
            work = Work(session, self.clock, self.fake.bot_username, self.settings.default_timezone)
            _coach, link = await add_coach(work, name)
        return link.token


def token_in(messages: list[SentMessage]) -> str:
    """The deep-link token in the bot's invite message."""
    for message in reversed(messages):
        match = _LINK.search(message.text or "")
        if match:
            return match.group(1)
    raise AssertionError("no invite link in the bot's messages")


@contextlib.asynccontextmanager
async def sandbox(
    *,
    clock: Clock | None = None,
    database_url: str | None = None,
    quiet_s: float = 0.05,
    dashboard_port: int | None = None,
    dashboard_url: str | None = None,
    **fake_options: object,
) -> AsyncIterator[Sandbox]:
    """A fake Telegram on 127.0.0.1 plus settings for it; a temporary SQLite file unless a URL is given. With
    `dashboard_port` (0: a free one) the bot also serves the dashboard (`Sandbox.dashboard_url` once it runs);
    `dashboard_url` is its public address (DASHBOARD_URL, e.g. an https one: Secure cookies, Mini App buttons),
    while the tests still reach it on 127.0.0.1 (`Sandbox.dashboard_url` is always that local address)."""
    fake = FakeTelegram(bot_username="SpoorzoekerBot", quiet_s=quiet_s, **fake_options)
    await fake.start()
    with tempfile.TemporaryDirectory(prefix="spoorzoeker-") as folder:
        url = database_url or f"sqlite+aiosqlite:///{Path(folder) / 'sandbox.db'}"
        if dashboard_url and not dashboard_port:  # the links name the public address: take the port now
            dashboard_port = _free_port()
        settings = load_settings(
            telegram_bot_token=SANDBOX_TOKEN,
            telegram_base_url=fake.base_url,
            database_url=url,
            dashboard_port=dashboard_port,
            dashboard_url=dashboard_url,
        )
        if settings.encryption_key is None:  # the demo's own key: its database is thrown away with it
            settings = settings.model_copy(update={"encryption_key": Fernet.generate_key().decode("ascii")})
        crypto.install(crypto.KeyRing.from_setting(settings.encryption_key))
        box = Sandbox(fake, settings, clock or SystemClock())
        try:
            yield box
        finally:
            await box.db.dispose()
            await fake.stop()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def local(moment: str, timezone: str = "Europe/Amsterdam") -> datetime:
    """An aware datetime from 'YYYY-MM-DD HH:MM' local time (for scripted clocks)."""
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(moment).replace(tzinfo=ZoneInfo(timezone))
