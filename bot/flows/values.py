"""/waarden (/values): the employee looks at and changes what matters to them in work, any time after the first
week's values exercise. Each tap is stored at once in `employee.values`; the rules are in `bot.rules.act`."""

from __future__ import annotations

from collections.abc import Callable

from bot.core import dialogs
from bot.core.context import Person, Work
from bot.core.replies import Button, Reply, rows
from bot.rules import act
from bot.rules.buttons import number_in
from storage import queries
from storage.models import Dialog

FLOW = "values"
COMMANDS = {"waarden": "employee", "values": "employee"}


def buttons(values: list[str], lang: str, data: Callable[..., str]) -> list[list[Button]]:
    """The values list as toggles (two to a row), then the employee's own words (a tap removes one). Shared with
    the first week's exercise in the check-in."""
    known = {choice.id for choice in act.value_choices()}
    choices = [
        Button(text=choice.text[lang], data=data("val", choice.id), checked=choice.id in values)
        for choice in act.value_choices()
    ]
    own = [
        Button(text=value, data=data("del", index), checked=True)
        for index, value in enumerate(values)
        if value not in known
    ]
    return [*rows(choices, 2), *([own] if own else [])]


def apply(values: list[str], action: str, value: str) -> list[str]:
    """The values after one tap: "val" chooses or unchooses one from the list, "del" removes own words by place.
    Raises act.TooManyValues past the maximum and ValueError for a button that does not fit."""
    if action == "val":
        return act.toggle_value(values, value)
    place = number_in(value, 0, len(values) - 1) if action == "del" else None
    if place is not None:
        return [kept for index, kept in enumerate(values) if index != place]
    raise ValueError(f"no value button {action!r} {value!r}")


async def start(work: Work, person: Person) -> list[Reply]:
    dialog = await dialogs.move(work, person.user_id, FLOW, "choose")
    return [question(person, dialog)]


async def ask_again(work: Work, person: Person, dialog: Dialog, problem: dict | None) -> list[Reply]:
    return [question(person, dialog, problem=problem)]


async def on_text(work: Work, person: Person, dialog: Dialog, text: str) -> list[Reply]:
    try:
        values = act.add_own_values(person.employee.values or [], text)
    except act.TooManyValues:
        return [question(person, dialog, problem={"reason": "too_many_values", "maximum": act.VALUE_MAX})]
    return await _store(work, person, values, edit=False)


async def on_button(work: Work, person: Person, dialog: Dialog, action: str, value: str) -> list[Reply]:
    if action == "done":
        await dialogs.finish(work, person.user_id)
        return [Reply("values_saved", person.lang, {"values": _shown(person)}, edit=True)]
    try:
        values = apply(person.employee.values or [], action, value)
    except act.TooManyValues:
        return [question(person, dialog, problem={"reason": "too_many_values", "maximum": act.VALUE_MAX})]
    except ValueError:
        return [question(person, dialog, problem={"reason": "use_buttons"})]
    return await _store(work, person, values, edit=True)


async def _store(work: Work, person: Person, values: list[str], *, edit: bool) -> list[Reply]:
    person.employee.values = values
    await queries.add(work.session, person.employee)
    dialog = await dialogs.move(work, person.user_id, FLOW, "choose")
    return [question(person, dialog, edit=edit)]


def _shown(person: Person) -> list[str]:
    return [act.value_text(value, person.lang) for value in person.employee.values or []]


def question(person: Person, dialog: Dialog, *, edit: bool = False, problem: dict | None = None) -> Reply:
    if problem is not None:
        edit = False

    def data(action: str, value: object = "") -> str:
        return dialogs.button_data(dialog, action, value)

    keyboard = [*buttons(person.employee.values or [], person.lang, data), [Button("done", data=data("done"))]]
    ctx = {"values": _shown(person), "maximum": act.VALUE_MAX, "problem": problem}
    return Reply("values_choose", person.lang, ctx, keyboard, edit=edit)
