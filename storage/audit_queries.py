"""The audit trail's SQL: append an entry, list them about one employee or by one actor. Never an update."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import AuditEntry


async def append(session: AsyncSession, entry: AuditEntry) -> AuditEntry:
    session.add(entry)
    await session.flush()
    return entry


async def about_employee(session: AsyncSession, employee_id: int) -> list[AuditEntry]:
    """Every entry about this employee, oldest first."""
    found = await session.exec(
        select(AuditEntry).where(AuditEntry.employee_id == employee_id).order_by(AuditEntry.at, AuditEntry.id)
    )
    return list(found.all())


async def by_actor(session: AsyncSession, actor_kind: str, actor_id: int | None) -> list[AuditEntry]:
    """Every entry of this actor (an operator: `actor_id` None), oldest first."""
    query = select(AuditEntry).where(AuditEntry.actor_kind == actor_kind)
    query = query.where(AuditEntry.actor_id.is_(None) if actor_id is None else AuditEntry.actor_id == actor_id)
    found = await session.exec(query.order_by(AuditEntry.at, AuditEntry.id))
    return list(found.all())
