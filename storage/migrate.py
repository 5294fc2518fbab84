"""Alembic migrations, applied at start-up and by `spoorzoeker db upgrade`; and the check that a database is
migrated, for the commands that only read (it creates nothing, not even an empty SQLite file). Both end with the
key check (`storage.crypto.check_key_sync`): every program that opens the database goes through one of them, so a
missing or wrong ENCRYPTION_KEY stops it there, with one line.

Several instances may start at the same moment on one PostgreSQL database: the migrations and the key check each
run under an advisory lock, so one does the work and the others wait and find it done. Still, run
`spoorzoeker db upgrade` once before a rolling start (README), so no instance serves while another migrates."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import create_async_engine

from storage import crypto
from storage.db_problems import NOT_MIGRATED, DatabaseProblem, check_folder, sqlite_file, where

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
KEYCHECK_LOCK = 0x5A6F6C  # PostgreSQL advisory lock around the key check (the migrations take 0x5A6F6B, env.py)


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.attributes["configure_logger"] = False
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the schema to `revision` (blocking; call from outside the event loop or via `upgrade_async`).
    Raises DatabaseProblem, before anything is made, for a SQLite file in a folder that does not exist."""
    check_folder(database_url)
    if revision == "head":
        crypto.ring()  # no key: stop before anything is made
        asyncio.run(_check_key(database_url, before_migrating=True))  # a wrong key: before anything is changed
    command.upgrade(alembic_config(database_url), revision)
    if revision == "head":
        asyncio.run(_check_key(database_url))


async def _check_key(database_url: str, *, before_migrating: bool = False) -> None:
    """The key check; `before_migrating`: only where a keycheck table already exists (and no file is made)."""
    path = sqlite_file(database_url)
    if before_migrating and path is not None and not path.is_file():
        return
    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as connection:
            if connection.dialect.name == "postgresql":  # two first starts at once: one writes the keycheck value
                await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": KEYCHECK_LOCK})
            if before_migrating and not await connection.run_sync(lambda sync: inspect(sync).has_table("keycheck")):
                return
            await connection.run_sync(crypto.check_key_sync)
    finally:
        await engine.dispose()


async def upgrade_async(database_url: str, revision: str = "head") -> None:
    """Run the migrations in a worker thread, so the event loop is never blocked."""
    await asyncio.to_thread(upgrade, database_url, revision)


async def require_current(database_url: str) -> None:
    """Raise DatabaseProblem unless the database exists and has every migration; creates and changes nothing."""
    path = sqlite_file(database_url)
    if path is not None and not path.is_file():
        raise DatabaseProblem(
            f"there is no database at {path.absolute()}: check DATABASE_URL (`spoorzoeker db upgrade` makes a new one)"
        )
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            current = await connection.run_sync(lambda sync: set(MigrationContext.configure(sync).get_current_heads()))
    finally:
        await engine.dispose()
    script = ScriptDirectory.from_config(alembic_config(database_url))
    heads = set(script.get_heads())
    if current == heads:
        await _check_key(database_url)
        return
    if not current:
        raise DatabaseProblem(f"{where(database_url)} has no Spoorzoeker tables yet: {NOT_MIGRATED}")
    known = {revision.revision for revision in script.walk_revisions()}
    if not current <= known:
        raise DatabaseProblem(
            f"{where(database_url)} is at revision {', '.join(sorted(current))}, made by a newer Spoorzoeker: "
            "update this installation"
        )
    raise DatabaseProblem(
        f"{where(database_url)} is at revision {', '.join(sorted(current))}, not {', '.join(sorted(heads))}: "
        f"{NOT_MIGRATED}"
    )
