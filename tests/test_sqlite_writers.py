"""The SQLite writers' queue (`storage.sqlite_writers`): one process's writers take turns in arrival order, and
every way a transaction can end gives the turn back — also a cancelled unit of work and an invalidated
connection, which once kept the turn and hung the next writer."""

from __future__ import annotations

import asyncio
import time

import pytest

from storage.db import Database
from storage.models import SweepLease
from tests.databases import fresh_url


@pytest.fixture
async def db(tmp_path):
    database = Database(fresh_url(tmp_path, "sqlite"))
    yield database
    await database.dispose()


async def _write(
    db: Database, name: str, *, hold_s: float = 0.0, arrived: list | None = None, turns: list | None = None
) -> None:
    async with db.session() as session:
        await session.get(SweepLease, "nothing")  # reads first: the connection is open before the write
        session.add(SweepLease(name=name))
        if arrived is not None:
            arrived.append(name)
        await session.flush()  # the first writing statement: this unit of work's turn starts here
        if turns is not None:
            turns.append(name)
        await asyncio.sleep(hold_s)


async def test_writers_take_turns_in_arrival_order(db):
    arrived: list[str] = []
    turns: list[str] = []
    writers = [_write(db, f"w{number}", hold_s=0.03, arrived=arrived, turns=turns) for number in range(8)]
    await asyncio.gather(*writers)  # none meets "database is locked"
    assert len(turns) == 8
    assert turns == arrived  # SQLite's own busy handler lets whoever retries first win


async def test_a_cancelled_writer_gives_its_turn_back(db):
    holder = asyncio.create_task(_write(db, "cancelled", hold_s=30))
    await asyncio.sleep(0.2)
    holder.cancel()
    with pytest.raises(asyncio.CancelledError):
        await holder
    started = time.monotonic()
    await asyncio.wait_for(_write(db, "next"), 3)
    assert time.monotonic() - started < 1  # not the queue's 5 s fallback


async def test_an_invalidated_connection_gives_its_turn_back(db):
    async with db.engine.connect() as connection:
        await connection.exec_driver_sql("INSERT INTO sweeplease (name) VALUES ('gone')")
        await connection.invalidate()  # as when a driver call fails mid-transaction
    started = time.monotonic()
    await asyncio.wait_for(_write(db, "next"), 3)
    assert time.monotonic() - started < 1
    async with db.session() as session:
        assert await session.get(SweepLease, "next") is not None
        assert await session.get(SweepLease, "gone") is None  # the invalidated transaction was rolled back


async def test_a_failed_transaction_gives_its_turn_back(db):
    async with db.session() as session:
        session.add(SweepLease(name="once"))
    with pytest.raises(Exception, match="UNIQUE"):
        await _write(db, "once")
    await asyncio.wait_for(_write(db, "after"), 1)
