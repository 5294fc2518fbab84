"""Messages about the plan for other chats, through the outbox: the employee is asked to look at a new plan
version and agree with it (or say they want to discuss it); the coach hears the answer."""

from __future__ import annotations

from bot.core.context import Work
from bot.core.replies import Button, Reply
from bot.outgoing import outbox
from bot.outgoing.outbox import Message
from bot.rules import buttons
from storage import queries
from storage.models import Coach, Employee, PlanVersion


async def ask_employee(work: Work, employee: Employee, version: PlanVersion) -> bool:
    """Ask the employee to look at plan version `version` (one message per version, never twice); False when the
    employee cannot be reached (not registered, closed)."""
    if employee.telegram_user_id is None or employee.status != "active":
        return False
    look = Button("plan_ask_open", data=buttons.compose(None, "go", "myplan"))
    notice = Reply("plan_ask", employee.language, {"number": version.number}, [[look]])
    key = f"plan_ask:{version.id}"
    await outbox.enqueue(
        work, [Message(key, "plan_ask", employee.telegram_user_id, notice, employee.timezone, employee_id=employee.id)]
    )
    return True


async def tell_coach(work: Work, employee: Employee, version: PlanVersion) -> None:
    """The coach hears the employee's answer to a plan version (agree | discuss)."""
    coach = await queries.get(work.session, Coach, employee.coach_id)
    if coach is None or coach.telegram_user_id is None:
        return
    notice = Reply(
        "coach_plan_answer",
        coach.language,
        {"name": employee.name, "number": version.number, "answer": version.employee_answer},
    )
    # one message per answer given: agreeing, then discussing, then agreeing again are three messages
    key = f"plan_answer:{version.id}:{version.employee_answer}:{version.answered_at.isoformat()}"
    await outbox.enqueue(work, [Message(key, "plan_answer", coach.telegram_user_id, notice, coach.timezone)])
