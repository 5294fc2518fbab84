"""/plan: the coach keeps a client's Track 2 trajectory plan in the chat. A menu per client (summary and the
UWV's breadth warnings), the person profile, the FML's work capacity, search directions, activities, Track 1,
evaluations, and asking the employee to agree. The input steps are a table (`bot.flows.plan_steps`); the draft
of a change lives in the dialog data (in the database, so a restart loses nothing); each finished change is
checked with `bot.rules.plan.normalise` and stored as a new plan version."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date

from bot.core import access, audit, dialogs
from bot.core.context import Person, Work
from bot.core.replies import Button, Reply, rows
from bot.flows import client_pick
from bot.flows.plan_steps import (
    BUTTONS_ONLY,
    CHOICE,
    DATE,
    FIRST,
    KEEPABLE,
    LIST,
    LONG,
    MAX_JOBS,
    NUMBER,
    OPTIONAL_DATE,
    OPTIONAL_LONG,
    SKIPPABLE,
    STEPS,
    TEXT,
    TOGGLES,
    Step,
)
from bot.outgoing import plan_notices
from bot.rules import plan as rules
from bot.rules.buttons import number_in
from bot.rules.parsing import Invalid, parse_date
from bot.rules.weeks import local_date
from bot.views.caseload import phase_since
from storage import coach_queries, plan_queries
from storage.models import Dialog, Employee, PlanEvaluation, PlanVersion

FLOW = "plan"
COMMANDS = {"plan": "coach"}
MAX_PAGE = 10_000


async def start(work: Work, person: Person) -> list[Reply]:
    clients = await client_pick.open_clients(work, person)
    if len(clients) == 1:
        return await open_menu(work, person, clients[0].id)
    dialog = await dialogs.move(work, person.user_id, FLOW, "pick", page=0, employee=None, draft={}, item=None)
    return [await question(work, person, dialog)]


async def open_menu(work: Work, person: Person, employee_id: int) -> list[Reply]:
    """The plan menu of one client (also the caseload detail's "📋 Plan" button)."""
    dialog = await dialogs.move(work, person.user_id, FLOW, "menu", employee=employee_id, draft={}, item=None)
    return [await question(work, person, dialog)]


async def ask_again(work: Work, person: Person, dialog: Dialog, problem: dict | None) -> list[Reply]:
    return [await question(work, person, dialog, problem=problem)]


def _problem(error: rules.PlanError | Invalid) -> dict:
    return {"reason": error.reason, **error.details}


def _today(work: Work, person: Person) -> date:
    return local_date(work.clock.now(), person.coach.timezone)


# -- typed answers --------------------------------------------------------------------------------------------


def _read(step: Step, text: str, today: date) -> object:
    """A typed answer to `step`, cleaned; raises PlanError or Invalid (a friendly re-ask)."""
    longest = rules.LONG_TEXT if step.kind in (LONG, OPTIONAL_LONG) else rules.TEXT
    if step.kind == NUMBER:
        return rules.clean_number(text, step.field, step.bounds, required=True)
    if step.kind == LIST:
        return [rules.clean_text(part, step.field, required=True) for part in text.split(",") if part.strip()]
    if step.kind in (DATE, OPTIONAL_DATE):
        day = parse_date(text)
        if step.no_future and day > today:
            raise rules.PlanError(step.field, "plan_date_in_future")
        return day.isoformat()
    return rules.clean_text(text, step.field, longest, required=step.kind in (TEXT, LONG))


async def on_text(work: Work, person: Person, dialog: Dialog, text: str) -> list[Reply]:
    step = STEPS.get(dialog.step)
    if step is None or step.kind in BUTTONS_ONLY:
        return [await question(work, person, dialog, problem={"reason": "use_buttons"})]
    if await _client(work, person, dialog) is None:
        return await _stale(work, person)
    try:
        value = _read(step, text, _today(work, person))
        start_day = (dialog.data.get("draft") or {}).get("start")
        if dialog.step == "a_end" and start_day and value < start_day:
            raise rules.PlanError("end", "plan_end_before_start")
    except (rules.PlanError, Invalid) as error:
        return [await question(work, person, dialog, problem=_problem(error))]
    return await _answer(work, person, dialog, value)


async def _answer(work: Work, person: Person, dialog: Dialog, value: object) -> list[Reply]:
    """Keep the answer in the draft and go to the next step (or finish the change)."""
    step = STEPS[dialog.step]
    draft = {**(dialog.data.get("draft") or {}), step.field: value}
    following = step.next
    if dialog.step == "job_more":
        job = {"role": draft.pop("job_role", None), "years": draft.pop("job_years", None)}
        job["sector"] = draft.pop("job_sector", None)
        draft["experience"] = [*draft.get("experience", []), job]
        draft.pop("job_more")
        if value == "yes" and len(draft["experience"]) < MAX_JOBS:
            following = "job_role"
    if following.startswith("save_"):
        dialog = await dialogs.move(work, person.user_id, FLOW, dialog.step, draft=draft)
        return await FINISHERS[following](work, person, dialog, draft)
    return await _move(work, person, following, draft=draft)


# -- buttons --------------------------------------------------------------------------------------------------


async def on_button(work: Work, person: Person, dialog: Dialog, action: str, value: str) -> list[Reply]:
    name = dialog.step
    if name == "pick" and action == "page" and number_in(value, 0, MAX_PAGE) is not None:
        return await _move(work, person, "pick", page=int(value))
    if name == "pick" and action == "open":
        client = await access.reach(work, person, Employee, value)
        return await open_menu(work, person, client.id) if client is not None else await _stale(work, person)
    employee = await _client(work, person, dialog)
    if employee is None:
        return await _stale(work, person)
    latest = await plan_queries.latest_plan(work.session, employee.id)
    content = copy.deepcopy(latest.content) if latest is not None else rules.empty()
    if name in STEPS:
        return await _step_button(work, person, dialog, STEPS[name], content, action, value)
    if name == "menu":
        return await _menu_button(work, person, dialog, employee, latest, content, action, value)
    if action == "back":
        return await _move(work, person, {"direction": "directions", "activity": "activities"}.get(name, "menu"))
    if action == "open" and name in ("directions", "activities"):
        found = (rules.direction if name == "directions" else rules.activity)(content, value)
        if found is not None:
            return await _move(work, person, name[:-1] if name == "directions" else "activity", item=value)
    if name == "directions" and action == "new" and len(content["directions"]) < rules.MAX_DIRECTIONS:
        return await _move(work, person, FIRST["direction"], draft={}, item=None)
    if name == "activities" and action == "new":
        return await _move(work, person, FIRST["activity"], draft={})
    item = dialog.data.get("item")
    if name == "direction" and action == "change" and rules.direction(content, item) is not None:
        return await _move(work, person, FIRST["direction"], draft={})  # the same steps, each with "Zo laten"
    if name == "direction" and action == "reviewed" and review_direction(content, item, _today(work, person)):
        return await _store(work, person, dialog, employee, content, "directions_reviewed", "directions")
    if name == "direction" and action == "remove" and remove_direction(content, item):
        return await _store(work, person, dialog, employee, content, "direction_removed", "directions")
    if name == "activity" and rules.activity(content, item) is not None:
        if action == "status" and set_activity_status(content, item, value):
            return await _store(work, person, dialog, employee, content, "activity_changed", "activity")
        if action == "result":
            return await _move(work, person, "a_result", draft={})
    return [await question(work, person, dialog, problem={"reason": "use_buttons"})]


async def _menu_button(
    work: Work, person: Person, dialog: Dialog, employee: Employee, latest, content: dict, action: str, value: str
) -> list[Reply]:
    if action == "part" and value in FIRST:
        draft = {"participants": []} if value == "evaluation" else {}
        return await _move(work, person, FIRST[value], draft=draft)
    if action in ("directions", "activities"):
        return await _move(work, person, action)
    if action == "track1":
        toggle_track1(content)
        return await _store(work, person, dialog, employee, content, "track1", "menu")
    if action == "ask":
        intro = "ask_no_plan"
        if latest is not None:
            asked = await plan_notices.ask_employee(work, employee, latest)
            intro = "ask_queued" if asked else "ask_unreachable"
        return await _move(work, person, "menu", intro=intro)
    if action == "done":
        await dialogs.finish(work, person.user_id)
        return [Reply("plan_done", person.lang, {"name": employee.name}, edit=True)]
    return [await question(work, person, dialog, problem={"reason": "use_buttons"})]


async def _step_button(
    work: Work, person: Person, dialog: Dialog, step: Step, content: dict, action: str, value: str
) -> list[Reply]:
    today = _today(work, person)
    draft = dialog.data.get("draft") or {}
    kept = _current(dialog, step, content, draft)
    if action == "keep" and kept is not None:
        if dialog.step == "job_role":  # keep all earlier jobs as they are
            return await _move(work, person, "education", draft={**draft, "experience": kept})
        return await _answer(work, person, dialog, kept)
    if action == "skip" and step.kind in SKIPPABLE:
        return await _answer(work, person, dialog, [] if step.kind == LIST else None)
    if action == "num" and step.kind == NUMBER and number_in(value, *step.bounds) in step.quick:
        return await _answer(work, person, dialog, int(value))
    if action == "today" and step.kind == DATE:
        return await _answer(work, person, dialog, today.isoformat())
    if action == "pick" and step.kind == CHOICE and value in step.choices:
        return await _answer(work, person, dialog, value)
    if action == "occ" and dialog.step == "d_occupation":
        known = rules.occupations(content)
        index = number_in(value, 0, len(known) - 1) if known else None
        if index is not None:
            return await _answer(work, person, dialog, known[index])
    if action == "same" and dialog.step == "d_region" and content["profile"].get("region"):
        return await _answer(work, person, dialog, content["profile"]["region"])
    if step.kind == TOGGLES and action == "toggle" and value in step.choices:
        chosen = list((dialog.data.get("draft") or {}).get(step.field) or [])
        chosen = [c for c in chosen if c != value] if value in chosen else [*chosen, value]
        return await _move(work, person, dialog.step, draft={**dialog.data["draft"], step.field: chosen})
    if step.kind == TOGGLES and action == "done":
        chosen = (dialog.data.get("draft") or {}).get(step.field) or []
        if not chosen:
            return [await question(work, person, dialog, problem={"reason": "plan_who_required"})]
        return await _answer(work, person, dialog, chosen)
    return [await question(work, person, dialog, problem={"reason": "use_buttons"})]


# -- finishing a change ---------------------------------------------------------------------------------------


async def _store(
    work: Work, person: Person, dialog: Dialog, employee: Employee, content: dict, change: str, then: str, **data
) -> list[Reply]:
    """Check `content` and store it as the next version; then show step `then` (a re-ask when it is wrong)."""
    try:
        await store_version(work, person, employee, content, change)
    except rules.PlanError as error:
        return [await question(work, person, dialog, problem=_problem(error))]
    return await _move(work, person, then, intro="saved", draft={}, **data)


async def _finish(work: Work, person: Person, dialog: Dialog, draft: dict, apply: Callable, change: str, then: str):
    employee = await _client(work, person, dialog)
    if employee is None:
        return await _stale(work, person)
    content = await current_content(work, employee)
    if apply(content) is False:
        return await _move(work, person, "directions", draft={})
    return await _store(work, person, dialog, employee, content, change, then)


async def _save_profile(work: Work, person: Person, dialog: Dialog, draft: dict) -> list[Reply]:
    return await _finish(work, person, dialog, draft, lambda content: apply_profile(content, draft), "profile", "menu")


async def _save_capacity(work: Work, person: Person, dialog: Dialog, draft: dict) -> list[Reply]:
    apply = lambda content: apply_capacity(content, draft)  # noqa: E731
    return await _finish(work, person, dialog, draft, apply, "capacity", "menu")


async def _save_direction(work: Work, person: Person, dialog: Dialog, draft: dict) -> list[Reply]:
    item = dialog.data.get("item")  # set when an existing direction is changed
    today = _today(work, person)
    apply = lambda content: apply_direction(content, draft, item, today)  # noqa: E731
    return await _finish(work, person, dialog, draft, apply, direction_change(item), "directions")


async def _save_activity(work: Work, person: Person, dialog: Dialog, draft: dict) -> list[Reply]:
    apply = lambda content: apply_activity(content, draft)  # noqa: E731
    return await _finish(work, person, dialog, draft, apply, "activity_added", "activities")


async def _save_result(work: Work, person: Person, dialog: Dialog, draft: dict) -> list[Reply]:
    def apply(content: dict) -> None:
        found = rules.activity(content, dialog.data.get("item"))
        if found is not None:
            found["result"] = draft.get("result")

    return await _finish(work, person, dialog, draft, apply, "activity_changed", "activity")


async def _save_evaluation(work: Work, person: Person, dialog: Dialog, draft: dict) -> list[Reply]:
    employee = await _client(work, person, dialog)
    if employee is None:
        return await _stale(work, person)
    await save_evaluation(work, person, employee, draft)
    return await _move(work, person, "menu", intro="evaluation_saved", draft={})


# -- the changes themselves, for the chat and the dashboard alike -----------------------------------------------

DIRECTION_KEYS = ("occupation", "sector", "region", "hours", "level", "reason")
ACTIVITY_KEYS = ("kind", "provider", "start", "end", "status")


async def current_content(work: Work, employee: Employee) -> dict:
    """A copy of the current plan's content to change (an empty plan before the first version)."""
    latest = await plan_queries.latest_plan(work.session, employee.id)
    return copy.deepcopy(latest.content) if latest is not None else rules.empty()


async def store_version(work: Work, person: Person, employee: Employee, content: dict, change: str) -> PlanVersion:
    """Check `content` (`rules.normalise`, raises PlanError) and store it as the next version by this coach."""
    checked = rules.normalise(content, _today(work, person))
    return await plan_queries.add_plan_version(
        work.session, employee.id, checked, change, person.coach.id, work.clock.now()
    )


def apply_profile(content: dict, draft: dict) -> None:
    content["profile"] = {field: draft.get(field) for field in rules.PROFILE_FIELDS}
    content["profile"]["experience"] = draft.get("experience") or []


def apply_capacity(content: dict, draft: dict) -> None:
    content["capacity"] = {"fml_date": draft.get("fml_date"), "text": draft.get("text")}


def direction_change(item: str | None) -> str:
    """The change key of a saved direction: changed when it had an id, else added."""
    return "direction_changed" if item is not None else "direction_added"


def apply_direction(content: dict, draft: dict, item: str | None, today: date) -> bool:
    """Change direction `item` (or add a new one when None); False when it is gone or the plan has the most."""
    if item is not None:
        found = rules.direction(content, item)
        if found is not None:
            found.update({f: draft.get(f) for f in DIRECTION_KEYS})
        return found is not None
    if len(content["directions"]) >= rules.MAX_DIRECTIONS:
        return False
    day = today.isoformat()
    content["directions"].append({**{f: draft.get(f) for f in DIRECTION_KEYS}, "added_on": day, "reviewed_on": day})
    return True


def apply_activity(content: dict, draft: dict) -> None:
    content["activities"].append({f: draft.get(f) for f in ACTIVITY_KEYS})


async def save_evaluation(work: Work, person: Person, employee: Employee, draft: dict) -> PlanEvaluation:
    """Store an evaluation (a PlanEvaluation row: no new plan version) from a checked draft."""
    evaluation = PlanEvaluation(
        employee_id=employee.id,
        coach_id=person.coach.id,
        held_on=date.fromisoformat(draft["held_on"]),
        participants=list(draft.get("participants") or []),
        conclusion=draft["conclusion"],
        changes=draft.get("changes"),
        directions_reviewed=draft.get("directions_reviewed") == "yes",
        created_at=work.clock.now(),
    )
    return await plan_queries.add_evaluation(work.session, evaluation)


def part_steps(part: str) -> list[str]:
    """The input steps of one part of the plan, in order (the profile's earlier jobs are not among them: they
    loop in the chat and are rows of their own in a form)."""
    names, name = [], FIRST[part]
    while not name.startswith("save_"):
        if not name.startswith("job_"):
            names.append(name)
        name = STEPS[name].next if name != "own_role" else "education"
    return names


def read_part(part: str, form: dict, today: date) -> tuple[dict, list[dict]]:
    """A whole part typed at once (a dashboard form: step name -> typed text, a list for toggles), each answer
    read exactly as the chat reads it. The draft, and a problem per wrong answer ({"step", "reason", ...details},
    in the order of the steps; the draft is only to be stored when there is none)."""
    draft: dict = {}
    problems: list[dict] = []
    for name in part_steps(part):
        step = STEPS[name]
        try:
            draft[step.field] = read_answer(step, form.get(name), today)
            if name == "a_end" and draft[step.field] and draft.get("start") and draft[step.field] < draft["start"]:
                raise rules.PlanError("end", "plan_end_before_start")
        except (rules.PlanError, Invalid) as error:
            problems.append({"step": name, **_problem(error)})
    return draft, problems


def read_answer(step: Step, raw: object, today: date) -> object:
    """One answer as text or (toggles) a list: skipped when empty and skippable, a choice checked against the
    step's choices, anything typed read like a chat message (`_read`)."""
    if step.kind == TOGGLES:
        chosen = [value for value in (raw or []) if value in step.choices]
        if not chosen:
            raise rules.PlanError(step.field, "plan_who_required")
        return list(dict.fromkeys(chosen))
    text = raw if isinstance(raw, str) else ""
    if step.kind == CHOICE:
        if text not in step.choices:
            raise rules.PlanError(step.field, "plan_required")
        return text
    if not text.strip() and step.kind in SKIPPABLE:
        return [] if step.kind == LIST else None
    if not text.strip() and step.kind in (TEXT, LONG, NUMBER, DATE):
        raise rules.PlanError(step.field, "plan_required")
    return _read(step, text, today)


def read_jobs(rows: list[tuple[str, str, str]]) -> tuple[list[dict], list[dict]]:
    """The profile's earlier jobs from form rows (role, years, sector), each read as the chat's job steps; a row
    left empty is left out. The jobs, and a problem per wrong answer ({"step", "row", "reason", ...})."""
    jobs, problems = [], []
    for index, row in enumerate(rows[:MAX_JOBS]):
        if not any(part.strip() for part in row):
            continue
        job = {}
        for name, raw in zip(("job_role", "job_years", "job_sector"), row, strict=True):
            key = name.removeprefix("job_")
            try:
                job[key] = read_answer(STEPS[name], raw, date.min)
            except (rules.PlanError, Invalid) as error:
                problems.append({"step": name, "row": index, **_problem(error)})
        jobs.append(job)
    return jobs, problems


# -- the one-tap changes of the chat's buttons (also the dashboard's) ----------------------------------------------


def toggle_track1(content: dict) -> bool:
    """Track 1 runs / no longer runs in parallel (change "track1")."""
    content["track1"] = not content["track1"]
    return True


def review_direction(content: dict, item: str | None, today: date) -> bool:
    """Mark one direction as discussed today (change "directions_reviewed"); False when it is not in the plan."""
    found = rules.direction(content, item)
    if found is not None:
        found["reviewed_on"] = today.isoformat()
    return found is not None


def remove_direction(content: dict, item: str | None) -> bool:
    """Take one direction out of the plan (change "direction_removed"); False when it is not in the plan."""
    if rules.direction(content, item) is None:
        return False
    content["directions"] = [d for d in content["directions"] if d["id"] != item]
    return True


def set_activity_status(content: dict, item: str | None, status: str) -> bool:
    """An activity is planned, running, done or stopped (change "activity_changed"); False for an unknown
    activity or status."""
    found = rules.activity(content, item)
    if found is None or status not in rules.STATUSES:
        return False
    found["status"] = status
    return True


FINISHERS = {
    "save_profile": _save_profile,
    "save_capacity": _save_capacity,
    "save_direction": _save_direction,
    "save_activity": _save_activity,
    "save_result": _save_result,
    "save_evaluation": _save_evaluation,
}


# -- showing a step -------------------------------------------------------------------------------------------


async def _move(work: Work, person: Person, step: str, *, intro: str | None = None, **changes) -> list[Reply]:
    dialog = await dialogs.move(work, person.user_id, FLOW, step, **changes)
    return [await question(work, person, dialog, edit=True, intro=intro)]


async def _client(work: Work, person: Person, dialog: Dialog) -> Employee | None:
    return await access.reach(work, person, Employee, dialog.data.get("employee"))


async def _stale(work: Work, person: Person) -> list[Reply]:
    dialog = await dialogs.move(work, person.user_id, FLOW, "pick", employee=None, draft={}, item=None)
    return [await question(work, person, dialog, problem={"reason": "stale"})]


async def warnings(work: Work, employee: Employee, content: dict, today: date) -> list[rules.BreadthWarning]:
    """The breadth warnings of this plan, with the evaluations, the phase and the logged applications."""
    evaluations = await plan_queries.evaluations_of(work.session, [employee.id])
    changes = await coach_queries.phase_changes_of(work.session, [employee.id])
    since = rules.searching_since(
        employee.phase, phase_since(changes, "active_search", employee.timezone), employee.track2_start
    )
    applications = await coach_queries.applications_of(work.session, [employee.id])
    return rules.breadth_warnings(
        content,
        today,
        evaluations=[(e.held_on, e.directions_reviewed) for e in evaluations],
        active_search_since=since,
        applications=[(a.direction, a.applied_on) for a in applications],
    )


async def question(
    work: Work,
    person: Person,
    dialog: Dialog,
    *,
    edit: bool = False,
    problem: dict | None = None,
    intro: str | None = None,
) -> Reply:
    """The message for the dialog's current step, with its buttons."""
    if problem is not None:
        edit = False
    ctx: dict = {"step": dialog.step, "problem": problem, "intro": intro}

    def data(action: str, value: object = "") -> str:
        return dialogs.button_data(dialog, action, value)

    employee = None if dialog.step == "pick" else await _client(work, person, dialog)
    if employee is None:
        found = await client_pick.open_clients(work, person)
        buttons, paging = client_pick.page_buttons(found, dialog.data.get("page"), data, "plan")
        return Reply("plan_pick", person.lang, {**ctx, **paging}, buttons, edit=edit)

    today = _today(work, person)
    latest = await plan_queries.latest_plan(work.session, employee.id)
    await audit.read(work, person, "plan", employee.id)
    content = latest.content if latest is not None else rules.empty()
    draft = dialog.data.get("draft") or {}
    ctx.update(name=employee.name, draft=draft)
    back = [Button("back", data=data("back"))]
    if dialog.step == "menu":
        found = await warnings(work, employee, content, today)
        ctx.update(
            number=latest.number if latest is not None else None,
            made_on=local_date(latest.created_at, person.coach.timezone) if latest is not None else None,
            answer=latest.employee_answer if latest is not None else None,
            directions=len(content["directions"]),
            running=len(rules.running(content)),
            track1=content["track1"],
            warnings=[{"reason": w.reason, "direction": w.direction} for w in found],
        )
        profile, capacity = data("part", "profile"), data("part", "capacity")
        buttons = [
            [Button("plan_profile", data=profile), Button("plan_capacity", data=capacity)],
            [Button("plan_directions", data=data("directions")), Button("plan_activities", data=data("activities"))],
            [Button("plan_evaluation", data=data("part", "evaluation")),
             Button("plan_track1", data=data("track1"), checked=content["track1"])],
            [Button("plan_ask_agree", data=data("ask")), Button("plan_finish", data=data("done"))],
        ]  # fmt: skip
        return Reply("plan_menu", person.lang, ctx, buttons, edit=edit)
    if dialog.step == "directions":
        found = await warnings(work, employee, content, today)
        ctx.update(
            directions=content["directions"],
            most=rules.MAX_DIRECTIONS,
            warnings=[{"reason": w.reason, "direction": w.direction} for w in found],
        )
        buttons = [[Button(text=d["occupation"][:60], data=data("open", d["id"]))] for d in content["directions"]]
        if len(content["directions"]) < rules.MAX_DIRECTIONS:
            buttons.append([Button("plan_direction_new", data=data("new"))])
        return Reply("plan_directions", person.lang, ctx, [*buttons, back], edit=edit)
    if dialog.step == "direction":
        ctx["direction"] = rules.direction(content, dialog.data.get("item"))
        if ctx["direction"] is None:
            return await question(work, person, await dialogs.move(work, person.user_id, FLOW, "directions"))
        actions = [Button("plan_reviewed", data=data("reviewed")), Button("plan_remove", data=data("remove"))]
        change = [Button("plan_change", data=data("change"))]
        return Reply("plan_direction", person.lang, ctx, [change, actions, back], edit=edit)
    if dialog.step == "activities":
        ctx["activities"] = content["activities"]
        buttons = [[Button(f"plan_kind_{a['kind']}", data=data("open", a["id"]))] for a in content["activities"]]
        buttons.append([Button("plan_activity_new", data=data("new"))])
        return Reply("plan_activities", person.lang, ctx, [*buttons, back], edit=edit)
    if dialog.step == "activity":
        found = rules.activity(content, dialog.data.get("item"))
        if found is None:
            return await question(work, person, await dialogs.move(work, person.user_id, FLOW, "activities"))
        ctx["activity"] = found
        statuses = [
            Button(f"plan_status_{s}", data=data("status", s), checked=s == found["status"]) for s in rules.STATUSES
        ]
        result = [Button("plan_result", data=data("result"))]
        return Reply("plan_activity", person.lang, ctx, [*rows(statuses, 2), result, back], edit=edit)
    step = STEPS[dialog.step]
    current = _current(dialog, step, content, draft)
    ctx["editing"] = dialog.step.startswith("d_") and dialog.data.get("item") is not None
    if current is not None:
        ctx["current"] = ", ".join(_shown(v) for v in current) if isinstance(current, list) else current
    return Reply("plan_question", person.lang, ctx, _step_buttons(dialog, step, content, data), edit=edit)


def _current(dialog: Dialog, step: Step, content: dict, draft: dict) -> object:
    """The value the plan already has for this step of the profile or of the direction being changed (offered as
    "Zo laten"), or None."""
    name, item = dialog.step, dialog.data.get("item")
    if name.startswith("d_") and item is not None:
        value = (rules.direction(content, item) or {}).get(step.field)
    elif name not in KEEPABLE or (name == "job_role" and draft.get("experience")):
        return None
    else:
        value = content["profile"].get("experience" if name == "job_role" else step.field)
    return None if value in (None, "", []) else value


def _shown(value: object) -> str:
    return value["role"] if isinstance(value, dict) else str(value)


def _step_buttons(dialog: Dialog, step: Step, content: dict, data: Callable) -> list[list[Button]]:
    """The buttons of one input step: quick numbers, Vandaag, choices, toggles, Overslaan."""
    draft = dialog.data.get("draft") or {}
    buttons: list[list[Button]] = []
    if step.kind == NUMBER:
        buttons = [[Button(text=str(n), data=data("num", n)) for n in step.quick]]
    elif step.kind == DATE:
        buttons = [[Button("plan_today", data=data("today"))]]
    elif step.kind == CHOICE:
        choices = step.choices
        if dialog.step == "job_more" and len(draft.get("experience") or []) + 1 >= MAX_JOBS:
            choices = ("no",)
        label = {"job_more": "plan_yes_no_", "e_reviewed": "plan_yes_no_"}.get(dialog.step, f"plan_{step.field}_")
        buttons = rows([Button(f"{label}{c}", data=data("pick", c)) for c in choices], 2)
    elif step.kind == TOGGLES:
        chosen = draft.get(step.field) or []
        toggles = [Button(f"plan_who_{c}", data=data("toggle", c), checked=c in chosen) for c in step.choices]
        buttons = [*rows(toggles, 2), [Button("done", data=data("done"))]]
    if dialog.step == "d_occupation":
        known = rules.occupations(content)
        buttons = rows([Button(text=o[:60], data=data("occ", i)) for i, o in enumerate(known)], 2)
    if dialog.step == "d_region" and content["profile"].get("region"):
        buttons = [[Button("plan_as_profile", data=data("same"), params={"region": content["profile"]["region"]})]]
    if _current(dialog, step, content, draft) is not None:
        buttons.append([Button("plan_keep", data=data("keep"))])
    if step.kind in SKIPPABLE:
        skip = "plan_nothing" if dialog.step == "e_changes" else "plan_skip"
        buttons.append([Button(skip, data=data("skip"))])
    return buttons
