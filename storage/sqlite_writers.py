"""SQLite lets one connection write at a time; the others wait in its busy handler, which sleeps between tries
(1, 2, 5 … up to 100 ms) and lets whoever tries first win. With 20 users tapping at once some updates waited a
second and more for their turn (p95 0.9–1.8 s). `install(engine)` makes the writers of one process queue in an
`asyncio.Lock` instead, in arrival order: a connection takes it before its first writing statement (the one
that makes the driver begin a transaction) and gives it back when that transaction ends. Reads never wait.

A writer that has waited `WAIT_S` goes on without the lock (SQLite's own waiting then applies, as before), so a
unit of work that writes on two connections at once cannot hang. Other processes on the same file still meet
only SQLite's busy handler.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util.concurrency import await_

WAIT_S = 5.0
_HOLDS = "spoorzoeker_writes"  # in the DBAPI connection's info: this connection holds the lock
_READS = ("SELECT", "PRAGMA", "WITH", "BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT")


def install(engine: AsyncEngine) -> None:
    lock = asyncio.Lock()

    def before_execute(connection, _cursor, statement: str, *_rest) -> None:
        info = connection.info
        if info.get(_HOLDS) or statement.lstrip()[:9].upper().startswith(_READS):
            return
        try:
            await_(asyncio.wait_for(lock.acquire(), WAIT_S))
        except TimeoutError:
            return  # SQLite's busy handler waits for it now
        info[_HOLDS] = True

    def ended(info: dict) -> None:
        if info.pop(_HOLDS, False):
            lock.release()

    sync = engine.sync_engine
    event.listen(sync, "before_cursor_execute", before_execute)
    event.listen(sync, "commit", lambda connection: ended(connection.info))
    event.listen(sync, "rollback", lambda connection: ended(connection.info))
    for name in ("reset", "invalidate", "soft_invalidate", "close", "close_detached", "detach"):
        event.listen(sync.pool, name, _on_pool(name, ended))


def _on_pool(name: str, ended):
    """A pool event's listener (their arguments differ): the connection's transaction is over, or it is gone."""
    if name == "close_detached":
        return lambda _dbapi_connection: None  # a detached connection's info went with its record
    if name == "reset":
        return lambda _dbapi_connection, record, _reset_state: ended(record.info)  # SQLAlchemy 2's signature
    if name in ("invalidate", "soft_invalidate"):
        return lambda _dbapi_connection, record, _exception: ended(record.info)
    if name == "detach":
        return lambda _dbapi_connection, record: ended(record.info)
    return lambda _dbapi_connection, record: ended(record.info)
