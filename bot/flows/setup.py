"""The employee's own settings: language, check-in weekday and time. Asked after joining and by /instellingen."""

from __future__ import annotations

from bot.core import dialogs
from bot.core.context import Person, Work
from bot.core.replies import Button, Reply, rows
from bot.rules.buttons import number_in
from bot.rules.parsing import Invalid, parse_send_time, parse_time
from content.texts import LANGUAGES
from storage import queries
from storage.models import Dialog

FLOW = "setup"
COMMANDS = {"instellingen": "employee", "settings": "employee"}
TIME_BUTTONS = ("09:00", "10:00", "11:00", "13:00", "15:00", "17:00", "19:00", "20:00")
# Nothing is sent between 21:00 and 08:00 local time, so a check-in time must fall in between.


async def start(work: Work, person: Person, *, first_time: bool = False) -> list[Reply]:
    dialog = await dialogs.move(work, person.user_id, FLOW, "language", first_time=first_time)
    return [question(person, dialog)]


async def ask_again(work: Work, person: Person, dialog: Dialog, problem: dict | None) -> list[Reply]:
    return [question(person, dialog, problem=problem)]


async def on_text(work: Work, person: Person, dialog: Dialog, text: str) -> list[Reply]:
    if dialog.step != "time":
        return [question(person, dialog, problem={"reason": "use_buttons"})]
    try:
        chosen = parse_send_time(text)
    except Invalid as problem:
        return [question(person, dialog, problem={"reason": problem.reason})]
    return await _done(work, person, dialog, chosen, edit=False)


async def on_button(work: Work, person: Person, dialog: Dialog, action: str, value: str) -> list[Reply]:
    employee = person.employee
    if dialog.step == "language" and action == "lang" and value in LANGUAGES:
        employee.language = person.lang = value
        work.session.add(employee)
        dialog = await dialogs.move(work, person.user_id, FLOW, "weekday")
        return [question(person, dialog, edit=True)]
    if dialog.step == "weekday" and action == "day" and number_in(value, 0, 6) is not None:
        dialog = await dialogs.move(work, person.user_id, FLOW, "time", weekday=int(value))
        return [question(person, dialog, edit=True)]
    if dialog.step == "time" and action == "time" and value in TIME_BUTTONS:
        return await _done(work, person, dialog, parse_time(value), edit=True)
    return [question(person, dialog, problem={"reason": "use_buttons"})]


async def _done(work: Work, person: Person, dialog: Dialog, chosen, *, edit: bool) -> list[Reply]:
    employee = person.employee
    await queries.update_schedule(work.session, employee, dialog.data["weekday"], chosen)
    first_time = bool(dialog.data.get("first_time"))
    await dialogs.finish(work, person.user_id)
    ctx = {"weekday": employee.checkin_weekday, "time": chosen.strftime("%H:%M"), "first_time": first_time}
    buttons = [[Button("start_checkin", data=dialogs.button_data(None, "go", "checkin"))]] if first_time else []
    return [Reply("setup_done", person.lang, ctx, buttons, edit=edit, menu="employee")]  # the menu in their language


def question(person: Person, dialog: Dialog, *, edit: bool = False, problem: dict | None = None) -> Reply:
    ctx = {"step": dialog.step, "problem": problem, "first_time": bool(dialog.data.get("first_time"))}
    if problem is not None:
        edit = False

    def data(action: str, value: object) -> str:
        return dialogs.button_data(dialog, action, value)

    if dialog.step == "language":
        buttons = [[Button(f"language_{code}", data=data("lang", code)) for code in LANGUAGES]]
        return Reply("setup_language", person.lang, ctx, buttons, edit=edit)
    if dialog.step == "weekday":
        days = [Button(f"weekday_{day}", data=data("day", day)) for day in range(7)]
        return Reply("setup_weekday", person.lang, ctx, [days[:5], days[5:]], edit=edit)
    times = [Button(text=value, data=data("time", value)) for value in TIME_BUTTONS]
    return Reply("setup_time", person.lang, ctx, rows(times, 4), edit=edit)
