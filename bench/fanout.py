"""Fan-out benchmark: N employees whose weekly prompt falls due at the same moment.

Run from the project folder::

    python bench/fanout.py [--employees 10000] [--limit 200] [--workers 8] [--profile drain.prof]

What it does:

1. Starts the project's fake Bot API server (`bot.sandbox.fake_telegram.FakeTelegram`) on 127.0.0.1 in a process of
   its own (Telegram is another machine, not a task competing with the bot for its event loop and CPU), with a
   global limit of `--limit` messages per sliding second and one per second per chat, like Telegram's flood
   control, and one simulated user per employee (chat id = user id).
2. Creates a temporary SQLite database, applies the migrations and bulk-inserts one coach, one employer and
   N active employees who all chose Monday 10:00 (Europe/Amsterdam) and joined a week before (set-up, not
   measured).
3. Measures `prepare_s`: `bot.jobs.sweep_once` at Monday 10:05 finding and queueing the N prompts.
4. Measures `send_s`: `Delivery.drain()` sending the outbox through the fake server at `rate_per_s=--limit`.
5. Checks the result from the fake server's own records: `duplicates` (employees with more than one message),
   `lost` (employees with none), `http_429`, and the busiest sliding second it saw (`max_per_window`).
   `send_rate_per_s` is the messages Telegram accepted divided by `send_s` (start-up and tail included);
   `cpu_ms_per_message` is the bot process's CPU time per message while sending, `load_average` the machine's.

The last line of the output is one JSON object with the numbers. The product's goal: `send_rate_per_s`
within 5% of `limit_per_s` (`ratio` >= 0.95) with zero 429s, duplicates and losses.

`make_database` and the constants are also used by `tests/test_fanout_e2e.py`.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import multiprocessing
import os
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from datetime import time as time_of_day
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, func, insert, select
from telegram import Bot

from bot.core.clock import ManualClock
from bot.jobs import sweep_once
from bot.outgoing.delivery import Delivery
from bot.sandbox.fake_telegram import FakeTelegram
from bot.sandbox.offline import SANDBOX_TOKEN
from content.texts import texts
from storage import crypto
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Coach, Employee, Employer, Outbox

TIMEZONE = "Europe/Amsterdam"
# Every employee's check-in is on Monday at 10:00; the benchmark runs at Monday 23 November 2026, 10:05
# (ISO week 48, winter time), when the weekly prompt of week 48 is due for all of them at once.
CHECKIN_WEEKDAY = 0
CHECKIN_TIME = time_of_day(10, 0)
MOMENT = datetime(2026, 11, 23, 10, 5, tzinfo=ZoneInfo(TIMEZONE))
FIRST_USER_ID = 5_000_001  # telegram user id (= chat id) of the first employee


def user_ids(employees: int) -> list[int]:
    """The Telegram user ids of the benchmark's employees, in insertion order."""
    return list(range(FIRST_USER_ID, FIRST_USER_ID + employees))


def make_database(database_url: str, employees: int, moment: datetime = MOMENT) -> list[int]:
    """Migrate the database at `database_url` and insert one coach, one employer and `employees` active
    employees whose weekly prompt is due at `moment` (which must be a Monday after 10:00, Amsterdam time).
    Blocking: call it outside the event loop (or through `asyncio.to_thread`). Returns their user ids."""
    upgrade(database_url)
    joined = moment.astimezone(UTC) - timedelta(days=7)  # after last week's prompt: only this week's is due
    sick_day = (moment - timedelta(days=400)).date()  # sickness week 58: Track 2 running, before week 87
    engine = create_engine(database_url.replace("+aiosqlite", ""))
    ids = user_ids(employees)
    try:
        with engine.begin() as connection:
            coach_id = connection.execute(
                insert(Coach).values(name="Bench Coach", language="nl", timezone=TIMEZONE, digest_weekday=0,
                                     digest_time=time_of_day(8, 0), created_at=joined, registered_at=joined)
            ).inserted_primary_key[0]  # fmt: skip
            employer_id = connection.execute(
                insert(Employer).values(name="Bench BV", created_at=joined)
            ).inserted_primary_key[0]
            rows = [
                {
                    "name": f"Werknemer {number}",
                    "coach_id": coach_id,
                    "employer_id": employer_id,
                    "telegram_user_id": user_id,
                    "language": "nl",
                    "timezone": TIMEZONE,
                    "checkin_weekday": CHECKIN_WEEKDAY,
                    "checkin_time": CHECKIN_TIME,
                    "first_sick_day": sick_day,
                    "track2_start": sick_day + timedelta(days=365),
                    "phase": "active_search",
                    "status": "active",
                    "created_at": joined,
                    "registered_at": joined,
                    "share_reflections": False,
                }
                for number, user_id in enumerate(ids, start=1)
            ]
            connection.execute(insert(Employee), rows)
    finally:
        engine.dispose()
    return ids


def outbox_status(database_url: str) -> dict[str, int]:
    """How many outbox rows are in each status (blocking)."""
    engine = create_engine(database_url.replace("+aiosqlite", ""))
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(Outbox.status, func.count()).group_by(Outbox.status)).all()
    finally:
        engine.dispose()
    return {status: count for status, count in rows}


def busiest_second(times: list[float]) -> int:
    """The largest number of `times` (sorted, seconds) within any window of one second."""
    most, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


async def _serve(connection, employees: int, limit: float) -> None:
    fake = FakeTelegram(global_rate_per_s=limit, per_chat_rate_per_s=1)
    await fake.start()
    try:
        ids = user_ids(employees)
        for number, user_id in enumerate(ids, start=1):
            fake.user(user_id, f"Werknemer{number}")
        connection.send(fake.base_url)
        await asyncio.to_thread(connection.recv)  # asked for the report: sending is over
        sends = [call for call in fake.calls if call.method == "sendMessage"]
        received = Counter({user_id: len(fake.messages(user_id)) for user_id in ids})
        connection.send(
            {
                "accepted": sorted(call.time for call in sends if call.status == 200),
                "api_calls": len(sends),
                "sent": sum(received.values()),
                "http_429": fake.http_429,
                "duplicates": sum(1 for count in received.values() if count > 1),
                "lost": sum(1 for count in received.values() if count == 0),
            }
        )
    finally:
        await fake.stop()


def serve_fake_telegram(connection, employees: int, limit: float) -> None:
    """The fake Bot API server's process: send its base URL, serve until asked, then send what it saw."""
    asyncio.run(_serve(connection, employees, limit))


async def run(employees: int, limit: float, workers: int, profile: Path | None = None) -> dict:
    connection, child_end = multiprocessing.Pipe()
    server = multiprocessing.get_context("spawn").Process(
        target=serve_fake_telegram, args=(child_end, employees, limit), daemon=True
    )
    server.start()
    try:
        with tempfile.TemporaryDirectory(prefix="spoorzoeker-fanout-") as folder:
            url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
            started = time.perf_counter()
            await asyncio.to_thread(make_database, url, employees)
            base_url = await asyncio.to_thread(connection.recv)
            print(f"set-up: {employees} employees in {time.perf_counter() - started:.1f} s", flush=True)

            db = Database(url)
            clock = ManualClock(MOMENT)
            try:
                async with Bot(SANDBOX_TOKEN, base_url=base_url) as bot:
                    started = time.perf_counter()
                    swept = await sweep_once(db, clock, bot.username, TIMEZONE)
                    prepare_s = time.perf_counter() - started
                    print(f"prepare: queued {swept.queued} prompts in {prepare_s:.2f} s", flush=True)

                    delivery = Delivery(
                        db, bot, clock, texts(), rate_per_s=limit, workers=workers,
                        bot_username=bot.username, timezone=TIMEZONE,
                    )  # fmt: skip
                    profiler = cProfile.Profile() if profile else None
                    started, cpu_started = time.perf_counter(), time.process_time()
                    if profiler:
                        profiler.enable()
                    stats = await delivery.drain()
                    if profiler:
                        profiler.disable()
                        profiler.dump_stats(profile)
                    send_s, send_cpu_s = time.perf_counter() - started, time.process_time() - cpu_started
            finally:
                await db.dispose()
            statuses = await asyncio.to_thread(outbox_status, url)
        connection.send("report")
        seen = await asyncio.to_thread(connection.recv)
    finally:
        server.join(timeout=10)
        if server.is_alive():
            server.kill()

    accepted = seen["accepted"]
    send_rate = len(accepted) / send_s if send_s else 0.0
    steady = (len(accepted) - 1) / (accepted[-1] - accepted[0]) if len(accepted) > 1 else 0.0
    return {
        "employees": employees,
        "queued": swept.queued,
        "prepare_s": round(prepare_s, 3),
        "send_s": round(send_s, 3),
        "sent": seen["sent"],
        "send_rate_per_s": round(send_rate, 1),
        "limit_per_s": limit,
        "ratio": round(send_rate / limit, 3),
        "steady_rate_per_s": round(steady, 1),  # first to last accepted send, without the ramp
        "max_per_window": busiest_second(accepted),  # the busiest sliding second at the server
        "http_429": seen["http_429"],
        "duplicates": seen["duplicates"],
        "lost": seen["lost"],
        "api_calls": seen["api_calls"],
        "workers": workers,
        # CPU the bot's process spent per message while sending, and the machine's load: on a busy machine the
        # bot gets too little CPU to keep up with the limit, whatever the limiter does
        "cpu_ms_per_message": round(1000 * send_cpu_s / max(len(accepted), 1), 2),
        "load_average": round(os.getloadavg()[0], 1),
        "outbox": statuses,
        "delivery": vars(stats),
    }


def main(argv: list[str] | None = None) -> int:
    crypto.install(crypto.KeyRing.generated())  # a throwaway database: its own key (ENCRYPTION_KEY is not needed)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--employees", type=int, default=10_000, help="how many employees (default 10000)")
    parser.add_argument("--limit", type=float, default=200, help="messages per second, bot and server (200)")
    parser.add_argument("--workers", type=int, default=8, help="Delivery's sending workers (default 8)")
    parser.add_argument("--profile", type=Path, help="write a cProfile of the sending phase to this file")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    result = asyncio.run(run(args.employees, args.limit, args.workers, args.profile))
    result["total_s"] = round(time.perf_counter() - started, 1)
    met = result["ratio"] >= 0.95 and not (result["http_429"] or result["duplicates"] or result["lost"])
    result["goal_met"] = met
    print(
        f"send: {result['sent']} messages in {result['send_s']:.1f} s = {result['send_rate_per_s']:.1f}/s "
        f"of {args.limit:g}/s allowed ({result['ratio']:.1%}); busiest second at the server: "
        f"{result['max_per_window']}"
    )
    print(
        f"check: {result['http_429']} x 429, {result['duplicates']} duplicates, {result['lost']} lost; "
        f"outbox {result['outbox']}"
    )
    print(f"goal (>= 95% of the limit, no 429, no duplicates, none lost): {'met' if met else 'MISSED'}")
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
