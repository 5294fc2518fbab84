"""Queries for the coach's side: caseload, notes, phases, job applications, safety alerts, digests and reports.

Plain async functions over a SQLModel AsyncSession; portable SQL only (SQLite and PostgreSQL).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import (
    CheckIn,
    Coach,
    CoachNote,
    Employee,
    Employer,
    JobApplication,
    Outbox,
    Pause,
    PhaseChange,
    SafetyAlert,
)

# --- coaches and their clients ----------------------------------------------------------------------------


async def registered_coaches(session: AsyncSession) -> list[Coach]:
    statement = select(Coach).where(Coach.telegram_user_id.is_not(None)).order_by(Coach.id)  # type: ignore[union-attr]
    return list((await session.exec(statement)).all())


async def clients_of(session: AsyncSession, coach_id: int) -> list[Employee]:
    statement = select(Employee).where(Employee.coach_id == coach_id).order_by(Employee.name, Employee.id)
    return list((await session.exec(statement)).all())


async def all_coaches(session: AsyncSession) -> list[Coach]:
    """Every coach, registered or not (for `spoorzoeker coach list`)."""
    return list((await session.exec(select(Coach).order_by(Coach.id))).all())


async def set_agency(session: AsyncSession, coach_id: int, agency: str | None) -> Coach | None:
    """The reintegration agency the coach works for, as reports name it (None: not named); None for no coach."""
    coach = await session.get(Coach, coach_id)
    if coach is None:
        return None
    coach.agency = agency
    session.add(coach)
    await session.flush()
    return coach


async def active_clients(session: AsyncSession) -> list[Employee]:
    """Every employee in a running trajectory (status active), of every coach, by name (the monthly batch)."""
    statement = select(Employee).where(Employee.status == "active").order_by(Employee.name, Employee.id)
    return list((await session.exec(statement)).all())


async def employer_names(session: AsyncSession, employer_ids: set[int]) -> dict[int, str]:
    if not employer_ids:
        return {}
    statement = select(Employer).where(Employer.id.in_(list(employer_ids)))  # type: ignore[union-attr]
    return {employer.id: employer.name for employer in (await session.exec(statement)).all()}


# --- check-ins, pauses, phases, alerts for many clients at once -------------------------------------------


def _week_key(year: int, week: int) -> int:
    return year * 100 + week


async def checkins_from(session: AsyncSession, employee_ids: list[int], year: int, week: int) -> list[CheckIn]:
    """Check-ins of these employees from ISO week (year, week) on, oldest first."""
    if not employee_ids:
        return []
    statement = (
        select(CheckIn)
        .where(
            CheckIn.employee_id.in_(employee_ids),  # type: ignore[attr-defined]
            CheckIn.iso_year * 100 + CheckIn.iso_week >= _week_key(year, week),
        )
        .order_by(CheckIn.employee_id, CheckIn.iso_year, CheckIn.iso_week)
    )
    return list((await session.exec(statement)).all())


async def checkins_between(
    session: AsyncSession, employee_id: int, first: tuple[int, int], last: tuple[int, int]
) -> list[CheckIn]:
    """One employee's check-ins from ISO week `first` to `last` (inclusive), oldest first."""
    key = CheckIn.iso_year * 100 + CheckIn.iso_week
    statement = (
        select(CheckIn)
        .where(CheckIn.employee_id == employee_id, key >= _week_key(*first), key <= _week_key(*last))
        .order_by(CheckIn.iso_year, CheckIn.iso_week)
    )
    return list((await session.exec(statement)).all())


async def last_submitted(session: AsyncSession, employee_ids: list[int]) -> dict[int, datetime]:
    """When each employee last submitted a check-in."""
    if not employee_ids:
        return {}
    statement = (
        select(CheckIn.employee_id, func.max(CheckIn.submitted_at))
        .where(CheckIn.employee_id.in_(employee_ids), CheckIn.submitted_at.is_not(None))  # type: ignore[attr-defined,union-attr]
        .group_by(CheckIn.employee_id)
    )
    return {employee_id: moment for employee_id, moment in (await session.exec(statement)).all()}


async def pauses_of(session: AsyncSession, employee_ids: list[int], since: date) -> list[Pause]:
    """Pauses of these employees that lasted until `since` or later, oldest first."""
    if not employee_ids:
        return []
    statement = (
        select(Pause)
        .where(Pause.employee_id.in_(employee_ids), Pause.until >= since)  # type: ignore[attr-defined]
        .order_by(Pause.start, Pause.id)
    )
    return list((await session.exec(statement)).all())


async def phase_changes_of(session: AsyncSession, employee_ids: list[int]) -> list[PhaseChange]:
    if not employee_ids:
        return []
    statement = (
        select(PhaseChange)
        .where(PhaseChange.employee_id.in_(employee_ids))  # type: ignore[attr-defined]
        .order_by(PhaseChange.changed_at, PhaseChange.id)
    )
    return list((await session.exec(statement)).all())


async def allowed_safety_alerts(session: AsyncSession, employee_ids: list[int], since: datetime) -> dict[int, int]:
    """How many safety alerts each employee allowed their coach to hear about since `since`."""
    if not employee_ids:
        return {}
    statement = (
        select(SafetyAlert.employee_id, func.count())
        .where(
            SafetyAlert.employee_id.in_(employee_ids),  # type: ignore[attr-defined]
            SafetyAlert.coach_allowed.is_(True),  # type: ignore[union-attr]
            SafetyAlert.created_at >= since,
        )
        .group_by(SafetyAlert.employee_id)
    )
    return {employee_id: count for employee_id, count in (await session.exec(statement)).all()}


# --- job applications -------------------------------------------------------------------------------------


async def add_application(
    session: AsyncSession,
    employee_id: int,
    company: str,
    role: str,
    applied_on: date,
    channel: str,
    now: datetime,
    direction: str | None = None,
) -> JobApplication:
    application = JobApplication(
        employee_id=employee_id,
        company=company,
        role=role,
        applied_on=applied_on,
        channel=channel,
        direction=direction,
        created_at=now,
        updated_at=now,
    )
    session.add(application)
    await session.flush()
    return application


async def applications_of(
    session: AsyncSession, employee_ids: list[int], first: date | None = None, last: date | None = None
) -> list[JobApplication]:
    """Logged applications of these employees (optionally applied from `first` to `last`), newest first."""
    if not employee_ids:
        return []
    statement = select(JobApplication).where(JobApplication.employee_id.in_(employee_ids))  # type: ignore[attr-defined]
    if first is not None:
        statement = statement.where(JobApplication.applied_on >= first)
    if last is not None:
        statement = statement.where(JobApplication.applied_on <= last)
    statement = statement.order_by(JobApplication.applied_on.desc(), JobApplication.id.desc())  # type: ignore[attr-defined]
    return list((await session.exec(statement)).all())


async def applications_logged(session: AsyncSession, employee_id: int, monday: date, sunday: date) -> int:
    """How many applications the employee logged with /sollicitatie for days `monday` to `sunday` (inclusive):
    the default the weekly check-in offers for its applications question."""
    statement = select(func.count()).where(
        JobApplication.employee_id == employee_id,
        JobApplication.applied_on >= monday,
        JobApplication.applied_on <= sunday,
    )
    return int((await session.exec(statement)).one())


# --- coach notes ------------------------------------------------------------------------------------------


async def add_note(
    session: AsyncSession, employee_id: int, coach_id: int, text: str, for_file: bool, now: datetime
) -> CoachNote:
    note = CoachNote(employee_id=employee_id, coach_id=coach_id, text=text, for_file=for_file, created_at=now)
    session.add(note)
    await session.flush()
    return note


async def notes_of(
    session: AsyncSession, employee_id: int, first: datetime | None = None, last: datetime | None = None
) -> list[CoachNote]:
    """Coach notes on an employee (optionally written from `first` up to, not including, `last`), oldest first."""
    statement = select(CoachNote).where(CoachNote.employee_id == employee_id)
    if first is not None:
        statement = statement.where(CoachNote.created_at >= first)
    if last is not None:
        statement = statement.where(CoachNote.created_at < last)
    statement = statement.order_by(CoachNote.created_at, CoachNote.id)
    return list((await session.exec(statement)).all())


# --- the outbox -------------------------------------------------------------------------------------------


async def existing_outbox_keys(session: AsyncSession, keys: list[str]) -> set[str]:
    """Which of these dedupe keys are already in the outbox (so a digest is not built twice)."""
    if not keys:
        return set()
    statement = select(Outbox.dedupe_key).where(Outbox.dedupe_key.in_(keys))  # type: ignore[attr-defined]
    return set((await session.exec(statement)).all())
