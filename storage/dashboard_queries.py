"""The dashboard's sign-in links and sessions (`DashboardLink`, `DashboardSession`): only token hashes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import DashboardLink, DashboardSession


async def add_link(session: AsyncSession, token_hash: str, telegram_user_id: int, now: datetime, expires_at: datetime):
    link = DashboardLink(
        token_hash=token_hash, telegram_user_id=telegram_user_id, created_at=now, expires_at=expires_at
    )
    session.add(link)
    await session.flush()
    return link


async def use_link(session: AsyncSession, token_hash: str, now: datetime) -> int | None:
    """Mark the link used and give its Telegram user id; None when it is unknown, expired or used already (also
    when two requests race for it: only one UPDATE finds it unused)."""
    link = (await session.exec(select(DashboardLink).where(DashboardLink.token_hash == token_hash))).first()
    if link is None or link.used_at is not None or link.expires_at <= now:
        return None
    result = await session.exec(
        update(DashboardLink)
        .where(DashboardLink.id == link.id, DashboardLink.used_at.is_(None))  # type: ignore[union-attr]
        .values(used_at=now)
    )
    return link.telegram_user_id if result.rowcount == 1 else None


async def add_session(
    session: AsyncSession, token_hash: str, telegram_user_id: int, via: str, now: datetime, expires_at: datetime
) -> DashboardSession:
    row = DashboardSession(
        token_hash=token_hash, telegram_user_id=telegram_user_id, via=via, created_at=now, expires_at=expires_at
    )
    session.add(row)
    await session.flush()
    return row


async def live_session(session: AsyncSession, token_hash: str, now: datetime) -> DashboardSession | None:
    """The session with this token hash while it is neither ended nor expired."""
    row = (await session.exec(select(DashboardSession).where(DashboardSession.token_hash == token_hash))).first()
    if row is None or row.ended_at is not None or row.expires_at <= now:
        return None
    return row


async def end_sessions(session: AsyncSession, telegram_user_id: int, now: datetime) -> int:
    """End every open session of this user; how many there were."""
    result = await session.exec(
        update(DashboardSession)
        .where(DashboardSession.telegram_user_id == telegram_user_id, DashboardSession.ended_at.is_(None))  # type: ignore[union-attr]
        .values(ended_at=now)
    )
    return result.rowcount
