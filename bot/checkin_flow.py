"""The weekly check-in conversation: start or resume, store each answer at once, summary, submit, edit.

Rules about steps and answers live in `bot.checkin`; this module applies them to the stored check-in and
says which question to show next.
"""

from __future__ import annotations

from bot import checkin as rules
from bot import dialogs
from bot.context import Person, Work
from bot.parsing import Invalid
from bot.replies import Button, Reply, rows
from bot.schedule import candidate_weeks, open_week
from storage import queries
from storage.models import CheckIn, Dialog, Employee

FLOW = "checkin"
COMMANDS = {"checkin": "employee"}


def answers_of(checkin: CheckIn) -> rules.Answers:
    return rules.Answers(
        applications=checkin.applications,
        interviews=checkin.interviews,
        networking=checkin.networking,
        activities=None if checkin.activities is None else list(checkin.activities),
        energy=checkin.energy,
        note=checkin.note,
    )


async def start(work: Work, person: Person, *, edit: bool = False) -> list[Reply]:
    """Open this week's check-in: a new one, the one in progress (resumed where it stopped), or the submitted
    one (shown as a summary that can be changed)."""
    employee = person.employee
    assert employee is not None and employee.id is not None
    year, week = await week_to_fill_in(work, employee)
    checkin = await queries.checkin_for_week(work.session, employee.id, year, week)
    resumed = checkin is not None and checkin.submitted_at is None
    if checkin is None:
        checkin = await queries.create_checkin(work.session, employee.id, year, week, work.clock.now())
    step = rules.first_open_step(answers_of(checkin))
    dialog = await dialogs.move(work, person.user_id, FLOW, step, checkin_id=checkin.id, editing=False)
    intro = "resumed" if resumed and step != rules.STEPS[0] else None
    return [question(person, dialog, checkin, edit=edit, intro=intro)]


async def week_to_fill_in(work: Work, employee: Employee) -> tuple[int, int]:
    """Last week's check-in while its period is still open and it is not done yet; otherwise this week's."""
    now = work.clock.now()
    previous, _current = candidate_weeks(now, employee.timezone)
    earlier = await queries.checkin_for_week(work.session, employee.id, previous.year, previous.week)
    done = earlier is not None and bool(earlier.submitted_at or earlier.missed_at or earlier.paused_reason)
    week = open_week(
        now,
        employee.checkin_weekday,
        employee.checkin_time,
        employee.timezone,
        employee.registered_at or employee.created_at,
        lambda _week: done,
    )
    return week.year, week.week


async def _load(work: Work, dialog: Dialog) -> CheckIn:
    checkin = await queries.get(work.session, CheckIn, dialog.data["checkin_id"])
    assert checkin is not None
    return checkin


async def ask_again(work: Work, person: Person, dialog: Dialog, problem: dict | None) -> list[Reply]:
    """Show the current question again, with a short word about what went wrong."""
    checkin = await _load(work, dialog)
    return [question(person, dialog, checkin, problem=problem)]


async def on_text(work: Work, person: Person, dialog: Dialog, text: str) -> list[Reply]:
    checkin = await _load(work, dialog)
    step = dialog.step
    if step in (*rules.COUNT_STEPS, "energy"):
        try:
            value = rules.parse_answer(step, text)
        except Invalid as problem:
            return [question(person, dialog, checkin, problem={"reason": problem.reason, **problem.details})]
        return await _answer(work, person, dialog, checkin, step, value, edit=False)
    if step == rules.NOTE:
        note = rules.clean_note(text)
        if not note:
            return [question(person, dialog, checkin, problem={"reason": "empty"})]
        checkin.note = note
        await queries.save_checkin(work.session, checkin, work.clock.now())
        dialog = await dialogs.move(work, person.user_id, FLOW, rules.SUMMARY, editing=False)
        return [question(person, dialog, checkin, intro="note_saved")]
    return [question(person, dialog, checkin, problem={"reason": "use_buttons"})]


async def on_button(work: Work, person: Person, dialog: Dialog, action: str, value: str) -> list[Reply]:
    checkin = await _load(work, dialog)
    step = dialog.step
    if action == "ans" and step in (*rules.COUNT_STEPS, "energy"):
        try:
            number = rules.parse_answer(step, value)
        except Invalid:
            return [question(person, dialog, checkin, problem={"reason": "use_buttons"})]
        return await _answer(work, person, dialog, checkin, step, number, edit=True)
    if step == "activities" and action == "tog":
        if value not in rules.ACTIVITIES:
            return [question(person, dialog, checkin, problem={"reason": "use_buttons"})]
        checkin.activities = rules.toggle_activity(checkin.activities or [], value)
        await queries.save_checkin(work.session, checkin, work.clock.now())
        dialog = await dialogs.move(work, person.user_id, FLOW, step)
        return [question(person, dialog, checkin, edit=True)]
    if step == "activities" and action in ("none", "done"):
        chosen = [] if action == "none" else list(checkin.activities or [])
        return await _answer(work, person, dialog, checkin, step, chosen, edit=True)
    if step == rules.SUMMARY and action == "submit":
        return await _submit(work, person, checkin)
    if step in (rules.SUMMARY, rules.EDIT_MENU) and action == "menu":
        dialog = await dialogs.move(work, person.user_id, FLOW, rules.EDIT_MENU)
        return [question(person, dialog, checkin, edit=True)]
    if step == rules.EDIT_MENU and action == "change" and value in rules.STEPS:
        dialog = await dialogs.move(work, person.user_id, FLOW, value, editing=True)
        return [question(person, dialog, checkin, edit=True)]
    if step in (rules.SUMMARY, rules.EDIT_MENU) and action == "note":
        dialog = await dialogs.move(work, person.user_id, FLOW, rules.NOTE)
        return [question(person, dialog, checkin, edit=True)]
    if action == "back":
        dialog = await dialogs.move(work, person.user_id, FLOW, rules.SUMMARY, editing=False)
        return [question(person, dialog, checkin, edit=True)]
    if step == rules.NOTE and action == "clear":
        checkin.note = None
        await queries.save_checkin(work.session, checkin, work.clock.now())
        dialog = await dialogs.move(work, person.user_id, FLOW, rules.SUMMARY, editing=False)
        return [question(person, dialog, checkin, edit=True)]
    if step == rules.SUMMARY and action == "keep":
        await dialogs.finish(work, person.user_id)
        return [Reply("checkin_kept", person.lang, edit=True)]
    return [question(person, dialog, checkin, problem={"reason": "use_buttons"})]


async def _answer(
    work: Work, person: Person, dialog: Dialog, checkin: CheckIn, step: str, value: object, *, edit: bool
) -> list[Reply]:
    """Store one answer now, then move to the next question (or back to the summary when changing)."""
    setattr(checkin, step, value)
    await queries.save_checkin(work.session, checkin, work.clock.now())
    following = rules.step_after(step, answers_of(checkin), editing=bool(dialog.data.get("editing")))
    dialog = await dialogs.move(work, person.user_id, FLOW, following, editing=False)
    return [question(person, dialog, checkin, edit=edit)]


async def _submit(work: Work, person: Person, checkin: CheckIn) -> list[Reply]:
    first_time = checkin.submitted_at is None
    if first_time:
        checkin.submitted_at = work.clock.now()
    await queries.save_checkin(work.session, checkin, work.clock.now())
    await dialogs.finish(work, person.user_id)
    return [
        Reply(
            "checkin_submitted",
            person.lang,
            {"first_time": first_time, "answers": answers_of(checkin)},
            edit=True,
        )
    ]


def question(
    person: Person,
    dialog: Dialog,
    checkin: CheckIn,
    *,
    edit: bool = False,
    problem: dict | None = None,
    intro: str | None = None,
) -> Reply:
    """The message for the dialog's current step, with its buttons."""
    step = dialog.step
    answers = answers_of(checkin)
    ctx = {
        "step": step,
        "answers": answers,
        "problem": problem,
        "intro": intro,
        "week": checkin.iso_week,
        "submitted": checkin.submitted_at is not None,
        "editing": bool(dialog.data.get("editing")),
    }
    if problem is not None:
        edit = False  # a re-ask is a fresh message, so it is seen

    def data(action: str, value: object = "") -> str:
        return dialogs.button_data(dialog, action, value)

    if step in rules.COUNT_STEPS:
        numbers = [Button(text=str(n), data=data("ans", n)) for n in rules.COUNT_BUTTONS]
        return Reply(f"checkin_{step}", person.lang, ctx, [numbers], edit=edit)
    if step == "energy":
        low, high = rules.ENERGY_RANGE
        scores = [Button(text=str(n), data=data("ans", n)) for n in range(low, high + 1)]
        return Reply("checkin_energy", person.lang, ctx, rows(scores, 5), edit=edit)
    if step == "activities":
        chosen = set(answers.activities or [])
        toggles = [
            Button(f"activity_{item}", data=data("tog", item), checked=item in chosen) for item in rules.ACTIVITIES
        ]
        last_row = [Button("activity_none", data=data("none")), Button("done", data=data("done"))]
        return Reply("checkin_activities", person.lang, ctx, [*rows(toggles, 2), last_row], edit=edit)
    if step == rules.NOTE:
        buttons = [[Button("back", data=data("back"))]]
        if answers.note:
            buttons[0].insert(0, Button("note_clear", data=data("clear")))
        return Reply("checkin_note", person.lang, ctx, buttons, edit=edit)
    if step == rules.EDIT_MENU:
        fields = [Button(f"field_{item}", data=data("change", item)) for item in rules.STEPS]
        fields.append(Button("field_note", data=data("note")))
        return Reply(
            "checkin_edit_menu",
            person.lang,
            ctx,
            [*rows(fields, 2), [Button("back", data=data("back"))]],
            edit=edit,
        )
    # the summary
    if checkin.submitted_at is None:
        buttons = [
            [Button("submit", data=data("submit"))],
            [Button("note_change" if answers.note else "note_add", data=data("note"))],
            [Button("change_answer", data=data("menu"))],
        ]
    else:
        buttons = [[Button("change_answer", data=data("menu"))], [Button("keep", data=data("keep"))]]
    return Reply("checkin_summary", person.lang, ctx, buttons, edit=edit)
