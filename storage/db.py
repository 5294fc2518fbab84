"""The async engine and one-session-per-unit-of-work factory (an update or a job), and a rolled-back variant
for simulations. What an operator reads when the database cannot be used is in `storage.db_problems`."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.util.concurrency import await_
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import sqlite_writers


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # pragma: no cover - exercised on every connect
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA secure_delete=ON")  # erased data is overwritten, not left behind in free pages
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

    queues_writers = True  # on SQLite: `storage.sqlite_writers`

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: AsyncEngine = create_async_engine(url, pool_pre_ping=not url.startswith("sqlite"))
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
            if self.queues_writers:
                sqlite_writers.install(self.engine)  # the process's writers take turns in arrival order

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with AsyncSession(self.engine, expire_on_commit=False) as session, _committed(session):
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()


class RolledBackDatabase(Database):
    """A `Database` whose sessions all run in one outer transaction on one connection, rolled back by
    `dispose()`: the code runs for real and reads its own writes, and nothing is ever stored (`spoorzoeker
    run-due --simulate`). Sessions take turns on the one connection; a session's commit releases a savepoint.
    On SQLite the outer transaction holds the write lock from the first write until the end."""

    queues_writers = False  # its one connection writes for the whole run

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self._connection: AsyncConnection | None = None
        self._turn = asyncio.Lock()
        if self.engine.dialect.name == "sqlite":
            # the sqlite3 driver does not begin a transaction before a SAVEPOINT, so releasing the first savepoint
            # would commit: let SQLAlchemy emit BEGIN itself (the recipe of SQLAlchemy's SQLite documentation)
            event.listen(self.engine.sync_engine, "connect", _driver_leaves_transactions_alone)
            event.listen(self.engine.sync_engine, "begin", _emit_begin)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self._turn:
            if self._connection is None:
                self._connection = await self.engine.connect()
                await self._connection.begin()
            async with (
                AsyncSession(
                    bind=self._connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
                ) as session,
                _committed(session),
            ):
                yield session

    async def dispose(self) -> None:
        """Roll everything back and close."""
        if self._connection is not None:
            await self._connection.rollback()
            await self._connection.close()
            self._connection = None
        await super().dispose()


def _driver_leaves_transactions_alone(dbapi_connection, _record) -> None:  # pragma: no cover - on connect
    dbapi_connection.isolation_level = None


def _emit_begin(connection) -> None:  # pragma: no cover - on begin
    connection.exec_driver_sql("BEGIN")


@asynccontextmanager
async def _committed(session: AsyncSession) -> AsyncIterator[None]:
    """Commit when the unit of work ends normally, roll back when it fails."""
    try:
        yield
        await session.commit()
    except BaseException:
        await session.rollback()
        raise
