"""The client page of the coach's dashboard: the header (name, employer, phase, week of sickness, status, flags),
the trajectory plan with its history, the week-by-week timeline of the whole trajectory, the charts, and the
file part (`bot.flows.dashboard_file`); and the plan's edit forms, which make a new plan version exactly as the
chat's /plan does (`bot.flows.plan`: the same reading of each answer, `rules.normalise`, the same change keys).

Every id comes through `bot.core.access.reach` (None: the caller answers 404); every value shown passes
`bot.rules.privacy` for the COACH audience (reflections only when the client shares them); every view of a
client is audited ("dashboard_client"; an edit form shows the plan: "plan"). The page reads a handful of
queries for the whole trajectory (one per kind of record), never one per week.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from types import SimpleNamespace

from bot.core import access, audit
from bot.core.context import Person, Work
from bot.flows import dashboard_file, plan
from bot.flows.plan_steps import (
    CHOICE,
    DATE,
    LIST,
    LONG,
    MAX_JOBS,
    NUMBER,
    OPTIONAL_DATE,
    OPTIONAL_LONG,
    STEPS,
    TEXT,
    TOGGLES,
)
from bot.rules import plan as rules
from bot.rules import privacy
from bot.rules.schedule import Week
from bot.rules.weeks import BEFORE, FUTURE, local_date, sickness_week
from bot.views import caseload
from storage import coach_queries, plan_queries
from storage.models import Employee

TIMELINE_WEEKS = 104  # the whole trajectory: wage continuation lasts 104 weeks
CHART_WEEKS = 26
PARTS = ("profile", "capacity", "direction", "activity", "evaluation")
SERIES = ("applications", "interviews", "networking")
# the label of each choice of a step (keys of content/labels/plan.yaml, the chat's own words)
CHOICE_LABELS = {"d_level": "plan_level_", "a_kind": "plan_kind_", "a_status": "plan_status_",
                 "e_who": "plan_who_", "e_reviewed": "plan_yes_no_"}  # fmt: skip


def _today(work: Work, viewer: Person) -> date:
    return local_date(work.clock.now(), viewer.coach.timezone)


# -- the page ---------------------------------------------------------------------------------------------------


async def client_page(work: Work, viewer: Person, raw_id: str) -> dict | None:
    """Everything the client page shows, or None when this coach may not open this client (404)."""
    employee = await access.reach(work, viewer, Employee, raw_id)
    if employee is None or viewer.coach is None:
        return None
    await audit.read(work, viewer, "dashboard_client", employee.id)
    today = _today(work, viewer)
    (client,) = (await caseload.load(work, viewer.coach, [employee])).clients
    weeks = await timeline(work, employee, client, today)
    return {
        "client": header(client),
        "plan": await plan_section(work, employee, client, today, viewer.coach.timezone),
        "timeline": list(reversed(weeks)),  # newest first
        "charts": charts(weeks),
        # the file: applications with proofs, notes, poortwachter steps, reports, drafts
        "file": await dashboard_file.file_sections(work, viewer, employee),
    }


def header(client: caseload.Client) -> dict:
    seen = privacy.view(privacy.COACH, "employee", client.employee)
    return {
        "id": seen["id"],
        "name": seen["name"],
        "employer": client.employer,
        "phase": seen["phase"],
        "status": seen["status"],
        "sickness_week": client.sickness_week,
        "first_sick_day": seen["first_sick_day"],
        "track2_start": seen["track2_start"],
        "last_checkin": client.facts.last_checkin_on,
        "paused_until": client.paused_until,
        "energy": client.energy if privacy.can_see(privacy.COACH, privacy.HEALTH) else None,
        "trend": client.trend,
        "flags": [{"key": flag.key, **flag.detail} for flag in client.flags],
    }


async def plan_section(work: Work, employee: Employee, client: caseload.Client, today: date, timezone: str) -> dict:
    """The current plan as the coach may see it, its breadth warnings (as /plan shows them), the applications per
    direction, the evaluations and the version history (newest first); days in the coach's `timezone`."""
    session = work.session
    versions = await plan_queries.plan_versions(session, employee.id)
    seen = [privacy.plan_view(privacy.COACH, version) for version in versions]
    current = seen[-1] if seen else None
    content = versions[-1].content if versions else rules.empty()
    found = await plan.warnings(work, employee, content, today)
    counts = await plan_queries.direction_counts(session, employee.id)
    evaluations = [
        privacy.view(privacy.COACH, "evaluation", evaluation)
        for evaluation in await plan_queries.evaluations_of(session, [employee.id])
    ]
    return {
        "current": current,
        "number": current["number"] if current else None,
        "made_on": local_date(current["created_at"], timezone) if current else None,
        "answer": current["employee_answer"] if current else None,
        "directions": [
            {**d, "applications": sum(counts.get(d["id"], (0, 0)))} for d in (current or {}).get("directions", [])
        ],
        "activities": (current or {}).get("activities", []),
        "profile": (current or {}).get("profile"),
        "capacity": (current or {}).get("capacity"),
        "track1": bool((current or {}).get("track1")),
        "warnings": [{"reason": w.reason, "direction": w.direction} for w in found],
        "evaluation_due": any(flag.key == "evaluation_due" for flag in client.flags),
        "evaluations": list(reversed(evaluations)),
        "history": [
            {
                "number": shown["number"],
                "on": local_date(shown["created_at"], timezone),
                "change": version.change,
                "answer": shown["employee_answer"],
            }
            for version, shown in reversed(list(zip(versions, seen, strict=True)))
        ],  # fmt: skip
        "can_add_direction": len((current or {}).get("directions", [])) < rules.MAX_DIRECTIONS,
    }


async def timeline(work: Work, employee: Employee, client: caseload.Client, today: date) -> list[dict]:
    """Every week from the client's first week with the bot (at most TIMELINE_WEEKS back) to this week, oldest
    first: how it stands, the counts, energy, the step chosen for the next week and how it went, the client's
    note, and reflections only when shared. Three queries for the whole stretch."""
    joined = client.facts.joined_on
    if joined is None:
        return []
    session = work.session
    current = Week.of(today)
    first = Week.of(max(joined, current.monday() - timedelta(weeks=TIMELINE_WEEKS - 1)))
    count = (current.monday() - first.monday()).days // 7 + 1
    weeks = [Week.of(first.monday() + timedelta(weeks=n)) for n in range(count)]
    shared = employee.share_reflections
    seen = {
        Week(c.iso_year, c.iso_week): privacy.view(privacy.COACH, "checkin", c, reflections_shared=shared)
        for c in await coach_queries.checkins_between(
            session, employee.id, (first.year, first.week), (current.year, current.week)
        )
    }
    logged: dict[Week, int] = {}
    for application in await coach_queries.applications_of(session, [employee.id], first.monday()):
        week = Week.of(application.applied_on)
        logged[week] = logged.get(week, 0) + 1
    pauses = await coach_queries.pauses_of(session, [employee.id], first.monday())
    facts_of = {
        week: caseload.week_facts(week, SimpleNamespace(**seen[week]) if week in seen else None, logged.get(week, 0))
        for week in weeks
    }
    facts = dataclasses.replace(client.facts, weeks=facts_of)
    statuses = caseload.statuses_of(employee, facts, weeks, pauses, work.clock.now(), today)
    energy_shown = privacy.can_see(privacy.COACH, privacy.HEALTH)
    rows = []
    for week in weeks:
        checkin, counted = seen.get(week, {}), facts_of[week]
        submitted = counted.submitted
        rows.append(
            {
                "year": week.year,
                "week": week.week,
                "monday": week.monday(),
                "sickness_week": sickness_week(employee.first_sick_day, week.monday()),
                "status": statuses.get(week, BEFORE),
                "applications": counted.applications,
                "interviews": counted.interviews,
                "networking": counted.networking,
                "energy": counted.energy if energy_shown else None,
                "paused_reason": checkin.get("paused_reason"),
                "step_result": checkin.get("step_result"),  # how last week's step went
                "next_step": checkin.get("next_step"),  # the step chosen for the week after
                "followed": None,
                "reflection": checkin.get("reflection"),  # only present when shared
                "note": checkin.get("note") if submitted else None,
                "track1_hours": checkin.get("track1_hours") if submitted else None,
            }
        )
    for row, following in zip(rows, [*rows[1:], None], strict=True):
        if row["next_step"] and following is not None:
            row["followed"] = following["step_result"]
    return rows


def charts(weeks: list[dict]) -> dict:
    """The activity bars (stacked applications, interviews, networking) and the energy line of the last
    CHART_WEEKS weeks, as coordinates for an inline SVG (a 0..100 high drawing, one column of 10 per week)."""
    shown = [row for row in weeks if row["status"] not in (FUTURE, BEFORE)][-CHART_WEEKS:]
    highest = max((sum(row[key] or 0 for key in SERIES) for row in shown), default=0)
    columns = []
    for n, row in enumerate(shown):
        bars, bottom = [], 100.0
        for key in SERIES:
            height = 90.0 * (row[key] or 0) / highest if highest else 0.0
            if height:
                bars.append({"key": key, "y": round(bottom - height, 2), "height": round(height, 2)})
            bottom -= height
        columns.append({"x": n * 10 + 1, "week": row["week"], "bars": bars, **{key: row[key] for key in SERIES}})
    points = [
        {"x": n * 10 + 5, "y": round(100 - (row["energy"] - 1) * 10, 2), "week": row["week"], "energy": row["energy"]}
        for n, row in enumerate(shown)
        if row["energy"] is not None
    ]
    return {
        "columns": columns,
        "width": CHART_WEEKS * 10,  # the same scale for a new client as for one with half a year
        "highest": highest,
        "energy": points if privacy.can_see(privacy.COACH, privacy.HEALTH) else [],
        "energy_line": " ".join(f"{p['x']},{p['y']}" for p in points),
    }


# -- the plan's edit forms ----------------------------------------------------------------------------------------


async def plan_form(work: Work, viewer: Person, raw_id: str, part: str, item: str | None = None) -> dict | None:
    """The edit form of one part of the plan, filled with what the plan holds now (a new direction, activity or
    evaluation starts empty); None (404) for a client or a direction this coach may not reach."""
    found = await _form_target(work, viewer, raw_id, part, item)
    if found is None:
        return None
    employee, content = found
    await audit.read(work, viewer, "plan", employee.id)
    return _form(employee, part, item, _current_values(content, part, item, _today(work, viewer)), content)


async def save_plan_form(
    work: Work, viewer: Person, raw_id: str, part: str, item: str | None, fields: dict[str, list[str]]
) -> dict | None:
    """Store a filled-in form: a new plan version (an evaluation: a PlanEvaluation row), read and checked as the
    chat reads each answer. Returns {"saved": True, "employee_id"}, the form again with its `problems` (one per
    wrong answer) and the typed values (nothing stored), or None (404)."""
    found = await _form_target(work, viewer, raw_id, part, item)
    if found is None:
        return None
    employee, content = found
    today = _today(work, viewer)
    typed = {name: values[0] if values else "" for name, values in fields.items()}
    typed["e_who"] = fields.get("e_who", [])
    draft, problems = plan.read_part(part, typed, today)
    if part == "profile":
        rows = [(typed.get(f"job_role_{n}", ""), typed.get(f"job_years_{n}", ""),
                 typed.get(f"job_sector_{n}", "")) for n in range(MAX_JOBS)]  # fmt: skip
        draft["experience"], wrong_jobs = plan.read_jobs(rows)
        problems += wrong_jobs
    if not problems and part == "evaluation":
        await plan.save_evaluation(work, viewer, employee, draft)
        return {"saved": True, "employee_id": employee.id}
    if not problems:
        change = {"profile": "profile", "capacity": "capacity", "activity": "activity_added"}.get(part)
        if part == "profile":
            plan.apply_profile(content, draft)
        elif part == "capacity":
            plan.apply_capacity(content, draft)
        elif part == "activity":
            plan.apply_activity(content, draft)
        else:
            change = plan.direction_change(item)
            if not plan.apply_direction(content, draft, item, today):
                problems.append({"step": None, "reason": "plan_too_many_directions", "most": rules.MAX_DIRECTIONS})
        if not problems:
            try:
                await plan.store_version(work, viewer, employee, content, change)
                return {"saved": True, "employee_id": employee.id}
            except rules.PlanError as error:  # the whole plan's check (`rules.normalise`)
                problems.append({"step": None, "reason": error.reason, **error.details})
    return _form(employee, part, item, typed, content, problems)


CHANGES = {"track1": "track1", "reviewed": "directions_reviewed", "remove": "direction_removed",
           "status": "activity_changed"}  # fmt: skip


async def change_plan(
    work: Work, viewer: Person, raw_id: str, action: str, item: str | None, status: str | None = None
) -> int | None:
    """One tap of the chat's plan buttons: Track 1 on or off, a direction discussed or removed, an activity's
    status; stored as a new plan version with the chat's change key. The employee id, or None (404) for a client,
    direction or activity this coach may not reach, or an unknown action or status."""
    employee = await access.reach(work, viewer, Employee, raw_id)
    if employee is None or viewer.coach is None or action not in CHANGES or (item is None) != (action == "track1"):
        return None
    content = await plan.current_content(work, employee)
    if action == "track1":
        done = plan.toggle_track1(content)
    elif action == "reviewed":
        done = plan.review_direction(content, item, _today(work, viewer))
    elif action == "remove":
        done = plan.remove_direction(content, item)
    else:
        done = plan.set_activity_status(content, item, status or "")
    if not done:
        return None
    await plan.store_version(work, viewer, employee, content, CHANGES[action])
    return employee.id


async def _form_target(
    work: Work, viewer: Person, raw_id: str, part: str, item: str | None
) -> tuple[Employee, dict] | None:
    employee = await access.reach(work, viewer, Employee, raw_id)
    if employee is None or viewer.coach is None or part not in PARTS:
        return None
    if item is not None and part != "direction":
        return None
    content = await plan.current_content(work, employee)
    if item is not None and rules.direction(content, item) is None:
        return None  # a direction this plan does not have (or a forged id)
    return employee, content


def _current_values(content: dict, part: str, item: str | None, today: date) -> dict:
    """The form's starting values, as the text a coach would type (lists comma separated, dates ISO)."""

    def text(value: object) -> str:
        if value is None:
            return ""
        return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)

    values: dict = {}
    if part == "profile":
        profile = content["profile"]
        for name in plan.part_steps("profile"):
            values[name] = text(profile.get(STEPS[name].field))
        for n, job in enumerate(profile.get("experience") or []):
            values |= {f"job_role_{n}": text(job.get("role")), f"job_years_{n}": text(job.get("years")),
                       f"job_sector_{n}": text(job.get("sector"))}  # fmt: skip
    elif part == "capacity":
        values = {"fml_date": text(content["capacity"].get("fml_date")), "fml_text": text(content["capacity"]["text"])}
    elif part == "direction" and item is not None:
        found = rules.direction(content, item) or {}
        values = {name: text(found.get(STEPS[name].field)) for name in plan.part_steps("direction")}
    elif part == "direction":
        values = {"d_region": text(content["profile"].get("region"))}
    elif part == "activity":
        values = {"a_start": today.isoformat(), "a_status": "planned"}
    elif part == "evaluation":
        values = {"e_date": today.isoformat(), "e_who": ["employee", "coach"], "e_reviewed": "no"}
    return values


INPUT = {TEXT: "text", LIST: "text", NUMBER: "number", DATE: "date", OPTIONAL_DATE: "date"}


def _form(employee: Employee, part: str, item: str | None, values: dict, content: dict, problems=()) -> dict:
    """The form as template context: one field per input step (name, input kind, bounds, choices, value)."""
    fields = []
    for name in plan.part_steps(part):
        step = STEPS[name]
        kind = "textarea" if step.kind in (LONG, OPTIONAL_LONG) else INPUT.get(step.kind, "text")
        if step.kind == CHOICE:
            kind = "select"
        elif step.kind == TOGGLES:
            kind = "checkboxes"
        fields.append(
            {
                "name": name,
                "kind": kind,
                "list": step.kind == LIST,
                "required": step.kind in (TEXT, LONG, NUMBER, DATE, CHOICE, TOGGLES),
                "low": step.bounds[0],
                "high": step.bounds[1],
                "longest": rules.LONG_TEXT if step.kind in (LONG, OPTIONAL_LONG) else rules.TEXT,
                "choices": [{"value": c, "label": CHOICE_LABELS.get(name, "") + c} for c in step.choices],
                "value": values.get(name, [] if step.kind == TOGGLES else ""),
                "problem": next((p for p in problems if p["step"] == name), None),
            }
        )
    jobs = []
    if part == "profile":  # the jobs filled in, and one empty row for the next (at most MAX_JOBS)
        keys = ("role", "years", "sector")
        filled = [n for n in range(MAX_JOBS) if any(values.get(f"job_{key}_{n}") for key in keys)]
        rows = min(MAX_JOBS, max(filled, default=-1) + 2)
        jobs = [
            {"n": n, **{key: values.get(f"job_{key}_{n}", "") for key in ("role", "years", "sector")},
             "problem": next((p for p in problems if p.get("row") == n), None)}
            for n in range(rows)
        ]  # fmt: skip
    return {
        "employee": {"id": employee.id, "name": employee.name},
        "part": part,
        "item": item,
        "occupation": (rules.direction(content, item) or {}).get("occupation") if item else None,
        "fields": fields,
        "jobs": jobs,
        "problems": list(problems),
        "saved": False,
    }
