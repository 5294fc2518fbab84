"""/mijnvisie (/myview): the employee's own view of the trajectory (eigen visie) for the final report.

Asked kindly from sickness week 87 (`bot.outgoing.own_view_notices`), or opened by the employee at any time: yes
(type it, see it back exactly as typed, confirm), no (stored as an explicit choice: the report then says they
chose not to add a view), or later (nothing stored). The typed text lives in the dialog until "Zo is het goed",
so a restart loses nothing and nothing half-finished reaches the file. Typed text is screened for crisis
language by the router before it gets here: such a text gets the safety answer and is never taken as the view.
Once the final report was sent (`OwnView.locked_at`) the view is shown and can no longer be changed.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core import dialogs
from bot.core.context import Person, Work
from bot.core.replies import Button, Reply
from bot.outgoing import own_view_notices
from bot.rules.weeks import local_date
from storage import report_queries
from storage.models import Dialog, OwnView

FLOW = own_view_notices.FLOW
COMMANDS = {"mijnvisie": "employee", "myview": "employee"}
MAX_LENGTH = 3000  # OwnView.text


async def start(work: Work, person: Person) -> list[Reply]:
    view = await _view(work, person)
    if view is not None and view.locked_at is not None:
        await dialogs.finish(work, person.user_id)
        return [_locked(person, view)]
    step = "choose" if view is None or view.consent is None else "menu"
    dialog = await dialogs.move(work, person.user_id, FLOW, step, text=None)
    return [_question(person, dialog, view)]


async def ask_again(work: Work, person: Person, dialog: Dialog, problem: dict | None) -> list[Reply]:
    view = await _view(work, person)
    if view is not None and view.locked_at is not None:
        await dialogs.finish(work, person.user_id)
        return [_locked(person, view)]
    return [_question(person, dialog, view, problem=problem)]


async def on_text(work: Work, person: Person, dialog: Dialog, text: str) -> list[Reply]:
    if dialog.step not in ("write", "confirm"):  # (a new text at the confirm step replaces the shown one)
        return await ask_again(work, person, dialog, {"reason": "use_buttons"})
    typed = text.strip()
    if not typed:
        return await ask_again(work, person, dialog, {"reason": "view_empty"})
    if len(typed) > MAX_LENGTH:
        return await ask_again(work, person, dialog, {"reason": "view_too_long", "count": len(typed),
                                                      "maximum": MAX_LENGTH})  # fmt: skip
    dialog = await dialogs.move(work, person.user_id, FLOW, "confirm", text=typed)
    return await ask_again(work, person, dialog, None)


async def on_button(work: Work, person: Person, dialog: Dialog, action: str, value: str) -> list[Reply]:
    view = await _view(work, person)
    if view is not None and view.locked_at is not None:  # the final report went out meanwhile
        return await ask_again(work, person, dialog, None)
    step = dialog.step
    if action == "write" and step in ("choose", "menu", "confirm"):
        return await _move(work, person, view, "write", text=None)
    if action == "no" and step == "choose":
        return await _answer(work, person, view, False, None)
    if action == "later" and step == "choose":
        return await _end(work, person, "later", view)
    if action == "ok" and step == "confirm" and dialog.data.get("text"):
        return await _answer(work, person, view, True, dialog.data["text"])
    if action == "cancel" and step in ("write", "confirm"):
        return await _end(work, person, "cancelled", view)
    if action == "keep" and step in ("menu", "withdraw"):
        return await _end(work, person, "kept", view)
    if action == "withdraw" and step == "menu" and view is not None and view.consent:
        return await _move(work, person, view, "withdraw")
    if action == "withdraw" and step == "withdraw" and view is not None and view.consent:
        return await _answer(work, person, view, False, None, outcome="withdrawn")
    return await ask_again(work, person, dialog, {"reason": "use_buttons"})


async def _view(work: Work, person: Person) -> OwnView | None:
    return await report_queries.own_view(work.session, person.employee.id)


async def _move(work: Work, person: Person, view: OwnView | None, step: str, **changes: object) -> list[Reply]:
    dialog = await dialogs.move(work, person.user_id, FLOW, step, **changes)
    return [_question(person, dialog, view, edit=True)]


async def _answer(
    work: Work, person: Person, view: OwnView | None, consent: bool, text: str | None, *, outcome: str | None = None
) -> list[Reply]:
    """Store the answer (consent with the confirmed text, or no view), tell the coach, leave the flow."""
    before = view.consent if view is not None else None
    stored = await report_queries.answer_view(work.session, person.employee.id, consent, text, work.clock.now())
    await own_view_notices.tell_coach(work, person.employee, stored, before=before)
    return await _end(work, person, outcome or ("saved" if consent else "declined"), stored, changed=before is True)


async def _end(work: Work, person: Person, outcome: str, view: OwnView | None, *, changed: bool = False) -> list[Reply]:
    await dialogs.finish(work, person.user_id)
    ctx = {"outcome": outcome, "changed": changed, "consent": view.consent if view is not None else None}
    return [Reply("own_view_done", person.lang, ctx, edit=True)]


def _question(
    person: Person, dialog: Dialog, view: OwnView | None, *, edit: bool = False, problem: dict | None = None
) -> Reply:
    """The message for the dialog's step, with its buttons."""

    def button(label: str, action: str) -> list[Button]:
        return [Button(f"own_view_{label}", data=dialogs.button_data(dialog, action))]

    consent = view.consent if view is not None else None
    ctx = {
        "step": dialog.step,
        "problem": problem,
        "text": dialog.data.get("text") or "",
        "consent": consent,
        "saved": (view.text or "") if view is not None and consent else "",
        "day": _day(view.answered_at if view is not None else None, person.employee.timezone),
        "maximum": MAX_LENGTH,
    }
    if dialog.step == "choose":
        buttons = [button("yes", "write"), button("no", "no"), button("later", "later")]
    elif dialog.step == "write":
        buttons = [button("cancel", "cancel")]
    elif dialog.step == "confirm":
        buttons = [button("ok", "ok"), button("rewrite", "write"), button("cancel", "cancel")]
    elif dialog.step == "withdraw":
        buttons = [button("withdraw_yes", "withdraw"), button("withdraw_no", "keep")]
    elif consent:  # the menu of an answered view
        buttons = [button("change", "write"), button("withdraw", "withdraw"), button("keep", "keep")]
    else:
        buttons = [button("write_anyway", "write"), button("keep", "keep")]
    return Reply("own_view_question", person.lang, ctx, buttons, edit=edit and problem is None)


def _locked(person: Person, view: OwnView) -> Reply:
    ctx = {
        "consent": view.consent,
        "saved": (view.text or "") if view.consent else "",
        "day": _day(view.locked_at, person.employee.timezone),
    }
    return Reply("own_view_locked", person.lang, ctx)


def _day(moment: datetime | None, timezone: str) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # (SQLite gives back UTC times without their zone)
        moment = moment.replace(tzinfo=UTC)
    return local_date(moment, timezone).strftime("%d-%m-%Y")
