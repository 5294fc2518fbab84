"""The one place that turns "cannot use the database" failures into one line for the operator: a SQLite file in
a missing folder, a server that refuses, a wrong password, a database never migrated. Never prints a password."""

from __future__ import annotations

import errno
import socket
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError


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
