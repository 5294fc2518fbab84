"""The phases of a Track 2 trajectory, and the one way to change a client's phase (with its history)."""

from __future__ import annotations

from bot.core.context import Work
from storage import queries
from storage.models import Coach, Employee, PhaseChange

PHASES = ("intake", "orientation", "active_search", "completion", "placed", "closed")


async def set_phase(work: Work, employee: Employee, phase: str, coach: Coach | None) -> PhaseChange:
    """Record the change (history for the report and the employer's notice) and update the employee.

    "closed" also closes the trajectory (no more reminders or check-ins); any other phase on a closed
    trajectory reopens it (active again once the employee joined, else still invited).
    """
    if phase not in PHASES:
        raise ValueError(f"unknown phase {phase!r}")
    change = PhaseChange(
        employee_id=employee.id,
        phase=phase,
        changed_at=work.clock.now(),
        coach_id=coach.id if coach is not None else None,
    )
    employee.phase = phase
    if phase == "closed":
        employee.status = "closed"
        employee.closed_at = change.changed_at  # the two-year retention runs from here (bot.rules.retention)
    elif employee.status == "closed":
        employee.closed_at = None
        employee.status = "active" if employee.registered_at is not None else "invited"
    await queries.add(work.session, employee)
    return await queries.add(work.session, change)
