"""Scheduled work: the sweeps APScheduler runs at start-up intervals, and `spoorzoeker run-due` (for real, or
simulated in a transaction that is rolled back).

The database is the source of truth, so there is no per-user job to persist: each sweep asks "what is due
now?" and queues it in the outbox, and the delivery worker sends it.

With several instances on one database a round of sweeps runs once per interval in all of them: an instance runs
a round only when it takes the lease "sweeps" (`storage.lease_queries`, wall-clock time) and the previous round
started at least an interval ago. The lease is renewed while the round runs and given back at its end; an instance
that dies half-way loses it when it runs out (`SWEEP_LEASE`), and the next instance whose timer fires catches up
at once (the sweeps ask what is due now, so a catch-up queues what was missed, once: the outbox's dedupe keys).
`run-due` waits while another instance runs a round, then runs its own.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from telegram import Bot

from bot import retention
from bot.config import Settings
from bot.core.clock import Clock, ManualClock, SystemClock
from bot.core.context import Work
from bot.core.metrics import Metrics
from bot.outgoing import digest, employer_notices, own_view_notices, reminders, report_drafts
from bot.outgoing.delivery import Delivery, DeliveryStats, sender_name
from content.texts import texts
from storage import lease_queries, queries
from storage.db import Database, RolledBackDatabase
from storage.migrate import require_current, upgrade_async
from storage.models import Outbox

log = logging.getLogger(__name__)

LEASE_NAME = "sweeps"
SWEEP_LEASE = timedelta(seconds=30)  # a round's lease runs out this long after its latest renewal
SWEEP_RENEW_S = 10.0  # ... which comes this often while the round runs
LEASE_POLL_S = 0.5  # `run-due` looks again this often while another instance runs a round


# Further sweeps (digests, employer milestones, ...): `async def sweep(work) -> object`, each run in its own
# transaction after the reminder sweep, so one failing sweep cannot undo another.
OTHER_SWEEPS: list[Callable[[Work], Awaitable[object]]] = []
OTHER_SWEEPS.append(employer_notices.sweep)  # employer contacts: started, phases, deadlines, monthly summary
OTHER_SWEEPS.append(digest.sweep)  # the coaches' weekly digest
OTHER_SWEEPS.append(report_drafts.sweep)  # first working day of the month: progress drafts to coaches
OTHER_SWEEPS.append(own_view_notices.sweep)  # from sickness week 87: the employee's own view, asked once
OTHER_SWEEPS.append(retention.sweep)  # two years after closing, 90 days after a never-accepted invite: deleted


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


def _wall_now() -> datetime:
    return datetime.now(UTC)


async def leased_sweep(
    db: Database,
    clock: Clock,
    bot_username: str,
    timezone: str,
    owner: str,
    every: timedelta | None,
    metrics: Metrics | None = None,
) -> reminders.SweepResult | None:
    """Run one round of sweeps if `owner` takes the lease (with `every`: only when the previous round started at
    least that long ago); None when another instance has it or ran the round already."""
    now = _wall_now()
    async with db.session() as session:
        taken = await lease_queries.take_job_lease(session, LEASE_NAME, owner, now, now + SWEEP_LEASE, every)
    if not taken:
        return None
    renewing = asyncio.create_task(_keep_lease(db, owner))
    started = time.monotonic()
    try:
        result = await sweep_once(db, clock, bot_username, timezone)
    finally:
        renewing.cancel()
        await asyncio.gather(renewing, return_exceptions=True)
        try:
            async with db.session() as session:
                await lease_queries.release_job_lease(session, LEASE_NAME, owner, _wall_now())
        except Exception:  # noqa: BLE001 - then it runs out after SWEEP_LEASE
            log.exception("giving back the sweep lease failed")
    seconds = time.monotonic() - started
    log.debug("ran the sweeps in %.2f s", seconds)
    if metrics is not None:
        metrics.sweep_ran(seconds)
    return result


async def _keep_lease(db: Database, owner: str) -> None:
    while True:
        await asyncio.sleep(SWEEP_RENEW_S)
        try:
            async with db.session() as session:
                if not await lease_queries.renew_job_lease(session, LEASE_NAME, owner, _wall_now() + SWEEP_LEASE):
                    log.warning("the sweep lease ran out while the round was running; another instance may run one")
        except Exception:  # noqa: BLE001 - tried again in SWEEP_RENEW_S, well within the lease
            log.exception("renewing the sweep lease failed")


async def sweep_when_free(db: Database, clock: Clock, bot_username: str, timezone: str) -> reminders.SweepResult:
    """One round of sweeps now (`run-due`), after the round another instance is running, if any."""
    owner = sender_name()
    while (result := await leased_sweep(db, clock, bot_username, timezone, owner, None)) is None:
        await asyncio.sleep(LEASE_POLL_S)
    return result


def _interval(settings: Settings) -> timedelta:
    """How long after a round's start the next may start: the sweep interval, less a little for the timers of
    the instances not firing to the millisecond (so the instance that ran the last round may run the next)."""
    seconds = settings.sweep_interval_s
    return timedelta(seconds=seconds - min(1.0, seconds / 10))


@dataclass
class Sweeps:
    """The scheduled sweeps. `stop()` lets a round that is under way finish first, so that stopping the bot
    (Ctrl-C, SIGTERM) never cuts a sweep off half-way, and no cancelled job is logged with a traceback."""

    scheduler: AsyncIOScheduler
    round: asyncio.Lock
    stopping: asyncio.Event

    async def stop(self) -> None:
        self.stopping.set()
        self.scheduler.pause()  # no new round is handed out
        await asyncio.sleep(0)  # a round handed out just now starts, sees `stopping` and returns
        async with self.round:  # the round under way, if any, ends
            self.scheduler.shutdown(wait=False)


def start_scheduler(
    db: Database, clock: Clock, delivery: Delivery, settings: Settings, metrics: Metrics | None = None
) -> Sweeps:
    """Register the sweeps; they run in the application's event loop, a round only when this instance takes the
    lease (once per interval across all instances on the database)."""
    round_, stopping = asyncio.Lock(), asyncio.Event()
    every = _interval(settings)

    async def reminder_sweep() -> None:
        if stopping.is_set():
            return
        async with round_:
            if stopping.is_set():
                return
            result = await leased_sweep(
                db, clock, delivery.bot_username, settings.default_timezone, delivery.name, every, metrics
            )
        if result is None:
            return  # another instance has run this interval's round, or is running it
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
    return Sweeps(scheduler, round_, stopping)


@dataclass
class Failure:
    """An outbox row this run tried to send and did not get out: given up (`failed`) or to be tried again."""

    row_id: int
    kind: str
    chat_id: int
    status: str
    attempts: int
    reason: str
    retry_from: datetime | None = None


@dataclass
class DueRun:
    """What `run-due` did (or, simulated, would do)."""

    at: datetime
    sweep: reminders.SweepResult
    stats: DeliveryStats | None = None
    failures: list[Failure] = field(default_factory=list)
    would_send: list[dict] = field(default_factory=list)  # simulated: the messages due at `at`
    simulated: bool = False

    def summary(self) -> dict:
        counts = {
            "at": self.at.isoformat(),
            "queued": self.sweep.queued,
            "missed": len(self.sweep.missed),
            "paused": len(self.sweep.paused),
        }
        if self.simulated:
            missed = [{"employee": employee, "week": week} for employee, week in self.sweep.missed]
            paused = [{"employee": employee, "week": week} for employee, week in self.sweep.paused]
            return {
                **counts, "simulated": True, "stored": False, "would_mark_missed": missed,
                "would_mark_paused": paused, "would_send": self.would_send,
            }  # fmt: skip
        return {**counts, **asdict(self.stats or DeliveryStats())}


async def run_due(settings: Settings, at: datetime | None = None) -> DueRun:
    """`spoorzoeker run-due [--at]`: run the sweeps once as if at `at`, send what is due; the rows that were
    tried and not sent are in `failures`, each with its reason."""
    clock: Clock = ManualClock(at) if at is not None else SystemClock()
    await upgrade_async(settings.database_url)
    db = Database(settings.database_url)
    try:
        async with Bot(settings.telegram_bot_token, base_url=settings.telegram_base_url) as bot:
            result = await sweep_when_free(db, clock, bot.username, settings.default_timezone)
            before = await _outbox_state(db)
            delivery = Delivery(
                db, bot, clock, texts(), rate_per_s=settings.send_rate_per_s, bot_username=bot.username,
                timezone=settings.default_timezone,
            )  # fmt: skip
            stats = await delivery.drain()
            failures = _failures(before, await _outbox_state(db))
    finally:
        await db.dispose()
    return DueRun(clock.now(), result, stats, failures)


async def simulate_due(settings: Settings, at: datetime | None = None) -> DueRun:
    """`spoorzoeker run-due --simulate`: the same sweeps on the real data inside one transaction that is rolled
    back, and the list of messages that would be sent at `at`. Nothing is stored, nothing goes to Telegram, no
    token is needed; the database must already be migrated (a simulation does not change the schema either)."""
    clock: Clock = ManualClock(at) if at is not None else SystemClock()
    await require_current(settings.database_url)
    db = RolledBackDatabase(settings.database_url)
    try:
        result = await sweep_once(db, clock, "", settings.default_timezone)
        async with db.session() as session:
            due = [row for row in await queries.outbox_rows(session, status="pending") if row.not_before <= clock.now()]
        would_send = [
            {"row": row.id, "kind": row.kind, "chat_id": row.chat_id, "employee": row.employee_id} for row in due
        ]
    finally:
        await db.dispose()
    return DueRun(clock.now(), result, would_send=would_send, simulated=True)


async def _outbox_state(db: Database) -> dict[int, Outbox]:
    """The rows that are pending or failed, by id (what a drain can change into a failure)."""
    async with db.session() as session:
        rows = [row for status in ("pending", "failed") for row in await queries.outbox_rows(session, status=status)]
    return {row.id: row for row in rows}


def _failures(before: dict[int, Outbox], after: dict[int, Outbox]) -> list[Failure]:
    """Rows that failed during the drain, and rows it tried that are still pending (to be tried again later)."""
    found = []
    for row in after.values():
        earlier = before.get(row.id)
        tried = row.attempts > (earlier.attempts if earlier else 0)
        newly_failed = row.status == "failed" and (earlier is None or earlier.status != "failed")
        if newly_failed or (row.status == "pending" and tried):
            found.append(
                Failure(
                    row.id, row.kind, row.chat_id, row.status, row.attempts, row.last_error or "no reason recorded",
                    retry_from=row.not_before if row.status == "pending" else None,
                )
            )  # fmt: skip
    return sorted(found, key=lambda failure: failure.row_id)
