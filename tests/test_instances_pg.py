"""Several instances on one database: real `spoorzoeker` processes on one PostgreSQL database (these run only when
TEST_DATABASE_URL names a PostgreSQL server), and the sweep lease, which also runs on SQLite.

- Two `spoorzoeker db upgrade` at the same moment on an empty database: both succeed (an advisory lock).
- Two `spoorzoeker run-due` against one fake Bot API in a process of its own, 1,000 employees due at once and 200 of
  them with two more messages queued: every message arrives exactly once, no second over the overall limit at the
  server, not one 429 (so also never two messages to one chat within a second, whichever process sent them).
- One of the two killed (SIGKILL) half-way through the fan-out, the one that was sending: the other, running at the
  same time, takes over its claimed rows when their lease runs out and finishes; nothing lost or doubled.
- Two `spoorzoeker run --webhook` over several sweep intervals: the sweeps ran once per interval in all; the one
  running them killed, the other takes them over.
- The lease itself: a live holder keeps others out, a dead one's round is caught up at once, `run-due` waits.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import re
import signal
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import insert

from bench.fanout import MOMENT, TIMEZONE, busiest_second, make_database, serve_fake_telegram
from bot.core.clock import ManualClock
from bot.jobs import LEASE_NAME, leased_sweep, sweep_when_free
from bot.sandbox.fake_telegram import FakeTelegram
from bot.sandbox.offline import SANDBOX_TOKEN
from storage import lease_queries
from storage.db import Database
from storage.migrate import alembic_config
from storage.models import Outbox
from tests import databases
from tests.bot_process import free_port, start_bot, webhook_env

needs_postgresql = pytest.mark.skipif(not databases.SERVER_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)")

EMPLOYEES = 1000
EXTRA = 200  # employees who get two more messages queued before their prompt (one chat, three rows)
LIMIT = 200  # the fake's overall limit per second and the bot's SEND_RATE_PER_S
HOLD_AFTER = 500  # the kill test: sends the server lets through before it holds the rest


def _run_due_env(url: str, base_url: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("TELEGRAM_", "DATABASE_URL"))}
    env.update(
        TELEGRAM_BOT_TOKEN=SANDBOX_TOKEN, TELEGRAM_BASE_URL=base_url, DATABASE_URL=url, SEND_RATE_PER_S=str(LIMIT)
    )
    return env


RUN_DUE = [sys.executable, "-m", "bot", "run-due", "--at", MOMENT.isoformat()]


class ServerProcess:
    """The fake Bot API in a process of its own (`bench.fanout.serve_fake_telegram`), driven over a pipe."""

    def __init__(self, employees: int) -> None:
        self.pipe, child = multiprocessing.Pipe()
        self.process = multiprocessing.get_context("spawn").Process(
            target=serve_fake_telegram, args=(child, employees, LIMIT), daemon=True
        )
        self.process.start()
        self.base_url = self.pipe.recv()

    async def ask(self, command="state"):
        self.pipe.send(command)
        return await asyncio.to_thread(self.pipe.recv)

    async def report(self) -> dict:
        return await self.ask("report")

    def stop(self) -> None:
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.kill()


def _queue_extra_messages(url: str, user_ids: list[int]) -> None:
    """Two notices for each of these chats, queued before the sweep (so before their prompt): three rows a chat."""
    now = MOMENT.astimezone(UTC)
    rows = [
        {"dedupe_key": f"extra:{user_id}:{n}", "kind": "extra", "chat_id": user_id, "text": f"Bericht {n}",
         "timezone": TIMEZONE, "status": "pending", "attempts": 0, "not_before": now, "created_at": now}
        for user_id in user_ids for n in (1, 2)
    ]  # fmt: skip
    asyncio.run(_insert(url, rows))


async def _insert(url: str, rows: list[dict]) -> None:
    db = Database(url)
    try:
        async with db.session() as session:
            await (await session.connection()).execute(insert(Outbox), rows)
    finally:
        await db.dispose()


def _count(url: str, sql: str) -> int:
    return databases.rows(url, sql)[0][0]


async def _two_run_dues(env) -> list[asyncio.subprocess.Process]:
    return [
        await asyncio.create_subprocess_exec(
            *RUN_DUE, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        for _ in range(2)
    ]


async def _finish(process: asyncio.subprocess.Process, timeout_s: float = 120) -> dict:
    out, err = await asyncio.wait_for(process.communicate(), timeout=timeout_s)
    assert process.returncode == 0, err.decode()
    return json.loads(out.decode().strip().splitlines()[-1])


# --- migrations ---------------------------------------------------------------------------------------------


@needs_postgresql
async def test_two_upgrades_at_the_same_moment_on_an_empty_database_both_succeed(tmp_path):
    for trial in range(4):
        with databases.temporary_url(tmp_path, "postgresql", migrated=False) as url:
            env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
            env["DATABASE_URL"] = url
            upgrades = [
                await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    "bot",
                    "db",
                    "upgrade",
                    env=env,
                    cwd=tmp_path,
                    stdout=asyncio.subprocess.PIPE,
                    stderr=asyncio.subprocess.PIPE,
                )  # fmt: skip
                for _ in range(2)
            ]
            results = [await asyncio.wait_for(upgrade.communicate(), timeout=120) for upgrade in upgrades]
            for upgrade, (_, err) in zip(upgrades, results, strict=True):
                assert upgrade.returncode == 0, f"trial {trial}: {err.decode()}"
            heads = ScriptDirectory.from_config(alembic_config(url)).get_heads()
            assert [row[0] for row in databases.rows(url, "SELECT version_num FROM alembic_version")] == heads
            assert _count(url, "SELECT count(*) FROM keycheck") == 1


# --- the fan-out with two instances -------------------------------------------------------------------------


@needs_postgresql
async def test_two_run_dues_send_every_message_once_within_telegrams_limits(tmp_path):
    server = ServerProcess(EMPLOYEES)
    try:
        with databases.temporary_url(tmp_path, "postgresql") as url:
            ids = await asyncio.to_thread(make_database, url, EMPLOYEES)
            await asyncio.to_thread(_queue_extra_messages, url, ids[:EXTRA])
            reports = [await _finish(process) for process in await _two_run_dues(_run_due_env(url, server.base_url))]
            sent_rows = _count(url, "SELECT count(*) FROM outbox WHERE status = 'sent'")
        seen = await server.report()
    finally:
        server.stop()

    assert sum(report["queued"] for report in reports) == EMPLOYEES  # one sweep queued them, the other found none
    assert all(report["sent"] > 0 for report in reports)  # both sent
    assert sum(report["sent"] for report in reports) == EMPLOYEES + 2 * EXTRA == sent_rows
    received = Counter(seen["received"].get(user_id, 0) for user_id in ids)
    assert received == {3: EXTRA, 1: EMPLOYEES - EXTRA}  # every message exactly once
    assert seen["http_429"] == 0  # not one: neither the overall limit nor one chat's second was ever exceeded
    assert busiest_second(seen["accepted"]) <= LIMIT
    assert seen["min_chat_gap_s"] >= 1.0  # three messages to one chat, from two processes: a second apart


@needs_postgresql
async def test_one_of_two_run_dues_killed_half_way_the_other_finishes_nothing_lost_or_doubled(tmp_path):
    server = ServerProcess(EMPLOYEES)
    try:
        with databases.temporary_url(tmp_path, "postgresql") as url:
            ids = await asyncio.to_thread(make_database, url, EMPLOYEES)
            await server.ask(("hold", HOLD_AFTER))  # the first sends go through, then every send waits
            first, second = await _two_run_dues(_run_due_env(url, server.base_url))

            def accepted_all_written() -> bool:  # the kill lands after the accepted sends were written as sent
                return _count(url, "SELECT count(*) FROM outbox WHERE status = 'sent'") == HOLD_AFTER

            for _ in range(1200):
                state = await server.ask()
                if state["held"] > 0 and await asyncio.to_thread(accepted_all_written):
                    break
                assert first.returncode is None and second.returncode is None
                await asyncio.sleep(0.05)
            else:
                raise AssertionError(f"the fan-out was not held half-way: {state}")
            senders = databases.rows(url, "SELECT DISTINCT claimed_by FROM outbox WHERE status = 'sent'")
            pids = {int(sender.split(":")[1]) for (sender,) in senders}  # claimed_by: host:pid:random
            killed, other = (first, second) if first.pid in pids else (second, first)
            assert killed.pid in pids and other.returncode is None  # the other still runs: it waits for rows
            killed.send_signal(signal.SIGKILL)
            await killed.wait()
            await server.ask("release")  # the killed process's held sends are dropped; the other's go on
            report = await _finish(other)
            sent_rows = _count(url, "SELECT count(*) FROM outbox WHERE status = 'sent'")
        seen = await server.report()
    finally:
        server.stop()

    assert killed.returncode == -signal.SIGKILL
    assert report["failed"] == 0
    received = Counter(seen["received"].get(user_id, 0) for user_id in ids)
    assert received == {1: EMPLOYEES}  # none lost (the killed one's rows taken over), none twice
    assert sent_rows == EMPLOYEES
    assert seen["http_429"] == 0
    assert busiest_second(seen["accepted"]) <= LIMIT


# --- the sweeps: once per interval in all -------------------------------------------------------------------


def _sweep_rounds(metrics_page: str) -> int:
    found = re.search(r"^spoorzoeker_sweep_seconds_count (\S+)$", metrics_page, re.MULTILINE)
    return int(float(found.group(1))) if found else 0


@needs_postgresql
async def test_two_webhook_instances_run_the_sweeps_once_per_interval(tmp_path):
    interval = 2
    with databases.temporary_url(tmp_path, "postgresql") as url:
        async with FakeTelegram() as fake:
            ports = [free_port(), free_port()]
            bots = []
            try:
                for port in ports:
                    env = webhook_env(fake, url, port, SWEEP_INTERVAL_S=str(interval))
                    bots.append(await start_bot(fake, env, tmp_path, webhook=True, port=port))
                before, since = [_sweep_rounds((await bot.get("/metrics")).text) for bot in bots], time.monotonic()
                await asyncio.sleep(5 * interval)
                after, until = [_sweep_rounds((await bot.get("/metrics")).text) for bot in bots], time.monotonic()
                busier, other = sorted(bots, key=lambda bot: after[bots.index(bot)], reverse=True)
                busier.kill()  # SIGKILL the one that ran the latest rounds: the other takes them over
                await busier.process.wait()
                taken_over = _sweep_rounds((await other.get("/metrics")).text)
                await asyncio.sleep(2.5 * interval)
                taken_over = _sweep_rounds((await other.get("/metrics")).text) - taken_over
            finally:
                codes = [await bot.stop() for bot in bots]
    assert sorted(codes) == [-signal.SIGKILL, 0]
    rounds, seconds = sum(after) - sum(before), until - since
    slack = min(1.0, interval / 10)  # bot.jobs._interval: a round may start this much before a full interval
    assert rounds <= seconds / (interval - slack) + 1  # without the lease: a round per interval in each instance
    assert rounds >= seconds / interval - 1  # and not fewer: a round in every interval
    assert taken_over >= 2  # the survivor runs the rounds once the other is gone


# --- the lease (SQLite and PostgreSQL) ------------------------------------------------------------------------


async def test_a_live_lease_keeps_others_out_and_a_dead_holders_round_is_caught_up_at_once(database_url):
    db = Database(database_url)
    clock = ManualClock(MOMENT)
    every = timedelta(minutes=1)
    try:
        assert await leased_sweep(db, clock, "Bot", TIMEZONE, "first", every) is not None  # a round: taken, released
        assert await leased_sweep(db, clock, "Bot", TIMEZONE, "second", every) is None  # within the interval: none

        now = datetime.now(UTC)
        async with db.session() as session:  # "dead" takes the lease for a round (forced) and dies in it
            until = now + timedelta(seconds=1)
            assert await lease_queries.take_job_lease(session, LEASE_NAME, "dead", now, until, None)
        assert await leased_sweep(db, clock, "Bot", TIMEZONE, "second", every) is None  # still held: not yet
        await asyncio.sleep(1.1)  # its lease runs out (it is never renewed)
        assert await leased_sweep(db, clock, "Bot", TIMEZONE, "second", every) is not None  # caught up at once
        async with db.session() as session:
            lease = await lease_queries.job_lease(session, LEASE_NAME)
        assert lease.owner is None and lease.finished_at is not None
    finally:
        await db.dispose()


async def test_run_due_waits_for_the_round_another_instance_runs(database_url):
    db = Database(database_url)
    try:
        now = datetime.now(UTC)
        async with db.session() as session:
            until = now + timedelta(minutes=1)
            assert await lease_queries.take_job_lease(session, LEASE_NAME, "other", now, until, None)
        waiting = asyncio.create_task(sweep_when_free(db, ManualClock(MOMENT), "Bot", TIMEZONE))
        await asyncio.sleep(1.0)
        assert not waiting.done()  # never a round in parallel with another
        async with db.session() as session:
            await lease_queries.release_job_lease(session, LEASE_NAME, "other", datetime.now(UTC))
        result = await asyncio.wait_for(waiting, timeout=10)
        assert result.queued == 0
    finally:
        await db.dispose()
