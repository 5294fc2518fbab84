"""Alembic environment: runs migrations over the project's async engine (aiosqlite or asyncpg).

On PostgreSQL the migrations run under a transaction-level advisory lock (`MIGRATION_LOCK`): when several instances
start (or run `spoorzoeker db upgrade`) at the same moment, one migrates and the others wait, then find the schema
at head and change nothing. (Without it two `CREATE TABLE` at once collide in PostgreSQL's catalogue.) SQLite needs
no lock: its write lock already lets one migration through at a time.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables on SQLModel.metadata)

target_metadata = SQLModel.metadata
MIGRATION_LOCK = 0x5A6F6B  # the advisory lock's key (any constant that no other program on the database uses)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":  # held until the migrations are committed
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        context.run_migrations()


async def _run_async() -> None:
    engine = create_async_engine(context.config.get_main_option("sqlalchemy.url"))
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
            await connection.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    context.configure(url=context.config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_async())
