"""/digest (/weekoverzicht): the coach's weekly digest on demand, and the setting of its weekday and time
(default Monday 08:00 in the coach's time zone; the digest sweep in `bot.outgoing.digest` sends it then)."""

from __future__ import annotations

from bot.core import dialogs
from bot.core.context import Person, Work
from bot.core.replies import Button, Reply, rows
from bot.outgoing import digest
from bot.rules.buttons import number_in
from bot.rules.parsing import Invalid, parse_send_time, parse_time
from storage import queries
from storage.models import Dialog

FLOW = "digest"
COMMANDS = {"digest": "coach", "weekoverzicht": "coach"}
TIME_BUTTONS = ("08:00", "09:00", "12:00", "17:00")


async def start(work: Work, person: Person) -> list[Reply]:
    dialog = await dialogs.move(work, person.user_id, FLOW, "shown")
    made = await digest.build(work, person.coach)
    made.text.buttons.append([Button("digest_settings", data=dialogs.button_data(dialog, "settings"))])
    return [made.text, made.chart]


async def ask_again(work: Work, person: Person, dialog: Dialog, problem: dict | None) -> list[Reply]:
    if dialog.step == "shown":  # the digest itself is not asked again; its settings button stays valid
        return [Reply("help_coach", person.lang, {"problem": problem})]
    return [question(person, dialog, problem=problem)]


async def on_text(work: Work, person: Person, dialog: Dialog, text: str) -> list[Reply]:
    if dialog.step != "time":
        return await ask_again(work, person, dialog, {"reason": "use_buttons"})
    try:
        chosen = parse_send_time(text)
    except Invalid as problem:
        return [question(person, dialog, problem={"reason": problem.reason})]
    return await _done(work, person, dialog, chosen, edit=False)


async def on_button(work: Work, person: Person, dialog: Dialog, action: str, value: str) -> list[Reply]:
    if dialog.step == "shown" and action == "settings":
        dialog = await dialogs.move(work, person.user_id, FLOW, "weekday")
        return [question(person, dialog)]
    if dialog.step == "weekday" and action == "day" and number_in(value, 0, 6) is not None:
        dialog = await dialogs.move(work, person.user_id, FLOW, "time", weekday=int(value))
        return [question(person, dialog, edit=True)]
    if dialog.step == "time" and action == "time" and value in TIME_BUTTONS:
        return await _done(work, person, dialog, parse_time(value), edit=True)
    return await ask_again(work, person, dialog, {"reason": "use_buttons"})


async def _done(work: Work, person: Person, dialog: Dialog, chosen, *, edit: bool) -> list[Reply]:
    coach = person.coach
    coach.digest_weekday = int(dialog.data["weekday"])
    coach.digest_time = chosen
    await queries.add(work.session, coach)
    await dialogs.finish(work, person.user_id)
    ctx = {"weekday": coach.digest_weekday, "time": chosen.strftime("%H:%M")}
    return [Reply("digest_settings_done", person.lang, ctx, edit=edit)]


def question(person: Person, dialog: Dialog, *, edit: bool = False, problem: dict | None = None) -> Reply:
    ctx = {"step": dialog.step, "problem": problem}
    if problem is not None:
        edit = False

    def data(action: str, value: object) -> str:
        return dialogs.button_data(dialog, action, value)

    if dialog.step == "weekday":
        days = [Button(f"weekday_{day}", data=data("day", day)) for day in range(7)]
        return Reply("digest_weekday", person.lang, ctx, [days[:5], days[5:]], edit=edit)
    times = [Button(text=value, data=data("time", value)) for value in TIME_BUTTONS]
    return Reply("digest_time", person.lang, ctx, rows(times, 4), edit=edit)
