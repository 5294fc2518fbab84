"""Leases shared by all instances on one database: who runs a scheduled job now (`SweepLease`) and which delivery
senders are sending (`SenderShare`, they share Telegram's overall limit). Portable SQL (SQLite and PostgreSQL).

All times here are wall-clock time (`datetime.now(UTC)`), never the bot's `Clock`: a lease is about an instance
being alive, not about the plan. Every statement that takes or renews a lease is one conditional `UPDATE`, so two
instances asking at the same moment never both get it. The instances' clocks must agree to well under a second
(NTP does that).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, delete, or_, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import SenderShare, SweepLease


def _insert(session: AsyncSession):
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    return postgresql_insert if dialect == "postgresql" else sqlite_insert


# --- the lease of a scheduled job -------------------------------------------------------------------------


async def take_job_lease(
    session: AsyncSession, name: str, owner: str, now: datetime, until: datetime, every: timedelta | None
) -> bool:
    """Take the lease `name` for `owner` until `until`, when nobody holds it (or its holder's lease ran out) and,
    with `every`, the previous round started at least `every` before `now` (a round whose holder died unfinished
    may be caught up at once). True when taken; `started_at` is then `now`."""
    await session.exec(_insert(session)(SweepLease).values(name=name).on_conflict_do_nothing(index_elements=["name"]))
    free = or_(SweepLease.owner.is_(None), SweepLease.until < now)  # type: ignore[union-attr,operator]
    if every is not None:
        due = or_(SweepLease.started_at.is_(None), SweepLease.started_at <= now - every)  # type: ignore[union-attr,operator]
        died_unfinished = and_(SweepLease.owner.is_not(None), SweepLease.until < now)  # type: ignore[union-attr,operator]
        free = or_(and_(SweepLease.owner.is_(None), due), died_unfinished)  # type: ignore[union-attr]
    statement = (
        update(SweepLease)
        .where(SweepLease.name == name, free)
        .values(owner=owner, until=until, started_at=now)
        .returning(SweepLease.name)
    )
    return (await session.exec(statement)).first() is not None


async def renew_job_lease(session: AsyncSession, name: str, owner: str, until: datetime) -> bool:
    """Extend `owner`'s lease; False when it is no longer theirs (it ran out and another took it)."""
    statement = (
        update(SweepLease)
        .where(SweepLease.name == name, SweepLease.owner == owner)
        .values(until=until)
        .returning(SweepLease.name)
    )
    return (await session.exec(statement)).first() is not None


async def release_job_lease(session: AsyncSession, name: str, owner: str, now: datetime) -> None:
    """`owner`'s round ended at `now`: the lease is free again (the next round waits for its interval)."""
    await session.exec(
        update(SweepLease)
        .where(SweepLease.name == name, SweepLease.owner == owner)
        .values(owner=None, until=None, finished_at=now)
    )


async def job_lease(session: AsyncSession, name: str) -> SweepLease | None:
    return await session.get(SweepLease, name)


# --- the senders sharing the overall limit ----------------------------------------------------------------


async def announce_sender(session: AsyncSession, name: str, alive_until: datetime) -> None:
    """`name` is sending (until `alive_until`, unless renewed)."""
    renewed = {"alive_until": alive_until, "busy": True}
    statement = _insert(session)(SenderShare).values(name=name, **renewed)
    statement = statement.on_conflict_do_update(index_elements=["name"], set_=renewed)
    await session.exec(statement)


async def busy_senders(session: AsyncSession, now: datetime) -> list[str]:
    """The names of the senders sending at `now` (a sender that died lapses at its `alive_until`)."""
    statement = select(SenderShare.name).where(SenderShare.busy, SenderShare.alive_until > now)  # type: ignore[arg-type]
    return sorted((await session.exec(statement)).all())


async def retire_sender(session: AsyncSession, name: str, alive_until: datetime, forget_before: datetime) -> None:
    """`name` stops sending: it still counts until `alive_until` (its last sends are still within a second), and
    rows of senders that lapsed before `forget_before` are deleted."""
    await session.exec(update(SenderShare).where(SenderShare.name == name).values(alive_until=alive_until))
    await session.exec(delete(SenderShare).where(SenderShare.alive_until < forget_before))  # type: ignore[arg-type]
