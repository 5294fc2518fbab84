"""The coach's decision on a report draft, from the buttons under its PDF (they belong to no dialog, so they
still work days later): *Versturen* sends it, *Eerst aanpassen* says where to change the file and offers
*Opnieuw maken* (a fresh PDF of the same draft) and *Versturen*, *Niet deze maand* / *Niet versturen* skips it.

The draft id in the button goes through `access.reach` (a coach, their own client's draft); a draft that was
decided already answers as a stale button and changes nothing. Nothing reaches an employer without a tap here.
"""

from __future__ import annotations

from bot.core import access
from bot.core.context import Person, Work
from bot.core.replies import Button, Reply
from bot.outgoing import report_drafts
from bot.outgoing.report_drafts import ADJUST, REMAKE, SEND, SKIP
from bot.rules.weeks import local_date
from storage import queries, report_queries
from storage.models import Employee, ReportDraft

ACTIONS = report_drafts.ACTIONS
OPEN = "draft"


async def reachable_draft(work: Work, person: Person, raw_id: str | int | None) -> tuple[ReportDraft, Employee] | None:
    """The draft with this id and its client, when this coach may reach it (`access.reach`), else None."""
    draft = await access.reach(work, person, ReportDraft, raw_id)
    employee = None if draft is None else await queries.get(work.session, Employee, draft.employee_id)
    if draft is None or employee is None or person.coach is None:
        return None
    return draft, employee


async def decide(work: Work, person: Person, draft: ReportDraft, employee: Employee, action: str) -> bool:
    """The coach's decision on an open draft, from the chat's buttons and the dashboard alike: SEND (to the
    employer's registered contacts and a copy to the employee) or SKIP. False when the draft was decided already:
    nothing changes and nothing is sent again."""
    if action not in (SEND, SKIP):
        raise ValueError(f"not a decision: {action!r}")
    if draft.status != OPEN:
        return False
    if action == SEND:
        await report_drafts.send(work, draft, employee, person.coach)
    else:
        await report_queries.decide_draft(work.session, draft, "skipped", person.coach.id, work.clock.now())
    return True


async def on_press(work: Work, person: Person, action: str, value: str) -> list[Reply] | None:
    """The answer to a press on a draft's button; None for a draft this person may not reach (a stale button)."""
    found = await reachable_draft(work, person, value)
    if found is None:
        return None
    draft, employee = found
    lang = person.lang
    about = {"name": employee.name, "kind": draft.kind, "first": draft.period_first, "last": draft.period_last}
    if draft.status != OPEN:
        decided_on = local_date(draft.decided_at, person.coach.timezone) if draft.decided_at else None
        ctx = {**about, "status": draft.status, "decided_on": decided_on}
        return [Reply("report_draft_decided", lang, ctx, toast="stale_button")]
    if action == SEND:
        await decide(work, person, draft, employee, SEND)
        employer, contacts = await report_drafts.recipients(work, employee)
        ctx = {
            **about,
            "employer": employer.name if employer else "",
            "contacts": [contact.name for contact in contacts],
            "employee_copy": report_drafts.reachable(employee),
        }
        return [Reply("report_draft_sent", lang, ctx)]
    if action == SKIP:
        await decide(work, person, draft, employee, SKIP)
        return [Reply("report_draft_skipped", lang, about)]
    if action == ADJUST:
        choices = [
            Button("report_draft_remake", data=report_drafts.button(REMAKE, draft)),
            Button("report_draft_send", data=report_drafts.button(SEND, draft)),
        ]
        return [Reply("report_draft_adjust", lang, about, [choices])]
    if action == REMAKE:
        return [await report_drafts.offer_reply(work, draft, employee, person.coach, remake=True)]
    return None
