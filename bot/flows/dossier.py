"""/dossier: the coach records the parts of a client's Track 2 file only the coach knows: the days the poortwachter
steps actually took place, the BSN (elfproef; never shown in full in the chat), why Track 2 started late, and the
outcome of the trajectory (placement, or a substantiated conclusion that there were too few possibilities). From
the dossier menu the coach also asks the employee for their own view and offers the final report for sending.
Each answer is stored at once; the position and an unfinished outcome live in the dialog (in the database), so a
restart loses nothing. The screens are in `bot.flows.dossier_screens`."""

from __future__ import annotations

from datetime import date

from bot.core import access, dialogs, phases
from bot.core.context import Person, Work
from bot.core.replies import Reply
from bot.flows import client_pick
from bot.flows.dossier_screens import FLOW, client, late, question, today
from bot.outgoing import own_view_notices, report_drafts
from bot.rules import report as rules
from bot.rules.buttons import number_in
from bot.rules.parsing import Invalid, parse_date
from bot.views import report
from storage import queries, report_queries
from storage.models import Dialog, Employee

COMMANDS = {"dossier": "coach"}
MAX_PAGE = 10_000
LATE_REASON_MAX = 1000
OUTCOME_TEXT_MAX = 3000
CONCLUSION_MIN = 40  # a substantiated conclusion is more than a few words


async def start(work: Work, person: Person) -> list[Reply]:
    found = await client_pick.open_clients(work, person)
    if len(found) == 1:
        return await open_menu(work, person, found[0].id)
    dialog = await dialogs.move(work, person.user_id, FLOW, "pick", page=0, employee=None, item=None, draft={})
    return [await question(work, person, dialog)]


async def open_menu(work: Work, person: Person, employee_id: int) -> list[Reply]:
    """The dossier menu of one client (also the caseload detail's "📁 Dossier" button)."""
    dialog = await dialogs.move(work, person.user_id, FLOW, "menu", employee=employee_id, item=None, draft={})
    return [await question(work, person, dialog)]


async def ask_again(work: Work, person: Person, dialog: Dialog, problem: dict | None) -> list[Reply]:
    return [await question(work, person, dialog, problem=problem)]


async def _move(work: Work, person: Person, step: str, *, intro: str | None = None, **changes) -> list[Reply]:
    shown = changes.pop("shown", {})
    dialog = await dialogs.move(work, person.user_id, FLOW, step, **changes)
    return [await question(work, person, dialog, edit=True, intro=intro, **shown)]


async def _stale(work: Work, person: Person) -> list[Reply]:
    dialog = await dialogs.move(work, person.user_id, FLOW, "pick", employee=None, item=None, draft={})
    return [await question(work, person, dialog, problem={"reason": "stale"})]


def _day(text: str, earliest: date, too_early: str, latest: date) -> date:
    """A typed day between `earliest` and today; raises Invalid (a friendly re-ask)."""
    day = parse_date(text)
    if day > latest:
        raise Invalid("dossier_date_in_future")
    if day < earliest:
        raise Invalid(too_early, earliest=earliest)
    return day


def step_day(work: Work, person: Person, employee: Employee, text: str) -> date:
    """The typed day a poortwachter step took place: a date, not before the first sick day and not after today
    (raises Invalid; the chat asks again, the dashboard shows the reason)."""
    return _day(text, employee.first_sick_day, "dossier_before_sickness", today(work, person))


async def record_step(work: Work, person: Person, employee: Employee, step: str, day: date | None) -> bool:
    """Store (or correct) the day `step` took place; None: it did not happen (the record goes). False for a step
    that is not one of the poortwachter steps (nothing stored)."""
    if step not in rules.STEPS:
        return False
    await report_queries.record_step(work.session, employee.id, step, day, person.coach.id, work.clock.now())
    return True


def _text(text: str, longest: int, shortest: int = 1) -> str:
    cleaned = text.strip()
    if len(cleaned) > longest:
        raise Invalid("dossier_too_long", longest=longest)
    if len(cleaned) < shortest:
        raise Invalid("dossier_too_short" if shortest > 1 else "dossier_required", shortest=shortest)
    return cleaned


# -- typed answers --------------------------------------------------------------------------------------------


async def on_text(work: Work, person: Person, dialog: Dialog, text: str) -> list[Reply]:
    if dialog.step not in ("step", "step_date", "bsn", "late", "outcome_text", "outcome_date"):
        return [await question(work, person, dialog, problem={"reason": "use_buttons"})]
    employee = await client(work, person, dialog)
    if employee is None:
        return await _stale(work, person)
    draft = dialog.data.get("draft") or {}
    try:
        if dialog.step in ("step", "step_date"):
            return await _record_step(work, person, dialog, employee, step_day(work, person, employee, text))
        if dialog.step == "bsn":
            return await _store_bsn(work, person, employee, text)
        if dialog.step == "late":
            employee.track2_late_reason = _text(text, LATE_REASON_MAX)
            await queries.add(work.session, employee)
            return await _move(work, person, "menu", intro="late_saved", shown={"reason": employee.track2_late_reason})
        if dialog.step == "outcome_text":
            shortest = CONCLUSION_MIN if draft.get("outcome") == rules.TOO_FEW else 1
            written = _text(text, OUTCOME_TEXT_MAX, shortest)
            return await _move(work, person, "outcome_date", draft={**draft, "text": written})
        day = _day(text, employee.track2_start, "dossier_before_track2", today(work, person))
        return await _store_outcome(work, person, dialog, employee, day)
    except Invalid as problem:
        reply = await question(work, person, dialog, problem={"reason": problem.reason, **problem.details})
        reply.forget_sent = dialog.step == "bsn"  # a mistyped number may still be most of a real one
        return [reply]


async def _store_bsn(work: Work, person: Person, employee: Employee, text: str) -> list[Reply]:
    """Store a BSN that passes the elfproef; the coach's message holding it is removed from the chat. Neither the
    number nor the typed text is ever put in a reply."""
    bsn = rules.valid_bsn(text)
    if bsn is None:
        raise Invalid("dossier_bsn_invalid")
    employee.bsn = bsn
    await queries.add(work.session, employee)
    replies = await _move(work, person, "menu", intro="bsn_saved", shown={"masked": rules.masked_bsn(bsn)})
    replies[0].forget_sent = True
    return replies


# -- buttons --------------------------------------------------------------------------------------------------


async def on_button(work: Work, person: Person, dialog: Dialog, action: str, value: str) -> list[Reply]:
    step = dialog.step
    if step == "pick" and action == "page" and number_in(value, 0, MAX_PAGE) is not None:
        return await _move(work, person, "pick", page=int(value))
    if step == "pick" and action == "open":
        found = await access.reach(work, person, Employee, value)
        return await open_menu(work, person, found.id) if found is not None else await _stale(work, person)
    employee = await client(work, person, dialog)
    if employee is None:  # not (or no longer) this coach's client
        return await _stale(work, person)
    if step == "menu":
        return await _menu_button(work, person, dialog, employee, action)
    if action == "back":
        back = {"step": "steps", "step_date": "step", "outcome_text": "outcome", "outcome_date": "outcome_text"}
        return await _move(work, person, back.get(step, "menu"))
    item = dialog.data.get("item")
    if step == "steps" and action == "open" and value in rules.STEPS:
        return await _move(work, person, "step", item=value)
    if step == "step" and item in rules.STEPS:
        if action == "today":
            return await _record_step(work, person, dialog, employee, today(work, person))
        if action == "other":
            return await _move(work, person, "step_date")
        if action == "remove":
            return await _record_step(work, person, dialog, employee, None)
    if step == "bsn" and action == "remove" and employee.bsn:
        employee.bsn = None
        await queries.add(work.session, employee)
        return await _move(work, person, "menu", intro="bsn_removed")
    if step == "outcome" and action == "pick" and value in rules.OUTCOMES:
        return await _move(work, person, "outcome_text", draft={"outcome": value})
    if step == "outcome" and action == "clear" and employee.outcome:
        employee.outcome, employee.outcome_text, employee.outcome_on = None, None, None
        await queries.add(work.session, employee)
        return await _move(work, person, "menu", intro="outcome_cleared", draft={})
    draft = dialog.data.get("draft") or {}
    if step == "outcome_text" and action == "skip" and draft.get("outcome") == rules.PLACED:
        return await _move(work, person, "outcome_date", draft={**draft, "text": None})
    if step == "outcome_date" and action == "today" and draft.get("outcome") in rules.OUTCOMES:
        return await _store_outcome(work, person, dialog, employee, today(work, person))
    return [await question(work, person, dialog, problem={"reason": "use_buttons"})]


async def _menu_button(work: Work, person: Person, dialog: Dialog, employee: Employee, action: str) -> list[Reply]:
    if action in ("steps", "bsn", "outcome") or (action == "late" and late(employee)):
        return await _move(work, person, action, item=None, draft={})
    if action == "view":
        return await _ask_view(work, person, employee)
    if action == "final":
        return await _offer_final(work, person, employee)
    if action == "done":
        await dialogs.finish(work, person.user_id)
        return [Reply("dossier_done", person.lang, {"name": employee.name}, edit=True)]
    return [await question(work, person, dialog, problem={"reason": "use_buttons"})]


# -- storing --------------------------------------------------------------------------------------------------


async def _record_step(work: Work, person: Person, dialog: Dialog, employee: Employee, day: date | None) -> list[Reply]:
    """The day a poortwachter step took place (None: it did not happen, the record goes)."""
    item = dialog.data.get("item")
    if not await record_step(work, person, employee, item, day):
        return await _move(work, person, "steps")
    intro = "step_saved" if day is not None else "step_removed"
    return await _move(work, person, "steps", intro=intro, item=None, shown={"saved_step": item, "saved_on": day})


async def _store_outcome(work: Work, person: Person, dialog: Dialog, employee: Employee, day: date) -> list[Reply]:
    draft = dialog.data.get("draft") or {}
    outcome = draft.get("outcome")
    if outcome not in rules.OUTCOMES or (outcome == rules.TOO_FEW and not draft.get("text")):
        return await _move(work, person, "outcome", draft={})
    employee.outcome, employee.outcome_text, employee.outcome_on = outcome, draft.get("text"), day
    await queries.add(work.session, employee)
    if outcome == rules.PLACED and employee.phase not in ("placed", "closed"):
        await phases.set_phase(work, employee, "placed", person.coach)
    return await _move(work, person, "menu", intro="outcome_saved", draft={})


async def _ask_view(work: Work, person: Person, employee: Employee) -> list[Reply]:
    view = await report_queries.own_view(work.session, employee.id)
    if view is not None and view.locked_at is not None:
        return await _move(work, person, "menu", intro="view_locked")
    asked = await own_view_notices.ask(work, employee)
    return await _move(work, person, "menu", intro="view_asked" if asked else "view_unreachable")


async def _offer_final(work: Work, person: Person, employee: Employee) -> list[Reply]:
    """A final report draft over the whole trajectory, offered to the coach as a PDF with Versturen / Eerst
    aanpassen / Niet versturen (nothing goes to the employer without that tap). One final draft per client: an
    open one is brought up to date, one that was not sent before is offered again."""
    period = report.final_period(employee, today(work, person))
    now = work.clock.now()
    found = await report_queries.draft_for(work.session, employee.id, rules.FINAL, period.first)
    if found is not None and found.status == "sent":
        return await _move(work, person, "menu", intro="final_already_sent")
    # the PDF first, then the writes: no write transaction stays open while the report renders
    data = await report_drafts.render(work, employee, rules.FINAL, period.first, period.last, person.coach.language)
    draft, new = await report_queries.add_draft(work.session, employee.id, rules.FINAL, period.first, period.last, now)
    if new:  # through the outbox, once per draft
        await report_drafts.offer(work, draft, employee, pdf=data)
        return await _move(work, person, "menu", intro="final_offered")
    draft.period_last, draft.status, draft.decided_by, draft.decided_at = period.last, "draft", None, None
    await queries.add(work.session, draft)
    menu = await _move(work, person, "menu", intro="final_offered")
    return [*menu, await report_drafts.offer_reply(work, draft, employee, person.coach, pdf=data)]  # again: now
