"""SQLite lets one connection write at a time; the others wait in its busy handler, which sleeps between tries
(1, 2, 5 … up to 100 ms) and lets whoever tries first win. With 20 users tapping at once some updates waited a
second and more for their turn. `install(engine)` makes the writers of one process queue in an `asyncio.Lock`
instead, in arrival order: a connection takes it before its first writing statement and gives it back when its
transaction ends. Reads never wait.

The holder is the pooled driver connection itself (not SQLAlchemy's `Connection.info`, which an invalidated
connection can no longer give), and every way a transaction can end gives the lock back: commit, rollback, the
pool's reset on check-in, invalidation, close and detach. No listener raises. A writer that has waited `WAIT_S`
goes on without the lock (SQLite's own waiting then applies, as before), so a unit of work that writes on two
connections at once, or a holder that never ends, cannot hang anyone. Other processes on the same file still
meet only SQLite's busy handler.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util.concurrency import await_

log = logging.getLogger(__name__)

WAIT_S = 5.0
_READS = ("SELECT", "PRAGMA", "WITH", "BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT")


class Writers:
    """The queue of one engine's writers: `holder` is the driver connection whose transaction writes now."""

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.holder: object | None = None

    def before_write(self, dbapi_connection: object, statement: str) -> None:
        if dbapi_connection is self.holder or statement.lstrip()[:9].upper().startswith(_READS):
            return
        try:
            await_(asyncio.wait_for(self.lock.acquire(), WAIT_S))
        except TimeoutError:
            log.warning("an SQLite writer waited %.0f s for its turn; it goes on without it", WAIT_S)
            return
        self.holder = dbapi_connection

    def ended(self, dbapi_connection: object | None) -> None:
        if dbapi_connection is not None and dbapi_connection is self.holder:
            self.holder = None
            self.lock.release()


def install(engine: AsyncEngine) -> Writers:
    writers = Writers()
    sync = engine.sync_engine

    def before_execute(connection, cursor, statement: str, *_rest) -> None:
        writers.before_write(_driver_connection(connection), statement)

    def transaction_ended(connection) -> None:
        writers.ended(_driver_connection(connection))

    def pool_event(dbapi_connection, *_rest) -> None:
        writers.ended(dbapi_connection)

    event.listen(sync, "before_cursor_execute", before_execute)
    event.listen(sync, "commit", transaction_ended)
    event.listen(sync, "rollback", transaction_ended)
    for name in ("reset", "checkin", "invalidate", "soft_invalidate", "close", "detach"):
        event.listen(sync.pool, name, pool_event)
    return writers


def _driver_connection(connection) -> object | None:
    """The pooled driver connection under a SQLAlchemy `Connection`; None when it is gone (invalidated)."""
    try:
        return connection.connection.dbapi_connection
    except Exception:  # noqa: BLE001 - an invalidated or closed connection: the pool's events release it
        return None
