"""/privacy: the privacy statement, per part (what is kept, why, who sees it, how long, the rights), and for the
employee their choices: whether their ACT reflections are shared with their coach (private by default), and
deleting their own reflections or check-in notes for good, after a confirmation.

Coaches and employer contacts get the part that applies to them (what they see and why); coaches can open the
employee's parts too. No delete buttons for them. Who sees what is decided in `bot.rules.privacy`; the
statement's shape is `bot.rules.statement`, its words `content/labels/privacy_statement.yaml`.
"""

from __future__ import annotations

from functools import partial

from bot.core import dialogs
from bot.core.context import Person, Work
from bot.core.replies import Button, Reply, rows
from bot.rules import statement
from storage import own_data_queries, queries
from storage.models import Dialog

FLOW = "privacy"
COMMANDS = {"privacy": ("employee", "coach", "employer")}
CHOICES = {"share": True, "private": False}
ERASABLE = {"reflections": "reflection", "notes": "note"}  # button value -> the check-in field


async def start(work: Work, person: Person) -> list[Reply]:
    if person.role == "employer":  # one page, no choices: no dialog
        await dialogs.finish(work, person.user_id)
        return [_role_page(work, person, None)]
    dialog = await dialogs.move(work, person.user_id, FLOW, "choose", part=None, erase=None)
    return [await question(work, person, dialog)]


async def ask_again(work: Work, person: Person, dialog: Dialog, problem: dict | None) -> list[Reply]:
    return [await question(work, person, dialog, problem=problem)]


async def on_text(work: Work, person: Person, dialog: Dialog, text: str) -> list[Reply]:
    return [await question(work, person, dialog, problem={"reason": "use_buttons"})]


async def on_button(work: Work, person: Person, dialog: Dialog, action: str, value: str) -> list[Reply]:
    employee = person.employee
    parts = statement.PARTS.get(person.role or "", ())
    if action == "part" and value in parts:
        return await _move(work, person, "part", part=value)
    if action == "overview" and dialog.step in ("part", "confirm"):
        return await _move(work, person, "choose", part=None, erase=None)
    if employee is not None and dialog.step == "choose" and action == "set" and value in CHOICES:
        employee.share_reflections = CHOICES[value]
        await queries.add(work.session, employee)
        await dialogs.finish(work, person.user_id)
        return [Reply("privacy_saved", person.lang, {"shared": CHOICES[value]}, edit=True)]
    if employee is not None and dialog.step == "choose" and action == "erase" and value in ERASABLE:
        return await _move(work, person, "confirm", erase=value)
    if employee is not None and dialog.step == "confirm" and action in ("yes", "no"):
        return await _decide(work, person, dialog, action == "yes")
    return [await question(work, person, dialog, problem={"reason": "use_buttons"})]


async def _decide(work: Work, person: Person, dialog: Dialog, erase: bool) -> list[Reply]:
    what = dialog.data.get("erase")
    if what not in ERASABLE:
        return [await question(work, person, dialog, problem={"reason": "use_buttons"})]
    await dialogs.finish(work, person.user_id)
    if not erase:
        return [Reply("privacy_erased", person.lang, {"kept": True, "what": what, "count": 0}, edit=True)]
    count = await own_data_queries.erase_own(work.session, person.employee.id, ERASABLE[what])
    return [Reply("privacy_erased", person.lang, {"kept": False, "what": what, "count": count}, edit=True)]


async def _move(work: Work, person: Person, step: str, **changes: object) -> list[Reply]:
    dialog = await dialogs.move(work, person.user_id, FLOW, step, **changes)
    return [await question(work, person, dialog, edit=True)]


def _label(work: Work, person: Person):
    return partial(work.texts.label, person.lang)


def _part_buttons(work: Work, person: Person, dialog: Dialog | None) -> list[list[Button]]:
    label = _label(work, person)
    buttons = [
        Button(
            "privacy_part_button",
            data=dialogs.button_data(dialog, "part", part),
            params={"label": statement.part_title(label, part)},
        )
        for part in statement.PARTS.get(person.role or "", ())
        if part != person.role  # a coach's or contact's own part is the overview itself
    ]
    return rows(buttons, 2)


def _role_page(work: Work, person: Person, dialog: Dialog | None, *, problem: dict | None = None) -> Reply:
    """A coach's or an employer contact's own part: what they see, why, that it is logged, how long."""
    blocks = statement.part_blocks(_label(work, person), person.role)
    buttons = _part_buttons(work, person, dialog) if dialog is not None else []
    ctx = {"blocks": blocks, "parts": bool(buttons), "problem": problem}
    return Reply("privacy_role", person.lang, ctx, buttons)


async def question(
    work: Work, person: Person, dialog: Dialog, *, edit: bool = False, problem: dict | None = None
) -> Reply:
    """The message for the dialog's current step, with its buttons."""
    if problem is not None:
        edit = False

    def data(action: str, value: object = "") -> str:
        return dialogs.button_data(dialog, action, value)

    back = [Button("privacy_overview", data=data("overview"))]
    if dialog.step == "part" and dialog.data.get("part") in statement.PARTS.get(person.role or "", ()):
        part = dialog.data["part"]
        label = _label(work, person)
        ctx = {"title": statement.part_title(label, part), "blocks": statement.part_blocks(label, part)}
        return Reply("privacy_part", person.lang, {**ctx, "problem": problem}, [back], edit=edit)
    if person.employee is None:
        reply = _role_page(work, person, dialog, problem=problem)
        reply.edit = edit
        return reply
    if dialog.step == "confirm" and dialog.data.get("erase") in ERASABLE:
        what = dialog.data["erase"]
        count = await own_data_queries.count_own(work.session, person.employee.id, ERASABLE[what])
        choices = [Button("privacy_erase_yes", data=data("yes")), Button("privacy_erase_no", data=data("no"))]
        buttons = [choices] if count else [back]
        ctx = {"what": what, "count": count, "problem": problem}
        return Reply("privacy_erase_confirm", person.lang, ctx, buttons, edit=edit)
    shared = person.employee.share_reflections
    buttons = [
        [Button("privacy_share", data=data("set", "share"), checked=shared)],
        [Button("privacy_private", data=data("set", "private"), checked=not shared)],
        *_part_buttons(work, person, dialog),
        [Button("privacy_erase_reflections", data=data("erase", "reflections"))],
        [Button("privacy_erase_notes", data=data("erase", "notes"))],
    ]
    return Reply("privacy_status", person.lang, {"shared": shared, "problem": problem}, buttons, edit=edit)
