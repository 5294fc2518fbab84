"""Alembic migrations, applied at start-up and by `spoorzoeker db upgrade`; and the check that a database is
migrated, for the commands that only read (it creates nothing, not even an empty SQLite file)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import create_async_engine

from storage.db_problems import NOT_MIGRATED, DatabaseProblem, check_folder, sqlite_file, where

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


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
    command.upgrade(alembic_config(database_url), revision)


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
