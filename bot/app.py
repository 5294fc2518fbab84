"""The application factory: settings + clock + database -> a python-telegram-bot Application, and the
lifecycle that runs it (migrations first, then long polling) for `spoorzoeker run`, the demo and the tests."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from telegram import BotCommandScopeDefault, Update
from telegram.ext import Application, ApplicationBuilder

from bot.config import Settings
from bot.core.clock import Clock, SystemClock
from bot.core.metrics import Metrics
from bot.jobs import start_scheduler
from bot.outgoing.delivery import Delivery
from content.texts import LANGUAGES, Texts, texts
from handlers.telegram.per_chat import PerChatUpdates
from handlers.telegram.render import menu
from handlers.telegram.updates import register
from storage.db import Database
from storage.migrate import upgrade_async

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """What handlers and jobs share: the database, the clock, the renderer, the default time zone, the
    delivery worker (woken when a handler queued a message) and the metrics."""

    db: Database
    clock: Clock
    timezone: str
    texts: Texts = field(default_factory=texts)
    delivery: Delivery | None = None
    metrics: Metrics = field(init=False)

    def __post_init__(self) -> None:
        self.metrics = Metrics(lambda: self.delivery.stats if self.delivery is not None else None)

    def wake_delivery(self) -> None:
        if self.delivery is not None:
            self.delivery.wake.set()


def build_application(settings: Settings, runtime: Runtime) -> Application:
    if not settings.telegram_bot_token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    application = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token)
        .base_url(settings.telegram_base_url)
        .base_file_url(settings.base_file_url)
        .concurrent_updates(PerChatUpdates())  # a report being made never keeps other chats waiting
        .build()
    )
    application.bot_data["runtime"] = runtime
    register(application)
    return application


async def _set_menu(application: Application, runtime: Runtime) -> None:
    """The default menu is the employees' (most users); coaches get theirs per chat when they register."""
    for lang in LANGUAGES:
        await application.bot.set_my_commands(
            menu(runtime.texts, lang, "employee"),
            scope=BotCommandScopeDefault(),
            language_code=None if lang == "nl" else lang,
        )


@contextlib.asynccontextmanager
async def running(
    settings: Settings, *, clock: Clock | None = None, poll_timeout: int = 30, scheduled: bool = True
) -> AsyncIterator[Application]:
    """Migrate the database, start the bot, the delivery worker and (unless `scheduled` is False, as in tests
    that drive time themselves) the sweeps, and poll for updates until the block ends."""
    await upgrade_async(settings.database_url)
    runtime = Runtime(Database(settings.database_url), clock or SystemClock(), settings.default_timezone)
    application = build_application(settings, runtime)
    try:
        async with application:
            await _set_menu(application, runtime)
            runtime.delivery = Delivery(
                runtime.db,
                application.bot,
                runtime.clock,
                runtime.texts,
                rate_per_s=settings.send_rate_per_s,
                bot_username=application.bot.username,
                timezone=settings.default_timezone,
            )
            sender = asyncio.create_task(runtime.delivery.run_forever(), name="delivery")
            sweeps = start_scheduler(runtime.db, runtime.clock, runtime.delivery, settings) if scheduled else None
            await application.start()
            await application.updater.start_polling(
                poll_interval=0, timeout=poll_timeout, allowed_updates=Update.ALL_TYPES
            )
            try:
                yield application
            finally:
                await application.updater.stop()
                await application.stop()
                if sweeps is not None:
                    await sweeps.stop()
                await runtime.delivery.stop(sender)
    finally:
        await runtime.db.dispose()


async def serve_forever(settings: Settings) -> None:
    """`spoorzoeker run`: poll Telegram until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with running(settings) as application:
        log.info("Spoorzoeker is running as @%s", application.bot.username)
        await stop.wait()
