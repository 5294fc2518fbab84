"""Fan-outs against the fake Bot API server with a real database (SQLite, and PostgreSQL when TEST_DATABASE_URL is
set: tests/databases.py). A burst drains under Telegram's limits without
a single 429. A fan-out killed half-way and run again (the real `spoorzoeker run-due` process): every employee
gets the weekly prompt exactly once.

The server lets the first sends through and then holds every further one, so the kill (SIGKILL) lands while
sends are under way (held: they never reach the employee) and most prompts are still queued. Accepted sends
are written as `sent` within a few hundredths of a second; the test kills after that write, because a kill in
between is the documented at-least-once edge (README, Reminders).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections import Counter

import pytest
from telegram import Bot

from bench.fanout import MOMENT, TIMEZONE, make_database
from bot.core.clock import ManualClock
from bot.jobs import sweep_once
from bot.outgoing.delivery import Delivery
from bot.sandbox.fake_telegram import FakeTelegram
from bot.sandbox.offline import SANDBOX_TOKEN
from content.texts import texts
from storage.db import Database
from tests import databases

EMPLOYEES = 300
BEFORE_KILL = 120  # sends the server accepts before it holds the rest


def _sent_rows(url: str) -> int:
    return databases.rows(url, "SELECT count(*) FROM outbox WHERE status = 'sent'")[0][0]


async def _wait_for(condition, what: str, timeout_s: float = 20.0) -> None:
    for _ in range(int(timeout_s / 0.05)):
        if await condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting until {what}")


@pytest.fixture
async def fake():
    server = FakeTelegram(bot_username="SpoorzoekerBot")
    await server.start()
    yield server
    server.release()
    await server.stop()


async def test_a_burst_drains_within_telegrams_limits_without_a_429(database_url):
    url = database_url
    ids = await asyncio.to_thread(make_database, url, 90)
    db = Database(url)
    clock = ManualClock(MOMENT)
    async with FakeTelegram(global_rate_per_s=30, per_chat_rate_per_s=1) as fake:
        for number, user_id in enumerate(ids, start=1):
            fake.user(user_id, f"Werknemer{number}")
        try:
            async with Bot(SANDBOX_TOKEN, base_url=fake.base_url) as bot:
                assert (await sweep_once(db, clock, bot.username, TIMEZONE)).queued == 90
                delivery = Delivery(db, bot, clock, texts(), rate_per_s=30, bot_username=bot.username)
                stats = await delivery.drain()
        finally:
            await db.dispose()
        assert fake.http_429 == 0 and stats.rate_limited == 0
        assert stats.sent == 90 and all(len(fake.messages(user_id)) == 1 for user_id in ids)


async def test_a_fan_out_killed_half_way_sends_every_prompt_exactly_once_after_a_restart(fake, tmp_path, database_url):
    url = database_url
    ids = await asyncio.to_thread(make_database, url, EMPLOYEES)
    for number, user_id in enumerate(ids, start=1):
        fake.user(user_id, f"Werknemer{number}")
    env = {key: value for key, value in os.environ.items() if key not in ("TELEGRAM_BOT_TOKEN", "DATABASE_URL")}
    env.update(
        TELEGRAM_BOT_TOKEN=SANDBOX_TOKEN, TELEGRAM_BASE_URL=fake.base_url, DATABASE_URL=url, SEND_RATE_PER_S="100"
    )
    run_due = [sys.executable, "-m", "bot", "run-due", "--at", MOMENT.isoformat()]

    fake.hold_sends_after(BEFORE_KILL)
    process = await asyncio.create_subprocess_exec(
        *run_due, env=env, cwd=tmp_path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:

        async def stuck_after_the_accepted_ones_were_written() -> bool:
            if process.returncode is not None:
                raise AssertionError((await process.stderr.read()).decode())
            return fake.held > 0 and await asyncio.to_thread(_sent_rows, url) == BEFORE_KILL

        await _wait_for(stuck_after_the_accepted_ones_were_written, "the fan-out is held half-way")
    finally:
        process.send_signal(signal.SIGKILL)
        await process.wait()
    assert process.returncode == -signal.SIGKILL
    fake.release()  # the held sends belonged to the killed process: they are dropped, never delivered

    async def every_call_of_the_killed_process_is_over() -> bool:
        return all(call.status is not None for call in fake.calls_of("sendMessage"))

    await _wait_for(every_call_of_the_killed_process_is_over, "the held sends are dropped")
    first_run = Counter(call.status for call in fake.calls_of("sendMessage"))
    assert first_run[200] == BEFORE_KILL and first_run[499] >= 1 and set(first_run) == {200, 499}
    assert sum(1 for user_id in ids if fake.messages(user_id)) == BEFORE_KILL
    rerun = await asyncio.to_thread(
        subprocess.run, run_due, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert rerun.returncode == 0, rerun.stderr
    report = json.loads(rerun.stdout.strip().splitlines()[-1])
    assert report["queued"] == 0  # the prompts were queued by the first run; the sweep adds nothing
    assert report["sent"] == EMPLOYEES - BEFORE_KILL and report["failed"] == 0

    prompts = Counter()
    for user_id in ids:
        messages = fake.messages(user_id)
        prompts[len(messages)] += 1
        assert all("check-in van week 48" in message.plain_text for message in messages)
    assert prompts == {1: EMPLOYEES}  # everyone exactly once: none lost, none twice
    accepted = Counter(call.chat_id for call in fake.calls_of("sendMessage") if call.status == 200)
    assert set(accepted) == set(ids) and set(accepted.values()) == {1}
    assert await asyncio.to_thread(_sent_rows, url) == EMPLOYEES
