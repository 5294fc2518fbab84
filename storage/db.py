"""The async engine and one-session-per-unit-of-work factory (an update or a job)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.util.concurrency import await_
from sqlmodel.ext.asyncio.session import AsyncSession


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # pragma: no cover - exercised on every connect
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode")
    if cursor.fetchone()[0].lower() != "wal":
        _switch_to_wal(cursor)
    cursor.close()


def _switch_to_wal(cursor, attempts: int = 100) -> None:
    """Switching needs an exclusive lock and fails at once, without waiting for busy_timeout ("database is
    locked"), while another connection uses a brand-new database: try again for up to about 5 s."""
    for attempt in range(attempts):
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except Exception as error:  # the driver's OperationalError, whichever adapter wraps it
            if "locked" not in str(error) or attempt == attempts - 1:
                raise
            _pause(0.05)


def _pause(seconds: float) -> None:
    """Wait without blocking the event loop when called from the async engine (the lock may be held by a
    connection of this very process); a plain sleep otherwise."""
    try:
        await_(asyncio.sleep(seconds))
    except Exception:  # noqa: BLE001 - not inside the async engine's greenlet
        time.sleep(seconds)


class Database:
    """Owns the engine; `session()` yields a session that commits on success and rolls back on error."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: AsyncEngine = create_async_engine(url, pool_pre_ping=not url.startswith("sqlite"))
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with AsyncSession(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise

    async def dispose(self) -> None:
        await self.engine.dispose()
