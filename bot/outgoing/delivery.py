"""Sending the outbox: rate-limited, retried, deduplicated, and one chat's rows in the order they were queued.

- One chat's rows go out one after another in queue order, many chats in parallel. A sender claims in the
  database only the oldest pending row of a chat (`storage.outbox_queries`), so the next row of that chat waits
  until this one is sent or given up, also with several senders or processes: a row that waits for a retry
  (429, 5xx) holds back the rest of its chat; a row given up (failed, cancelled) does not. A claim is a lease
  (`LEASE`, wall-clock time) renewed while the row is being sent; a crashed sender's rows are taken over after it.
- A row is sent once: it is marked `sent` as soon as Telegram accepts it (accepted rows are written together,
  at most `FLUSH_S` later, so a burst costs one transaction per batch instead of one per message). Until it is
  written the row stays claimed ("in flight") and no sender picks it up again. The one unavoidable edge is
  at-least-once: when Telegram accepted a message but we never learned it (the answer timed out) or never wrote
  it down (the process died in that short gap), the row is still `pending` and is sent again.
- Network errors and 5xx are retried with exponential backoff; a 429 waits `retry_after` (and pauses all
  sending, as Telegram's flood control is per bot); a 403 (blocked, deactivated) marks the employee
  unreachable, cancels what is queued for them and tells their coach once; other 4xx fail the row for good.
- At most `rate_per_s` messages per sliding second overall and one per second per chat, also with several senders
  in several processes on one database: the senders that are sending share `rate_per_s` (`SenderShare`, each
  takes its part, see `Delivery._keep_share`), and a `sent` row keeps its chat from the next claim for one second
  after Telegram's answer (`storage.outbox_queries`), whoever claims it.
- A row to a chat whose person was erased (`SuppressedChat`) is cancelled, never sent.
- Reminders are checked again just before sending: nothing goes out for a submitted week, a pause, a closed
  trajectory, or in the recipient's quiet hours (those wait until 08:00).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from collections import Counter, deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.core.clock import Clock
from bot.core.context import Work
from bot.core.replies import Reply
from bot.outgoing import outbox
from bot.outgoing.keyboard import markup
from bot.outgoing.outbox import Message
from bot.rules.schedule import FIRST_NUDGE, PROMPT, SECOND_NUDGE, in_quiet_hours, local_now, quiet_hours_end
from content.texts import Texts
from storage import erasure_queries, lease_queries, outbox_queries, queries
from storage.db import Database
from storage.models import Coach, Outbox

log = logging.getLogger(__name__)

REMINDER_KINDS = (PROMPT, FIRST_NUDGE, SECOND_NUDGE)
MAX_QUICK_RETRIES = 6  # in-process retries with backoff 1, 2, 4, 8, 16, 32 s
MAX_ATTEMPTS = 20  # then the row fails for good
LATER = timedelta(minutes=15)  # after the quick retries, the row waits this long before the next round
FLUSH_S = 0.05  # accepted rows are written as `sent` in one transaction at least this often
FLUSH_ROWS = 100  # ... or as soon as this many are waiting
LEASE = timedelta(seconds=10)  # a claimed row is this sender's for this long after the latest renewal
RENEW_S = 2.0  # claims of rows still being sent are renewed this often
OTHERS_POLL_S = 0.5  # with nothing to send but rows another sender holds: look again this often
BATCH = 200  # chat heads claimed at a time, at most; at least `workers`, else about one second's share of sends
SHARE_S = 0.5  # a sending sender renews its `SenderShare` row and reads the others' this often
SHARE_LEASE = timedelta(seconds=5)  # its row counts this long after the latest renewal (then: it died)
JOIN_S = 2 * SHARE_S + 1.0  # a sender joining others who send waits this long before its first send
FENCE = timedelta(seconds=1.5)  # a sender whose row is this close to lapsing sends nothing: others may not count it
LINGER = timedelta(seconds=1.1)  # a sender that stops counts this long more: its last sends are within a second


class RateLimiter:
    """At most `per_second` sends in any sliding second, and one per `per_chat_s` per chat.

    Counted the safe way round: a send holds its place from the moment it starts until one second after its
    answer came back. Telegram counts a message when it arrives, which lies in between, so however long a
    request takes or however late the event loop gets to it, Telegram never sees more than the limit in any
    second (counting from the start alone lets a slow request and a fast one land in the same second: 429).
    Sends are also paced (a bucket of `burst` sends refilled at `per_second`): spread out, requests do not queue
    up at Telegram, answers come back quickly, and the second counted from the answer is hardly longer than one.
    """

    def __init__(self, per_second: float, per_chat_s: float = 1.0, margin_s: float = 0.002, burst: int = 4) -> None:
        self.per_second = per_second
        self.per_chat_s = per_chat_s
        self.margin_s = margin_s
        self.burst = burst
        self._tokens = float(burst)
        self._refilled = time.monotonic()
        self._busy = 0  # sends started whose answer is not back yet
        self._busy_chats: Counter[int] = Counter()
        self._answered: deque[float] = deque()  # answer times within the last second, oldest first
        self._last_in_chat: dict[int, float] = {}  # chat id: time of the latest answer there
        self._paused_until = 0.0
        self.gate: Callable[[], float] = lambda: 0.0  # seconds to wait before any send (sharing the limit)

    def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)

    def _wait_for(self, chat_id: int, now: float) -> float:
        window = 1.0 + self.margin_s
        while self._answered and now - self._answered[0] >= window:
            self._answered.popleft()
        self._tokens = min(self.burst, self._tokens + (now - self._refilled) * self.per_second)
        self._refilled = now
        wait = max(self._paused_until - now, (1 - self._tokens) / self.per_second, self.gate())
        if self._busy + len(self._answered) >= self.per_second:
            # the oldest answer leaves the window then; if all places are taken by sends still under way, look
            # again shortly (one of them will answer)
            wait = max(wait, self._answered[0] + window - now if self._answered else 0.01)
        if self._busy_chats[chat_id]:
            wait = max(wait, 0.01)
        last = self._last_in_chat.get(chat_id)
        if last is not None:
            wait = max(wait, last + self.per_chat_s + self.margin_s - now)
        return wait

    @contextlib.asynccontextmanager
    async def slot(self, chat_id: int) -> AsyncIterator[None]:
        """Wait for a free place, hold it while the request runs, and count it from its answer."""
        while (wait := self._wait_for(chat_id, time.monotonic())) > 0:
            await asyncio.sleep(wait)
        self._tokens -= 1
        self._busy += 1
        self._busy_chats[chat_id] += 1
        try:
            yield
        finally:
            now = time.monotonic()
            self._busy -= 1
            self._busy_chats[chat_id] -= 1
            if not self._busy_chats[chat_id]:
                del self._busy_chats[chat_id]
            self._answered.append(now)
            self._last_in_chat[chat_id] = now
            if len(self._last_in_chat) > 50_000:  # forget chats that are long past their one-second gap
                self._last_in_chat = {c: t for c, t in self._last_in_chat.items() if now - t < self.per_chat_s + 1}


@dataclass
class DeliveryStats:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    postponed: int = 0
    rate_limited: int = 0


def sender_name() -> str:
    """A name for one sender, unique across processes and machines: host, process id and a random part."""
    return f"{socket.gethostname()[:20]}:{os.getpid()}:{secrets.token_hex(4)}"


class Delivery:
    """Drains the outbox through a pool of sending workers that share one rate limiter.

    Rows reach the workers as they are claimed: at most one row per chat at a time, its chat's oldest pending row.
    """

    def __init__(
        self,
        db: Database,
        bot: Bot,
        clock: Clock,
        texts: Texts,
        *,
        rate_per_s: float = 30,
        workers: int = 8,
        backoff_s: float = 1.0,
        bot_username: str = "",
        timezone: str = "Europe/Amsterdam",
    ) -> None:
        self.db, self.bot, self.clock, self.texts = db, bot, clock, texts
        self.rate_per_s = rate_per_s  # overall, shared with the other senders that are sending
        self.limiter = RateLimiter(rate_per_s)
        self.limiter.gate = self._share_gate
        self.workers = workers
        self.backoff_s = backoff_s
        self.bot_username, self.timezone = bot_username, timezone
        self.name = sender_name()  # `claimed_by` of the rows this sender claims
        self.stats = DeliveryStats()
        self._in_flight: set[int] = set()  # rows claimed and not yet settled (their claims are renewed)
        self._accepted: list[dict] = []  # rows Telegram accepted, to be written as `sent` (then out of flight)
        self._accepted_waiting = asyncio.Event()
        self._settled = asyncio.Event()  # a row left flight: the next row of its chat may be claimed now
        self._writing = asyncio.Lock()
        self._draining = asyncio.Lock()  # one drain at a time per sender
        self.wake = asyncio.Event()
        self.stopping = asyncio.Event()  # set by `stop`: finish what is in hand, claim nothing new
        self._sharing: asyncio.Task | None = None  # `_keep_share`, while this drain has rows to send
        self._share_until: datetime | None = None  # this sender's `SenderShare` row counts until then
        self._admitted_at = 0.0  # monotonic time from which it may send (after joining senders already sending)
        self._wants_share = asyncio.Event()  # rows in hand and no share: `_keep_share` (re)joins now

    # -- the loop ---------------------------------------------------------------------------------------------

    async def drain(self) -> DeliveryStats:
        """Send everything that is due now; return when nothing due is left (retries included), also none that
        another sender is still sending (a crashed sender's rows are taken over when their lease ends)."""
        async with self._draining:
            return await self._drain()

    async def _drain(self) -> DeliveryStats:
        queue: asyncio.Queue[Outbox | None] = asyncio.Queue(maxsize=self.workers * 4)
        pool = [asyncio.create_task(self._worker(queue)) for _ in range(self.workers)]
        helpers = [asyncio.create_task(self._write_accepted_regularly()), asyncio.create_task(self._keep_claims())]
        try:
            while not self.stopping.is_set():
                self._settled.clear()  # before claiming: a row that settles meanwhile is not missed
                lease_now = self._wall_now()  # one instant for claiming and for the others-check: no gap between
                claimed, ready = await self._next_batch(lease_now)
                if ready and self._sharing is None:
                    self._sharing = asyncio.create_task(self._keep_share())
                if ready and self._share_until is None:
                    self._wants_share.set()
                for row in ready:
                    await queue.put(row)  # blocks while the workers are busy: claiming stays just ahead
                if claimed:
                    continue
                if self._in_flight:
                    # every chat with a due row has one under way here: once one is written, its next row is due
                    with contextlib.suppress(TimeoutError):  # asyncio.timeout: wait_for can swallow a cancel on 3.11
                        async with asyncio.timeout(RENEW_S):
                            await self._settled.wait()
                    continue
                wait = await self._others_sending(lease_now)
                if wait is None:
                    break  # nothing due, nothing being sent: done
                await asyncio.sleep(wait)  # another sender holds rows: they may free the next row of a chat
        finally:
            for _ in pool:
                await queue.put(None)
            await asyncio.gather(*pool, return_exceptions=True)
            for helper in helpers:
                helper.cancel()
            await asyncio.gather(*helpers, return_exceptions=True)
            await self._write_accepted()
            await self._release_unsent()
            await self._retire()
        return self.stats

    async def run_forever(self, poll_s: float = 5.0) -> None:
        """Drain, then wait for a wake-up (something was queued) or `poll_s`; until `stop` (or cancelled)."""
        while not self.stopping.is_set():
            self.wake.clear()  # before draining: a wake-up that arrives during the round is not lost
            try:
                await self.drain()
            except Exception:  # noqa: BLE001 - keep delivering; the error is logged and retried next round
                log.exception("delivery round failed")
            with contextlib.suppress(TimeoutError):  # asyncio.timeout: wait_for can swallow a cancel on 3.11
                async with asyncio.timeout(poll_s):
                    await self.wake.wait()

    async def stop(self, running: asyncio.Task, grace_s: float = 10.0) -> None:
        """End `running` (the task of `run_forever`) between database round trips: the rows being sent are sent
        and written, nothing new is claimed. Cancelling it mid-transaction instead would interrupt the connection's
        rollback in the pool (SQLAlchemy logs that as an error). After `grace_s` it is cancelled all the same;
        rows claimed but not sent are taken over when their lease ends."""
        self.stopping.set()
        self.wake.set()
        try:
            async with asyncio.timeout(grace_s):
                await asyncio.shield(running)
        except TimeoutError:
            running.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await running

    def idle(self) -> bool:
        """True when no round is running and none has been asked for."""
        return not self._draining.locked() and not self.wake.is_set()

    @staticmethod
    def _wall_now() -> datetime:
        """Leases are wall-clock time, whatever `clock` says: they are about a sender being alive, not the plan."""
        return datetime.now(UTC)

    async def _next_batch(self, lease_now: datetime) -> tuple[int, list[Outbox]]:
        """(how many due rows were claimed, those to send now): claimed rows no longer relevant are cancelled and
        those in the recipient's quiet hours postponed, both in the claiming transaction."""
        now = self.clock.now()
        async with self.db.session() as session:
            batch = min(BATCH, max(self.workers, round(self.limiter.per_second)))  # few held, when others share
            rows = await outbox_queries.claim_heads(session, self.name, now, lease_now, lease_now + LEASE, batch)
            rows = [row for row in rows if row.id not in self._in_flight]  # a lapsed lease of ours: still ours
            if not rows:
                return 0, []
            stale = await self._irrelevant_reminders(session, rows, now)
            silent = await erasure_queries.suppressed(session, [row.chat_id for row in rows])  # erased people
            ready = []
            for row in rows:
                if row.chat_id in silent:
                    await queries.update_outbox(session, row.id, status="cancelled", last_error="erased")
                    self.stats.cancelled += 1
                elif row.id in stale:
                    await queries.update_outbox(session, row.id, status="cancelled", last_error=stale[row.id])
                    self.stats.cancelled += 1
                elif in_quiet_hours(now, row.timezone):
                    later = quiet_hours_end(now, row.timezone)  # the chat's next rows wait behind this one
                    await queries.update_outbox(session, row.id, not_before=later, claimed_by=None, claimed_until=None)
                    self.stats.postponed += 1
                else:
                    ready.append(row)
        self._in_flight.update(row.id for row in ready)
        return len(rows), ready

    async def _others_sending(self, lease_now: datetime) -> float | None:
        """Seconds to wait while another sender holds pending rows at `lease_now` (None when none does): the same
        instant the claim used, so a lease that lapses in between is claimed next round, not missed."""
        async with self.db.session() as session:
            until = await outbox_queries.others_claim_until(session, self.name, self.clock.now(), lease_now)
        if until is None:
            return None
        return min(max((until - lease_now).total_seconds(), 0.01), OTHERS_POLL_S)

    # -- sharing the overall limit with the other senders ----------------------------------------------------

    async def _keep_share(self) -> None:
        """During a drain: while this sender has rows in hand, keep its `SenderShare` row (renewed every SHARE_S)
        and send at `rate_per_s` / the number of senders sending; with none in hand (it waits for rows others
        hold), retire, so that the others send at a larger share. The others lower their share within SHARE_S of
        seeing a new one, and their sends of the last second at the old share count until a second after: so a
        sender that finds others sending waits JOIN_S before its first send, and the sum stays under the limit
        throughout. Of two that start at the same moment, the first to write its row may find none and send at
        once (at the full limit until it sees the second, within SHARE_S); the second always sees the first."""
        while True:
            started = time.monotonic()
            try:
                if self._in_flight:
                    await self._renew_share()
                elif self._share_until is not None:
                    await self._retire_share()
            except Exception:  # noqa: BLE001 - tried again in SHARE_S; sending stops before the row lapses (FENCE)
                log.exception("renewing this sender's share of the overall limit failed")
            self._wants_share.clear()
            with contextlib.suppress(TimeoutError):  # a wake-up: rows in hand again, (re)join at once
                async with asyncio.timeout(max(0.0, SHARE_S - (time.monotonic() - started))):
                    await self._wants_share.wait()

    async def _renew_share(self) -> None:
        now = self._wall_now()
        async with self.db.session() as session:
            await lease_queries.announce_sender(session, self.name, now + SHARE_LEASE)
        async with self.db.session() as session:  # after the commit: a sender announced before is seen
            busy = await lease_queries.busy_senders(session, now)
        if self._share_until is None or self._share_until <= now:  # joining (again, after its row lapsed)
            others = [name for name in busy if name != self.name]
            self._admitted_at = time.monotonic() + (JOIN_S if others else 0.0)
        self._share_until = now + SHARE_LEASE
        self.limiter.per_second = self.rate_per_s / max(1, len(busy))

    async def _retire_share(self) -> None:
        """Nothing in hand: this sender's row counts for LINGER more (its last sends' second), then lapses."""
        self._share_until = None
        now = self._wall_now()
        async with self.db.session() as session:
            await lease_queries.retire_sender(session, self.name, now + LINGER, now - timedelta(minutes=10))

    def _share_gate(self) -> float:
        """Seconds to wait before any send: not announced yet, still joining, or the row about to lapse."""
        if self._share_until is None:
            self._wants_share.set()
            return 0.01
        if self._share_until - self._wall_now() < FENCE:
            return 0.05
        return max(0.0, self._admitted_at - time.monotonic())

    async def _retire(self) -> None:
        """The drain is over: stop keeping the share, and retire it."""
        if self._sharing is None:
            return
        self._sharing.cancel()
        await asyncio.gather(self._sharing, return_exceptions=True)
        self._sharing = None
        if self._share_until is None:
            return
        try:
            await self._retire_share()
        except Exception:  # noqa: BLE001 - then the row lapses at its SHARE_LEASE
            log.exception("retiring this sender's share of the overall limit failed")
        self.limiter.per_second = self.rate_per_s

    async def _keep_claims(self) -> None:
        """Renew the leases of the rows in flight, every RENEW_S, until cancelled."""
        while True:
            await asyncio.sleep(RENEW_S)
            ids = set(self._in_flight)
            if not ids:
                continue
            try:
                async with self.db.session() as session:
                    await outbox_queries.renew_claims(session, self.name, ids, self._wall_now() + LEASE)
            except Exception:  # noqa: BLE001 - tried again in RENEW_S, well within the lease
                log.exception("renewing the claims of outbox rows failed")

    async def _release_unsent(self) -> None:
        """At the end of a round (or when it is cancelled): give back the claims of rows that were not sent."""
        unsent = self._in_flight - {row["id"] for row in self._accepted}
        if not unsent:
            return
        try:
            async with self.db.session() as session:
                await outbox_queries.release_claims(session, self.name, unsent)
        except Exception:  # noqa: BLE001 - then the claims lapse after LEASE
            log.exception("giving back the claims of outbox rows failed")
        self._in_flight.difference_update(unsent)

    async def _irrelevant_reminders(self, session, rows: list[Outbox], now) -> dict[int, str]:
        reminders = [row for row in rows if row.kind in REMINDER_KINDS and row.employee_id is not None]
        if not reminders:
            return {}
        employees = await queries.employees_by_ids(session, {row.employee_id for row in reminders})
        weeks = {(row.iso_year, row.iso_week) for row in reminders}
        checkins = await queries.checkins_in_weeks(session, weeks, employees.keys())
        today = min(local_now(now, e.timezone).date() for e in employees.values())
        pauses = await queries.pauses_overlapping(session, today, today + timedelta(days=1), employees.keys())
        reasons = {}
        for row in reminders:
            employee = employees.get(row.employee_id)
            checkin = checkins.get((row.employee_id, row.iso_year, row.iso_week))
            local_today = local_now(now, employee.timezone).date() if employee else today
            if employee is None or employee.status != "active":
                reasons[row.id] = "trajectory closed"
            elif employee.unreachable_at is not None:
                reasons[row.id] = "unreachable"
            elif checkin is not None and (checkin.submitted_at or checkin.missed_at or checkin.paused_reason):
                reasons[row.id] = "check-in closed"
            elif any(p.start <= local_today <= p.until for p in pauses.get(employee.id, [])):
                reasons[row.id] = "paused"
        return reasons

    async def _worker(self, queue: asyncio.Queue) -> None:
        while (row := await queue.get()) is not None:
            settled = True
            try:
                settled = await self._deliver(row)
            except Exception:  # noqa: BLE001 - one bad row must not stop the others
                # its claim is left to lapse: the row (and its chat) is tried again after LEASE, in order
                log.exception("delivering outbox row %s failed", row.id)
            finally:
                if settled:
                    self._in_flight.discard(row.id)
                    self._settled.set()
                queue.task_done()
        queue.task_done()

    async def _write_accepted_regularly(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):  # asyncio.timeout: wait_for can swallow a cancel on 3.11
                async with asyncio.timeout(FLUSH_S):
                    await self._accepted_waiting.wait()
            try:
                await self._write_accepted()
            except Exception:  # noqa: BLE001 - the rows stay queued for the next try
                log.exception("writing sent outbox rows failed")
                await asyncio.sleep(FLUSH_S)

    async def _write_accepted(self) -> None:
        """Mark the accepted rows `sent` in one transaction; only then are they out of flight."""
        async with self._writing:
            self._accepted_waiting.clear()
            batch, self._accepted = self._accepted, []
            if not batch:
                return
            try:
                async with self.db.session() as session:
                    await queries.mark_outbox_sent(session, batch)
            except BaseException:
                self._accepted[:0] = batch
                raise
            self._in_flight.difference_update(row["id"] for row in batch)
            self._settled.set()

    # -- one message ------------------------------------------------------------------------------------------

    async def _deliver(self, row: Outbox) -> bool:
        """Send one row; False when it was accepted and waits to be written as `sent`, True when settled."""
        attempts = row.attempts
        for quick in range(MAX_QUICK_RETRIES + 1):
            attempts += 1
            try:
                async with self.limiter.slot(row.chat_id):
                    message = await self._send(row)
            except RetryAfter as exc:
                wait = exc.retry_after.total_seconds()  # a timedelta (bot/__init__ opts in to PTB_TIMEDELTA)
                self.stats.rate_limited += 1
                self.limiter.pause(float(wait))
                await self._record(row, attempts=attempts, last_error=f"429 retry after {wait}s")
                continue
            except Forbidden as exc:
                await self._unreachable(row, attempts, str(exc))
                return True
            except BadRequest as exc:
                self.stats.failed += 1
                await self._record(row, attempts=attempts, status="failed", last_error=f"400 {exc}"[:300])
                return True
            except (NetworkError, TelegramError) as exc:  # 5xx, timeouts, connection errors
                self.stats.retried += 1
                await self._record(row, attempts=attempts, last_error=f"{type(exc).__name__}: {exc}"[:300])
                if attempts >= MAX_ATTEMPTS:
                    self.stats.failed += 1
                    await self._record(row, status="failed")
                    return True
                if quick < MAX_QUICK_RETRIES:
                    await asyncio.sleep(self.backoff_s * 2**quick)
                continue
            self.stats.sent += 1
            self._accepted.append(
                {"id": row.id, "attempts": attempts, "sent_at": self.clock.now(), "message_id": message.message_id,
                 "chat_free_at": self._wall_now() + timedelta(seconds=self.limiter.per_chat_s + 0.01)}
            )  # fmt: skip
            if len(self._accepted) >= FLUSH_ROWS:
                self._accepted_waiting.set()
            return False
        # the chat's next rows wait behind this one until it is sent or given up
        await self._record(row, not_before=self.clock.now() + LATER, claimed_by=None, claimed_until=None)
        return True

    async def _send(self, row: Outbox):
        """One Bot API call: a text message, or a photo or document with the text as its caption."""
        keyboard = markup((row.reply_markup or {}).get("inline_keyboard"))
        if row.attachment is None:
            return await self.bot.send_message(row.chat_id, row.text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
        send = self.bot.send_photo if row.attachment_kind == "photo" else self.bot.send_document
        field = "photo" if row.attachment_kind == "photo" else "document"
        return await send(
            row.chat_id,
            **{field: row.attachment},
            filename=row.attachment_name,
            caption=row.text,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard,
        )

    async def _record(self, row: Outbox, **values) -> None:
        async with self.db.session() as session:
            await queries.update_outbox(session, row.id, **values)

    async def _unreachable(self, row: Outbox, attempts: int, error: str) -> None:
        """403: stop sending to this chat; if it is an employee, mark them and tell their coach once."""
        self.stats.failed += 1
        async with self.db.session() as session:
            await queries.update_outbox(session, row.id, attempts=attempts, status="failed", last_error=f"403 {error}")
            await queries.cancel_pending_to(session, row.chat_id, "unreachable")
            employee = await queries.employee_by_telegram(session, row.chat_id)
            if employee is None or employee.unreachable_at is not None:
                return
            employee.unreachable_at = self.clock.now()
            session.add(employee)
            coach = await queries.get(session, Coach, employee.coach_id)
            if coach is None or coach.telegram_user_id is None:
                return
            work = Work(session, self.clock, self.bot_username, self.timezone, self.texts)
            notice = Reply("coach_unreachable", coach.language, {"name": employee.name})
            await outbox.enqueue(
                work, [Message(f"unreachable:{employee.id}", "coach_unreachable", coach.telegram_user_id, notice,
                               self.timezone, employee_id=employee.id)]
            )  # fmt: skip
        self.wake.set()
