"""A coach's caseload: per client the facts of the last weeks, the flags, and the one-line summary, read with
a handful of queries for the whole caseload. Used by /caseload and by the weekly digest."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.core.context import Work
from bot.rules import flags as rules
from bot.rules import plan as plans
from bot.rules import privacy
from bot.rules.flags import ClientFacts, Flag, PlanFacts, WeekFacts
from bot.rules.schedule import PERIOD, Week, prompt_at
from bot.rules.weeks import BEFORE, SUBMITTED, local_date, period_open, sickness_week, week_status
from storage import coach_queries, plan_queries
from storage.models import CheckIn, Coach, Employee, JobApplication, Pause, PhaseChange, PlanVersion

WINDOW_WEEKS = 12  # how far back the caseload looks (the digest chart shows this many weeks)
PAGE_SIZE = 10


@dataclass
class Client:
    """One line of the caseload."""

    employee: Employee
    employer: str
    facts: ClientFacts
    flags: list[Flag]
    sickness_week: int
    shown_week: WeekFacts  # this week's counts once checked in, else last week's (this week's for a newcomer)
    statuses: dict[Week, str]  # every week of the window: submitted, paused, missed, open, none, before, future
    energy: int | None
    trend: str | None  # up | down | flat (against the average of the 4 weeks before)
    paused_until: date | None
    plan: PlanVersion | None = None  # the current version of the trajectory plan
    breadth: list[plans.BreadthWarning] = field(default_factory=list)

    @property
    def id(self) -> int:
        return self.employee.id

    @property
    def name(self) -> str:
        return self.employee.name

    @property
    def shown_status(self) -> str:
        return self.statuses.get(self.shown_week.week, BEFORE)


@dataclass
class Caseload:
    coach: Coach
    today: date
    weeks: list[Week]  # the window, oldest first; the last one is the current week
    clients: list[Client]  # flagged first, then by name; closed trajectories last

    @property
    def open_clients(self) -> list[Client]:
        return [client for client in self.clients if client.employee.status != "closed"]

    @property
    def flagged(self) -> list[Client]:
        return [client for client in self.clients if client.flags]


def week_facts(week: Week, checkin: CheckIn | None, logged: int = 0) -> WeekFacts:
    """One week for the flags: the checked-in counts once submitted; applications logged with /sollicitatie
    always (the larger of the two)."""
    submitted = checkin is not None and checkin.submitted_at is not None
    return WeekFacts(
        week=week,
        submitted=submitted,
        applications=max((checkin.applications or 0) if submitted else 0, logged),
        interviews=(checkin.interviews or 0) if submitted else 0,
        networking=(checkin.networking or 0) if submitted else 0,
        energy=checkin.energy if submitted else None,
        step_result=checkin.step_result if checkin is not None else None,
        missed=checkin is not None and checkin.missed_at is not None,
        paused_reason=checkin.paused_reason if checkin is not None else None,
    )


def trend_of(facts: ClientFacts) -> tuple[int | None, str | None]:
    """The latest energy score and its direction against the average of the 4 weeks before it."""
    latest, before = rules.latest_energy(facts)
    if latest is None or not before:
        return (latest.energy if latest else None), None
    difference = latest.energy - sum(before) / len(before)
    return latest.energy, "up" if difference >= 1 else "down" if difference <= -1 else "flat"


async def load(work: Work, coach: Coach, employees: list[Employee] | None = None) -> Caseload:
    """The caseload of `coach` (or just `employees` of it) as of the clock's today in the coach's time zone."""
    session = work.session
    now = work.clock.now()
    today = local_date(now, coach.timezone)
    current = Week.of(today)
    first = Week.of(current.monday() - timedelta(weeks=WINDOW_WEEKS - 1))
    weeks = [Week.of(first.monday() + timedelta(weeks=n)) for n in range(WINDOW_WEEKS)]
    if employees is None:
        employees = await coach_queries.clients_of(session, coach.id)
    ids = [employee.id for employee in employees]
    employers = await coach_queries.employer_names(session, {employee.employer_id for employee in employees})
    checkins: dict[int, dict[Week, CheckIn]] = defaultdict(dict)
    for checkin in await coach_queries.checkins_from(session, ids, first.year, first.week):
        checkins[checkin.employee_id][Week(checkin.iso_year, checkin.iso_week)] = checkin
    logged: dict[int, dict[Week, int]] = defaultdict(lambda: defaultdict(int))
    in_direction: dict[int, list[tuple[str | None, date]]] = defaultdict(list)
    for application in await coach_queries.applications_of(session, ids, first.monday()):
        logged[application.employee_id][Week.of(application.applied_on)] += 1
        in_direction[application.employee_id].append((application.direction, application.applied_on))
    current_plans = await plan_queries.latest_plans(session, ids)
    plan_dates = await plan_queries.first_plan_dates(session, list(current_plans))
    evaluations: dict[int, list[tuple[date, bool]]] = defaultdict(list)
    for evaluation in await plan_queries.evaluations_of(session, list(current_plans)):
        evaluations[evaluation.employee_id].append((evaluation.held_on, evaluation.directions_reviewed))
    pauses: dict[int, list[Pause]] = defaultdict(list)
    for pause in await coach_queries.pauses_of(session, ids, first.monday()):
        pauses[pause.employee_id].append(pause)
    phases: dict[int, list[PhaseChange]] = defaultdict(list)
    for change in await coach_queries.phase_changes_of(session, ids):
        phases[change.employee_id].append(change)
    last_checkin = await coach_queries.last_submitted(session, ids)
    alerts = await coach_queries.allowed_safety_alerts(session, ids, now - timedelta(days=rules.SAFETY_DAYS))

    clients = []
    for employee in employees:
        weeks_of = {
            week: week_facts(week, checkins[employee.id].get(week), logged[employee.id].get(week, 0))
            for week in sorted(set(checkins[employee.id]) | set(logged[employee.id]), key=Week.monday)
        }
        own_pauses = pauses[employee.id]
        current_pause = next((p for p in reversed(own_pauses) if p.start <= today <= p.until), None)
        ended = [p.until + timedelta(days=1) for p in own_pauses if p.until < today]
        facts = ClientFacts(
            status=employee.status,
            phase=employee.phase,
            first_sick_day=employee.first_sick_day,
            track2_start=employee.track2_start,
            joined_on=_day(employee.registered_at, employee.timezone),
            unreachable=employee.unreachable_at is not None,
            weeks=weeks_of,
            last_checkin_on=_day(last_checkin.get(employee.id), employee.timezone),
            paused_now=current_pause is not None,
            last_pause_end=max(ended, default=None),
            active_search_since=phase_since(phases[employee.id], "active_search", employee.timezone),
            safety_alerts=alerts.get(employee.id, 0),
            plan=plan_facts(
                current_plans.get(employee.id),
                _day(plan_dates.get(employee.id), employee.timezone),
                evaluations[employee.id],
                in_direction[employee.id],
                _day(phases[employee.id][-1].changed_at, employee.timezone) if phases[employee.id] else None,
            ),
        )
        statuses = statuses_of(employee, facts, weeks, own_pauses, now, today)
        newcomer = statuses[current.previous()] == BEFORE
        shown_week = current if statuses[current] == SUBMITTED or newcomer else current.previous()
        energy, trend = trend_of(facts)
        clients.append(
            Client(
                employee=employee,
                employer=employers.get(employee.employer_id, ""),
                facts=facts,
                flags=rules.flags(facts, today),
                sickness_week=sickness_week(employee.first_sick_day, today),
                shown_week=weeks_of.get(shown_week) or WeekFacts(shown_week),
                statuses=statuses,
                energy=energy,
                trend=trend,
                paused_until=current_pause.until if current_pause else None,
                plan=current_plans.get(employee.id),
                breadth=rules.breadth(facts, today),
            )
        )
    clients.sort(key=lambda c: (c.employee.status == "closed", not c.flags, c.name.casefold()))
    return Caseload(coach, today, weeks, clients)


def plan_facts(
    version: PlanVersion | None,
    since: date | None,
    evaluations: list[tuple[date, bool]],
    applications: list[tuple[str | None, date]],
    last_phase_change: date | None,
) -> PlanFacts | None:
    if version is None:
        return None
    return PlanFacts(
        content=version.content,
        since=since or version.created_at.date(),
        evaluations=tuple(evaluations),
        applications=tuple(applications),
        last_phase_change=last_phase_change,
    )


def statuses_of(
    employee: Employee, facts: ClientFacts, weeks: list[Week], pauses: list[Pause], now: datetime, today: date
) -> dict[Week, str]:
    """How each week stands (`bot.rules.weeks.week_status`), as the reminder sweep will close it: a week is
    paused when a pause overlaps its check-in period, and open while that period runs."""
    statuses = {}
    for week in weeks:
        opens = prompt_at(week, employee.checkin_weekday, employee.checkin_time, employee.timezone)
        first_day = local_date(opens, employee.timezone)
        last_day = first_day + PERIOD - timedelta(days=1)
        seen = facts.weeks.get(week) or WeekFacts(week)
        paused_now = any(p.start <= last_day and p.until >= first_day for p in pauses)
        statuses[week] = week_status(
            week.monday(), today, facts.joined_on,
            submitted=seen.submitted,
            paused=seen.paused_reason is not None or (paused_now and not seen.missed),
            missed=seen.missed,
            period_open=period_open(week, employee.checkin_weekday, employee.checkin_time, employee.timezone,
                                    employee.registered_at, now),
        )  # fmt: skip
    return statuses


def phase_since(changes: list[PhaseChange], phase: str, timezone: str) -> date | None:
    """When the latest stretch in `phase` began (None when no change to it was recorded)."""
    since = None
    for change in changes:  # oldest first
        if change.phase == phase and since is None:
            since = _day(change.changed_at, timezone)
        elif change.phase != phase:
            since = None
    return since


def page(clients: list[Client], number: int) -> tuple[list[Client], int, int]:
    """Clients on page `number` (0-based, clamped), that number, and the page count."""
    pages = max(1, -(-len(clients) // PAGE_SIZE))
    number = min(max(number, 0), pages - 1)
    return clients[number * PAGE_SIZE : (number + 1) * PAGE_SIZE], number, pages


def _day(moment: datetime | None, timezone: str) -> date | None:
    return None if moment is None else local_date(moment, timezone)


def applications_by_status(applications: list[JobApplication]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for application in applications:
        counts[application.status] += 1
    return dict(counts)


DETAIL_WEEKS = 8
DETAIL_NOTES = 5
DETAIL_APPLICATIONS = 10
REFLECTION_CHARS = 300
STEPS_SHOWN = 3


@dataclass
class Detail:
    """What the coach sees when they open one client."""

    client: Client
    weeks: list[dict]  # the last DETAIL_WEEKS weeks, oldest first, as the coach may see them
    steps: dict  # committed steps and how they went: {"committed", "reported", "done", "partly", "not", "rate"}
    reflections: list[dict]  # only when the client shares them
    client_notes: list[dict]  # the notes for the coach the client added to a check-in
    notes: list[dict]  # the latest coach notes
    more_notes: int
    applications: list[JobApplication]  # newest first
    more_applications: int
    by_status: dict[str, int]
    plan: dict | None = None  # the plan summary (`plan_summary`), None without a plan


TRACK1_WEEKS = 4  # the Track 1 line shows the hours at the own employer of this many recent weeks


async def plan_summary(work: Work, client: Client, weeks: list[dict], today: date) -> dict | None:
    """The coach's summary of a client's plan: version and answer, directions with their applications (with
    and without proof), running interventions with the check-in weeks that counted towards them, the breadth
    warnings, whether an evaluation is due, and the Track 1 hours of the last weeks while Track 1 runs."""
    version = client.plan
    if version is None:
        return None
    session = work.session
    timezone = client.employee.timezone
    seen = privacy.plan_view(privacy.COACH, version)
    counts = await plan_queries.direction_counts(session, client.id)
    running = plans.running(version.content)
    worked: list[tuple[date, list[str], int]] = []
    if running:
        starts = [date.fromisoformat(a["start"]) for a in running if a.get("start")]
        first = Week.of(min(starts, default=client.facts.plan.since) - timedelta(weeks=1))
        worked = [
            (Week(c.iso_year, c.iso_week).monday(), c.activities or [], c.networking or 0)
            for c in await coach_queries.checkins_from(session, [client.id], first.year, first.week)
            if c.submitted_at is not None
        ]
    running_ids = {a["id"] for a in running}
    known = {d["id"] for d in seen["directions"]}
    facts = client.facts.plan
    return {
        "number": seen["number"],
        "created_on": _day(seen["created_at"], timezone),
        "answer": seen["employee_answer"],
        "answered_on": _day(seen["answered_at"], timezone),
        "directions": [
            {
                "occupation": d["occupation"],
                "proof": counts.get(d["id"], (0, 0))[0],
                "no_proof": counts.get(d["id"], (0, 0))[1],
            }
            for d in seen["directions"]
        ],  # fmt: skip
        "outside": sum(sum(n) for key, n in counts.items() if key not in known),  # applications in no direction
        "running": [
            {"kind": a["kind"], "provider": a["provider"], "weeks": plans.weeks_worked_on(a, worked, today)}
            for a in seen["activities"]
            if a["id"] in running_ids
        ],
        "warnings": [{"reason": w.reason, "direction": w.direction} for w in client.breadth],
        "evaluation_due": any(flag.key == "evaluation_due" for flag in client.flags),
        "last_evaluation": facts.last_evaluation,
        "track1": bool(seen["track1"]),
        "track1_weeks": [{"week": w["week"], "hours": w["track1_hours"]} for w in weeks[-TRACK1_WEEKS:]],
    }


def follow_through(weeks: list[dict]) -> dict:
    """How the committed steps went: each week's result is about the step chosen the week before."""
    results = [w["step_result"] for w in weeks if w.get("step_result")]
    done, partly, not_done = (results.count(result) for result in ("done", "partly", "not"))
    chosen = [
        {"week": w["week"], "text": w["next_step"], "result": later["step_result"] if later else None}
        for w, later in zip(weeks, [*weeks[1:], None], strict=True)
        if w.get("next_step")
    ]
    return {
        "recent": chosen[-STEPS_SHOWN:],  # the latest chosen steps with how they went (None: not looked back yet)
        "committed": len(chosen),
        "reported": len(results),
        "done": done,
        "partly": partly,
        "not": not_done,
        "rate": round(100 * (done + partly / 2) / len(results)) if results else None,
    }


async def detail(work: Work, coach: Coach, employee: Employee) -> Detail:
    """One client of `coach`: the caseload line, the last weeks, steps, reflections (with consent), notes, and
    the application list. Every check-in goes through `privacy.view(COACH, ...)`."""
    (client,) = (await load(work, coach, [employee])).clients
    session = work.session
    current = Week.of(local_date(work.clock.now(), coach.timezone))
    first = Week.of(current.monday() - timedelta(weeks=DETAIL_WEEKS - 1))
    checkins = await coach_queries.checkins_between(
        session, employee.id, (first.year, first.week), (current.year, current.week)
    )
    rows = {
        Week(c.iso_year, c.iso_week): privacy.view(
            privacy.COACH, "checkin", c, reflections_shared=employee.share_reflections
        )
        for c in checkins
    }
    weeks = []
    for n in range(DETAIL_WEEKS):
        week = Week.of(first.monday() + timedelta(weeks=n))
        seen = rows.get(week, {})
        facts = client.facts.weeks.get(week, WeekFacts(week))
        weeks.append(
            {
                "week": week.week,
                "status": client.statuses.get(week, BEFORE),
                "applications": facts.applications,
                "interviews": facts.interviews,
                "networking": facts.networking,
                "energy": seen.get("energy") if facts.submitted else None,
                "next_step": seen.get("next_step"),
                "step_result": seen.get("step_result"),
                "reflection": _short(seen.get("reflection")),
                "note": _short(seen.get("note")) if facts.submitted else None,  # the client's note for the coach
                "track1_hours": seen.get("track1_hours") if facts.submitted else None,
            }
        )
    reflections = [{"week": w["week"], "text": w["reflection"]} for w in weeks if w["reflection"]]
    client_notes = [{"week": w["week"], "text": w["note"]} for w in weeks if w["note"]]
    notes = [
        {"text": note.text, "created_on": local_date(note.created_at, coach.timezone), "for_file": note.for_file}
        for note in await coach_queries.notes_of(session, employee.id)
        if privacy.can_see(privacy.COACH, privacy.note_class(note.for_file))
    ]
    applications = await coach_queries.applications_of(session, [employee.id])
    return Detail(
        client=client,
        weeks=weeks,
        steps=follow_through(weeks),
        reflections=reflections,
        client_notes=client_notes,
        notes=notes[-DETAIL_NOTES:],
        more_notes=max(0, len(notes) - DETAIL_NOTES),
        applications=applications[:DETAIL_APPLICATIONS],
        more_applications=max(0, len(applications) - DETAIL_APPLICATIONS),
        by_status=applications_by_status(applications),
        plan=await plan_summary(work, client, weeks, local_date(work.clock.now(), coach.timezone)),
    )


def _short(text: str | None) -> str | None:
    if not text:
        return None
    return text if len(text) <= REFLECTION_CHARS else text[: REFLECTION_CHARS - 1].rstrip() + "…"


def summary_line(client: Client) -> dict:
    """One client's line in /caseload and the digest, as template context."""
    shown = client.shown_week
    return {
        "id": client.id,
        "name": client.name,
        "phase": client.employee.phase,
        "status": client.employee.status,
        "joined": client.facts.joined_on is not None,
        "sickness_week": client.sickness_week,
        "last_checkin": client.facts.last_checkin_on,
        "week": shown.week.week,
        "week_status": client.shown_status,
        "applications": shown.applications,
        "interviews": shown.interviews,
        "networking": shown.networking,
        "energy": client.energy,
        "trend": client.trend,
        "flags": [flag.key for flag in client.flags],
        "paused_until": client.paused_until,
    }
