"""Messages about the employee's own view of the trajectory (eigen visie), through the outbox: the kind question
to the employee (once, from sickness week 87, or whenever the coach asks) with a button that opens /mijnvisie,
and a short note to the coach when the employee answered (never the text itself: the coach reads it in the
report)."""

from __future__ import annotations

import hashlib

from bot.core.context import Work
from bot.core.replies import Button, Reply
from bot.outgoing import outbox
from bot.outgoing.outbox import Message
from bot.rules import buttons
from bot.rules.report import own_view_due
from bot.rules.weeks import local_date
from storage import queries, report_queries
from storage.models import Coach, Employee, OwnView

FLOW = "ownview"  # the flow the question's button opens (bot/flows/own_view.py)


async def ask(work: Work, employee: Employee) -> bool:
    """Queue the question to the employee (one message per asking moment) and note that they were asked; False
    when the employee cannot be reached (not registered, not active) or the final report was already sent."""
    if employee.telegram_user_id is None or employee.status != "active" or employee.unreachable_at is not None:
        return False
    view = await report_queries.own_view(work.session, employee.id)
    if view is not None and view.locked_at is not None:
        return False
    now = work.clock.now()
    open_it = Button("own_view_ask_open", data=buttons.compose(None, "go", FLOW))
    answered = view is not None and view.consent is not None
    notice = Reply("own_view_ask", employee.language, {"answered": answered}, [[open_it]])
    key = f"own_view_ask:{employee.id}:{now.isoformat()}"  # one per asking moment (the sweep's, or the coach's)
    chat = employee.telegram_user_id
    await outbox.enqueue(work, [Message(key, "own_view_ask", chat, notice, employee.timezone, employee_id=employee.id)])
    await report_queries.mark_view_asked(work.session, employee.id, now)
    return True


async def tell_coach(work: Work, employee: Employee, view: OwnView, *, before: bool | None = None) -> None:
    """The coach hears that the employee answered: a view added (or changed), or none (or withdrawn). `before`
    is the employee's earlier choice, if any, so the note can say "changed" or "withdrawn"."""
    coach = await queries.get(work.session, Coach, employee.coach_id)
    if coach is None or coach.telegram_user_id is None or view.answered_at is None:
        return
    ctx = {"name": employee.name, "consent": bool(view.consent), "before": before}
    notice = Reply("own_view_coach", coach.language, ctx)
    # one message per answer given (the text's digest tells two changes within the same second apart)
    digest = hashlib.sha256((view.text or "").encode()).hexdigest()[:12]
    key = f"own_view_answer:{employee.id}:{bool(view.consent)}:{before}:{digest}:{view.answered_at.isoformat()}"
    await outbox.enqueue(work, [Message(key, "own_view_answer", coach.telegram_user_id, notice, coach.timezone)])


async def sweep(work: Work) -> int:
    """Ask every reachable employee from sickness week 87 who was never asked (and is not on a pause); once."""
    now = work.clock.now()
    asked = 0
    for employee in await queries.employees_to_remind(work.session):
        today = local_date(now, employee.timezone)
        if not own_view_due(employee.first_sick_day, today):
            continue
        view = await report_queries.own_view(work.session, employee.id)
        if view is not None and (view.asked_at is not None or view.consent is not None):
            continue  # asked before, or answered on their own already
        if await queries.current_pause(work.session, employee.id, today) is not None:
            continue  # asked when the pause is over
        asked += await ask(work, employee)
    return asked
