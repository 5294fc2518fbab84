"""Scheduled work: the sweeps APScheduler runs at start-up intervals, and `spoorzoeker run-due`.

The database is the source of truth, so there is no per-user job to persist: each sweep asks "what is due
now?" and queues it in the outbox, and the delivery worker sends it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from telegram import Bot

from bot.config import Settings
from bot.core.clock import Clock, ManualClock, SystemClock
from bot.core.context import Work
from bot.outgoing import digest, employer_notices, reminders
from bot.outgoing.delivery import Delivery
from content.texts import texts
from storage.db import Database
from storage.migrate import upgrade_async

log = logging.getLogger(__name__)


# Further sweeps (digests, employer milestones, ...): `async def sweep(work) -> object`, each run in its own
# transaction after the reminder sweep, so one failing sweep cannot undo another.
OTHER_SWEEPS: list[Callable[[Work], Awaitable[object]]] = []
OTHER_SWEEPS.append(employer_notices.sweep)  # employer contacts: started, phases, deadlines, monthly summary
OTHER_SWEEPS.append(digest.sweep)  # the coaches' weekly digest


async def sweep_once(db: Database, clock: Clock, bot_username: str, timezone: str) -> reminders.SweepResult:
    """Run every sweep once at the clock's time; returns the reminder sweep's result."""
    async with db.session() as session:
        result = await reminders.sweep(Work(session, clock, bot_username, timezone))
    for sweep in OTHER_SWEEPS:
        try:
            async with db.session() as session:
                await sweep(Work(session, clock, bot_username, timezone))
        except Exception:  # noqa: BLE001 - logged; the other sweeps and the next round go on
            log.exception("sweep %s failed", getattr(sweep, "__module__", sweep))
    return result


def start_scheduler(db: Database, clock: Clock, delivery: Delivery, settings: Settings) -> AsyncIOScheduler:
    """Register the sweeps; they run in the application's event loop."""

    async def reminder_sweep() -> None:
        result = await sweep_once(db, clock, delivery.bot_username, settings.default_timezone)
        if result.queued:
            log.info("queued %d reminder(s)", result.queued)
        delivery.wake.set()

    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(
        reminder_sweep,
        "interval",
        seconds=settings.sweep_interval_s,
        id="reminders",
        next_run_time=datetime.now(scheduler.timezone),  # also once right at start-up: catch up
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )
    scheduler.start()
    return scheduler


async def run_due(settings: Settings, at: datetime | None = None) -> dict:
    """`spoorzoeker run-due [--at]`: run the sweeps once as if at `at`, send what is due, report counts."""
    clock: Clock = ManualClock(at) if at is not None else SystemClock()
    await upgrade_async(settings.database_url)
    db = Database(settings.database_url)
    try:
        async with Bot(settings.telegram_bot_token, base_url=settings.telegram_base_url) as bot:
            result = await sweep_once(db, clock, bot.username, settings.default_timezone)
            delivery = Delivery(
                db, bot, clock, texts(), rate_per_s=settings.send_rate_per_s, bot_username=bot.username,
                timezone=settings.default_timezone,
            )  # fmt: skip
            stats = await delivery.drain()
    finally:
        await db.dispose()
    return {
        "at": clock.now().isoformat(),
        "queued": result.queued,
        "missed": len(result.missed),
        "paused": len(result.paused),
        **asdict(stats),
    }
