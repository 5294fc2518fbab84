"""The employer contact's own chat: joining through the coach's link, and /status.

A contact sees only the employees of their own company, and only what `bot.views.employer_view` builds from the
privacy policy: phase, week of sickness, the next deadline and activity counts. Never health data.
"""

from __future__ import annotations

from bot.core import audit
from bot.core.context import Person, Work
from bot.core.replies import Reply
from bot.outgoing import outbox
from bot.outgoing.outbox import Message
from bot.rules.weeks import local_date
from bot.views.employer_view import STATUS_WEEKS, status_replies, weeks_back
from storage import employer_queries, plan_queries, queries
from storage.models import Coach, Dialog, Employer, EmployerContact, Invite

FLOW = "employer"
COMMANDS = {"status": "employer"}


async def start(work: Work, person: Person) -> list[Reply]:
    """/status: each employee of the contact's company."""
    return await status(work, person.employer_contact)


async def status(work: Work, contact: EmployerContact) -> list[Reply]:
    today = local_date(work.clock.now(), work.timezone)
    employer = await queries.get(work.session, Employer, contact.employer_id)
    staff = (await employer_queries.employees_of_employers(work.session, {employer.id}))[employer.id]
    first = weeks_back(today, STATUS_WEEKS)[0]
    checkins = await employer_queries.checkins_from_week(work.session, {e.id for e in staff}, first.year, first.week)
    rows = [(employee, checkins.get(employee.id, [])) for employee in staff]
    plans = await plan_queries.latest_plans(work.session, [e.id for e in staff])
    viewer = Person(contact.telegram_user_id or 0, contact.language, employer_contact=contact)
    for employee in staff:  # the audit trail: what this contact was shown of each employee (and the plan)
        for what in ("employer_view", "plan") if employee.id in plans else ("employer_view",):
            await audit.read(work, viewer, what, employee.id)
    return status_replies(contact.language, employer.name, rows, today, plans)


async def join(work: Work, person: Person, invite: Invite) -> list[Reply]:
    """An employer contact opened their invite link: register them, say plainly what they will and will not
    see and why, show the current status, and tell the coach who invited them."""
    contact = await queries.get(work.session, EmployerContact, invite.employer_contact_id)
    contact.telegram_user_id = person.user_id
    contact.language = person.lang
    contact.registered_at = work.clock.now()
    work.session.add(contact)
    await work.session.flush()
    employer = await queries.get(work.session, Employer, contact.employer_id)
    welcome = Reply("employer_welcome", person.lang, {"name": contact.name, "company": employer.name}, menu="employer")
    coach = await queries.get(work.session, Coach, contact.invited_by_coach_id)
    if coach is not None and coach.telegram_user_id is not None:
        notice = Reply("coach_employer_joined", coach.language, {"name": contact.name, "company": employer.name})
        await outbox.enqueue(
            work,
            [Message(f"employer_joined:{contact.id}", "coach_employer_joined", coach.telegram_user_id, notice,
                     work.timezone)],
        )  # fmt: skip
    return [welcome, *await status(work, contact)]


# /status is a single answer, not a conversation: there is never a dialog of this flow to continue.
async def ask_again(work: Work, person: Person, dialog: Dialog, problem: dict | None) -> list[Reply]:
    return [Reply("help_employer", person.lang, {"problem": problem})]


async def on_text(work: Work, person: Person, dialog: Dialog, text: str) -> list[Reply]:
    return [Reply("help_employer", person.lang, {"not_understood": True})]


async def on_button(work: Work, person: Person, dialog: Dialog, action: str, value: str) -> list[Reply]:
    return [Reply("help_employer", person.lang, {"problem": {"reason": "stale"}})]
