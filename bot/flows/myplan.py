"""/mijnplan (/myplan): the employee reads their plan for work in plain words and says whether they agree.

It shows the latest plan version as the employee may see it (`privacy.plan_view`: never evaluation notes): the
kinds of work they look for, what they will do, their profile in short and whether Track 1 runs beside it. Two
buttons answer it ("agree" or "want to discuss"), stored on that version with its time; the coach hears it.
The dialog remembers which version it showed: when the coach made a newer one in between, a press stores
nothing and the new version is shown instead. The coach's "look at your plan" message opens the same view.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.core import access, dialogs
from bot.core.context import Person, Work
from bot.core.replies import Button, Reply
from bot.outgoing import plan_notices
from bot.rules import privacy
from bot.rules.weeks import local_date
from storage import plan_queries
from storage.models import Dialog, PlanVersion

FLOW = "myplan"
COMMANDS = {"mijnplan": "employee", "myplan": "employee"}
ANSWERS = ("agree", "discuss")
VIEW = "view"


async def start(work: Work, person: Person) -> list[Reply]:
    latest = await plan_queries.latest_plan(work.session, person.employee.id)
    if latest is None:
        await dialogs.finish(work, person.user_id)
        return [Reply("myplan_none", person.lang)]
    return [await _show(work, person, latest)]


async def ask_again(work: Work, person: Person, dialog: Dialog, problem: dict | None) -> list[Reply]:
    version = await _shown(work, person, dialog)
    if version is None:
        return await start(work, person)
    return [_view(person, dialog, version, problem=problem)]


async def on_text(work: Work, person: Person, dialog: Dialog, text: str) -> list[Reply]:
    return await ask_again(work, person, dialog, {"reason": "use_buttons"})


async def on_button(work: Work, person: Person, dialog: Dialog, action: str, value: str) -> list[Reply]:
    shown = await _shown(work, person, dialog)
    if dialog.step != VIEW or action != "answer" or value not in ANSWERS or shown is None:
        return await ask_again(work, person, dialog, {"reason": "use_buttons"})
    latest = await plan_queries.latest_plan(work.session, person.employee.id)
    if latest is not None and latest.id != shown.id:  # the coach changed the plan meanwhile: show that one first
        return [await _show(work, person, latest, intro="changed")]
    await plan_queries.answer_plan(work.session, shown.id, value, work.clock.now())
    await plan_notices.tell_coach(work, person.employee, shown)
    await dialogs.finish(work, person.user_id)
    return [Reply("myplan_answered", person.lang, {"answer": value, "number": shown.number}, edit=True)]


async def _shown(work: Work, person: Person, dialog: Dialog) -> PlanVersion | None:
    """The version this dialog showed (checked: the employee's own)."""
    return await access.reach(work, person, PlanVersion, dialog.data.get("version_id"))


async def _show(work: Work, person: Person, version: PlanVersion, *, intro: str | None = None) -> Reply:
    dialog = await dialogs.move(work, person.user_id, FLOW, VIEW, version_id=version.id)
    return _view(person, dialog, version, intro=intro)


def _view(
    person: Person, dialog: Dialog, version: PlanVersion, *, intro: str | None = None, problem: dict | None = None
) -> Reply:
    """The plan in the employee's words, with the two answer buttons."""
    seen = privacy.plan_view(privacy.EMPLOYEE, version)
    timezone = person.employee.timezone
    ctx = {
        "intro": intro,
        "problem": problem,
        "number": seen["number"],
        "created_on": _day(seen["created_at"], timezone),
        "answer": seen["employee_answer"],
        "answered_on": _day(seen["answered_at"], timezone),
        "track1": bool(seen["track1"]),
        "profile": seen.get("profile") or {},
        "directions": seen["directions"],
        "activities": [
            {**activity, "start": _iso_day(activity.get("start")), "end": _iso_day(activity.get("end"))}
            for activity in seen["activities"]
        ],
    }
    buttons = [
        [
            Button(
                f"myplan_{answer}", data=dialogs.button_data(dialog, "answer", answer), checked=answer == ctx["answer"]
            )
        ]
        for answer in ANSWERS
    ]
    return Reply("myplan_view", person.lang, ctx, buttons)


def _day(moment: datetime | None, timezone: str) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # (SQLite gives back UTC times without their zone)
        moment = moment.replace(tzinfo=UTC)
    return local_date(moment, timezone).strftime("%d-%m-%Y")


def _iso_day(text: str | None) -> str | None:
    return None if not text else date.fromisoformat(text).strftime("%d-%m-%Y")
