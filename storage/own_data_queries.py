"""What an employee deletes of their own accord (/privacy): their ACT reflections or their check-in notes, from
every check-in, for good. The check-in rows stay, so the counts, energy and steps remain."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import CheckIn

OWN_TEXTS = ("reflection", "note")  # the check-in fields an employee may delete themself


def _column(field: str):
    if field not in OWN_TEXTS:
        raise ValueError(f"not an own text: {field!r}")
    return getattr(CheckIn, field)


async def _holding(session: AsyncSession, employee_id: int, field: str) -> list[CheckIn]:
    found = await session.exec(
        select(CheckIn).where(CheckIn.employee_id == employee_id, _column(field).is_not(None))  # type: ignore[union-attr]
    )
    return list(found.all())


async def count_own(session: AsyncSession, employee_id: int, field: str) -> int:
    """How many of the employee's check-ins hold a `field` ("reflection" or "note")."""
    return len(await _holding(session, employee_id, field))


async def erase_own(session: AsyncSession, employee_id: int, field: str) -> int:
    """Empty `field` in every check-in of the employee; the number of check-ins that held one."""
    rows = await _holding(session, employee_id, field)
    for checkin in rows:
        setattr(checkin, field, None)
        session.add(checkin)
    await session.flush()
    return len(rows)
