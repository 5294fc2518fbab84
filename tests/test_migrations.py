"""Alembic migrations: they build the schema from nothing, and the models never drift from them."""

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

import storage.models  # noqa: F401
from storage.migrate import upgrade


def _url(tmp_path):
    return f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"


def test_upgrade_creates_every_table_and_is_repeatable(tmp_path):
    upgrade(_url(tmp_path))
    upgrade(_url(tmp_path))  # a second start-up changes nothing

    async def tables():
        engine = create_async_engine(_url(tmp_path))
        async with engine.connect() as connection:
            names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        await engine.dispose()
        return set(names)

    assert {"coach", "employer", "employee", "invite", "checkin", "dialog", "alembic_version"} <= asyncio.run(tables())


def test_models_match_the_migrations(tmp_path):
    upgrade(_url(tmp_path))

    async def diff():
        engine = create_async_engine(_url(tmp_path))
        async with engine.connect() as connection:
            result = await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), SQLModel.metadata)
            )
        await engine.dispose()
        return result

    assert asyncio.run(diff()) == []
