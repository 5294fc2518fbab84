"""Employer sweep benchmark: how long `bot.outgoing.employer_notices.sweep` takes for a large book of employers.

Run from the project folder::

    python bench/employer_sweep.py [--employers 500] [--per-employer 20]

What it does:

1. Creates a temporary SQLite database, applies the migrations and bulk-inserts (set-up, not measured) one
   coach, `--employers` employers with one registered contact each (joined 60 days ago) and `--per-employer`
   active employees each, whose first days of sickness are spread over 250 to 740 days ago (so some of their
   deadline reminders are due), with a submitted check-in for each of the last 5 ISO weeks (one in ten reports
   a work trial this week) and, for one in ten, a phase change yesterday.
2. Measures `busy_s`: the sweep at Tuesday 1 December 2026 09:00 (Amsterdam), the first working day of the
   month, when the monthly summaries, the phase changes, work trials and the due deadline reminders are all
   queued at once (`busy_queued` messages).
3. Measures `steady_s`: the same sweep one minute later, when everything is already queued and nothing new is
   due — the cost the bot pays every `SWEEP_INTERVAL_S` (`steady_queued` must be 0).
4. Measures `quiet_s`: the sweep on an ordinary Wednesday afternoon.

The last line of the output is one JSON object with the numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, insert

from bot.core.clock import ManualClock
from bot.core.context import Work
from bot.outgoing import employer_notices
from bot.rules.schedule import Week
from storage import crypto
from storage.db import Database
from storage.migrate import upgrade
from storage.models import CheckIn, Coach, Employee, Employer, EmployerContact, PhaseChange

TIMEZONE = "Europe/Amsterdam"
BUSY = datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo(TIMEZONE))  # Tuesday: the month's first working day
QUIET = datetime(2026, 12, 2, 14, 0, tzinfo=ZoneInfo(TIMEZONE))


def make_database(url: str, employers: int, per_employer: int) -> int:
    """The set-up (blocking); returns the number of employees."""
    upgrade(url)
    now = BUSY.astimezone(UTC)
    long_ago = now - timedelta(days=120)
    engine = create_engine(url.replace("+aiosqlite", ""))
    try:
        with engine.begin() as connection:
            coach_id = connection.execute(
                insert(Coach).values(name="Bench Coach", created_at=long_ago, registered_at=long_ago)
            ).inserted_primary_key[0]
            connection.execute(
                insert(Employer), [{"name": f"Werkgever {n}", "created_at": long_ago} for n in range(employers)]
            )
            connection.execute(
                insert(EmployerContact),
                [
                    {"employer_id": n + 1, "name": f"Contact {n}", "telegram_user_id": 900_000 + n, "language": "nl",
                     "invited_by_coach_id": coach_id, "created_at": long_ago, "registered_at": now - timedelta(days=60)}
                    for n in range(employers)
                ],
            )  # fmt: skip
            employees = []
            for n in range(employers * per_employer):
                sick = BUSY.date() - timedelta(days=250 + n % 490)
                track2 = sick + timedelta(days=300)
                employees.append(
                    {"name": f"Werknemer {n}", "coach_id": coach_id, "employer_id": n % employers + 1,
                     "telegram_user_id": 100_000 + n, "first_sick_day": sick, "track2_start": track2,
                     "phase": "active_search", "status": "active", "created_at": long_ago, "registered_at": long_ago}
                )  # fmt: skip
            connection.execute(insert(Employee), employees)
            weeks = [Week.of(BUSY.date())]
            for _ in range(4):
                weeks.insert(0, weeks[0].previous())
            checkins = [
                {"employee_id": e + 1, "iso_year": w.year, "iso_week": w.week, "applications": 2, "interviews": 1,
                 "networking": 3, "activities": ["work_trial"] if e % 10 == 0 and w == weeks[-1] else ["course"],
                 "energy": 5,
                 "created_at": long_ago, "updated_at": long_ago, "submitted_at": now - timedelta(days=1)}
                for e in range(len(employees))
                for w in weeks
            ]  # fmt: skip
            connection.execute(insert(CheckIn), checkins)
            changes = [
                {"employee_id": e + 1, "phase": "completion", "changed_at": now - timedelta(days=1)}
                for e in range(0, len(employees), 10)
            ]
            connection.execute(insert(PhaseChange), changes)
    finally:
        engine.dispose()
    return len(employees)


async def timed_sweep(db: Database, moment: datetime) -> tuple[float, int]:
    started = time.perf_counter()
    async with db.session() as session:
        queued = await employer_notices.sweep(Work(session, ManualClock(moment), "BenchBot", TIMEZONE))
    return time.perf_counter() - started, queued


async def measure(url: str) -> dict:
    db = Database(url)
    try:
        busy_s, busy_queued = await timed_sweep(db, BUSY)
        steady_s, steady_queued = await timed_sweep(db, BUSY + timedelta(minutes=1))
        quiet_s, quiet_queued = await timed_sweep(db, QUIET)
    finally:
        await db.dispose()
    return {
        "busy_s": round(busy_s, 3), "busy_queued": busy_queued,
        "steady_s": round(steady_s, 3), "steady_queued": steady_queued,
        "quiet_s": round(quiet_s, 3), "quiet_queued": quiet_queued,
    }  # fmt: skip


def main() -> None:
    crypto.install(crypto.KeyRing.generated())  # a throwaway database: its own key (ENCRYPTION_KEY is not needed)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employers", type=int, default=500)
    parser.add_argument("--per-employer", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="spoorzoeker-bench-") as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        started = time.perf_counter()
        employees = make_database(url, args.employers, args.per_employer)
        print(f"set-up: {employees} employees, {args.employers} contacts in {time.perf_counter() - started:.1f} s")
        result = {"employers": args.employers, "contacts": args.employers, "employees": employees}
        result.update(asyncio.run(measure(url)))
    for key, value in result.items():
        print(f"{key:>14}: {value}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
