"""The screens of the coach's /dossier flow (`bot.flows.dossier`): the client list, the dossier menu in short
lines, the poortwachter steps, one step, the BSN, the reason Track 2 started late and the outcome. Each screen
reads what is stored now; the flow decides what a tap or a typed answer does."""

from __future__ import annotations

from datetime import date

from bot.core import access, audit, dialogs
from bot.core.context import Person, Work
from bot.core.replies import Button, Reply, rows
from bot.flows import client_pick
from bot.rules import report as rules
from bot.rules import timeline
from bot.rules.weeks import local_date
from storage import report_queries
from storage.models import Dialog, Employee, OwnView

FLOW = "dossier"
# what the menu says of the employee's own view
NOT_ASKED, ASKED, ADDED, DECLINED = "not_asked", "asked", "added", "declined"


def today(work: Work, person: Person) -> date:
    return local_date(work.clock.now(), person.coach.timezone)


async def client(work: Work, person: Person, dialog: Dialog) -> Employee | None:
    """The dialog's client, when this coach may still reach them."""
    return await access.reach(work, person, Employee, dialog.data.get("employee"))


async def steps_of(work: Work, person: Person, employee: Employee) -> list[rules.StepState]:
    """The client's poortwachter steps in legal order: the recorded days against their legal dates, today."""
    done = await report_queries.steps_done(work.session, employee.id)
    return rules.step_states(employee.first_sick_day, done, today(work, person))


def late(employee: Employee) -> bool:
    return timeline.track2_late(employee.first_sick_day, employee.track2_start)


def view_state(view: OwnView | None) -> str:
    """Only the state of the employee's own view (the menu never shows its words)."""
    if view is None or (view.asked_at is None and view.consent is None):
        return NOT_ASKED
    if view.consent is None:
        return ASKED
    return ADDED if view.consent else DECLINED


async def question(
    work: Work,
    person: Person,
    dialog: Dialog,
    *,
    edit: bool = False,
    problem: dict | None = None,
    intro: str | None = None,
    **shown: object,
) -> Reply:
    """The message for the dialog's current step, with its buttons (`shown`: extra words for the intro)."""
    if problem is not None:
        edit = False
    ctx: dict = {"step": dialog.step, "problem": problem, "intro": intro, **shown}

    def data(action: str, value: object = "") -> str:
        return dialogs.button_data(dialog, action, value)

    employee = None if dialog.step == "pick" else await client(work, person, dialog)
    if employee is None:
        return await _pick(work, person, dialog, ctx, data, edit)
    await audit.read(work, person, "dossier", employee.id)
    day = today(work, person)
    states = await steps_of(work, person, employee)
    ctx.update(name=employee.name, today=day)
    back = [Button("back", data=data("back"))]
    if dialog.step == "menu":
        return await _menu(work, person, employee, states, ctx, data, edit)
    if dialog.step == "steps":
        ctx["states"] = [_state(s) for s in states]
        buttons = [
            [Button(f"dossier_step_{s.step}", data=data("open", s.step), checked=s.state == rules.DONE)] for s in states
        ]
        return Reply("dossier_steps", person.lang, ctx, [*buttons, back], edit=edit)
    if dialog.step in ("step", "step_date"):
        found = next((s for s in states if s.step == dialog.data.get("item")), None)
        if found is None:
            return await question(work, person, await dialogs.move(work, person.user_id, FLOW, "steps"))
        ctx.update(item=_state(found), first_sick_day=employee.first_sick_day)
        if dialog.step == "step_date":
            return Reply("dossier_step", person.lang, ctx, [back], edit=edit)
        buttons = [[Button("dossier_today", data=data("today")), Button("dossier_other_date", data=data("other"))]]
        if found.done_on is not None:
            buttons.append([Button("dossier_not_done", data=data("remove"))])
        return Reply("dossier_step", person.lang, ctx, [*buttons, back], edit=edit)
    if dialog.step == "bsn":
        ctx["masked"] = rules.masked_bsn(employee.bsn) if employee.bsn else None
        remove = [[Button("dossier_bsn_remove", data=data("remove"))]] if employee.bsn else []
        return Reply("dossier_bsn", person.lang, ctx, [*remove, back], edit=edit)
    if dialog.step == "late":
        ctx.update(reason=employee.track2_late_reason, start=employee.track2_start, **_deadline(employee))
        return Reply("dossier_late", person.lang, ctx, [back], edit=edit)
    ctx.update(outcome=employee.outcome, outcome_text=employee.outcome_text, outcome_on=employee.outcome_on)
    draft = dialog.data.get("draft") or {}
    ctx["chosen"] = draft.get("outcome")
    if dialog.step == "outcome":
        choices = [Button("dossier_placed", data=data("pick", rules.PLACED))]
        choices.append(Button("dossier_too_few", data=data("pick", rules.TOO_FEW)))
        clear = [[Button("dossier_outcome_clear", data=data("clear"))]] if employee.outcome else []
        return Reply("dossier_outcome", person.lang, ctx, [*rows(choices, 1), *clear, back], edit=edit)
    if dialog.step == "outcome_text":
        skip = [[Button("dossier_skip", data=data("skip"))]] if draft.get("outcome") == rules.PLACED else []
        return Reply("dossier_outcome", person.lang, ctx, [*skip, back], edit=edit)
    ctx["track2_start"] = employee.track2_start  # outcome_date
    return Reply("dossier_outcome", person.lang, ctx, [[Button("dossier_today", data=data("today"))], back], edit=edit)


async def _pick(work: Work, person: Person, dialog: Dialog, ctx: dict, data, edit: bool) -> Reply:
    found = await client_pick.open_clients(work, person)
    buttons, paging = client_pick.page_buttons(found, dialog.data.get("page"), data, "dossier")
    return Reply("dossier_pick", person.lang, {**ctx, **paging}, buttons, edit=edit)


async def _menu(work: Work, person: Person, employee: Employee, states, ctx: dict, data, edit: bool) -> Reply:
    view = await report_queries.own_view(work.session, employee.id)
    drafts = await report_queries.drafts_of(work.session, employee.id)
    final = next((d for d in reversed(drafts) if d.kind == rules.FINAL), None)
    ctx.update(
        masked=rules.masked_bsn(employee.bsn) if employee.bsn else None,
        steps_done=sum(s.state == rules.DONE for s in states),
        steps_overdue=sum(s.state == rules.OVERDUE for s in states),
        steps_total=len(states),
        late=late(employee),
        late_reason=bool(employee.track2_late_reason),
        outcome=employee.outcome,
        outcome_on=employee.outcome_on,
        view=view_state(view),
        view_locked=view is not None and view.locked_at is not None,
        final=final.status if final is not None else None,
        final_on=local_date(final.decided_at, person.coach.timezone) if final and final.decided_at else None,
    )
    buttons = [[Button("dossier_steps", data=data("steps")), Button("dossier_bsn", data=data("bsn"))]]
    if ctx["late"]:
        buttons.append([Button("dossier_late", data=data("late"))])
    buttons += [
        [Button("dossier_outcome", data=data("outcome")), Button("dossier_ask_view", data=data("view"))],
        [Button("dossier_final", data=data("final"))],
        [Button("dossier_finish", data=data("done"))],
    ]
    return Reply("dossier_menu", person.lang, ctx, buttons, edit=edit)


def _state(state: rules.StepState) -> dict:
    return {"step": state.step, "due": state.due, "done_on": state.done_on, "state": state.state, "late": state.late}


def _deadline(employee: Employee) -> dict:
    return {"deadline": timeline.milestone(employee.first_sick_day, "track2_start_deadline").due}
