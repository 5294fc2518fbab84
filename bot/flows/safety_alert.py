"""What happens when an employee's text contains crisis language (detected by `bot.rules.safety`).

The bot answers at once with where to get help (113 Zelfmoordpreventie, the GP or GP out-of-hours service, 112),
stores a `SafetyAlert` row (which kind of text, when; never the text itself) and asks whether the coach may be
told (tapped, or typed: "ja", "nee", "liever niet"). Only a "yes" puts a message to the coach in the outbox.
The screened text itself is kept nowhere: not as a step, note, value or reflection, and it is never repeated
back. The question's buttons belong to no dialog, so whatever the employee was doing (a check-in, say) keeps
its answers; after the yes or no its open question is asked again.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.core import access, audit, dialogs
from bot.core.context import Person, Work
from bot.core.replies import Button, Reply
from bot.outgoing import outbox
from bot.outgoing.outbox import Message
from bot.rules import safety
from storage import act_queries, admin_queries, queries
from storage.models import Coach, Dialog, SafetyAlert

ACTION = "safety"
ANSWERS = {"yes": True, "no": False}
ANSWER_WITHIN = timedelta(hours=24)  # a typed "ja" or "nee" counts as the answer this long after the question
# Where a text was typed, by the position in the check-in; anything else is "chat".
SOURCES = {("checkin", "reflection"): "reflection", ("checkin", "next_step"): "step", ("checkin", "note"): "note"}


def source_of(dialog: Dialog | None) -> str:
    if dialog is None:
        return "chat"
    return SOURCES.get((dialog.flow, dialog.step), "chat")


async def screen(work: Work, person: Person, dialog: Dialog | None, text: str) -> Reply | None:
    """Screen an employee's text; on a hit store an alert and return the message with help and the question."""
    if person.role != "employee" or not text:
        return None
    if not (await asyncio.to_thread(safety.screen, text)).hit:  # pure; a long text must not hold up other chats
        return None
    employee = person.employee
    alert = await act_queries.add_alert(work.session, employee.id, source_of(dialog), work.clock.now())
    coach = await queries.get(work.session, Coach, employee.coach_id)
    buttons = [
        [Button("safety_yes", data=dialogs.button_data(None, ACTION, f"{alert.id}:yes"))],
        [Button("safety_no", data=dialogs.button_data(None, ACTION, f"{alert.id}:no"))],
    ]
    active = coach is not None and coach.deactivated_at is None  # a deactivated coach is not named
    ctx = {"coach": coach.name if active else "", "in_flow": dialog is not None}
    return Reply("safety_help", person.lang, ctx, buttons)


async def pressed(work: Work, person: Person, value: str) -> tuple[SafetyAlert, bool] | None:
    """The alert and the answer of a tapped yes/no button ("<alert id>:yes"), if the alert is this employee's."""
    alert_id, _, answer = value.partition(":")
    alert = await access.reach(work, person, SafetyAlert, alert_id)
    return (alert, ANSWERS[answer]) if alert is not None and answer in ANSWERS else None


async def typed(work: Work, person: Person, text: str) -> tuple[SafetyAlert, bool] | None:
    """A typed yes or no ("ja", "liever niet") while the question about telling the coach is still open."""
    if person.employee is None:
        return None
    allowed = safety.consent_answer(text)
    if allowed is None:
        return None
    since = work.clock.now() - ANSWER_WITHIN
    alert = await act_queries.unanswered_alert_since(work.session, person.employee.id, since)
    return (alert, allowed) if alert is not None else None


async def answer(work: Work, person: Person, alert: SafetyAlert, allowed: bool) -> Reply:
    """The employee's yes or no to telling the coach. Answered once; a second answer only repeats the first."""
    if alert.coach_allowed is None:
        alert.coach_allowed = allowed
        if alert.coach_allowed:
            await _tell_coach(work, person, alert)
        await queries.add(work.session, alert)
    return Reply("safety_answer", person.lang, {"allowed": alert.coach_allowed}, toast="safety_thanks")


def stale(person: Person) -> Reply:
    return Reply("safety_answer", person.lang, {"allowed": None}, toast="stale_button")


async def _tell_coach(work: Work, person: Person, alert: SafetyAlert) -> None:
    """The coach is told; when the coach was deactivated (the client awaits a new one), the agency's
    administrators are told instead, so the notice never goes nowhere."""
    coach = await queries.get(work.session, Coach, person.employee.coach_id)
    if coach is not None and coach.deactivated_at is not None:
        told = await admin_queries.agency_admins(work.session, coach.agency)
        keys = [f"safety:{alert.id}:admin:{admin.id}" for admin in told]
    else:
        told = [coach] if coach is not None and coach.telegram_user_id is not None else []
        keys = [f"safety:{alert.id}"]
    if not told:
        return
    messages = [
        Message(key, "safety_alert", to.telegram_user_id,
                Reply("coach_safety_alert", to.language, {"name": person.employee.name}), to.timezone)
        for key, to in zip(keys, told, strict=True)
    ]  # fmt: skip
    await outbox.enqueue(work, messages)
    for to in told:  # the audit trail: who was told (never the words)
        await audit.read(work, Person(to.telegram_user_id, to.language, coach=to), "safety_alert", alert.employee_id)
    alert.coach_told_at = work.clock.now()
