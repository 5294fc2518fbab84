"""The weekly check-in conversation: start or resume, store each answer at once, summary, submit, edit.

It opens by asking how last week's committed step went (when there was one), and after submitting it offers
the values exercise (first week) or the week's ACT reflection, then one small committed step for next week.
Rules about steps and answers live in `bot.rules.checkin`, the ACT choices in `bot.rules.act`; this module applies them
to the stored check-in and says which question to show next.
"""

from __future__ import annotations

from datetime import date, timedelta

from bot.core import dialogs
from bot.core.context import Person, Work
from bot.core.replies import Button, Reply, rows
from bot.flows import values as values_flow
from bot.rules import act
from bot.rules import checkin as rules
from bot.rules.parsing import Invalid
from bot.rules.schedule import candidate_weeks, open_week
from storage import act_queries, coach_queries, plan_queries, queries
from storage.models import CheckIn, Dialog, Employee

ACT_STEPS = (rules.VALUES, rules.REFLECTION, rules.NEXT_STEP)
NUMBER_STEPS = (*rules.COUNT_STEPS, rules.TRACK1, "energy")  # steps answered with a number button or typed
SETBACK_DAYS = 14  # logged rejections or unanswered applications this recent make a week lean to defusion

FLOW = "checkin"
COMMANDS = {"checkin": "employee"}


def answers_of(checkin: CheckIn, dialog: Dialog | None = None) -> rules.Answers:
    return rules.Answers(
        followup_due=bool(dialog is not None and dialog.data.get("last_step")),
        step_result=checkin.step_result,
        applications=checkin.applications,
        interviews=checkin.interviews,
        networking=checkin.networking,
        activities=None if checkin.activities is None else list(checkin.activities),
        energy=checkin.energy,
        track1_hours=checkin.track1_hours,
        note=checkin.note,
        track1=bool(dialog is not None and dialog.data.get("track1")),
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
    last_step = None
    if checkin.submitted_at is None and checkin.step_result is None:
        previous = await act_queries.previous_submitted(work.session, employee.id, year, week)
        last_step = previous.next_step if previous is not None else None
    plan = await plan_queries.latest_plan(work.session, employee.id)
    track1 = bool(plan is not None and plan.content.get("track1"))  # Track 1 runs beside: ask its hours too
    answers = answers_of(checkin)
    answers.followup_due, answers.track1 = last_step is not None, track1
    step = rules.first_open_step(answers)
    monday = date.fromisocalendar(year, week, 1)  # applications logged with /sollicitatie: offered as the answer
    logged = await coach_queries.applications_logged(work.session, employee.id, monday, monday + timedelta(days=6))
    dialog = await dialogs.move(
        work,
        person.user_id,
        FLOW,
        step,
        checkin_id=checkin.id,
        editing=False,
        last_step=last_step,
        logged=logged,
        track1=track1,
    )
    intro = "resumed" if resumed and step not in (rules.FOLLOWUP, rules.STEPS[0]) else None
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
    if step in NUMBER_STEPS:
        try:
            value = rules.parse_answer(step, text, confirmed=dialog.data.get("confirm"))
        except Invalid as problem:
            if problem.reason == "confirm_high":  # typed once more, it is taken as meant
                dialog = await dialogs.move(work, person.user_id, FLOW, step, confirm=problem.details["value"])
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
    if step == rules.VALUES:
        try:
            person.employee.values = act.add_own_values(person.employee.values or [], text)
        except act.TooManyValues:
            return [question(person, dialog, checkin, problem={"reason": "too_many_values", "maximum": act.VALUE_MAX})]
        await queries.add(work.session, person.employee)
        dialog = await dialogs.move(work, person.user_id, FLOW, rules.VALUES)
        return [question(person, dialog, checkin)]
    if step == rules.REFLECTION:
        reflection = rules.clean_note(text)
        if not reflection:
            return [question(person, dialog, checkin, problem={"reason": "empty"})]
        checkin.reflection, checkin.reflection_skipped = reflection, False
        await queries.save_checkin(work.session, checkin, work.clock.now())
        return await _to_next_step(work, person, checkin, intro="reflection_saved", edit=False)
    if step == rules.NEXT_STEP:
        own = rules.clean_step(text)
        if not own:
            return [question(person, dialog, checkin, problem={"reason": "empty"})]
        return await _set_step(work, person, checkin, own, edit=False)
    return [question(person, dialog, checkin, problem={"reason": "use_buttons"})]


async def on_button(work: Work, person: Person, dialog: Dialog, action: str, value: str) -> list[Reply]:
    checkin = await _load(work, dialog)
    step = dialog.step
    if step == rules.FOLLOWUP and action == "result" and value in act.STEP_RESULTS:
        checkin.step_result = value
        await queries.save_checkin(work.session, checkin, work.clock.now())
        following = rules.step_after(step, answers_of(checkin, dialog), editing=False)
        dialog = await dialogs.move(work, person.user_id, FLOW, following)
        return [question(person, dialog, checkin, edit=True, intro=f"step_{value}")]
    if step in ACT_STEPS:
        return await _on_act_button(work, person, dialog, checkin, action, value)
    if action == "ans" and step in NUMBER_STEPS:
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
        return await _submit(work, person, dialog, checkin)
    if step in (rules.SUMMARY, rules.EDIT_MENU) and action == "menu":
        dialog = await dialogs.move(work, person.user_id, FLOW, rules.EDIT_MENU)
        return [question(person, dialog, checkin, edit=True)]
    if step == rules.EDIT_MENU and action == "change" and value in rules.steps(bool(dialog.data.get("track1"))):
        dialog = await dialogs.move(work, person.user_id, FLOW, value, editing=True)
        return [question(person, dialog, checkin, edit=True)]
    if step in (rules.SUMMARY, rules.EDIT_MENU) and action == "note":
        dialog = await dialogs.move(work, person.user_id, FLOW, rules.NOTE)
        return [question(person, dialog, checkin, edit=True)]
    if action == "back" and step in (rules.NOTE, rules.EDIT_MENU):
        back = rules.first_open_step(answers_of(checkin, dialog))  # the summary, unless something is missing
        dialog = await dialogs.move(work, person.user_id, FLOW, back, editing=False)
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
    following = rules.step_after(step, answers_of(checkin, dialog), editing=bool(dialog.data.get("editing")))
    dialog = await dialogs.move(work, person.user_id, FLOW, following, editing=False, confirm=None)
    return [question(person, dialog, checkin, edit=edit)]


async def _submit(work: Work, person: Person, dialog: Dialog, checkin: CheckIn) -> list[Reply]:
    first_time = checkin.submitted_at is None
    if not rules.complete(answers_of(checkin, dialog)):  # never a check-in with an answer missing
        dialog = await dialogs.move(work, person.user_id, FLOW, rules.first_open_step(answers_of(checkin, dialog)))
        return [question(person, dialog, checkin, problem={"reason": "incomplete"})]
    if first_time:
        checkin.submitted_at = work.clock.now()
    await queries.save_checkin(work.session, checkin, work.clock.now())
    if first_time:  # the counts are in; now a minute for the employee themself
        following = rules.after_submit(person.employee.values)
        if following == rules.REFLECTION:
            await _choose_prompt(work, person.employee, checkin)
        dialog = await dialogs.move(work, person.user_id, FLOW, following)
        return [question(person, dialog, checkin, edit=True, intro="submitted")]
    await dialogs.finish(work, person.user_id)
    return [
        Reply(
            "checkin_submitted",
            person.lang,
            {"first_time": first_time, "answers": answers_of(checkin)},
            edit=True,
        )
    ]


async def _on_act_button(
    work: Work, person: Person, dialog: Dialog, checkin: CheckIn, action: str, value: str
) -> list[Reply]:
    """Buttons of the values exercise, the reflection and the committed step."""
    employee = person.employee
    step = dialog.step
    if step == rules.VALUES and action in ("val", "del"):
        try:
            employee.values = values_flow.apply(employee.values or [], action, value)
        except act.TooManyValues:
            return [question(person, dialog, checkin, problem={"reason": "too_many_values", "maximum": act.VALUE_MAX})]
        except ValueError:
            return [question(person, dialog, checkin, problem={"reason": "use_buttons"})]
        await queries.add(work.session, employee)
        dialog = await dialogs.move(work, person.user_id, FLOW, step)
        return [question(person, dialog, checkin, edit=True)]
    if step == rules.VALUES and action in ("done", "skip"):
        if employee.values is None:  # asked once; an empty list means "skipped", not "never asked"
            employee.values = []
            await queries.add(work.session, employee)
        intro = "values_saved" if employee.values else "values_skipped"
        return await _to_next_step(work, person, checkin, intro=intro, edit=True)
    if step == rules.REFLECTION and action == "skip":
        checkin.reflection_skipped = checkin.reflection is None
        await queries.save_checkin(work.session, checkin, work.clock.now())
        return await _to_next_step(work, person, checkin, intro="reflection_skipped", edit=True)
    if step == rules.NEXT_STEP and action == "sug":
        suggestion = act.step_ideas().by_id(value)
        if suggestion is None:
            return [question(person, dialog, checkin, problem={"reason": "use_buttons"})]
        return await _set_step(work, person, checkin, suggestion.text[person.lang], edit=True)
    if step == rules.NEXT_STEP and action == "skip":
        await dialogs.finish(work, person.user_id)
        return [Reply("checkin_done", person.lang, {"next_step": checkin.next_step}, edit=True)]
    return [question(person, dialog, checkin, problem={"reason": "use_buttons"})]


async def _to_next_step(work: Work, person: Person, checkin: CheckIn, *, intro: str, edit: bool) -> list[Reply]:
    dialog = await dialogs.move(work, person.user_id, FLOW, rules.NEXT_STEP)
    return [question(person, dialog, checkin, edit=edit, intro=intro)]


async def _set_step(work: Work, person: Person, checkin: CheckIn, text: str, *, edit: bool) -> list[Reply]:
    checkin.next_step = text
    await queries.save_checkin(work.session, checkin, work.clock.now())
    await dialogs.finish(work, person.user_id)
    return [Reply("checkin_done", person.lang, {"next_step": text}, edit=edit)]


async def _choose_prompt(work: Work, employee: Employee, checkin: CheckIn) -> None:
    """Pick the week's ACT prompt once and store it on the check-in (so resuming shows the same one)."""
    if checkin.act_prompt_id is not None:
        return
    history = await act_queries.prompt_history(work.session, employee.id, checkin.iso_year, checkin.iso_week)
    used = [act.Used(_monday(row), row.act_prompt_id, row.act_process) for row in history]
    since = work.clock.now() - timedelta(days=SETBACK_DAYS)
    week = act.Week(
        monday=_monday(checkin),
        energy=checkin.energy,
        applications=checkin.applications,
        interviews=checkin.interviews,
        rejections=await act_queries.setbacks_since(work.session, employee.id, since),
        phase=employee.phase,
    )
    seed = act.week_seed(employee.id, checkin.iso_year, checkin.iso_week)
    prompt = act.choose_prompt(act.library(), used, week, pinned=employee.pinned_process, seed=seed)
    checkin.act_prompt_id, checkin.act_process = prompt.id, prompt.process
    await queries.save_checkin(work.session, checkin, work.clock.now())


def _monday(checkin: CheckIn) -> date:
    return date.fromisocalendar(checkin.iso_year, checkin.iso_week, 1)


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
    answers = answers_of(checkin, dialog)
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

    if step in (rules.FOLLOWUP, *ACT_STEPS):
        return _act_question(person, dialog, checkin, ctx, data, edit=edit)
    if step in rules.COUNT_STEPS:
        numbers = [Button(text=str(n), data=data("ans", n)) for n in rules.COUNT_BUTTONS]
        logged = int(dialog.data.get("logged") or 0) if step == "applications" else 0
        if logged:  # the week's logged applications as a one-tap default
            ctx["logged"] = logged
            default = Button("checkin_logged_applications", data=data("ans", logged), params={"n": logged})
            return Reply(f"checkin_{step}", person.lang, ctx, [[default], numbers], edit=edit)
        return Reply(f"checkin_{step}", person.lang, ctx, [numbers], edit=edit)
    if step == rules.TRACK1:
        hours = [Button(text=str(n), data=data("ans", n)) for n in rules.TRACK1_BUTTONS]
        return Reply("checkin_track1", person.lang, ctx, rows(hours, 4), edit=edit)
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
        fields = [Button(f"field_{item}", data=data("change", item)) for item in rules.steps(answers.track1)]
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


def _act_question(person: Person, dialog: Dialog, checkin: CheckIn, ctx: dict, data, *, edit: bool) -> Reply:
    """The follow-up of last week's step, the values exercise, the reflection and the step question."""
    employee = person.employee
    lang = person.lang
    values = employee.values or []
    ctx = {**ctx, "values": [act.value_text(value, lang) for value in values], "shared": employee.share_reflections}
    step = dialog.step
    skip = Button("skip", data=data("skip"))
    if step == rules.FOLLOWUP:
        ctx["last_step"] = dialog.data.get("last_step")
        buttons = [[Button(f"step_{result}", data=data("result", result)) for result in act.STEP_RESULTS]]
        return Reply("checkin_followup", lang, ctx, buttons, edit=edit)
    if step == rules.VALUES:
        ctx.update(maximum=act.VALUE_MAX)
        last_row = [Button("done", data=data("done")), skip]
        return Reply("checkin_values", lang, ctx, [*values_flow.buttons(values, lang, data), last_row], edit=edit)
    if step == rules.REFLECTION:
        prompt = act.library().by_id(checkin.act_prompt_id or "")
        ctx.update(prompt=prompt.in_language(lang) if prompt else "", process=checkin.act_process)
        return Reply("checkin_reflection", lang, ctx, [[skip]], edit=edit)
    seed = act.week_seed(employee.id, checkin.iso_year, checkin.iso_week)
    ideas = act.suggest_steps(values, checkin.energy, seed)
    buttons = [[Button(text=idea.text[lang], data=data("sug", idea.id))] for idea in ideas]
    return Reply("checkin_next_step", lang, ctx, [*buttons, [skip]], edit=edit)
