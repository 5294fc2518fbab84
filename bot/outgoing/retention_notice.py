"""The employee hears, when their trajectory is closed, the day their data will be deleted (bot.rules.retention)."""

from __future__ import annotations

from bot.core.context import Work
from bot.core.replies import Reply
from bot.outgoing import outbox
from bot.outgoing.outbox import Message
from bot.rules import retention
from storage.models import Employee, PhaseChange


async def tell_deletion_date(work: Work, employee: Employee, change: PhaseChange) -> None:
    """Queue the closing message (once per closing) to an employee who joined; nothing for one who never did."""
    if employee.telegram_user_id is None or employee.closed_at is None:
        return
    day = retention.deletion_date(employee.closed_at, employee.timezone)
    notice = Reply("retention_closed", employee.language, {"day": day})
    key = f"retention_closed:{employee.id}:{change.id}"
    message = Message(
        key, "retention_closed", employee.telegram_user_id, notice, employee.timezone, employee_id=employee.id
    )
    await outbox.enqueue(work, [message])
