"""The async engine and one-session-per-unit-of-work factory (an update or a job); a rolled-back variant for
simulations; and the one place that turns "cannot use the database" failures into one line for the operator."""

from __future__ import annotations

import asyncio
import errno
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
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


class RolledBackDatabase(Database):
    """A `Database` whose sessions all run in one outer transaction on one connection, rolled back by
    `dispose()`: the code runs for real and reads its own writes, and nothing is ever stored (`spoorzoeker
    run-due --simulate`). Sessions take turns on the one connection; a session's commit releases a savepoint.
    On SQLite the outer transaction holds the write lock from the first write until the end."""

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
            async with AsyncSession(
                bind=self._connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
            ) as session:
                try:
                    yield session
                    await session.commit()
                except BaseException:
                    await session.rollback()
                    raise

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


# --- one line for the operator when the database cannot be used ----------------------------------------------


class DatabaseProblem(Exception):
    """The database cannot be used as configured; the message is one line that says what to do."""


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (relative to the working folder), None for PostgreSQL or an in-memory database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    if parsed.database.startswith("file:"):  # a URI filename: leave it to SQLite
        return None
    return Path(parsed.database)


def where(url: str) -> str:
    """The database in words, without a password: "the SQLite file /x/y.db", "the PostgreSQL server at h:5432"."""
    path = sqlite_file(url)
    if path is not None:
        return f"the SQLite file {path.absolute()}"
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return "the SQLite database"
    return f"the PostgreSQL server at {parsed.host}:{parsed.port or 5432}"


def check_folder(url: str) -> None:
    """Raise DatabaseProblem when a SQLite file would have to be made in a folder that does not exist."""
    path = sqlite_file(url)
    if path is not None and not path.absolute().parent.is_dir():
        raise DatabaseProblem(
            f"the folder {path.absolute().parent} for the SQLite database does not exist: create it, or set "
            "DATABASE_URL to a file in an existing folder"
        )


_CONNECT_ERRNOS = {errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.ENETUNREACH, errno.ETIMEDOUT, errno.ECONNRESET}
NOT_MIGRATED = "run `spoorzoeker db upgrade` first (or check DATABASE_URL)"


def problem(error: BaseException, url: str) -> str | None:
    """One line for a failure to reach or use the database at `url`, or None when `error` is something else.
    Looks through the chain of causes, since the drivers' errors arrive wrapped by SQLAlchemy or Alembic."""
    chain, seen = [], set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        current = current.__cause__ or current.__context__
    db = where(url)
    for found in chain:
        if isinstance(found, DatabaseProblem):
            return str(found)
    for found in chain:
        state = getattr(found, "sqlstate", None)  # asyncpg and psycopg errors carry the SQLSTATE code
        if state in ("28P01", "28000"):
            return f"{db} refused the user name or password in DATABASE_URL"
        if state == "3D000":
            return f"{db} has no database {make_url(url).database!r}: create it, or correct DATABASE_URL"
        if state == "42P01":
            return f"{db} has no Spoorzoeker tables yet: {NOT_MIGRATED}"
    for found in chain:
        if not isinstance(found, OSError) or not _raised_by_a_driver(found):
            continue
        if isinstance(found, socket.gaierror):
            return f"cannot find {db}: the host name in DATABASE_URL is unknown"
        if isinstance(found, ConnectionRefusedError):
            return f"{db} refused the connection: is the server running, and are DATABASE_URL's host and port right?"
        if isinstance(found, TimeoutError):
            return f"{db} did not answer in time: is it running and reachable from here?"
        if found.errno in _CONNECT_ERRNOS or "connect call failed" in str(found).lower():
            return f"cannot connect to {db}: is the server running, and are DATABASE_URL's host and port right?"
        detail = str(found).splitlines()[0] if str(found) else type(found).__name__
        return f"cannot connect to {db} ({detail}): check DATABASE_URL and the network"
    for found in chain:
        if isinstance(found, DBAPIError):
            return _driver_message(db, url, str(found.orig).splitlines()[0] if found.orig else str(found))
    return None


_DRIVERS = ("asyncpg", "psycopg", "aiosqlite", "sqlite3", "sqlalchemy", "alembic", "storage")


def _raised_by_a_driver(error: BaseException) -> bool:
    """True when the database code raised `error` (an OSError from elsewhere, a file, say, is not ours to word)."""
    trace = error.__traceback__
    while trace is not None:
        module = trace.tb_frame.f_globals.get("__name__", "")
        if module.split(".")[0] in _DRIVERS:
            return True
        trace = trace.tb_next
    return False


def _driver_message(db: str, url: str, message: str) -> str:
    lowered = message.lower()
    if "unable to open database file" in lowered:
        try:
            check_folder(url)
        except DatabaseProblem as missing:
            return str(missing)
        return f"cannot open {db}: check that the path is right and that this user may read and write it"
    if "no such table" in lowered:
        return f"{db} has no Spoorzoeker tables yet ({message}): {NOT_MIGRATED}"
    if "file is not a database" in lowered:
        return f"{db} is not a SQLite database: check DATABASE_URL"
    if "locked" in lowered:
        return f"{db} stayed locked by another process: try again, or stop the other process"
    if "readonly" in lowered or "read-only" in lowered:
        return f"{db} can only be read: give this user write access"
    return f"cannot use {db}: {message}"
