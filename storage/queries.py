"""Every query the bot runs. Plain async functions over a SQLModel AsyncSession; portable SQL only."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import and_, bindparam, func, or_, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import CheckIn, Coach, Dialog, Employee, Employer, Invite, Outbox, Pause

# --- people -----------------------------------------------------------------------------------------------


async def coach_by_telegram(session: AsyncSession, telegram_user_id: int) -> Coach | None:
    """The active coach of this Telegram account (a deactivated coach is nobody any more)."""
    active = Coach.deactivated_at.is_(None)  # type: ignore[union-attr]
    statement = select(Coach).where(Coach.telegram_user_id == telegram_user_id, active)
    return (await session.exec(statement)).first()


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


# --- reminders and pauses ---------------------------------------------------------------------------------


async def employees_to_remind(session: AsyncSession) -> list[Employee]:
    """Employees who joined, are still in their trajectory, and can be reached on Telegram."""
    statement = select(Employee).where(
        Employee.status == "active",
        Employee.telegram_user_id.is_not(None),  # type: ignore[union-attr]
        Employee.unreachable_at.is_(None),  # type: ignore[union-attr]
    )
    return list((await session.exec(statement)).all())


async def checkins_in_weeks(
    session: AsyncSession, weeks: set[tuple[int, int]], employee_ids=None
) -> dict[tuple[int, int, int], CheckIn]:
    """Check-ins of these ISO weeks (of these employees, if given), keyed by (employee id, year, week)."""
    if not weeks:
        return {}
    statement = select(CheckIn).where(
        or_(*(and_(CheckIn.iso_year == year, CheckIn.iso_week == week) for year, week in weeks))
    )
    if employee_ids is not None:
        statement = statement.where(CheckIn.employee_id.in_(list(employee_ids)))  # type: ignore[attr-defined]
    return {(c.employee_id, c.iso_year, c.iso_week): c for c in (await session.exec(statement)).all()}


async def pauses_overlapping(
    session: AsyncSession, first: date, last: date, employee_ids=None
) -> dict[int, list[Pause]]:
    """Pauses (not ended early before `first`) that overlap [first, last], per employee id."""
    statement = select(Pause).where(Pause.start <= last, Pause.until >= first)
    if employee_ids is not None:
        statement = statement.where(Pause.employee_id.in_(list(employee_ids)))  # type: ignore[attr-defined]
    found: dict[int, list[Pause]] = {}
    for pause in (await session.exec(statement)).all():
        found.setdefault(pause.employee_id, []).append(pause)
    return found


async def current_pause(session: AsyncSession, employee_id: int, today: date) -> Pause | None:
    statement = (
        select(Pause)
        .where(Pause.employee_id == employee_id, Pause.start <= today, Pause.until >= today)
        .order_by(Pause.id.desc())  # type: ignore[union-attr]
    )
    return (await session.exec(statement)).first()


async def add(session: AsyncSession, row):
    session.add(row)
    await session.flush()
    return row


async def mark_week(
    session: AsyncSession, employee_id: int, year: int, week: int, now: datetime, *, missed: bool, reason: str | None
) -> CheckIn:
    """Record a week as missed or as paused (with the pause's reason), creating its check-in row if needed (an
    insert that tolerates the same row made at the same moment by another sweep or a late check-in)."""
    checkin = await checkin_for_week(session, employee_id, year, week)
    if checkin is None:
        dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        values = {"employee_id": employee_id, "iso_year": year, "iso_week": week, "created_at": now, "updated_at": now}
        await session.exec(insert(CheckIn).values(**values).on_conflict_do_nothing())
        checkin = await checkin_for_week(session, employee_id, year, week)
    if missed:
        checkin.missed_at = now
    else:
        checkin.paused_reason = reason
    checkin.updated_at = now
    session.add(checkin)
    await session.flush()
    return checkin


# --- the outbox -------------------------------------------------------------------------------------------


async def insert_outbox_rows(session: AsyncSession, rows: list[dict]) -> int:
    """Insert rows, skipping any whose dedupe key exists (ON CONFLICT DO NOTHING on SQLite and PostgreSQL).
    One statement run for all rows (SQLAlchemy batches them), so thousands of rows cost one compilation."""
    if not rows:
        return 0
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    table = Outbox.__table__
    statement = insert(table).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(table.c.id)
    result = await (await session.connection()).execute(statement, rows)
    return len(result.all())


async def update_outbox(session: AsyncSession, row_id: int, **values) -> None:
    await session.exec(update(Outbox).where(Outbox.id == row_id).values(**values))


async def mark_outbox_sent(session: AsyncSession, rows: list[dict]) -> None:
    """Mark many rows `sent` in one statement run for each: `rows` are {id, attempts, sent_at, message_id,
    chat_free_at}; `chat_free_at` (wall-clock time, one second after Telegram's answer) goes into `claimed_until`:
    no sender claims the chat's next row before it (`storage.outbox_queries.claim_heads`)."""
    table = Outbox.__table__
    statement = (
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values(
            status="sent", attempts=bindparam("n"), sent_at=bindparam("at"), telegram_message_id=bindparam("mid"),
            claimed_until=bindparam("free"),
        )
    )  # fmt: skip
    params = [
        {"row_id": r["id"], "n": r["attempts"], "at": r["sent_at"], "mid": r["message_id"], "free": r["chat_free_at"]}
        for r in rows
    ]
    await (await session.connection()).execute(statement, params)


async def cancel_pending_to(session: AsyncSession, chat_id: int, reason: str) -> None:
    await session.exec(
        update(Outbox)
        .where(Outbox.chat_id == chat_id, Outbox.status == "pending")
        .values(status="cancelled", last_error=reason)
    )


async def outbox_rows(session: AsyncSession, **where) -> list[Outbox]:
    statement = select(Outbox).order_by(Outbox.id)
    for column, value in where.items():
        statement = statement.where(getattr(Outbox, column) == value)
    return list((await session.exec(statement)).all())


async def employee_by_chat(session: AsyncSession, chat_id: int) -> Employee | None:
    return await employee_by_telegram(session, chat_id)


async def employees_by_ids(session: AsyncSession, ids: set[int]) -> dict[int, Employee]:
    if not ids:
        return {}
    statement = select(Employee).where(Employee.id.in_(list(ids)))  # type: ignore[union-attr]
    return {employee.id: employee for employee in (await session.exec(statement)).all()}
