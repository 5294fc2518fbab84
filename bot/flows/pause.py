"""/pauze (/pause): the employee puts the reminders on hold until a date, with a reason category (never medical
details). Paused weeks do not count as missed; the coach is told."""

from __future__ import annotations

from datetime import date, timedelta

from bot.core import dialogs
from bot.core.context import Person, Work
from bot.core.replies import Button, Reply, rows
from bot.outgoing import outbox
from bot.outgoing.outbox import Message
from bot.rules.buttons import number_in
from bot.rules.parsing import Invalid, parse_date
from bot.rules.weeks import local_date
from storage import queries
from storage.models import Coach, Dialog, Employee, Pause

FLOW = "pause"
COMMANDS = {"pauze": "employee", "pause": "employee"}
REASONS = ("holiday", "treatment", "other")
WEEK_CHOICES = (1, 2, 3, 4)
LONGEST = timedelta(weeks=26)


async def start(work: Work, person: Person) -> list[Reply]:
    today = local_date(work.clock.now(), person.employee.timezone)
    current = await queries.current_pause(work.session, person.employee.id, today)
    if current is not None:
        dialog = await dialogs.move(work, person.user_id, FLOW, "active", pause_id=current.id)
    else:
        dialog = await dialogs.move(work, person.user_id, FLOW, "reason")
    return [await question(work, person, dialog)]


async def ask_again(work: Work, person: Person, dialog: Dialog, problem: dict | None) -> list[Reply]:
    return [await question(work, person, dialog, problem=problem)]


async def on_text(work: Work, person: Person, dialog: Dialog, text: str) -> list[Reply]:
    if dialog.step != "until":
        return [await question(work, person, dialog, problem={"reason": "use_buttons"})]
    today = local_date(work.clock.now(), person.employee.timezone)
    try:
        until = parse_date(text)
        if until < today:
            raise Invalid("date_in_past")
        if until > today + LONGEST:
            raise Invalid("pause_too_long")
    except Invalid as problem:
        return [await question(work, person, dialog, problem={"reason": problem.reason})]
    return await _create(work, person, dialog, until, edit=False)


async def on_button(work: Work, person: Person, dialog: Dialog, action: str, value: str) -> list[Reply]:
    today = local_date(work.clock.now(), person.employee.timezone)
    if dialog.step == "reason" and action == "reason" and value in REASONS:
        dialog = await dialogs.move(work, person.user_id, FLOW, "until", reason=value)
        return [await question(work, person, dialog, edit=True)]
    if dialog.step == "until" and action == "weeks" and number_in(value, 1, 52) in WEEK_CHOICES:
        return await _create(work, person, dialog, today + timedelta(weeks=int(value), days=-1), edit=True)
    if dialog.step == "active" and action == "end":
        pause = await end(work, person.employee, await queries.get(work.session, Pause, dialog.data["pause_id"]))
        await dialogs.finish(work, person.user_id)
        await _tell_coach(work, person, pause, "coach_pause_ended")
        return [Reply("pause_ended", person.lang, edit=True)]
    if dialog.step == "active" and action == "keep":
        await dialogs.finish(work, person.user_id)
        pause = await queries.get(work.session, Pause, dialog.data["pause_id"])
        return [Reply("pause_kept", person.lang, {"until": pause.until}, edit=True)]
    return [await question(work, person, dialog, problem={"reason": "use_buttons"})]


async def begin(work: Work, employee: Employee, reason: str, until: date) -> Pause:
    """Pause `employee`'s reminders from today (their time zone) up to and including `until`. The one way to
    start a pause: the employee's /pauze and the coach's caseload both use it."""
    if reason not in REASONS:
        raise ValueError(f"unknown pause reason {reason!r}")
    today = local_date(work.clock.now(), employee.timezone)
    pause = Pause(employee_id=employee.id, start=today, until=until, reason=reason, created_at=work.clock.now())
    return await queries.add(work.session, pause)


async def end(work: Work, employee: Employee, pause: Pause) -> Pause:
    """End a pause early: it lasted until yesterday, so this week's reminders come again."""
    pause.until = local_date(work.clock.now(), employee.timezone) - timedelta(days=1)
    pause.ended_at = work.clock.now()
    return await queries.add(work.session, pause)


async def _create(work: Work, person: Person, dialog: Dialog, until, *, edit: bool) -> list[Reply]:
    pause = await begin(work, person.employee, dialog.data["reason"], until)
    await dialogs.finish(work, person.user_id)
    await _tell_coach(work, person, pause, "coach_pause")
    return [Reply("pause_done", person.lang, {"until": until, "reason": pause.reason}, edit=edit)]


async def _tell_coach(work: Work, person: Person, pause: Pause, template: str) -> None:
    coach = await queries.get(work.session, Coach, person.employee.coach_id)
    if coach is None or coach.telegram_user_id is None:
        return
    notice = Reply(
        template, coach.language, {"name": person.employee.name, "until": pause.until, "reason": pause.reason}
    )
    key = f"{template}:{pause.id}"
    await outbox.enqueue(work, [Message(key, template, coach.telegram_user_id, notice, work.timezone)])


async def question(work: Work, person: Person, dialog: Dialog, *, edit: bool = False, problem: dict | None = None):
    ctx: dict = {"step": dialog.step, "problem": problem}
    if problem is not None:
        edit = False

    def data(action: str, value: object = "") -> str:
        return dialogs.button_data(dialog, action, value)

    if dialog.step == "reason":
        buttons = [[Button(f"pause_reason_{reason}", data=data("reason", reason))] for reason in REASONS]
        return Reply("pause_reason", person.lang, ctx, buttons, edit=edit)
    if dialog.step == "until":
        choices = [Button("pause_weeks", data=data("weeks", n), params={"n": n}) for n in WEEK_CHOICES]
        return Reply("pause_until", person.lang, ctx, rows(choices, 2), edit=edit)
    pause = await queries.get(work.session, Pause, dialog.data["pause_id"])
    ctx.update(until=pause.until, reason=pause.reason)
    buttons = [[Button("pause_end_now", data=data("end"))], [Button("pause_keep", data=data("keep"))]]
    return Reply("pause_active", person.lang, ctx, buttons, edit=edit)
