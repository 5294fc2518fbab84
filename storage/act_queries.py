"""Queries for the ACT part of the check-in and for safety alerts: prompt history, last week's step, setbacks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import CheckIn, JobApplication, SafetyAlert


def _before(year: int, week: int):
    return or_(CheckIn.iso_year < year, and_(CheckIn.iso_year == year, CheckIn.iso_week < week))


async def prompt_history(session: AsyncSession, employee_id: int, year: int, week: int) -> list[CheckIn]:
    """Earlier check-ins that showed an ACT prompt, oldest first."""
    statement = (
        select(CheckIn)
        .where(CheckIn.employee_id == employee_id, CheckIn.act_prompt_id.is_not(None), _before(year, week))  # type: ignore[union-attr]
        .order_by(CheckIn.iso_year, CheckIn.iso_week)
    )
    return list((await session.exec(statement)).all())


async def previous_submitted(session: AsyncSession, employee_id: int, year: int, week: int) -> CheckIn | None:
    """The latest submitted check-in before this week (its committed step is the one to ask about)."""
    statement = (
        select(CheckIn)
        .where(CheckIn.employee_id == employee_id, CheckIn.submitted_at.is_not(None), _before(year, week))  # type: ignore[union-attr]
        .order_by(CheckIn.iso_year.desc(), CheckIn.iso_week.desc())  # type: ignore[attr-defined]
        .limit(1)
    )
    return (await session.exec(statement)).first()


async def setbacks_since(session: AsyncSession, employee_id: int, since: datetime) -> int:
    """Logged applications that were rejected or got no answer, changed since `since`."""
    statement = select(JobApplication.id).where(
        JobApplication.employee_id == employee_id,
        JobApplication.status.in_(("rejected", "no_answer")),  # type: ignore[attr-defined]
        JobApplication.updated_at >= since,
    )
    return len((await session.exec(statement)).all())


async def add_alert(session: AsyncSession, employee_id: int, source: str, now: datetime) -> SafetyAlert:
    alert = SafetyAlert(employee_id=employee_id, source=source, created_at=now)
    session.add(alert)
    await session.flush()
    return alert


async def alerts_of(session: AsyncSession, employee_id: int) -> list[SafetyAlert]:
    statement = select(SafetyAlert).where(SafetyAlert.employee_id == employee_id).order_by(SafetyAlert.id)
    return list((await session.exec(statement)).all())


async def unanswered_alert_since(session: AsyncSession, employee_id: int, since: datetime) -> SafetyAlert | None:
    """The employee's latest safety alert, if it is still waiting for the yes/no about telling the coach and was
    raised after `since`."""
    statement = (
        select(SafetyAlert)
        .where(SafetyAlert.employee_id == employee_id, SafetyAlert.created_at >= since)
        .order_by(SafetyAlert.id.desc())
        .limit(1)
    )
    latest = (await session.exec(statement)).first()
    return latest if latest is not None and latest.coach_allowed is None else None
