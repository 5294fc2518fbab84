"""Queries for the employer role: contacts, their company's employees, and what the employer sweep reads."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, and_, cast, func, or_
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import CheckIn, Employee, Employer, EmployerContact, Invite, Outbox, PhaseChange


async def contact_by_telegram(session: AsyncSession, telegram_user_id: int) -> EmployerContact | None:
    statement = select(EmployerContact).where(EmployerContact.telegram_user_id == telegram_user_id)
    return (await session.exec(statement)).first()


async def create_contact(
    session: AsyncSession, *, employer_id: int, name: str, coach_id: int, now: datetime
) -> EmployerContact:
    contact = EmployerContact(employer_id=employer_id, name=name, invited_by_coach_id=coach_id, created_at=now)
    session.add(contact)
    await session.flush()
    return contact


async def link_invite_to_contact(session: AsyncSession, invite: Invite, contact_id: int) -> None:
    invite.employer_contact_id = contact_id
    session.add(invite)
    await session.flush()


async def employer_of_coach(session: AsyncSession, coach_id: int, employer_id: int) -> Employer | None:
    """The employer, if at least one of this coach's clients works there (else None: not theirs to invite for)."""
    statement = (
        select(Employer)
        .join(Employee, Employee.employer_id == Employer.id)
        .where(Employer.id == employer_id, Employee.coach_id == coach_id)
    )
    return (await session.exec(statement)).first()


async def employer_of_coach_named(session: AsyncSession, coach_id: int, name: str) -> Employer | None:
    """The employer with this name (case-insensitive), if at least one of this coach's clients works there."""
    statement = (
        select(Employer)
        .join(Employee, Employee.employer_id == Employer.id)
        .where(func.lower(Employer.name) == name.lower(), Employee.coach_id == coach_id)
    )
    return (await session.exec(statement)).first()


async def registered_contacts(session: AsyncSession) -> list[EmployerContact]:
    """Every employer contact who opened their link, by id."""
    statement = (
        select(EmployerContact)
        .where(EmployerContact.telegram_user_id.is_not(None))  # type: ignore[union-attr]
        .order_by(EmployerContact.id)
    )
    return list((await session.exec(statement)).all())


async def employees_of_employers(session: AsyncSession, employer_ids: set[int]) -> dict[int, list[Employee]]:
    """The employees of these employers, by employer id, each list ordered by name."""
    if not employer_ids:
        return {}
    statement = (
        select(Employee)
        .where(Employee.employer_id.in_(sorted(employer_ids)))  # type: ignore[attr-defined]
        .order_by(Employee.name, Employee.id)
    )
    found: dict[int, list[Employee]] = {employer_id: [] for employer_id in employer_ids}
    for employee in (await session.exec(statement)).all():
        found[employee.employer_id].append(employee)
    return found


def _from_week(iso_year: int, iso_week: int):
    """Check-ins of ISO week (iso_year, iso_week) or later."""
    return or_(CheckIn.iso_year > iso_year, and_(CheckIn.iso_year == iso_year, CheckIn.iso_week >= iso_week))


async def _checkins_per_employee(
    session: AsyncSession, employee_ids: set[int], *conditions: object
) -> dict[int, list[CheckIn]]:
    """Check-ins of these employees that meet `conditions`, per employee, oldest first."""
    statement = (
        select(CheckIn)
        .where(CheckIn.employee_id.in_(sorted(employee_ids)), *conditions)  # type: ignore[attr-defined]
        .order_by(CheckIn.iso_year, CheckIn.iso_week)
    )
    found: dict[int, list[CheckIn]] = {}
    for checkin in (await session.exec(statement)).all():
        found.setdefault(checkin.employee_id, []).append(checkin)
    return found


async def checkins_from_week(
    session: AsyncSession, employee_ids: set[int], iso_year: int, iso_week: int
) -> dict[int, list[CheckIn]]:
    """Check-ins of these employees from ISO week (iso_year, iso_week) on, per employee (every id present), oldest
    first."""
    if not employee_ids:
        return {}
    found = await _checkins_per_employee(session, employee_ids, _from_week(iso_year, iso_week))
    return {employee_id: found.get(employee_id, []) for employee_id in employee_ids}


async def work_trials_from_week(
    session: AsyncSession, employee_ids: set[int], iso_year: int, iso_week: int
) -> dict[int, list[CheckIn]]:
    """Submitted check-ins from ISO week (iso_year, iso_week) on that report a work trial, per employee, oldest
    first. (The activities are a JSON list; matching its text works the same on SQLite and PostgreSQL.)"""
    if not employee_ids:
        return {}
    return await _checkins_per_employee(
        session,
        employee_ids,
        _from_week(iso_year, iso_week),
        CheckIn.submitted_at.is_not(None),  # type: ignore[union-attr]
        cast(CheckIn.activities, String).like('%"work_trial"%'),
    )


async def phase_changes_since(
    session: AsyncSession, employee_ids: set[int], since: datetime
) -> dict[int, list[PhaseChange]]:
    """Phase changes of these employees at or after `since`, per employee, oldest first."""
    if not employee_ids:
        return {}
    statement = (
        select(PhaseChange)
        .where(
            PhaseChange.employee_id.in_(sorted(employee_ids)),  # type: ignore[attr-defined]
            PhaseChange.changed_at >= since,
        )
        .order_by(PhaseChange.changed_at, PhaseChange.id)
    )
    found: dict[int, list[PhaseChange]] = {}
    for change in (await session.exec(statement)).all():
        found.setdefault(change.employee_id, []).append(change)
    return found


async def queued_keys(session: AsyncSession, keys: set[str]) -> set[str]:
    """Which of these outbox dedupe keys exist already (queued, sent, failed or cancelled)."""
    found: set[str] = set()
    ordered = sorted(keys)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        statement = select(Outbox.dedupe_key).where(Outbox.dedupe_key.in_(chunk))  # type: ignore[attr-defined]
        found.update((await session.exec(statement)).all())
    return found
