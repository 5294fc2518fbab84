"""Fan-out benchmark: N employees whose weekly prompt falls due at the same moment.

Run from the project folder::

    python bench/fanout.py [--employees 10000] [--limit 200] [--workers 8] [--profile drain.prof]
    python bench/fanout.py --instances 2 --database postgresql+asyncpg://postgres@127.0.0.1:5432/postgres

What it does:

1. Starts the project's fake Bot API server (`bot.sandbox.fake_telegram.FakeTelegram`) on 127.0.0.1 in a process of
   its own (Telegram is another machine, not a task competing with the bot for its event loop and CPU), with a
   global limit of `--limit` messages per sliding second and one per second per chat, like Telegram's flood
   control, and one simulated user per employee (chat id = user id).
2. Creates a temporary SQLite database (or, with `--database URL` of a PostgreSQL server, a new database there,
   dropped afterwards), applies the migrations and bulk-inserts one coach, one employer and N active employees
   who all chose Monday 10:00 (Europe/Amsterdam) and joined a week before (set-up, not measured).
3. Measures `prepare_s`: `bot.jobs.sweep_once` at Monday 10:05 finding and queueing the N prompts.
4. Measures `send_s`: `Delivery.drain()` sending the outbox through the fake server at `rate_per_s=--limit`;
   with `--instances N`, N sender processes drain the one database at the same time, each with
   `rate_per_s=--limit` (they share it between them: `SenderShare`), like N instances of the bot.
5. Checks the result from the fake server's own records: `duplicates` (employees with more than one message),
   `lost` (employees with none), `http_429`, and the busiest sliding second it saw (`max_per_window`).
   `send_rate_per_s` is the messages Telegram accepted divided by `send_s` (start-up and tail included);
   `cpu_ms_per_message` is the bot process's CPU time per message while sending, `load_average` the machine's.

The last line of the output is one JSON object with the numbers. The product's goal: `send_rate_per_s`
within 5% of `limit_per_s` (`ratio` >= 0.95) with zero 429s, duplicates and losses.

`make_database`, `outbox_status`, `serve_fake_telegram` and the constants are also used by the tests
(`tests/test_fanout_e2e.py`, `tests/test_instances_pg.py`).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import multiprocessing
import os
import secrets
import sys
import tempfile
import time
from collections import Counter
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from datetime import time as time_of_day
from pathlib import Path
from zoneinfo import ZoneInfo

from cryptography.fernet import Fernet
from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from telegram import Bot

from bot.core.clock import ManualClock
from bot.jobs import sweep_once
from bot.outgoing.delivery import Delivery
from bot.sandbox.fake_telegram import FakeTelegram
from bot.sandbox.offline import SANDBOX_TOKEN
from content.texts import texts
from storage import crypto, queries
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
    return asyncio.run(_insert_people(database_url, employees, moment))


async def _insert_people(database_url: str, employees: int, moment: datetime) -> list[int]:
    joined = moment.astimezone(UTC) - timedelta(days=7)  # after last week's prompt: only this week's is due
    sick_day = (moment - timedelta(days=400)).date()  # sickness week 58: Track 2 running, before week 87
    engine = create_async_engine(database_url)
    ids = user_ids(employees)
    try:
        async with engine.begin() as connection:
            coach_id = (await connection.execute(
                insert(Coach).values(name="Bench Coach", language="nl", timezone=TIMEZONE, digest_weekday=0,
                                     digest_time=time_of_day(8, 0), created_at=joined, registered_at=joined)
            )).inserted_primary_key[0]  # fmt: skip
            employer_id = (
                await connection.execute(insert(Employer).values(name="Bench BV", created_at=joined))
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
            await connection.execute(insert(Employee), rows)
    finally:
        await engine.dispose()
    return ids


def outbox_status(database_url: str) -> dict[str, int]:
    """How many outbox rows are in each status (blocking)."""
    return asyncio.run(_outbox_status(database_url))


async def _outbox_status(database_url: str) -> dict[str, int]:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = (await connection.execute(select(Outbox.status, func.count()).group_by(Outbox.status))).all()
    finally:
        await engine.dispose()
    return {status: count for status, count in rows}


@asynccontextmanager
async def bench_database(server_url: str | None):
    """A database URL for one run: a SQLite file in a temporary folder, or a new database on the PostgreSQL
    server of `server_url` (a role that may CREATE DATABASE), dropped when the block ends."""
    if not server_url:
        with tempfile.TemporaryDirectory(prefix="spoorzoeker-fanout-") as folder:
            yield f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        return
    name = f"bench_{secrets.token_hex(4)}"
    await _admin(server_url, f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        await _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _admin(server_url: str, statement: str) -> None:
    engine = create_async_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


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
        while (command := await asyncio.to_thread(connection.recv)) != "report":  # "report": sending is over
            connection.send(_obey(fake, command))
        sends = [call for call in fake.calls if call.method == "sendMessage"]
        received = Counter({user_id: len(fake.messages(user_id)) for user_id in ids})
        accepted: dict[int, list[float]] = {}
        for call in sends:
            if call.status == 200:
                accepted.setdefault(call.chat_id, []).append(call.time)
        gaps = [b - a for times in accepted.values() for a, b in zip(sorted(times), sorted(times)[1:], strict=False)]
        connection.send(
            {
                "accepted": sorted(call.time for call in sends if call.status == 200),
                "api_calls": len(sends),
                "sent": sum(received.values()),
                "http_429": fake.http_429,
                "duplicates": sum(1 for count in received.values() if count > 1),
                "lost": sum(1 for count in received.values() if count == 0),
                "received": dict(received),  # messages per employee
                "min_chat_gap_s": min(gaps) if gaps else None,  # the shortest time between two sends to one chat
            }
        )
    finally:
        await fake.stop()


def _obey(fake: FakeTelegram, command):
    """The tests' commands to the server process: hold sends after n, release them, or tell how far it is."""
    if command == "release":
        fake.release()
    elif isinstance(command, tuple) and command[0] == "hold":
        fake.hold_sends_after(command[1])
    sends = fake.calls_of("sendMessage")
    return {
        "held": fake.held,
        "accepted": sum(1 for call in sends if call.status == 200),
        "unanswered": sum(1 for call in sends if call.status is None),
        "statuses": dict(Counter(call.status for call in sends)),
    }


def serve_fake_telegram(connection, employees: int, limit: float) -> None:
    """The fake Bot API server's process: send its base URL, answer commands ("state", ("hold", n), "release")
    until "report", then send what it saw."""
    asyncio.run(_serve(connection, employees, limit))


async def _drain(
    url: str, base_url: str, limit: float, workers: int, profile: Path | None = None, connection=None
) -> dict:
    """One sender (one instance's `Delivery`) draining the outbox: its stats, wall and CPU seconds. With
    `connection` (a sender process): set up, say "ready", and start draining at the go."""
    db = Database(url)
    try:
        async with Bot(SANDBOX_TOKEN, base_url=base_url) as bot:
            delivery = Delivery(
                db, bot, ManualClock(MOMENT), texts(), rate_per_s=limit, workers=workers,
                bot_username=bot.username, timezone=TIMEZONE,
            )  # fmt: skip
            async with db.session() as session:  # connected before the go
                await queries.outbox_rows(session, status="failed")
            if connection is not None:
                connection.send("ready")
                await asyncio.to_thread(connection.recv)
            profiler = cProfile.Profile() if profile else None
            started, cpu_started = time.perf_counter(), time.process_time()
            if profiler:
                profiler.enable()
            stats = await delivery.drain()
            if profiler:
                profiler.disable()
                profiler.dump_stats(profile)
            return {
                "stats": vars(stats),
                "send_s": time.perf_counter() - started,
                "cpu_s": time.process_time() - cpu_started,
                "ended_at": time.time(),
            }
    finally:
        await db.dispose()


def drain_in_process(connection, url: str, base_url: str, limit: float, workers: int, key: str) -> None:
    """A sender process (one more instance): set up, wait for the go, drain, send back what `_drain` returns."""
    crypto.install(crypto.KeyRing.from_setting(key))
    connection.send(asyncio.run(_drain(url, base_url, limit, workers, connection=connection)))


async def run(
    employees: int,
    limit: float,
    workers: int,
    profile: Path | None = None,
    instances: int = 1,
    database: str | None = None,
    key: str = "",
) -> dict:
    connection, child_end = multiprocessing.Pipe()
    spawn = multiprocessing.get_context("spawn")
    server = spawn.Process(target=serve_fake_telegram, args=(child_end, employees, limit), daemon=True)
    server.start()
    try:
        async with bench_database(database) as url:
            started = time.perf_counter()
            await asyncio.to_thread(make_database, url, employees)
            base_url = await asyncio.to_thread(connection.recv)
            print(f"set-up: {employees} employees in {time.perf_counter() - started:.1f} s", flush=True)

            db = Database(url)
            try:
                async with Bot(SANDBOX_TOKEN, base_url=base_url) as bot:
                    started = time.perf_counter()
                    swept = await sweep_once(db, ManualClock(MOMENT), bot.username, TIMEZONE)
                    prepare_s = time.perf_counter() - started
                    print(f"prepare: queued {swept.queued} prompts in {prepare_s:.2f} s", flush=True)
            finally:
                await db.dispose()
            if instances == 1:
                drained = [await _drain(url, base_url, limit, workers, profile)]
                send_s = drained[0]["send_s"]
            else:
                drained, send_s = await _drain_in_processes(spawn, instances, url, base_url, limit, workers, key)
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
    stats = Counter()
    for one in drained:
        stats.update(one["stats"])
    return {
        "employees": employees,
        "database": "postgresql" if database else "sqlite",
        "instances": instances,
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
        # CPU the bot's processes spent per message while sending, and the machine's load: on a busy machine the
        # bot gets too little CPU to keep up with the limit, whatever the limiter does
        "cpu_ms_per_message": round(1000 * sum(one["cpu_s"] for one in drained) / max(len(accepted), 1), 2),
        "load_average": round(os.getloadavg()[0], 1),
        "outbox": statuses,
        "delivery": dict(stats),
        "sent_by_instance": [one["stats"]["sent"] for one in drained],
    }


async def _drain_in_processes(spawn, instances: int, url: str, base_url: str, limit: float, workers: int, key: str):
    """`instances` sender processes, started together once all are up; (what each returned, wall seconds)."""
    pipes, processes = [], []
    for _ in range(instances):
        parent, child = spawn.Pipe()
        process = spawn.Process(target=drain_in_process, args=(child, url, base_url, limit, workers, key), daemon=True)
        process.start()
        pipes.append(parent)
        processes.append(process)
    try:
        for pipe in pipes:
            await asyncio.to_thread(pipe.recv)  # "ready": set up and connected
        go = time.time()  # wall-clock time: the same clock in every process on this machine
        for pipe in pipes:
            pipe.send("go")
        drained = [await asyncio.to_thread(pipe.recv) for pipe in pipes]
        return drained, max(one["ended_at"] for one in drained) - go  # to the end of the last drain
    finally:
        for process in processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()


def main(argv: list[str] | None = None) -> int:
    key = Fernet.generate_key().decode("ascii")  # a throwaway database: its own key (ENCRYPTION_KEY is not needed)
    crypto.install(crypto.KeyRing.from_setting(key))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--employees", type=int, default=10_000, help="how many employees (default 10000)")
    parser.add_argument("--limit", type=float, default=200, help="messages per second, bot and server (200)")
    parser.add_argument("--workers", type=int, default=8, help="Delivery's sending workers (default 8)")
    parser.add_argument("--instances", type=int, default=1, help="sender processes on the one database (1)")
    parser.add_argument("--database", help="a PostgreSQL server URL (postgresql+asyncpg://...; default: SQLite)")
    parser.add_argument("--profile", type=Path, help="write a cProfile of the sending phase to this file (1 instance)")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    result = asyncio.run(
        run(args.employees, args.limit, args.workers, args.profile, args.instances, args.database, key)
    )
    result["total_s"] = round(time.perf_counter() - started, 1)
    met = result["ratio"] >= 0.95 and not (result["http_429"] or result["duplicates"] or result["lost"])
    result["goal_met"] = met
    print(
        f"send: {result['sent']} messages in {result['send_s']:.1f} s = {result['send_rate_per_s']:.1f}/s "
        f"of {args.limit:g}/s allowed ({result['ratio']:.1%}) by {args.instances} instance(s), "
        f"busiest second at the server: {result['max_per_window']}"
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
