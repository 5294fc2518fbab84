"""Whose turn it is in a chat: every update's unit of work takes its chat's turn (`storage.turn_queries`), so the
updates of one chat run one after the other, also across processes on one PostgreSQL database, and an update
Telegram delivers a second time (a webhook answer that came too late, a restart before the offset was
confirmed) is recognised and skipped, with nothing of it stored.

Where in the unit of work depends on the database. PostgreSQL: its first statement; the row stays locked until
commit, so another process's update of the chat waits for this one. SQLite (one process, whose `PerChatUpdates`
already runs each chat's updates in order): its last statement, because a write there locks the whole database
until commit. Taken first, it kept every other user waiting while a coach's report was made."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from bot.core.context import Work
from storage import turn_queries

# Telegram keeps an unconfirmed update for 24 hours, and numbers updates afresh after a week without any: an id
# stored longer ago than this says nothing about the next one.
REDELIVERY_WINDOW = timedelta(days=1)

T = TypeVar("T")


async def in_turn(work: Work, chat_id: int, update_id: int, handle: Callable[[], Awaitable[T]]) -> T | None:
    """`await handle()` in the chat's turn for this update; None, with nothing stored, when this update or a
    newer one of the chat was handled already."""
    first = turn_queries.locks_rows(work.session)
    if first and not await take_turn(work, chat_id, update_id):
        return None
    result = await handle()
    if not first and not await take_turn(work, chat_id, update_id):
        await work.session.rollback()  # handled meanwhile (by another connection): none of this is kept
        return None
    return result


async def take_turn(work: Work, chat_id: int, update_id: int) -> bool:
    """Store this update as the chat's newest; False when it, or a newer one, was handled already."""
    now = work.clock.now()
    return await turn_queries.take_turn(work.session, chat_id, update_id, now, now - REDELIVERY_WINDOW)
