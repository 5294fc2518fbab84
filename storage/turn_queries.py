"""Taking a chat's turn (`chatturn`) in an update's transaction, so the updates of one chat wait for each other,
also across processes, and a re-delivered update is handled no second time (`bot.core.turns` says when).

One upsert, portable to SQLite (3.35 or later) and PostgreSQL: it stores the update's id for its chat unless the
stored one is the same or newer. On PostgreSQL the row stays locked until the transaction ends, so another
process's update of the chat waits there (and then sees the stored id); on SQLite the statement takes the
database's write lock for the rest of the transaction. The statement is built once per dialect (it runs for
every update).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, or_
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ChatTurn

_table = ChatTurn.__table__
_statements = {}


def _upsert(dialect: str):
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(_table).values(
        chat_id=bindparam("chat"),
        update_id=bindparam("update"),
        handled_at=bindparam("now", type_=_table.c.handled_at.type),
    )
    return statement.on_conflict_do_update(
        index_elements=[_table.c.chat_id],
        set_={"update_id": statement.excluded.update_id, "handled_at": statement.excluded.handled_at},
        where=or_(
            _table.c.update_id < statement.excluded.update_id,
            _table.c.handled_at < bindparam("stale_before", type_=_table.c.handled_at.type),
        ),
    ).returning(_table.c.chat_id)


def locks_rows(session: AsyncSession) -> bool:
    """Whether a write locks only its rows (PostgreSQL) rather than the whole database (SQLite)."""
    return session.bind is not None and session.bind.dialect.name == "postgresql"


async def take_turn(session: AsyncSession, chat_id: int, update_id: int, now: datetime, stale_before: datetime) -> bool:
    """Store `update_id` as the chat's newest update; False when the stored one is the same or newer (a
    re-delivery), unless the stored one was handled before `stale_before` (Telegram numbers updates afresh, at
    random, after a week without any)."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    statement = _statements.get(dialect)
    if statement is None:
        statement = _statements[dialect] = _upsert(dialect)
    values = {"chat": chat_id, "update": update_id, "now": now, "stale_before": stale_before}
    result = await (await session.connection()).execute(statement, values)
    return result.first() is not None
