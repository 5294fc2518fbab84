"""A coach enrols an employee: name, employer, first day of sickness, (Track 2 start), then link and QR code."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from bot.core import access, dialogs
from bot.core.context import Person, Work
from bot.core.replies import Button, Reply, rows
from bot.flows.onboarding import make_link
from bot.rules.parsing import Invalid, parse_date
from bot.rules.weeks import local_date, sickness_week
from bot.views.qr import qr_png
from storage import queries
from storage.models import Employer

FLOW = "invite"
COMMANDS = {"invite": "coach", "uitnodigen": "coach"}
NAME_LENGTH = (2, 120)
# A first day of sickness longer ago than this is past the end of wage continuation (104 weeks) plus a
# year of possible wage sanction: almost surely a typo.
OLDEST_SICKNESS = timedelta(weeks=156)
RECENT_EMPLOYERS = 6


async def start(work: Work, person: Person) -> list[Reply]:
    dialog = await dialogs.move(work, person.user_id, FLOW, "name")
    return [await question(work, person, dialog)]


async def ask_again(work: Work, person: Person, dialog, problem: dict | None) -> list[Reply]:
    return [await question(work, person, dialog, problem=problem)]


def _clean_name(text: str) -> str:
    name = " ".join(text.split())
    low, high = NAME_LENGTH
    if not low <= len(name) <= high:
        raise Invalid("name_length", low=low, high=high)
    return name


async def on_text(work: Work, person: Person, dialog, text: str) -> list[Reply]:
    today = local_date(work.clock.now(), work.timezone)
    try:
        if dialog.step == "name":
            dialog = await dialogs.move(work, person.user_id, FLOW, "employer", name=_clean_name(text))
        elif dialog.step == "employer":
            dialog = await dialogs.move(work, person.user_id, FLOW, "sick_day", employer=_clean_name(text))
        elif dialog.step == "sick_day":
            sick_day = parse_date(text)
            if sick_day > today:
                raise Invalid("date_in_future")
            if sick_day < today - OLDEST_SICKNESS:
                raise Invalid("date_too_old")
            dialog = await dialogs.move(
                work, person.user_id, FLOW, "confirm", sick_day=sick_day.isoformat(), track2=today.isoformat()
            )
        elif dialog.step == "track2":
            track2 = parse_date(text)
            if track2 < date.fromisoformat(dialog.data["sick_day"]):
                raise Invalid("track2_before_sickness")
            if track2 > today + timedelta(weeks=26):
                raise Invalid("date_too_far")
            dialog = await dialogs.move(work, person.user_id, FLOW, "confirm", track2=track2.isoformat())
        else:
            raise Invalid("use_buttons")
    except Invalid as problem:
        return [await question(work, person, dialog, problem={"reason": problem.reason, **problem.details})]
    return [await question(work, person, dialog)]


async def on_button(work: Work, person: Person, dialog, action: str, value: str) -> list[Reply]:
    if dialog.step == "employer" and action == "employer":
        employer = await access.reach(work, person, Employer, value)  # only an employer of the coach's clients
        if employer is not None:
            dialog = await dialogs.move(work, person.user_id, FLOW, "sick_day", employer=employer.name)
            return [await question(work, person, dialog, edit=True)]
    if dialog.step == "confirm" and action == "track2":
        dialog = await dialogs.move(work, person.user_id, FLOW, "track2")
        return [await question(work, person, dialog, edit=True)]
    if dialog.step == "confirm" and action == "create":
        return await _create(work, person, dialog)
    if dialog.step == "confirm" and action == "restart":
        dialog = await dialogs.move(work, person.user_id, FLOW, "name")
        return [await question(work, person, dialog, edit=True)]
    return [await question(work, person, dialog, problem={"reason": "use_buttons"})]


async def _create(work: Work, person: Person, dialog) -> list[Reply]:
    data = dialog.data
    now = work.clock.now()
    employer = await queries.employer_named(work.session, data["employer"], now)
    employee = await queries.create_employee(
        work.session,
        name=data["name"],
        coach_id=person.coach.id,
        employer_id=employer.id,
        first_sick_day=date.fromisoformat(data["sick_day"]),
        track2_start=date.fromisoformat(data["track2"]),
        timezone=work.timezone,
        now=now,
    )
    link = await make_link(work, "employee", coach_id=person.coach.id, employee_id=employee.id)
    await dialogs.finish(work, person.user_id)
    ctx = {
        "name": employee.name,
        "url": link.url,
        "expires": link.invite.expires_at.astimezone(ZoneInfo(work.timezone)),
    }
    return [
        Reply("invite_done", person.lang, ctx, edit=True),
        Reply("invite_link", person.lang, ctx, photo=qr_png(link.url), photo_name="uitnodiging.png"),
    ]


async def question(work: Work, person: Person, dialog, *, edit: bool = False, problem: dict | None = None) -> Reply:
    data = dialog.data
    ctx: dict = {"step": dialog.step, "problem": problem, **data}
    if problem is not None:
        edit = False

    def button(action: str, value: object = "") -> str:
        return dialogs.button_data(dialog, action, value)

    buttons: list[list[Button]] = []
    if dialog.step == "employer":
        known = await queries.employers_of_coach(work.session, person.coach.id, RECENT_EMPLOYERS)
        buttons = rows([Button(text=item.name, data=button("employer", item.id)) for item in known], 2)
        ctx["has_choices"] = bool(known)
    elif dialog.step == "confirm":
        today = local_date(work.clock.now(), work.timezone)
        sick_day = date.fromisoformat(data["sick_day"])
        ctx.update(
            sick_day=sick_day,
            track2=date.fromisoformat(data["track2"]),
            sickness_week=sickness_week(sick_day, today),
        )
        buttons = [
            [Button("invite_create", data=button("create"))],
            [Button("invite_track2", data=button("track2"))],
            [Button("invite_restart", data=button("restart"))],
        ]
    elif dialog.step == "track2":
        ctx["today"] = local_date(work.clock.now(), work.timezone)
    return Reply(f"invite_{dialog.step}", person.lang, ctx, buttons, edit=edit)
