"""Alembic migrations: they build the schema from nothing, and the models never drift from them."""

import asyncio

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

import storage.models  # noqa: F401
from storage.migrate import upgrade
from tests.databases import fresh_url


@pytest.fixture
def url(database_kind, tmp_path) -> str:
    """A database without any table (SQLite: no file yet)."""
    return fresh_url(tmp_path, migrated=False)


def test_upgrade_creates_every_table_and_is_repeatable(url):
    upgrade(url)
    upgrade(url)  # a second start-up changes nothing

    async def tables():
        engine = create_async_engine(url)
        async with engine.connect() as connection:
            names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        await engine.dispose()
        return set(names)

    assert {"coach", "employer", "employee", "invite", "checkin", "dialog", "alembic_version"} <= asyncio.run(tables())


def test_models_match_the_migrations(url):
    upgrade(url)

    async def diff():
        engine = create_async_engine(url)
        async with engine.connect() as connection:
            result = await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), SQLModel.metadata)
            )
        await engine.dispose()
        return result

    assert asyncio.run(diff()) == []


def test_upgrading_a_database_that_holds_data(url):
    """New NOT NULL columns get server defaults, so existing rows survive every migration."""
    upgrade(url, "0001")

    async def seed_and_read():
        engine = create_async_engine(url)
        async with engine.begin() as connection:
            await connection.exec_driver_sql(
                "INSERT INTO coach (name, language, created_at) VALUES ('Sanne', 'nl', '2026-01-01 00:00:00')"
            )
            await connection.exec_driver_sql("INSERT INTO employer (name, created_at) VALUES ('Bol', '2026-01-01')")
            await connection.exec_driver_sql(
                "INSERT INTO employee (name, coach_id, employer_id, language, timezone, checkin_weekday, checkin_time,"
                " first_sick_day, track2_start, phase, status, created_at) VALUES ('Ahmed', 1, 1, 'nl',"
                " 'Europe/Amsterdam', 4, '10:00:00', '2025-10-06', '2026-11-20', 'intake', 'active', '2026-01-01')"
            )
        await engine.dispose()
        await asyncio.to_thread(upgrade, url)
        engine = create_async_engine(url)
        async with engine.connect() as connection:
            coach = (await connection.exec_driver_sql("SELECT timezone, digest_weekday FROM coach")).one()
            employee = (await connection.exec_driver_sql("SELECT share_reflections FROM employee")).one()
        await engine.dispose()
        return tuple(coach), tuple(employee)

    coach, employee = asyncio.run(seed_and_read())
    assert coach == ("Europe/Amsterdam", 0) and employee[0] in (0, False)
