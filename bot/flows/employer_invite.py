"""/werkgever (/employer): a coach invites a contact person (HR, case manager) of one of their clients' employers.

The coach picks the employer with one tap or types its name (only employers of their own clients), types the
contact's name, and gets a single-use deep link and its QR code (the same links and QR codes as employee
invites). The contact will see only that company's employees, and never health data (see `bot.views.employer_view`).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.core import access, dialogs
from bot.core.context import Person, Work
from bot.core.replies import Button, Reply, rows
from bot.flows.onboarding import make_link
from bot.rules.parsing import Invalid
from bot.views.qr import qr_png
from storage import employer_queries, queries
from storage.models import Dialog, Employer

FLOW = "employer_invite"
COMMANDS = {"werkgever": "coach", "employer": "coach"}
NAME_LENGTH = (2, 120)
MAX_EMPLOYERS = 30  # buttons to choose from; a coach's clients rarely work for more


async def start(work: Work, person: Person) -> list[Reply]:
    known = await queries.employers_of_coach(work.session, person.coach.id, MAX_EMPLOYERS)
    if not known:
        await dialogs.finish(work, person.user_id)
        return [Reply("employer_invite_none", person.lang)]
    dialog = await dialogs.move(work, person.user_id, FLOW, "employer")
    return [await question(work, person, dialog)]


async def ask_again(work: Work, person: Person, dialog: Dialog, problem: dict | None) -> list[Reply]:
    return [await question(work, person, dialog, problem=problem)]


def clean_name(text: str) -> str:
    name = " ".join(text.split())
    low, high = NAME_LENGTH
    if not low <= len(name) <= high:
        raise Invalid("name_length", low=low, high=high)
    return name


async def on_text(work: Work, person: Person, dialog: Dialog, text: str) -> list[Reply]:
    try:
        name = clean_name(text)
    except Invalid as problem:
        return [await question(work, person, dialog, problem={"reason": problem.reason, **problem.details})]
    if dialog.step == "employer":  # the company typed instead of tapped: only an employer of the coach's clients
        employer = await employer_queries.employer_of_coach_named(work.session, person.coach.id, name)
        if employer is None:
            return [await question(work, person, dialog, problem={"reason": "unknown_employer", "name": name})]
        return [await _chose(work, person, employer)]
    return await _create(work, person, dialog, name)


async def on_button(work: Work, person: Person, dialog: Dialog, action: str, value: str) -> list[Reply]:
    if dialog.step == "employer" and action == "employer":
        employer = await access.reach(work, person, Employer, value)
        if employer is not None:
            return [await _chose(work, person, employer, edit=True)]
    return [await question(work, person, dialog, problem={"reason": "use_buttons"})]


async def _chose(work: Work, person: Person, employer: Employer, *, edit: bool = False) -> Reply:
    dialog = await dialogs.move(work, person.user_id, FLOW, "name", employer_id=employer.id, employer=employer.name)
    return await question(work, person, dialog, edit=edit)


async def _create(work: Work, person: Person, dialog: Dialog, name: str) -> list[Reply]:
    employer_id, company = dialog.data["employer_id"], dialog.data["employer"]  # read before finish() clears them
    contact = await employer_queries.create_contact(
        work.session,
        employer_id=employer_id,
        name=name,
        coach_id=person.coach.id,
        now=work.clock.now(),
    )
    link = await make_link(work, "employer", coach_id=person.coach.id)
    await employer_queries.link_invite_to_contact(work.session, link.invite, contact.id)
    await dialogs.finish(work, person.user_id)
    ctx = {
        "name": contact.name,
        "company": company,
        "url": link.url,
        "expires": link.invite.expires_at.astimezone(ZoneInfo(work.timezone)),
    }
    return [
        Reply("employer_invite_done", person.lang, ctx),
        Reply("invite_link", person.lang, ctx, photo=qr_png(link.url), photo_name="uitnodiging.png"),
    ]


async def question(
    work: Work, person: Person, dialog: Dialog, *, edit: bool = False, problem: dict | None = None
) -> Reply:
    ctx: dict = {"step": dialog.step, "problem": problem, "company": dialog.data.get("employer")}
    if problem is not None:
        edit = False
    buttons: list[list[Button]] = []
    if dialog.step == "employer":
        known = await queries.employers_of_coach(work.session, person.coach.id, MAX_EMPLOYERS)
        choices = [Button(text=e.name, data=dialogs.button_data(dialog, "employer", e.id)) for e in known]
        buttons = rows(choices, 2)
    return Reply(f"employer_invite_{dialog.step}", person.lang, ctx, buttons, edit=edit)
