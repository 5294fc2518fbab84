"""The application factory: settings + clock + database -> a python-telegram-bot Application, and the
lifecycle that runs it (migrations first, then long polling or a webhook) for `spoorzoeker run`, the demo and the
tests, with its graceful stop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from telegram import BotCommandScopeDefault, Update
from telegram.error import BadRequest, Conflict, TelegramError
from telegram.ext import Application, ApplicationBuilder

from bot.config import Settings
from bot.core.clock import Clock, SystemClock
from bot.core.metrics import Metrics
from bot.jobs import start_scheduler
from bot.outgoing.delivery import Delivery
from bot.web import Health, Webhook, listen, serving, web_app
from content.texts import LANGUAGES, Texts, texts
from handlers.telegram.per_chat import PerChatUpdates
from handlers.telegram.render import menu
from handlers.telegram.updates import register
from handlers.web.common import Site
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
    halt: asyncio.Event = field(default_factory=asyncio.Event)  # `spoorzoeker run` stops when it is set
    polling_conflict: str | None = None  # why polling had to stop (409 Conflict), one line
    dashboard_url: str | None = None  # where the dashboard is served (None: no web server runs)

    def __post_init__(self) -> None:
        self.metrics = Metrics(lambda: self.delivery.stats if self.delivery is not None else None)

    def wake_delivery(self) -> None:
        if self.delivery is not None:
            self.delivery.wake.set()


def build_application(settings: Settings, runtime: Runtime, *, webhook: bool = False) -> Application:
    """The Application; with `webhook` it has no updater (the web server puts the updates in its queue)."""
    if not settings.telegram_bot_token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token)
        .base_url(settings.telegram_base_url)
        .base_file_url(settings.base_file_url)
        .concurrent_updates(PerChatUpdates(runtime.metrics))  # a report being made never keeps other chats waiting
    )
    if webhook:
        builder = builder.updater(None)
    application = builder.build()
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
    settings: Settings,
    *,
    clock: Clock | None = None,
    poll_timeout: int = 30,
    scheduled: bool = True,
    webhook: bool = False,
) -> AsyncIterator[Application]:
    """Migrate the database, start the bot, the delivery worker and (unless `scheduled` is False, as in tests
    that drive time themselves) the sweeps, and take updates until the block ends: by long polling, or with
    `webhook` from Telegram's POSTs to WEBHOOK_URL (the web server also serves /healthz, /readyz, /metrics; in
    polling mode it runs only when METRICS_PORT is set).

    Leaving the block is the graceful stop: take no new updates (webhook POSTs get 503 and Telegram sends them
    again), stop listening, finish the updates in hand, stop the sweeps and the delivery worker (which writes back
    what was sent and gives back its claims). The webhook stays set: other instances keep serving it."""
    await upgrade_async(settings.database_url)
    runtime = Runtime(Database(settings.database_url), clock or SystemClock(), settings.default_timezone)
    application = build_application(settings, runtime, webhook=webhook)
    health = Health(runtime.db, runtime.metrics)
    socks = [listen(*address) for address in _http_addresses(settings, webhook=webhook)]  # a port in use stops
    try:  # `run` before anything started
        async with application, contextlib.AsyncExitStack() as stack:
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
            health.delivery = sender = asyncio.create_task(runtime.delivery.run_forever(), name="delivery")
            stack.push_async_callback(runtime.delivery.stop, sender)
            sweeps = (
                start_scheduler(runtime.db, runtime.clock, runtime.delivery, settings, runtime.metrics)
                if scheduled
                else None
            )
            if sweeps is not None:
                stack.push_async_callback(sweeps.stop)
            if not webhook:
                await _refuse_polling_under_a_webhook(application)
            if socks:  # stops after the updates in hand are finished; /readyz says "shutting down" till then
                site = dashboard_site(settings, runtime, application, socks[-1].getsockname()[1])
                app = _web_app(settings, application, health, webhook, site)
                runtime.dashboard_url = app.state.dashboard.public_url
                await stack.enter_async_context(serving(app, *socks))
            await application.start()
            stack.push_async_callback(application.stop)  # finishes the updates in hand
            if webhook:
                await _set_webhook(application, settings)
            else:
                await application.updater.start_polling(
                    poll_interval=0,
                    timeout=poll_timeout,
                    allowed_updates=Update.ALL_TYPES,
                    error_callback=lambda error: _polling_failed(error, runtime),
                )
                stack.push_async_callback(application.updater.stop)
            stack.callback(setattr, health, "accepting", False)  # the first step of stopping
            yield application
    finally:
        for sock in socks:
            sock.close()
        await runtime.db.dispose()


def _http_addresses(settings: Settings, *, webhook: bool) -> list[tuple[str, int]]:
    """Where the web server listens: WEBHOOK_PORT in webhook mode; when polling, METRICS_PORT and DASHBOARD_PORT
    (those that are set; one server, the same pages on both; DASHBOARD_PORT=0 takes a free port)."""
    if webhook:
        return [(settings.webhook_listen, settings.webhook_port)]
    ports = [port for port in (settings.metrics_port,) if port and port != settings.dashboard_port]
    if settings.dashboard_port is not None:
        ports.append(settings.dashboard_port)  # last: the dashboard's links name its port (0: any free one)
    return [(settings.webhook_listen, port) for port in ports]


def dashboard_site(settings: Settings, runtime: Runtime, application: Application, port: int) -> Site:
    """The dashboard's view of the bot; its links point to DASHBOARD_URL, else to where it listens (`port`: the
    port the last socket got, DASHBOARD_PORT's when polling, so 0 works in tests)."""
    if settings.dashboard_url:
        public = settings.dashboard_url
    elif settings.webhook_url and not settings.dashboard_port:
        public = "{0.scheme}://{0.netloc}".format(urlsplit(settings.webhook_url))
    else:
        public = f"http://{settings.webhook_listen}:{port}"
    return Site(
        db=runtime.db,
        clock=runtime.clock,
        bot_token=settings.telegram_bot_token or "",
        bot_username=application.bot.username,
        timezone=settings.default_timezone,
        public_url=public,
        texts=runtime.texts,
        wake_delivery=runtime.wake_delivery,
    )


def _web_app(settings: Settings, application: Application, health: Health, webhook: bool, site: Site):
    if not webhook:
        return web_app(health, dashboard=site)
    path = urlsplit(settings.webhook_url).path or "/"
    hook = Webhook(path, settings.webhook_secret, application.bot, application.update_queue)
    return web_app(health, hook, dashboard=site)


class CannotTakeUpdates(Exception):
    """Updates cannot be had: another instance polls, a webhook is set while polling, or Telegram refuses the
    webhook. The message is one line."""


ANOTHER_POLLER = (
    "Telegram answered 409 Conflict: another process is polling for this bot's updates, and long polling cannot "
    "be shared; run several instances with `spoorzoeker run --webhook` (WEBHOOK_URL, WEBHOOK_SECRET) behind a "
    "reverse proxy, or stop the other one"
)
WEBHOOK_IS_SET = (
    "a webhook is set for this bot ({url}), so polling would take its updates away: run this instance with "
    "`spoorzoeker run --webhook` as well, or delete the webhook first (Bot API deleteWebhook)"
)


async def _set_webhook(application: Application, settings: Settings) -> None:
    try:
        await application.bot.set_webhook(
            settings.webhook_url, secret_token=settings.webhook_secret, allowed_updates=Update.ALL_TYPES
        )
    except BadRequest as error:
        raise CannotTakeUpdates(f"Telegram refused WEBHOOK_URL {settings.webhook_url}: {error.message}") from None


async def _refuse_polling_under_a_webhook(application: Application) -> None:
    """python-telegram-bot deletes a webhook before it polls; with several instances on webhooks that would take
    all their updates away, so `run` without --webhook stops instead."""
    info = await application.bot.get_webhook_info()
    if info.url:
        raise CannotTakeUpdates(WEBHOOK_IS_SET.format(url=urlsplit(info.url).netloc or info.url))


def _polling_failed(error: TelegramError, runtime: Runtime) -> None:
    if isinstance(error, Conflict):
        runtime.polling_conflict = (
            ANOTHER_POLLER
            if "webhook" not in error.message.lower()
            else (WEBHOOK_IS_SET.format(url="set by another instance"))
        )
        runtime.halt.set()
        return
    log.warning("getting updates failed: %s", error.message)


async def serve_forever(settings: Settings, *, webhook: bool = False) -> None:
    """`spoorzoeker run`: take updates (long polling, or `webhook`) until SIGINT or SIGTERM; raises
    CannotTakeUpdates when they cannot be had (another instance polls, a webhook is set, the webhook is refused)."""
    early = asyncio.Event()  # a signal during start-up: stop as soon as everything runs
    _on_signals(early.set)
    async with running(settings, webhook=webhook) as application:
        runtime: Runtime = application.bot_data["runtime"]
        _on_signals(runtime.halt.set)
        if early.is_set():
            runtime.halt.set()
        how = f"webhook {urlsplit(settings.webhook_url).path}" if webhook else "long polling"
        log.info("Spoorzoeker is running as @%s (%s)", application.bot.username, how)
        await runtime.halt.wait()
        log.info("stopping: finishing the updates in hand")
    if runtime.polling_conflict:
        raise CannotTakeUpdates(runtime.polling_conflict)
    log.info("stopped")


def _on_signals(callback) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, callback)
