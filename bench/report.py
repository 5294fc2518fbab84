"""Coach benchmark: one coach's weekly digest and one client's 104-week dossier report (PDF).

Run from the project folder::

    python bench/report.py [--clients 40] [--weeks 104] [--runs 5] [--profile report.prof] [--out DIR]

What it does:

1. Creates a temporary SQLite database, applies the migrations and bulk-inserts one coach with `--clients`
   clients, each with `--weeks` weeks of history before Monday 23 November 2026: a check-in for most weeks
   (counts, activities, energy, a committed step and its follow-through, a note, a reflection), some missed and
   paused weeks, logged job applications with statuses, phase changes and coach notes (set-up, not measured).
2. Measures `digest_s`: `bot.outgoing.digest.build` for the coach (the caseload queries, the flags and the chart PNG).
3. Measures `report_pdf_s`: `bot.views.report.pdf` for one client, dossier variant, over all `--weeks` weeks
   (queries, charts, the HTML template and WeasyPrint).
4. Repeats both `--runs` times after one warm-up run (imports, font loading and template compilation happen
   once per process, so they are reported separately as `*_first_s`) and reports the medians of the wall time
   (`digest_s`, `report_pdf_s`) and of this process's CPU time (`*_cpu_s`, which other load on the machine
   disturbs less), with the 1-minute load average at the end.

The last line of the output is one JSON object with the numbers. The goal: digest under 0.5 s and report under
2 s on a 2-core machine. `make_caseload` is also used to look at the report by eye (`--out` writes both variants).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from datetime import time as time_of_day
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, insert  # noqa: E402

from bot import report  # noqa: E402
from bot.core.clock import ManualClock  # noqa: E402
from bot.core.context import Work  # noqa: E402
from bot.rules.checkin import ACTIVITIES  # noqa: E402
from bot.rules.schedule import Week  # noqa: E402
from storage import queries  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import (  # noqa: E402
    CheckIn,
    Coach,
    CoachNote,
    Employee,
    Employer,
    JobApplication,
    Pause,
    PhaseChange,
)

TIMEZONE = "Europe/Amsterdam"
MOMENT = datetime(2026, 11, 23, 10, 5, tzinfo=ZoneInfo(TIMEZONE))  # Monday, ISO week 48
COMPANIES = ("Gemeente Utrecht", "Albert Heijn", "Rabobank", "ProRail", "Sanquin", "Coolblue", "Randstad", "Bol")
ROLES = ("administratief medewerker", "klantadviseur", "planner", "magazijnmedewerker", "receptionist")
CHANNELS = ("website", "email", "letter", "network", "agency", "other")
STATUSES = ("applied", "interview", "offer", "rejected", "no_answer", "withdrawn")
EMPTY_CHECKIN = dict.fromkeys(
    (
        "submitted_at",
        "missed_at",
        "paused_reason",
        "applications",
        "interviews",
        "networking",
        "energy",
        "activities",
        "note",
        "reflection",
        "next_step",
        "step_result",
    )
)  # every row of a bulk insert has the same columns


def make_caseload(database_url: str, clients: int = 40, weeks: int = 104, moment: datetime = MOMENT) -> list[int]:
    """Migrate the database and insert one coach with `clients` clients, each with `weeks` weeks of history up
    to the week before `moment`. Deterministic (seeded). Blocking. Returns the employee ids."""
    upgrade(database_url)
    rng = random.Random(48)
    now = moment.astimezone(UTC)
    this_week = Week.of(moment.date())
    first_week = Week.of(this_week.monday() - timedelta(weeks=weeks))
    engine = create_engine(database_url.replace("+aiosqlite", ""))
    try:
        with engine.begin() as connection:
            coach_id = connection.execute(
                insert(Coach).values(name="Sanne de Vries", telegram_user_id=900_001, language="nl", timezone=TIMEZONE,
                                     digest_weekday=0, digest_time=time_of_day(8, 0), created_at=now,
                                     registered_at=now - timedelta(weeks=weeks + 1))
            ).inserted_primary_key[0]  # fmt: skip
            employer_ids = [
                connection.execute(insert(Employer).values(name=name, created_at=now)).inserted_primary_key[0]
                for name in ("Bakkerij De Korenschoof", "Gemeente Utrecht", "Zorggroep Rivierenland")
            ]
            joined = datetime.combine(first_week.monday(), time_of_day(9, 0), ZoneInfo(TIMEZONE)).astimezone(UTC)
            ids = []
            for number in range(clients):
                first_sick_day = first_week.monday() - timedelta(days=rng.randint(0, 60))
                ids.append(
                    connection.execute(
                        insert(Employee).values(
                            name=f"Werknemer {number + 1:02d}", coach_id=coach_id,
                            employer_id=employer_ids[number % len(employer_ids)], telegram_user_id=910_000 + number,
                            language="nl", timezone=TIMEZONE, checkin_weekday=4, checkin_time=time_of_day(10, 0),
                            first_sick_day=first_sick_day, track2_start=first_week.monday(), phase="active_search",
                            status="active", created_at=joined, registered_at=joined,
                            share_reflections=number % 2 == 0, values=["samenwerken", "zekerheid"],
                        )
                    ).inserted_primary_key[0]
                )  # fmt: skip
            checkins, applications, pauses, notes, phases = [], [], [], [], []
            for employee_id in ids:
                phases += [
                    {"employee_id": employee_id, "phase": phase, "coach_id": coach_id,
                     "changed_at": joined + timedelta(weeks=offset)}
                    for phase, offset in (("intake", 0), ("orientation", 5), ("active_search", 11))
                ]  # fmt: skip
                pause_weeks = {}
                for start in rng.sample(range(4, weeks - 4), 2):
                    length, reason = rng.randint(1, 2), rng.choice(("holiday", "treatment", "other"))
                    pause_weeks.update(dict.fromkeys(range(start, start + length), reason))
                    monday = first_week.monday() + timedelta(weeks=start)
                    pauses.append({"employee_id": employee_id, "start": monday, "reason": reason, "created_at": now,
                                   "until": monday + timedelta(weeks=length, days=-1)})  # fmt: skip
                for offset in range(weeks):
                    week = Week.of(first_week.monday() + timedelta(weeks=offset))
                    at = datetime.combine(week.monday() + timedelta(days=4), time_of_day(10, 30), ZoneInfo(TIMEZONE))
                    at = at.astimezone(UTC)
                    row = {**EMPTY_CHECKIN, "employee_id": employee_id, "iso_year": week.year, "iso_week": week.week,
                           "created_at": at, "updated_at": at}  # fmt: skip
                    if offset in pause_weeks:
                        checkins.append({**row, "paused_reason": pause_weeks[offset]})
                        continue
                    if rng.random() < 0.08:
                        checkins.append({**row, "missed_at": at + timedelta(days=7)})
                        continue
                    sent = rng.choice((0, 1, 1, 2, 2, 3, 4))
                    checkins.append({
                        **row, "submitted_at": at, "applications": sent, "interviews": rng.choice((0, 0, 0, 1)),
                        "networking": rng.randint(0, 4), "energy": rng.randint(2, 9),
                        "activities": rng.sample(ACTIVITIES, rng.randint(0, 2)),
                        "note": "Het ging deze week redelijk.",
                        "reflection": "Ik merk dat afwijzingen minder hard aankomen.",
                        "next_step": "Twee vacatures bekijken",
                        "step_result": rng.choice(("done", "done", "partly", "not")),
                    })  # fmt: skip
                    for _ in range(sent):
                        day = week.monday() + timedelta(days=rng.randint(0, 4))
                        applications.append({
                            "employee_id": employee_id, "company": rng.choice(COMPANIES), "role": rng.choice(ROLES),
                            "applied_on": day, "channel": rng.choice(CHANNELS), "status": rng.choice(STATUSES),
                            "created_at": at, "updated_at": at,
                        })  # fmt: skip
                for offset in range(0, weeks, 6):
                    notes.append({"employee_id": employee_id, "coach_id": coach_id, "for_file": offset % 12 == 0,
                                  "text": f"Voortgangsgesprek gevoerd; afspraken gemaakt (week {offset}).",
                                  "created_at": joined + timedelta(weeks=offset, days=2)})  # fmt: skip
            connection.execute(insert(CheckIn), checkins)
            connection.execute(insert(JobApplication), applications)
            connection.execute(insert(Pause), pauses)
            connection.execute(insert(CoachNote), notes)
            connection.execute(insert(PhaseChange), phases)
    finally:
        engine.dispose()
    return ids


async def _digest_once(db: Database, clock: ManualClock, errors: list[str]) -> float:
    """One coach's digest, chart included (`bot.outgoing.digest.build`). Should `build` fail (e.g. while its template is
    being written), the parts that work are measured instead: the caseload, its summary and the chart."""
    from bot.outgoing import digest
    from bot.views import caseload

    async with db.session() as session:
        work = Work(session, clock, "SpoorzoekerBot", TIMEZONE)
        coach = await queries.get(session, Coach, 1)
        started, cpu = time.perf_counter(), time.process_time()
        try:
            built = await digest.build(work, coach)
            assert built.chart.photo, "the digest has a chart"
        except Exception as error:  # noqa: BLE001 - reported in the JSON line, not hidden
            errors.append(f"{type(error).__name__}: {error}")
            started, cpu = time.perf_counter(), time.process_time()
            loaded = await caseload.load(work, coach)
            digest.summary(loaded)
            await asyncio.to_thread(digest.chart, work, loaded)
        return time.perf_counter() - started, time.process_time() - cpu


async def _report_once(db: Database, clock: ManualClock, employee_id: int, weeks: int, variant: str = "dossier"):
    async with db.session() as session:
        work = Work(session, clock, "SpoorzoekerBot", TIMEZONE)
        employee = await queries.get(session, Employee, employee_id)
        today = MOMENT.date()
        period = report.Period(today - timedelta(weeks=weeks), today - timedelta(days=1))
        started, cpu = time.perf_counter(), time.process_time()
        made = await report.pdf(work, employee, period, variant, "nl")
        elapsed = (time.perf_counter() - started, time.process_time() - cpu)
    assert made.startswith(b"%PDF")
    return elapsed, made, employee, period


async def run(clients: int, weeks: int, runs: int, profile: Path | None, out: Path | None) -> dict:
    with tempfile.TemporaryDirectory(prefix="spoorzoeker-report-") as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        started = time.perf_counter()
        ids = await asyncio.to_thread(make_caseload, url, clients, weeks)
        print(f"set-up: {clients} clients x {weeks} weeks in {time.perf_counter() - started:.1f} s", flush=True)
        db = Database(url)
        clock = ManualClock(MOMENT)
        try:
            digest_errors: list[str] = []
            digest_first = await _digest_once(db, clock, digest_errors)
            report_first, made, employee, period = await _report_once(db, clock, ids[0], weeks)
            first = f"digest {digest_first[0]:.2f} s, report {report_first[0]:.2f} s"
            print(f"first run (imports, fonts, templates): {first}")
            if out is not None:
                out.mkdir(parents=True, exist_ok=True)
                for variant in report.VARIANTS:
                    _, pdf_bytes, _, _ = await _report_once(db, clock, ids[0], weeks, variant)
                    (out / report.filename(employee, variant, period, "pdf")).write_bytes(pdf_bytes)
                print(f"wrote both variants to {out}")
            profiler = cProfile.Profile() if profile else None
            digests, reports = [], []
            for _ in range(runs):
                digests.append(await _digest_once(db, clock, digest_errors))
                if profiler:
                    profiler.enable()
                reports.append((await _report_once(db, clock, ids[0], weeks))[0])
                if profiler:
                    profiler.disable()
            if profiler:
                profiler.dump_stats(profile)
        finally:
            await db.dispose()

    def median(pairs: list[tuple[float, float]], which: int) -> float:
        return round(statistics.median(pair[which] for pair in pairs), 3)

    return {
        "clients": clients,
        "weeks": weeks,
        "runs": runs,
        "digest_s": median(digests, 0),
        "report_pdf_s": median(reports, 0),
        "digest_cpu_s": median(digests, 1),  # CPU time of this process: less disturbed by other load
        "report_pdf_cpu_s": median(reports, 1),
        "digest_runs_s": [round(wall, 3) for wall, _ in digests],
        "report_runs_s": [round(wall, 3) for wall, _ in reports],
        "digest_first_s": round(digest_first[0], 3),
        "report_pdf_first_s": round(report_first[0], 3),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "report_pdf_bytes": len(made),
        "digest_measured": "bot.outgoing.digest.build"
        if not digest_errors
        else "caseload+summary+chart (build failed)",
        "digest_error": digest_errors[0] if digest_errors else None,
        "goal": {"digest_s": 0.5, "report_pdf_s": 2.0},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=40)
    parser.add_argument("--weeks", type=int, default=104)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", type=Path, help="write a cProfile of the report runs here")
    parser.add_argument("--out", type=Path, help="also write both report variants (PDF) to this folder")
    args = parser.parse_args()
    result = asyncio.run(run(args.clients, args.weeks, args.runs, args.profile, args.out))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
