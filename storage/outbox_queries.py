"""The outbox queries of delivery: claiming rows to send (one chat's rows one after another, in queue order),
keeping and giving back the claims. Portable SQL (SQLite and PostgreSQL); safe with several senders, in one
process or many.

A row is *claimed* while a sender (one `Delivery`) sends it: `claimed_by` names the sender, `claimed_until` is the
lease (wall-clock time, renewed while the send is under way), after which a crashed sender's row may be taken
over. A sender claims only the *head* of a chat: its oldest pending row (by id, the queue order), and only when
no other pending row of that chat is claimed. The head stays pending until it is sent or given up, so the next
row of the chat cannot be claimed before that, whoever asks. A head that is not due yet (a retry later, quiet
hours) holds back the rest of its chat. Claims mean something on pending rows only; a settled row keeps
`claimed_by` as a record of who sent it, and a `sent` row's `claimed_until` is the moment its chat may get the next
message (one second after Telegram's answer): until then no sender, in any process, claims that chat's next row.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, exists, func, or_, update
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Outbox

_table = Outbox.__table__


def _unclaimed(table, lease_now: datetime):
    return or_(table.c.claimed_until.is_(None), table.c.claimed_until < lease_now)


async def claim_heads(
    session: AsyncSession, owner: str, now: datetime, lease_now: datetime, lease_until: datetime, limit: int
) -> list[Outbox]:
    """Claim up to `limit` due chat heads for `owner` until `lease_until`, oldest due first; at most one row per
    chat. Run it first in its transaction (on SQLite the statement then takes the write lock before it reads)."""
    table = _table
    other = table.alias("other")
    held_back = exists().where(
        other.c.chat_id == table.c.chat_id,
        other.c.id != table.c.id,
        or_(
            and_(  # an older pending row, or one being sent
                other.c.status == "pending", or_(other.c.id < table.c.id, other.c.claimed_until >= lease_now)
            ),
            and_(other.c.status == "sent", other.c.claimed_until > lease_now),  # sent less than a second ago
        ),
    )
    heads = (
        select(table.c.id)
        .where(table.c.status == "pending", table.c.not_before <= now, _unclaimed(table, lease_now), ~held_back)
        .order_by(table.c.not_before, table.c.id)
        .limit(limit)
    )
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        heads = heads.with_for_update(skip_locked=True, of=table)  # two senders never wait for each other's rows
    statement = (
        update(Outbox)
        .where(Outbox.id.in_(heads.scalar_subquery()), Outbox.status == "pending", _unclaimed(table, lease_now))  # type: ignore[union-attr]
        .values(claimed_by=owner, claimed_until=lease_until)
        .returning(Outbox)
        .execution_options(synchronize_session=False)
    )
    rows = list((await session.exec(statement)).scalars().all())
    return sorted(rows, key=lambda row: (row.not_before, row.id))


async def renew_claims(session: AsyncSession, owner: str, ids: set[int], lease_until: datetime) -> None:
    """Extend the lease of the rows `owner` is still sending."""
    if ids:
        await session.exec(
            update(Outbox)
            .where(Outbox.id.in_(sorted(ids)), Outbox.claimed_by == owner, Outbox.status == "pending")  # type: ignore[union-attr]
            .values(claimed_until=lease_until)
        )


async def release_claims(session: AsyncSession, owner: str, ids: set[int]) -> None:
    """Give back the claims of rows `owner` will not send after all (they stay pending for anyone)."""
    if ids:
        await session.exec(
            update(Outbox)
            .where(Outbox.id.in_(sorted(ids)), Outbox.claimed_by == owner, Outbox.status == "pending")  # type: ignore[union-attr]
            .values(claimed_by=None, claimed_until=None)
        )


async def others_claim_until(session: AsyncSession, owner: str, now: datetime, lease_now: datetime) -> datetime | None:
    """When the next chat may become free to claim (None: nothing due is held back): the first live claim of
    another sender on a pending row ends, or a chat with a due row may get its next message (the one-second gap
    after a sent row, whoever sent it)."""
    claimed = select(func.min(Outbox.claimed_until)).where(
        Outbox.status == "pending",
        Outbox.claimed_until >= lease_now,  # type: ignore[operator]
        Outbox.claimed_by != owner,
    )
    first = (await session.exec(claimed)).one()
    waiting, sent = _table.alias("waiting"), _table.alias("sent")
    gap = (
        select(func.min(sent.c.claimed_until))
        .select_from(waiting.join(sent, sent.c.chat_id == waiting.c.chat_id))
        .where(waiting.c.status == "pending", waiting.c.not_before <= now)  # few rows: from the due index
        .where(sent.c.status == "sent", sent.c.claimed_until > lease_now)
    )
    second = (await session.exec(gap)).one()
    found = [moment for moment in (first, second) if moment is not None]
    return min(found) if found else None


async def counts_by_status(session: AsyncSession) -> dict[str, int]:
    """How many outbox rows there are of each status (for the `/metrics` gauge)."""
    rows = await session.exec(select(Outbox.status, func.count(Outbox.id)).group_by(Outbox.status))
    return {status: count for status, count in rows.all()}
