"""/privacy: the employee decides whether their ACT reflections are shared with their coach (private by default).

Who sees what is decided in `bot.rules.privacy` (`reflections_shared=`); this flow only stores the employee's choice
in `employee.share_reflections` and explains it.
"""

from __future__ import annotations

from bot.core import dialogs
from bot.core.context import Person, Work
from bot.core.replies import Button, Reply
from storage import queries
from storage.models import Dialog

FLOW = "privacy"
COMMANDS = {"privacy": "employee"}
CHOICES = {"share": True, "private": False}


async def start(work: Work, person: Person) -> list[Reply]:
    dialog = await dialogs.move(work, person.user_id, FLOW, "choose")
    return [question(person, dialog)]


async def ask_again(work: Work, person: Person, dialog: Dialog, problem: dict | None) -> list[Reply]:
    return [question(person, dialog, problem=problem)]


async def on_text(work: Work, person: Person, dialog: Dialog, text: str) -> list[Reply]:
    return [question(person, dialog, problem={"reason": "use_buttons"})]


async def on_button(work: Work, person: Person, dialog: Dialog, action: str, value: str) -> list[Reply]:
    if action != "set" or value not in CHOICES:
        return [question(person, dialog, problem={"reason": "use_buttons"})]
    person.employee.share_reflections = CHOICES[value]
    await queries.add(work.session, person.employee)
    await dialogs.finish(work, person.user_id)
    return [Reply("privacy_saved", person.lang, {"shared": CHOICES[value]}, edit=True)]


def question(person: Person, dialog: Dialog, *, problem: dict | None = None) -> Reply:
    shared = person.employee.share_reflections
    buttons = [
        [Button("privacy_share", data=dialogs.button_data(dialog, "set", "share"), checked=shared)],
        [Button("privacy_private", data=dialogs.button_data(dialog, "set", "private"), checked=not shared)],
    ]
    return Reply("privacy_status", person.lang, {"shared": shared, "problem": problem}, buttons)
