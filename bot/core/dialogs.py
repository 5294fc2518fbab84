"""The position in a multi-step conversation, kept in the database (table `dialog`).

Each move bumps a version number that is written into the buttons of the question it shows, so a button
from an older message is recognised as stale and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.context import Work
from storage import queries
from storage.models import Dialog

SEPARATOR = "|"


@dataclass(frozen=True)
class ButtonPress:
    version: int | None
    action: str
    value: str


def parse_button(data: str) -> ButtonPress | None:
    """Split callback data "version|action|value" (version may be empty for buttons outside a dialog)."""
    parts = data.split(SEPARATOR)
    if len(parts) != 3:
        return None
    version, action, value = parts
    if version and not version.isdigit():
        return None
    return ButtonPress(int(version) if version else None, action, value)


def button_data(dialog: Dialog | None, action: str, value: object = "") -> str:
    """Callback data for a button that belongs to `dialog`'s current step (or to no dialog)."""
    version = "" if dialog is None else str(dialog.data.get("v", 0))
    return SEPARATOR.join((version, action, str(value)))


async def move(work: Work, user_id: int, flow: str, step: str, **changes: object) -> Dialog:
    """Go to `step` of `flow`, keeping the flow's data (updated with `changes`) and bumping the version."""
    current = await queries.dialog_of(work.session, user_id)
    data = dict(current.data) if current is not None and current.flow == flow else {}
    data.update(changes)
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
