"""Queries for agency administrators: an agency's coaches, their clients and their employers' contacts, and the
changes an administrator makes (deactivate a coach, move clients, remove a contact).

An agency is the `Coach.agency` text; coaches without one form one agency together (None matches None).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, update
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Coach, Dialog, Employee, Employer, EmployerContact, Invite, Outbox


def _of_agency(agency: str | None):
    return Coach.agency.is_(None) if agency is None else Coach.agency == agency  # type: ignore[union-attr]


async def agency_coaches(session: AsyncSession, agency: str | None) -> list[Coach]:
    """Every coach of the agency (active or not), by name."""
    statement = select(Coach).where(_of_agency(agency)).order_by(Coach.name, Coach.id)
    return list((await session.exec(statement)).all())


async def agency_admins(session: AsyncSession, agency: str | None) -> list[Coach]:
    """The agency's active administrators who can be written to (registered)."""
    statement = (
        select(Coach)
        .where(_of_agency(agency), Coach.is_admin, Coach.deactivated_at.is_(None))  # type: ignore[union-attr]
        .where(Coach.telegram_user_id.is_not(None))  # type: ignore[union-attr]
        .order_by(Coach.id)
    )
    return list((await session.exec(statement)).all())


async def clients_of_coaches(
    session: AsyncSession, coach_ids: Iterable[int], *, open_only: bool = True
) -> list[Employee]:
    """The clients of these coaches, by name (without closed trajectories unless `open_only` is False)."""
    statement = select(Employee).where(Employee.coach_id.in_(list(coach_ids)))  # type: ignore[attr-defined]
    if open_only:
        statement = statement.where(Employee.status != "closed")
    return list((await session.exec(statement.order_by(Employee.name, Employee.id))).all())


async def contacts_of_coaches(session: AsyncSession, coach_ids: Iterable[int]) -> list[tuple[EmployerContact, str]]:
    """The employer contacts (with their company's name) of the employers of these coaches' clients."""
    employers = select(Employee.employer_id).where(Employee.coach_id.in_(list(coach_ids)))  # type: ignore[attr-defined]
    statement = (
        select(EmployerContact, Employer.name)
        .join(Employer, Employer.id == EmployerContact.employer_id)
        .where(EmployerContact.employer_id.in_(employers))  # type: ignore[attr-defined]
        .order_by(Employer.name, EmployerContact.name, EmployerContact.id)
    )
    return [(contact, name) for contact, name in (await session.exec(statement)).all()]


async def set_admin(session: AsyncSession, coach_id: int) -> Coach | None:
    """Make the coach an administrator of their agency; None when there is no such coach."""
    coach = await session.get(Coach, coach_id)
    if coach is not None:
        coach.is_admin = True
        session.add(coach)
        await session.flush()
    return coach


async def admins(session: AsyncSession) -> list[Coach]:
    """Every administrator (for `spoorzoeker admin list`), by agency and name."""
    statement = select(Coach).where(Coach.is_admin).order_by(Coach.agency, Coach.name, Coach.id)
    return list((await session.exec(statement)).all())


async def deactivate(session: AsyncSession, coach: Coach, now: datetime) -> None:
    """End the coach's access now: no Telegram account is linked to them any more (so no message reaches them and
    their chat is an unknown user's), nothing still queued for them is sent, their unused registration link goes."""
    chat = coach.telegram_user_id
    coach.deactivated_at = now
    coach.telegram_user_id = None
    session.add(coach)
    unused = Invite.used_at.is_(None)  # type: ignore[union-attr]
    await session.exec(delete(Invite).where(Invite.kind == "coach", Invite.coach_id == coach.id, unused))
    if chat is not None:
        await _forget_chat(session, chat, "coach deactivated")
    await session.flush()


async def move_clients(session: AsyncSession, employees: list[Employee], coach_id: int) -> None:
    for employee in employees:
        employee.coach_id = coach_id
        session.add(employee)
    await session.flush()


async def remove_contact(session: AsyncSession, contact: EmployerContact) -> None:
    """Delete the contact with their invites (used or open); cancel what is still queued for their chat."""
    chat = contact.telegram_user_id
    await session.exec(delete(Invite).where(Invite.employer_contact_id == contact.id))  # type: ignore[arg-type]
    await session.delete(contact)
    if chat is not None:
        await _forget_chat(session, chat, "employer contact removed")
    await session.flush()


async def _forget_chat(session: AsyncSession, chat: int, reason: str) -> None:
    """Cancel the pending outbox rows to the chat and drop its open dialog."""
    pending = update(Outbox).where(Outbox.chat_id == chat, Outbox.status == "pending")
    await session.exec(pending.values(status="cancelled", last_error=reason))  # type: ignore[call-overload]
    await session.exec(delete(Dialog).where(Dialog.telegram_user_id == chat))  # type: ignore[arg-type]
