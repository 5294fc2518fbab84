"""/oefening (/exercise): a coach pins one ACT process for a client, so every weekly reflection comes from it
(for instance defusion while a client is stuck in "nobody wants me"), or un-pins it again.

The choice itself is made in `bot.rules.act.choose_prompt`, where a pinned process wins over every other rule; this
flow only stores `employee.pinned_process`. A coach only ever sees and changes their own clients.
"""

from __future__ import annotations

from bot.core import access, dialogs
from bot.core.context import Person, Work
from bot.core.replies import Button, Reply, rows
from bot.rules import act
from storage import queries
from storage.models import Dialog, Employee

FLOW = "pin"
COMMANDS = {"oefening": "coach", "exercise": "coach"}
AUTOMATIC = "auto"


async def start(work: Work, person: Person) -> list[Reply]:
    dialog = await dialogs.move(work, person.user_id, FLOW, "client")
    return [await question(work, person, dialog)]


async def ask_again(work: Work, person: Person, dialog: Dialog, problem: dict | None) -> list[Reply]:
    return [await question(work, person, dialog, problem=problem)]


async def on_text(work: Work, person: Person, dialog: Dialog, text: str) -> list[Reply]:
    return [await question(work, person, dialog, problem={"reason": "use_buttons"})]


async def on_button(work: Work, person: Person, dialog: Dialog, action: str, value: str) -> list[Reply]:
    if dialog.step == "client" and action == "client":
        client = await _client(work, person, value)
        if client is not None:
            dialog = await dialogs.move(work, person.user_id, FLOW, "process", client_id=client.id)
            return [await question(work, person, dialog, edit=True)]
    if dialog.step == "process" and action == "process" and (value in act.PROCESSES or value == AUTOMATIC):
        client = await _client(work, person, int(dialog.data["client_id"]))
        if client is not None:
            client.pinned_process = None if value == AUTOMATIC else value
            await queries.add(work.session, client)
            await dialogs.finish(work, person.user_id)
            ctx = {"name": client.name, "process": client.pinned_process}
            return [Reply("pin_done", person.lang, ctx, edit=True)]
    return [await question(work, person, dialog, problem={"reason": "use_buttons"})]


async def _client(work: Work, person: Person, employee_id: str | int) -> Employee | None:
    """The coach's own client with this id, never anyone else's."""
    return await access.reach(work, person, Employee, employee_id)


async def question(
    work: Work, person: Person, dialog: Dialog, *, edit: bool = False, problem: dict | None = None
) -> Reply:
    ctx: dict = {"step": dialog.step, "problem": problem}
    if problem is not None:
        edit = False

    def data(action: str, value: object = "") -> str:
        return dialogs.button_data(dialog, action, value)

    if dialog.step == "client":
        clients = [c for c in await queries.employees_of_coach(work.session, person.coach.id) if c.status != "closed"]
        ctx["has_clients"] = bool(clients)
        buttons = [Button(text=client.name, data=data("client", client.id)) for client in clients]
        return Reply("pin_client", person.lang, ctx, rows(buttons, 2), edit=edit)
    client = await _client(work, person, int(dialog.data["client_id"]))
    ctx.update(name=client.name, process=client.pinned_process)
    choices = [
        Button(f"process_{process}", data=data("process", process), checked=process == client.pinned_process)
        for process in act.PROCESSES
    ]
    automatic = Button("process_auto", data=data("process", AUTOMATIC), checked=client.pinned_process is None)
    return Reply("pin_process", person.lang, ctx, [*rows(choices, 2), [automatic]], edit=edit)
