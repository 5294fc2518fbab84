"""Report benchmark: the coach's weekly digest, the progress and the final report of a 104-week trajectory, the
monthly batch of every client's report, and whether making reports stalls the bot for other users.

Run from the project folder::

    python bench/report.py [--clients 40] [--weeks 104] [--runs 5] [--updates 60] [--quick]
                           [--profile report.prof] [--out DIR]

What it does:

1. Creates a temporary SQLite database, applies the migrations and bulk-inserts one coach with `--clients`
   clients, each with `--weeks` weeks of history before Monday 23 November 2026: a check-in for most weeks
   (counts, activities, energy, a committed step and its follow-through, a note, a reflection), some missed and
   paused weeks, logged job applications with statuses, phase changes and coach notes. The first client gets a
   full trajectory through the storage functions instead (`add_full_trajectory`): five plan versions (the last
   with five search directions and ten interventions, made with `bot.rules.plan.normalise`), twenty evaluations,
   200 applications over the directions with proof on every third, the poortwachter steps that took place, the
   employee's own view with consent, and the outcome "placed". Set-up, not measured.
2. Measures `digest_s` (`bot.outgoing.digest.build`), `report_pdf_s` (the dossier progress report over all
   `--weeks` weeks) and `final_dossier_s` / `final_coach_s` (the final report of the full trajectory, both
   variants): the median of `--runs` runs after one warm-up (reported as `*_first_s`), wall and CPU time.
3. The monthly batch (`bot.report_batch.write_month`, what `spoorzoeker report --all` runs): last month's
   dossier progress report of every client as PDF, printed as clients per second.
4. Stall: the real bot runs against the fake Bot API server, which lives in a process of its own (Telegram is
   another machine) together with one simulated employee who sends `/help`, waits for the answer, pauses
   50 ms, `--updates` times. The answer time (update injected to the bot's first send to that chat, both timed
   in the server's process) is measured with the bot idle and then while the bot makes final reports without
   pause (`bot.outgoing.report_drafts.offer` in a loop: render the dossier PDF, queue it to the coach), and
   while the coach taps the final report in the caseload again and again (the PDF is made while the bot handles
   the tap); median, p95 and their ratio to idle.

The last line of the output is one JSON object with the numbers. Goals on a 2-core machine: digest under 0.5 s,
each report under 2 s. `--quick`: 10 clients, 2 runs, 20 updates. `make_caseload` is also used to look at the
report by eye (`--out` writes both variants of both kinds).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as time_of_day
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, insert  # noqa: E402

from bot.core.clock import ManualClock  # noqa: E402
from bot.core.context import Work  # noqa: E402
from bot.rules.checkin import ACTIVITIES  # noqa: E402
from bot.rules.schedule import Week  # noqa: E402
from bot.sandbox.fake_telegram import FakeTelegram  # noqa: E402
from bot.views import report  # noqa: E402
from storage import (
    crypto,
    queries,  # noqa: E402
)
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


def make_caseload(
    database_url: str, clients: int = 40, weeks: int = 104, moment: datetime = MOMENT, bare: tuple[int, ...] = ()
) -> list[int]:
    """Migrate the database and insert one coach with `clients` clients, each with `weeks` weeks of history up
    to the week before `moment`; the clients numbered in `bare` (0 is the first) get no logged applications (the
    caller adds them). Deterministic (seeded). Blocking. Returns the employee ids."""
    upgrade(database_url)
    engine = create_engine(database_url.replace("+aiosqlite", ""))
    try:
        with engine.begin() as connection:
            return insert_caseload(connection, clients, weeks, moment, bare)
    finally:
        engine.dispose()


def insert_caseload(
    connection, clients: int = 40, weeks: int = 104, moment: datetime = MOMENT, bare: tuple[int, ...] = ()
) -> list[int]:
    """`make_caseload`'s rows, inserted on an open (sync) connection of a migrated database, e.g. through an async
    engine's `run_sync` on PostgreSQL (bench/dashboard.py). Returns the employee ids."""
    rng = random.Random(48)
    now = moment.astimezone(UTC)
    this_week = Week.of(moment.date())
    first_week = Week.of(this_week.monday() - timedelta(weeks=weeks))
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
    for number, employee_id in enumerate(ids):
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
            for _ in range(sent if number not in bare else 0):
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


# --- the final report of a whole trajectory with a full plan ------------------------------------------------------

OCCUPATIONS = ("Receptionist", "Medewerker klantcontact", "Administratief medewerker", "Planner", "Baliemedewerker")
KIND_CYCLE = ("orientation", "cv_linkedin", "application_training", "course", "work_trial", "job_coaching",
              "job_mediation", "networking", "other", "course")  # fmt: skip


def full_plan(start: date, stage: int) -> dict:
    """The plan at `stage` (1-5): one more search direction and two more activities at each stage, so that the
    last version has five directions and ten activities, some done with a result."""
    directions = [
        {"id": f"d{n + 1}", "occupation": OCCUPATIONS[n], "sector": ("Zorg", "Overheid", None)[n % 3],
         "region": "Utrecht", "hours": 24, "level": "mbo", "reason": f"Past bij klantcontact en de FML ({n + 1}).",
         "added_on": (start + timedelta(weeks=8 * n)).isoformat()}
        for n in range(stage)
    ]  # fmt: skip
    activities = []
    for n in range(2 * stage):
        begin = start + timedelta(weeks=4 * n + 1)
        done = n < 2 * stage - 3
        activities.append(
            {"id": f"a{n + 1}", "kind": KIND_CYCLE[n], "provider": ("Werkfit BV", "Coach", "UWV-partner")[n % 3],
             "start": begin.isoformat(), "end": (begin + timedelta(weeks=6)).isoformat() if done else None,
             "status": "done" if done else "running", "result": "Afgerond; zie evaluatie." if done else None}
        )  # fmt: skip
    return {
        "profile": {
            "own_role": "Verkoopmedewerker", "experience": [{"role": "Verkoopmedewerker", "sector": "Retail",
            "years": 8}], "education": ["mbo 3 Retail"], "skills": ["klantcontact", "kassa"], "hours": 24,
            "region": "Utrecht", "travel_minutes": 45, "work_kind": "afwisselend zitten en staan",
            "ambitions": "Iets met mensen, graag één vaste plek",
        },
        "capacity": {"fml_date": start.isoformat(), "text": "Niet tillen boven 10 kg; 4 uur per dag"},
        "directions": directions,
        "activities": activities,
        "track1": stage < 3,
    }  # fmt: skip


async def add_full_trajectory(db: Database, employee_id: int, applications: int = 200) -> None:
    """Through the storage functions: five plan versions (five directions and ten activities in the last),
    twenty evaluations, `applications` applications over the directions (proof on every third), the poortwachter
    steps that took place, the employee's own view with consent, and the outcome (placed)."""
    from bot.rules import plan
    from bot.rules.report import PLACED, STEPS
    from bot.rules.timeline import milestone
    from storage import coach_queries, plan_queries, report_queries
    from storage.models import ApplicationProof, PlanEvaluation

    rng = random.Random(13)
    async with db.session() as session:
        employee = await queries.get(session, Employee, employee_id)
        start, coach_id = employee.track2_start, employee.coach_id
        changes = ("created", "direction_added", "direction_added", "direction_added", "direction_added")
        for stage, change in enumerate(changes, start=1):
            day = start + timedelta(weeks=8 * (stage - 1))
            content = plan.normalise(full_plan(start, stage), day)
            moment = datetime.combine(day, time_of_day(11), ZoneInfo(TIMEZONE))
            await plan_queries.add_plan_version(session, employee_id, content, change, coach_id, moment)
        for n in range(20):
            held = start + timedelta(weeks=5 * n + 3)
            await plan_queries.add_evaluation(session, PlanEvaluation(
                employee_id=employee_id, coach_id=coach_id, held_on=held, participants=["coach", "employee"],
                conclusion=f"Evaluatie {n + 1}: de stappen lopen; de zoekrichtingen blijven passend.",
                changes="Meer netwerkgesprekken." if n % 2 else None, directions_reviewed=n % 3 == 0,
                created_at=datetime.combine(held, time_of_day(15), ZoneInfo(TIMEZONE)),
            ))  # fmt: skip
        span = (MOMENT.date() - timedelta(days=7) - start).days
        for n in range(applications):
            day = start + timedelta(days=span * n // applications)
            moment = datetime.combine(day, time_of_day(14), ZoneInfo(TIMEZONE))
            direction = f"d{rng.randint(1, 5)}" if n % 7 else None
            made = await coach_queries.add_application(
                session,
                employee_id,
                rng.choice(COMPANIES),
                rng.choice(ROLES),
                day,
                rng.choice(CHANNELS),
                moment,
                direction,
            )
            made.status = rng.choice(STATUSES)
            session.add(made)
            if n % 3 == 0:
                await plan_queries.add_proof(session, ApplicationProof(
                    application_id=made.id, kind="link", url=f"https://werkenbij.example.nl/vacature/{n}",
                    created_at=moment,
                ))  # fmt: skip
        now = MOMENT.astimezone(UTC)
        for step, key in STEPS.items():
            due = milestone(employee.first_sick_day, key).due
            if due < MOMENT.date():
                await report_queries.record_step(session, employee_id, step, due - timedelta(days=5), coach_id, now)
        await report_queries.answer_view(
            session, employee_id, True, "Ik heb veel geleerd over wat ik nog kan; het zoeken was zwaar.", now
        )
        employee.outcome, employee.outcome_on = PLACED, MOMENT.date() - timedelta(days=3)
        employee.outcome_text = "Geplaatst als receptionist bij Zorggroep Vecht, 24 uur per week."
        await queries.add(session, employee)


async def _final_once(db: Database, clock: ManualClock, employee_id: int, variant: str):
    from bot.rules.report import FINAL

    async with db.session() as session:
        work = Work(session, clock, "SpoorzoekerBot", TIMEZONE)
        employee = await queries.get(session, Employee, employee_id)
        period = report.final_period(employee, MOMENT.date())
        started, cpu = time.perf_counter(), time.process_time()
        made = await report.pdf(work, employee, period, variant, "nl", kind=FINAL)
        elapsed = (time.perf_counter() - started, time.process_time() - cpu)
    assert made.startswith(b"%PDF")
    return elapsed, made, employee, period


# --- does rendering stall the bot? -----------------------------------------------------------------------------

COACH_USER, OTHER_USER = 900_001, 910_001  # make_caseload's coach, and its second client: the "other user"


async def _serve_other_user(connection) -> None:
    """The fake Bot API server and, on request, two users. The other user (`measure`) sends `/help` `count`
    times, each after the answer to the one before and a pause of `gap` seconds; the answer time is from injecting
    the update to the bot's first send to that chat, both seen by this process (so a busy bot process cannot hide
    its own delay). The coach (`coach_start` / `coach_stop`) taps the final report in the caseload again and again."""
    fake = FakeTelegram(bot_username="SpoorzoekerBot", quiet_s=0.01, reply_timeout_s=120)
    await fake.start()
    coach = fake.user(COACH_USER, "Sanne")
    other = fake.user(OTHER_USER, "Werknemer")
    tapping: asyncio.Task | None = None
    stop_tapping = asyncio.Event()
    try:
        connection.send(fake.base_url)
        while True:
            command = await asyncio.to_thread(connection.recv)
            if command[0] == "stop":
                connection.send(len(fake.calls_of("sendDocument")))
                return
            if command[0] == "coach_start":
                stop_tapping.clear()
                tapping = asyncio.create_task(_coach_taps_reports(coach, stop_tapping))
                connection.send("started")
                continue
            if command[0] == "coach_stop":
                stop_tapping.set()
                connection.send(await tapping)
                continue
            _, count, gap = command
            times = []
            for _ in range(count):
                seen, started = len(fake.calls), time.monotonic()
                other.send_nowait("/help")
                while True:
                    answer = next((c for c in fake.calls[seen:] if c.chat_id == OTHER_USER), None)
                    if answer is not None or time.monotonic() - started > 60:
                        break
                    await asyncio.sleep(0.001)
                times.append(answer.time - started if answer else 60.0)
                await asyncio.sleep(gap)
            connection.send(times)
    finally:
        await fake.stop()


async def _coach_taps_reports(coach, stop: asyncio.Event) -> int | str:
    """The coach's report button: /caseload, the first client, then 📄 Rapportage, Eindrapportage, Voor het
    dossier (the bot makes the PDF while handling the tap), again until `stop`. The reports received, or what
    went wrong."""

    async def shown(label: str) -> None:  # the bot may edit its message a little after answering the tap
        deadline = time.monotonic() + 120
        while not any(label in button for button in coach.buttons()):
            if time.monotonic() > deadline:
                raise AssertionError(f"no button {label!r} in time; visible: {coach.buttons()}")
            await asyncio.sleep(0.01)

    try:
        await coach.send("/caseload")
        await shown("Werknemer")
        await coach.press(coach.buttons()[0])
        made = 0
        while not stop.is_set():
            await shown("Rapportage")
            await coach.press("Rapportage")
            await shown("Eindrapportage")
            await coach.press("Eindrapportage")
            documents = len([m for m in coach.inbox if m.kind == "document"])
            await coach.press("Voor het dossier")
            while len([m for m in coach.inbox if m.kind == "document"]) == documents:
                await asyncio.sleep(0.01)
            made += 1
        return made
    except AssertionError as error:  # a label changed: reported, not hidden
        return f"the coach's taps failed: {error}"


def serve_other_user(connection) -> None:
    asyncio.run(_serve_other_user(connection))


async def _offer_loop(db: Database, clock: ManualClock, employee_id: int, stop: asyncio.Event, wake) -> int:
    """What the bot does when the coach wants the final report sent: `report_drafts.offer` (renders the dossier
    PDF and queues it to the coach), again and again, each time as a new draft, until `stop`. As the monthly
    sweep does, the PDF is made before the draft is written."""
    from bot.outgoing import report_drafts
    from bot.rules.report import FINAL
    from storage import report_queries

    made = 0
    while not stop.is_set():
        async with db.session() as session:  # the PDF first, reading only: no write lock waits for a render
            work = Work(session, clock, "SpoorzoekerBot", TIMEZONE)
            employee = await queries.get(session, Employee, employee_id)
            period = report.final_period(employee, MOMENT.date())
            pdf = await report.pdf(work, employee, period, report.DOSSIER, "nl", kind=FINAL)
        async with db.session() as session:
            work = Work(session, clock, "SpoorzoekerBot", TIMEZONE)
            first = period.first + timedelta(days=made)
            draft, _ = await report_queries.add_draft(session, employee_id, FINAL, first, period.last, clock.now())
            await report_drafts.offer(work, draft, employee, pdf=pdf)
        wake()
        made += 1
    return made


async def stall(url: str, employee_id: int, updates: int, gap: float) -> dict:
    """The answer time of another user's plain updates with the bot idle, then while it makes final reports."""
    from bot.app import running
    from bot.config import load_settings
    from bot.sandbox.offline import SANDBOX_TOKEN

    connection, child_end = multiprocessing.Pipe()
    server = multiprocessing.get_context("spawn").Process(target=serve_other_user, args=(child_end,), daemon=True)
    server.start()

    async def ask(command: tuple):
        connection.send(command)
        return await asyncio.to_thread(connection.recv)

    try:
        base_url = await asyncio.to_thread(connection.recv)
        settings = load_settings(telegram_bot_token=SANDBOX_TOKEN, telegram_base_url=base_url, database_url=url)
        clock = ManualClock(MOMENT)
        async with running(settings, clock=clock, poll_timeout=1, scheduled=False) as app:
            await ask(("measure", 5, gap))  # warm-up: the first answers load the templates
            idle = await ask(("measure", updates, gap))
            stop, db = asyncio.Event(), Database(url)
            try:
                loop = asyncio.create_task(
                    _offer_loop(db, clock, employee_id, stop, app.bot_data["runtime"].wake_delivery)
                )
                await asyncio.sleep(0.5)  # the first report is being made
                busy = await ask(("measure", updates, gap))
                stop.set()
                reports = await loop
            finally:
                await db.dispose()
            await ask(("coach_start",))
            await asyncio.sleep(1.0)  # the coach is in the caseload, the first report is being made
            tapped = await ask(("measure", updates, gap))
            taps = await ask(("coach_stop",))
        documents = await ask(("stop",))
    finally:
        server.join(timeout=10)
        if server.is_alive():
            server.kill()

    def ms(values: list[float], q: float) -> float:
        ordered = sorted(values)
        return round(1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)

    result = {
        "idle_median_ms": ms(idle, 0.5), "idle_p95_ms": ms(idle, 0.95),
        "busy_median_ms": ms(busy, 0.5), "busy_p95_ms": ms(busy, 0.95),
        "reports_made_meanwhile": reports, "documents_sent_to_coach": documents, "updates": updates,
        "button_median_ms": ms(tapped, 0.5), "button_p95_ms": ms(tapped, 0.95), "button_reports": taps,
    }  # fmt: skip
    for name in ("busy", "button"):
        result[f"{name}_median_ratio"] = round(result[f"{name}_median_ms"] / max(result["idle_median_ms"], 0.1), 1)
        result[f"{name}_p95_ratio"] = round(result[f"{name}_p95_ms"] / max(result["idle_p95_ms"], 0.1), 1)
    return result


def _pages(pdf: bytes) -> int | None:
    try:
        from pypdf import PdfReader  # a test dependency
    except ImportError:
        return None
    return len(PdfReader(io.BytesIO(pdf)).pages)


# --- the whole benchmark -----------------------------------------------------------------------------------------


async def run(clients: int, weeks: int, runs: int, profile: Path | None, out: Path | None, updates: int = 60) -> dict:
    from bot.report_batch import write_month
    from bot.rules.report import previous_month

    with tempfile.TemporaryDirectory(prefix="spoorzoeker-report-") as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        started = time.perf_counter()
        ids = await asyncio.to_thread(make_caseload, url, clients, weeks, MOMENT, (0,))
        db = Database(url)
        await add_full_trajectory(db, ids[0])
        print(f"set-up: {clients} clients x {weeks} weeks in {time.perf_counter() - started:.1f} s", flush=True)
        clock = ManualClock(MOMENT)
        try:
            digest_errors: list[str] = []
            digest_first = await _digest_once(db, clock, digest_errors)
            report_first, made, employee, period = await _report_once(db, clock, ids[0], weeks)
            final_first, final_made, _, final_period = await _final_once(db, clock, ids[0], "dossier")
            first = f"digest {digest_first[0]:.2f} s, report {report_first[0]:.2f} s, final {final_first[0]:.2f} s"
            print(f"first run (imports, fonts, templates): {first}")
            if out is not None:
                out.mkdir(parents=True, exist_ok=True)
                for variant in report.VARIANTS:
                    _, pdf_bytes, _, _ = await _report_once(db, clock, ids[0], weeks, variant)
                    (out / report.filename(employee, variant, period, "pdf")).write_bytes(pdf_bytes)
                    _, pdf_bytes, _, _ = await _final_once(db, clock, ids[0], variant)
                    (out / report.filename(employee, variant, final_period, "pdf", kind="final")).write_bytes(pdf_bytes)
                print(f"wrote both variants of both kinds to {out}")
            profiler = cProfile.Profile() if profile else None
            digests, reports = [], []
            finals: dict[str, list] = {variant: [] for variant in report.VARIANTS}
            for _ in range(runs):
                digests.append(await _digest_once(db, clock, digest_errors))
                if profiler:
                    profiler.enable()
                reports.append((await _report_once(db, clock, ids[0], weeks))[0])
                for variant in report.VARIANTS:
                    finals[variant].append((await _final_once(db, clock, ids[0], variant))[0])
                if profiler:
                    profiler.disable()
            if profiler:
                profiler.dump_stats(profile)
        finally:
            await db.dispose()
        for variant, pairs in finals.items():
            middle = statistics.median(pair[0] for pair in pairs)
            print(f"final report, {weeks} weeks, full plan, {variant}: median {middle:.2f} s of {runs} (goal < 2 s)")

        month = previous_month(MOMENT.date())
        with tempfile.TemporaryDirectory(prefix="spoorzoeker-batch-") as into:
            batch = await write_month(url, Path(into), first=month[0], last=month[1], variant="dossier", fmt="pdf",
                                      lang="nl", today=MOMENT.date())  # fmt: skip
        print(f"monthly batch ({month[0]:%Y-%m}): {batch.summary().replace(into, 'a folder')}")
        print(f"answer time of another user's /help, {updates} updates each ...", flush=True)
        stalled = await stall(url, ids[0], updates, 0.05)
        print(f"... with the bot idle: median {stalled['idle_median_ms']} ms, p95 {stalled['idle_p95_ms']} ms")
        print(
            f"... while report_drafts.offer makes final reports ({stalled['reports_made_meanwhile']} made): median "
            f"{stalled['busy_median_ms']} ms, p95 {stalled['busy_p95_ms']} ms; ratio to idle: median "
            f"{stalled['busy_median_ratio']}x, p95 {stalled['busy_p95_ratio']}x"
        )
        print(
            f"... while the coach taps the final report ({stalled['button_reports']} made): median "
            f"{stalled['button_median_ms']} ms, p95 {stalled['button_p95_ms']} ms; ratio to idle: median "
            f"{stalled['button_median_ratio']}x, p95 {stalled['button_p95_ratio']}x"
        )

    def median(pairs: list[tuple[float, float]], which: int) -> float:
        return round(statistics.median(pair[which] for pair in pairs), 3)

    return {
        "clients": clients,
        "weeks": weeks,
        "runs": runs,
        "digest_s": median(digests, 0),
        "report_pdf_s": median(reports, 0),
        "final_dossier_s": median(finals["dossier"], 0),
        "final_coach_s": median(finals["coach"], 0),
        "digest_cpu_s": median(digests, 1),  # CPU time of this process: less disturbed by other load
        "report_pdf_cpu_s": median(reports, 1),
        "final_dossier_cpu_s": median(finals["dossier"], 1),
        "digest_runs_s": [round(wall, 3) for wall, _ in digests],
        "report_runs_s": [round(wall, 3) for wall, _ in reports],
        "final_runs_s": {variant: [round(wall, 3) for wall, _ in pairs] for variant, pairs in finals.items()},
        "digest_first_s": round(digest_first[0], 3),
        "report_pdf_first_s": round(report_first[0], 3),
        "final_first_s": round(final_first[0], 3),
        "report_pdf_bytes": len(made),
        "final_pdf_bytes": len(final_made),
        "final_pdf_pages": _pages(final_made),
        "batch_clients": len(batch.written),
        "batch_failed": len(batch.failed),
        "batch_s": round(batch.seconds, 2),
        "batch_clients_per_s": round(batch.per_second, 2),
        "stall": stalled,
        "load_average_1m": round(os.getloadavg()[0], 2),
        "digest_measured": "bot.outgoing.digest.build"
        if not digest_errors
        else "caseload+summary+chart (build failed)",
        "digest_error": digest_errors[0] if digest_errors else None,
        "goal": {"digest_s": 0.5, "report_pdf_s": 2.0, "final_dossier_s": 2.0},
    }


def main() -> None:
    crypto.install(crypto.KeyRing.generated())  # a throwaway database: its own key (ENCRYPTION_KEY is not needed)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=40)
    parser.add_argument("--weeks", type=int, default=104)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--updates", type=int, default=60, help="another user's updates timed, idle and busy")
    parser.add_argument("--quick", action="store_true", help="a quick look: 10 clients, 2 runs, 20 updates")
    parser.add_argument("--profile", type=Path, help="write a cProfile of the report runs here")
    parser.add_argument("--out", type=Path, help="also write both variants of both report kinds (PDF) here")
    args = parser.parse_args()
    if args.quick:
        args.clients, args.runs, args.updates = min(args.clients, 10), min(args.runs, 2), min(args.updates, 20)
    result = asyncio.run(run(args.clients, args.weeks, args.runs, args.profile, args.out, args.updates))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
