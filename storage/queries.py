"""Every query the bot runs. Plain async functions over a SQLModel AsyncSession; portable SQL only."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import func, update
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import CheckIn, Coach, Dialog, Employee, Employer, Invite

# --- people -----------------------------------------------------------------------------------------------


async def coach_by_telegram(session: AsyncSession, telegram_user_id: int) -> Coach | None:
    return (await session.exec(select(Coach).where(Coach.telegram_user_id == telegram_user_id))).first()


async def employee_by_telegram(session: AsyncSession, telegram_user_id: int) -> Employee | None:
    return (await session.exec(select(Employee).where(Employee.telegram_user_id == telegram_user_id))).first()


async def create_coach(session: AsyncSession, name: str, now: datetime) -> Coach:
    coach = Coach(name=name, created_at=now)
    session.add(coach)
    await session.flush()
    return coach


async def employer_named(session: AsyncSession, name: str, now: datetime) -> Employer:
    """The employer with this name (case-insensitive), created when new."""
    found = (
        await session.exec(select(Employer).where(Employer.name.ilike(name)))  # type: ignore[attr-defined]
    ).first()
    if found:
        return found
    employer = Employer(name=name, created_at=now)
    session.add(employer)
    await session.flush()
    return employer


async def create_employee(
    session: AsyncSession,
    *,
    name: str,
    coach_id: int,
    employer_id: int,
    first_sick_day: date,
    track2_start: date,
    timezone: str,
    now: datetime,
) -> Employee:
    employee = Employee(
        name=name,
        coach_id=coach_id,
        employer_id=employer_id,
        first_sick_day=first_sick_day,
        track2_start=track2_start,
        timezone=timezone,
        created_at=now,
    )
    session.add(employee)
    await session.flush()
    return employee


async def employees_of_coach(session: AsyncSession, coach_id: int) -> list[Employee]:
    statement = select(Employee).where(Employee.coach_id == coach_id).order_by(Employee.name)
    return list((await session.exec(statement)).all())


async def update_schedule(session: AsyncSession, employee: Employee, weekday: int, at: time) -> None:
    employee.checkin_weekday = weekday
    employee.checkin_time = at
    session.add(employee)
    await session.flush()


# --- invites ----------------------------------------------------------------------------------------------


async def create_invite(
    session: AsyncSession,
    *,
    kind: str,
    token_hash: str,
    now: datetime,
    expires_at: datetime,
    coach_id: int | None = None,
    employee_id: int | None = None,
) -> Invite:
    invite = Invite(
        kind=kind,
        token_hash=token_hash,
        coach_id=coach_id,
        employee_id=employee_id,
        created_at=now,
        expires_at=expires_at,
    )
    session.add(invite)
    await session.flush()
    return invite


async def invite_by_hash(session: AsyncSession, token_hash: str) -> Invite | None:
    return (await session.exec(select(Invite).where(Invite.token_hash == token_hash))).first()


async def claim_invite(session: AsyncSession, invite_id: int, now: datetime) -> bool:
    """Mark the invite used; False when someone else used it first (single use, also under races)."""
    result = await session.exec(
        update(Invite).where(Invite.id == invite_id, Invite.used_at.is_(None)).values(used_at=now)  # type: ignore[union-attr]
    )
    return result.rowcount == 1


# --- conversation position ------------------------------------------------------------------------------


async def dialog_of(session: AsyncSession, telegram_user_id: int) -> Dialog | None:
    return await session.get(Dialog, telegram_user_id)


async def save_dialog(
    session: AsyncSession, telegram_user_id: int, flow: str, step: str, data: dict, now: datetime
) -> Dialog:
    dialog = await session.get(Dialog, telegram_user_id)
    if dialog is None:
        dialog = Dialog(telegram_user_id=telegram_user_id, flow=flow, step=step, data=dict(data), updated_at=now)
    else:
        dialog.flow, dialog.step, dialog.data, dialog.updated_at = flow, step, dict(data), now
    session.add(dialog)
    await session.flush()
    return dialog


# --- check-ins --------------------------------------------------------------------------------------------


async def checkin_for_week(session: AsyncSession, employee_id: int, iso_year: int, iso_week: int) -> CheckIn | None:
    statement = select(CheckIn).where(
        CheckIn.employee_id == employee_id, CheckIn.iso_year == iso_year, CheckIn.iso_week == iso_week
    )
    return (await session.exec(statement)).first()


async def create_checkin(
    session: AsyncSession, employee_id: int, iso_year: int, iso_week: int, now: datetime
) -> CheckIn:
    checkin = CheckIn(employee_id=employee_id, iso_year=iso_year, iso_week=iso_week, created_at=now, updated_at=now)
    session.add(checkin)
    await session.flush()
    return checkin


async def save_checkin(session: AsyncSession, checkin: CheckIn, now: datetime) -> None:
    checkin.updated_at = now
    session.add(checkin)
    await session.flush()


async def checkins_of(session: AsyncSession, employee_id: int) -> list[CheckIn]:
    statement = select(CheckIn).where(CheckIn.employee_id == employee_id).order_by(CheckIn.iso_year, CheckIn.iso_week)
    return list((await session.exec(statement)).all())


async def get(session: AsyncSession, model: type, key: int):
    return await session.get(model, key)


async def employers_of_coach(session: AsyncSession, coach_id: int, limit: int) -> list[Employer]:
    """The employers of a coach's clients, most recently used first (for one-tap choice)."""
    latest = func.max(Employee.created_at).label("latest")
    statement = (
        select(Employer, latest)
        .join(Employee, Employee.employer_id == Employer.id)
        .where(Employee.coach_id == coach_id)
        .group_by(Employer.id)
        .order_by(latest.desc())
        .limit(limit)
    )
    return [row[0] for row in (await session.exec(statement)).all()]
