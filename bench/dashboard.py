"""Dashboard benchmark: the server time of the caseload page for 40 clients and of the client page of a client
with 104 weeks of history.

Run from the project folder::

    python bench/dashboard.py [--clients 40] [--weeks 104] [--runs 20] [--profile /tmp/dashboard.prof]
    python bench/dashboard.py --database postgresql+asyncpg://postgres@127.0.0.1:5432/postgres

What it does:

1. Creates a temporary SQLite database (or, with `--database URL` of a PostgreSQL server, a new database there,
   dropped afterwards), applies the migrations and inserts what `bench/report.py` uses (set-up, not measured):
   one coach with `--clients` clients, each with `--weeks` weeks of check-ins (counts, energy, steps and their
   follow-through, reflections, missed and paused weeks), applications, phase changes and notes
   (`insert_caseload`); the first client also gets a full trajectory through the storage functions
   (`add_full_trajectory`: five plan versions with five search directions and ten interventions, twenty
   evaluations, 200 applications over the directions with proofs, the poortwachter steps).
2. Starts the real bot against the fake Bot API server with the dashboard on a free port (the offline sandbox),
   signs the coach in with a single-use link (`bot.flows.dashboard_signin`, posted over HTTP as a browser does)
   and asks `GET /dashboard/caseload`, `GET /dashboard/client/<first client>` and `GET /dashboard/deadlines`
   over real HTTP on 127.0.0.1, one warm-up (`first_ms`: templates compiled, caches filled) and `--runs` times
   each, one request at a time.
3. Per page: the status, the median and p95 of the answer time (`median_ms`, `p95_ms`: request sent to the whole
   body read, client and server in this one process, so it slightly overstates the server's share), this
   process's CPU time per request (`cpu_median_ms`), the SQL statements of one request (`queries`) and the size.

The last line of the output is one JSON object with the numbers. The goal (issue 15): the caseload and the
client page each under 200 ms (`p95_ms`, and so the median too) on a 2-core machine; the deadlines page is
measured for information.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import math
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402
from cryptography.fernet import Fernet  # noqa: E402
from sqlalchemy import event  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine  # noqa: E402

from bench.fanout import bench_database  # noqa: E402
from bench.report import MOMENT, add_full_trajectory, insert_caseload, make_caseload  # noqa: E402
from bot.core.clock import ManualClock  # noqa: E402
from bot.core.context import Work  # noqa: E402
from bot.flows import dashboard_signin  # noqa: E402
from bot.sandbox.offline import sandbox  # noqa: E402
from storage import crypto  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402

COACH_USER = 900_001  # insert_caseload's coach
GOAL_MS = 200
MEASURED = ("caseload", "client")  # the pages the goal is about; the others are for information


async def fill(url: str, clients: int, weeks: int) -> list[int]:
    """The caseload and the full trajectory of its first client (see the module's docstring). The employee ids."""
    if url.startswith("sqlite"):
        ids = await asyncio.to_thread(make_caseload, url, clients, weeks, MOMENT, (0,))
    else:
        await asyncio.to_thread(upgrade, url)
        engine = create_async_engine(url)
        try:
            async with engine.begin() as connection:
                ids = await connection.run_sync(insert_caseload, clients, weeks, MOMENT, (0,))
        finally:
            await engine.dispose()
    db = Database(url)
    try:
        await add_full_trajectory(db, ids[0])
    finally:
        await db.dispose()
    return ids


async def sign_in(box, http: httpx.AsyncClient) -> None:
    """The coach's session cookie on `http`: a link as `/dashboard` makes it, posted as its page does."""
    async with box.db.session() as session:
        work = Work(session, box.clock, box.fake.bot_username, box.settings.default_timezone)
        person = await dashboard_signin.dashboard_person(work, COACH_USER)
        token = await dashboard_signin.new_link(work, person)
    answer = await http.post("/dashboard/in", data={"token": token})
    if answer.status_code != 303:
        raise SystemExit(f"sign-in failed: {answer.status_code} {answer.text[:200]}")


def nearest_rank(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


async def measure(http: httpx.AsyncClient, engine, path: str, runs: int, profiler: cProfile.Profile | None) -> dict:
    """One warm-up and `runs` timed requests of `path`, one at a time."""
    statements = []

    def count(*_args) -> None:
        statements.append(1)

    started = time.perf_counter()
    first = await http.get(path)
    first_ms = (time.perf_counter() - started) * 1000
    figures: dict = {"path": path, "status": first.status_code, "bytes": len(first.content)}
    if first.status_code != 200:
        figures["error"] = first.text[:300]
        return figures
    walls, cpus = [], []
    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        await http.get(path)
        figures["queries"] = len(statements)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    for _ in range(runs):
        if profiler:
            profiler.enable()
        started, cpu = time.perf_counter(), time.process_time()
        answer = await http.get(path)
        walls.append((time.perf_counter() - started) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
        if profiler:
            profiler.disable()
        assert answer.status_code == 200, answer.status_code
    figures.update(
        first_ms=round(first_ms, 1),
        median_ms=round(statistics.median(walls), 1),
        p95_ms=round(nearest_rank(walls, 0.95), 1),
        max_ms=round(max(walls), 1),
        cpu_median_ms=round(statistics.median(cpus), 1),
    )
    return figures


async def run(clients: int, weeks: int, runs: int, database: str | None, profile: Path | None) -> dict:
    async with bench_database(database) as url:
        started = time.perf_counter()
        ids = await fill(url, clients, weeks)
        print(f"set-up: {clients} clients x {weeks} weeks in {time.perf_counter() - started:.1f} s", flush=True)
        async with (
            sandbox(clock=ManualClock(MOMENT), database_url=url, dashboard_port=0) as box,
            box.bot_running() as app,
            httpx.AsyncClient(base_url=box.dashboard_url, timeout=30) as http,
        ):
            engine = app.bot_data["runtime"].db.engine
            await sign_in(box, http)
            paths = {
                "caseload": "/dashboard/caseload",
                "client": f"/dashboard/client/{ids[0]}",
                "deadlines": "/dashboard/deadlines",
            }
            pages = {}
            for name, path in paths.items():
                profiler = cProfile.Profile() if profile else None
                pages[name] = await measure(http, engine, path, runs, profiler)
                if profiler:
                    profiler.dump_stats(profile.with_name(f"{profile.stem}-{name}{profile.suffix}"))
    met = all(pages[name].get("p95_ms", math.inf) < GOAL_MS for name in MEASURED)
    return {
        "clients": clients,
        "weeks": weeks,
        "runs": runs,
        "database": "sqlite" if not database else "postgresql",
        "pages": pages,
        "goal_ms": GOAL_MS,
        "goal_met": met,
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def main(argv: list[str] | None = None) -> int:
    # a throwaway database: its own key, also for the bot the sandbox starts (it reads ENCRYPTION_KEY)
    key = Fernet.generate_key().decode("ascii")
    os.environ["ENCRYPTION_KEY"] = key
    crypto.install(crypto.KeyRing.from_setting(key))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=40, help="the coach's clients (default 40)")
    parser.add_argument("--weeks", type=int, default=104, help="weeks of history of every client (default 104)")
    parser.add_argument("--runs", type=int, default=20, help="timed requests per page (default 20)")
    parser.add_argument("--database", help="a PostgreSQL server URL (postgresql+asyncpg://...; default: SQLite)")
    parser.add_argument("--profile", type=Path, help="cProfile of each page's timed requests: X.prof -> X-<page>.prof")
    args = parser.parse_args(argv)
    result = asyncio.run(run(args.clients, args.weeks, args.runs, args.database, args.profile))
    for name, figures in result["pages"].items():
        if "median_ms" in figures:
            print(
                f"{name}: median {figures['median_ms']} ms, p95 {figures['p95_ms']} ms, first {figures['first_ms']} "
                f"ms, {figures['queries']} queries, {figures['bytes'] // 1024} KiB"
            )
        else:
            print(f"{name}: answered {figures['status']} ({figures.get('error', '')[:80]!r})")
    print(f"goal (caseload and client page p95 < {GOAL_MS} ms): {'met' if result['goal_met'] else 'MISSED'}")
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
