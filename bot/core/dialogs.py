"""The position in a multi-step conversation, kept in the database (table `dialog`).

Each move bumps a version number that is written into the buttons of the question it shows, so a button
from an older message is recognised as stale and changes nothing. The buttons a step showed are recorded with
it, so a forged press (data for a button the current question does not offer) is stale too.
"""

from __future__ import annotations

from bot.core.context import Work
from bot.core.replies import Reply
from bot.rules import buttons
from storage import queries
from storage.models import Dialog

OFFERED = "offered"  # the callback data of the buttons the current step showed (see `remember_offered`)


def button_data(dialog: Dialog | None, action: str, value: object = "") -> str:
    """Callback data for a button that belongs to `dialog`'s current step (or to no dialog)."""
    return buttons.compose(None if dialog is None else int(dialog.data.get("v", 0)), action, value)


def offered(dialog: Dialog, data: str) -> bool:
    """Whether `data` is one of the buttons the dialog's current step showed: a button action is accepted only
    when the current question offers it. (A dialog saved before this was recorded accepts its version.)"""
    shown = dialog.data.get(OFFERED)
    return shown is None or data in shown


async def remember_offered(work: Work, user_id: int, replies: list[Reply]) -> None:
    """Record which buttons of the current step the replies show, so a press of anything else is refused."""
    dialog = await current(work, user_id)
    if dialog is None:
        return
    prefix = f"{dialog.data.get('v', 0)}{buttons.SEPARATOR}"
    before = dialog.data.get(OFFERED) or []
    shown = sorted(
        set(before)  # a reply without the question (a toast, the safety answer) leaves its buttons valid
        | {
            button.data
            for reply in replies
            for row in reply.buttons
            for button in row
            if button.data is not None and button.data.startswith(prefix)
        }
    )
    if before != shown or OFFERED not in dialog.data:
        await queries.save_dialog(
            work.session, user_id, dialog.flow, dialog.step, {**dialog.data, OFFERED: shown}, work.clock.now()
        )


async def move(work: Work, user_id: int, flow: str, step: str, **changes: object) -> Dialog:
    """Go to `step` of `flow`, keeping the flow's data (updated with `changes`) and bumping the version."""
    current = await queries.dialog_of(work.session, user_id)
    data = dict(current.data) if current is not None and current.flow == flow else {}
    data.update(changes)
    data[OFFERED] = []  # nothing offered yet: the new step's buttons are recorded when its question is shown
    data["v"] = (int(current.data.get("v", 0)) if current is not None else 0) + 1
    return await queries.save_dialog(work.session, user_id, flow, step, data, work.clock.now())


async def current(work: Work, user_id: int) -> Dialog | None:
    """The open dialog, or None when the user is not in the middle of anything."""
    dialog = await queries.dialog_of(work.session, user_id)
    return dialog if dialog is not None and dialog.flow else None


async def finish(work: Work, user_id: int) -> None:
    """Leave the flow. The row (and its version counter) stays, so old buttons remain stale for good."""
    dialog = await queries.dialog_of(work.session, user_id)
    if dialog is not None and dialog.flow:
        await queries.save_dialog(work.session, user_id, "", "", {"v": dialog.data.get("v", 0)}, work.clock.now())
