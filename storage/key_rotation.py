"""Key rotation: every encrypted value of every row is encrypted anew with the newest key of the ring.

It goes table by table, in batches by primary key, one transaction per batch: when it is interrupted, the batches
already done stay done, and running it again skips every value that is already under the newest key (so it is
idempotent and resumable). A row changed by the running bot meanwhile is left alone (the bot wrote it with the
newest key). At the end the keycheck value is rewritten under the newest key; then the old keys may go.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables)
from storage.crypto import Encrypted, EncryptedBytes, KeyRing, write_keycheck

BATCH = 200
Progress = Callable[[str, int, int], None]  # table, rows done, rows in the table


@dataclass
class Rotation:
    """What a rotation did."""

    rows: int = 0
    renewed: int = 0  # values encrypted anew with the newest key
    current: int = 0  # values already under the newest key, skipped
    tables: dict[str, int] = field(default_factory=dict)  # table -> values renewed

    def summary(self) -> str:
        return (
            f"{self.renewed} values re-encrypted with the newest key, {self.current} already were, "
            f"in {self.rows} rows of {len(self.tables)} tables"
        )


@dataclass(frozen=True)
class _Table:
    name: str
    key: str
    columns: tuple[str, ...]
    binary: frozenset[str]


def encrypted_tables() -> list[_Table]:
    """Every table with an encrypted column, its (single) primary key and those columns."""
    found = []
    for table in SQLModel.metadata.sorted_tables:
        columns = [column for column in table.columns if isinstance(column.type, Encrypted)]
        if not columns:
            continue
        (key,) = table.primary_key.columns
        binary = frozenset(column.name for column in columns if isinstance(column.type, EncryptedBytes))
        found.append(_Table(table.name, key.name, tuple(column.name for column in columns), binary))
    return found


async def rotate(
    engine: AsyncEngine, ring: KeyRing, *, batch: int = BATCH, progress: Progress | None = None
) -> Rotation:
    """Re-encrypt everything with `ring`'s newest key (see the module docstring)."""
    done = Rotation()
    for table in encrypted_tables():
        async with engine.connect() as connection:
            total = (await connection.execute(sa.text(f'SELECT count(*) FROM "{table.name}"'))).scalar_one()
        done.tables[table.name] = 0
        last, seen = None, 0
        while True:
            async with engine.begin() as connection:
                last, rows = await connection.run_sync(_rotate_batch, table, ring, last, batch, done)
            if not rows:
                break
            seen += rows
            if progress is not None:
                progress(table.name, min(seen, total), total)
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: write_keycheck(sync, ring, replace=True))
    return done


async def rotate_database(
    database_url: str, ring: KeyRing, *, batch: int = BATCH, progress: Progress | None = None
) -> Rotation:
    """`rotate` on the database at `database_url` (its own engine, disposed afterwards)."""
    engine = create_async_engine(database_url)
    try:
        return await rotate(engine, ring, batch=batch, progress=progress)
    finally:
        await engine.dispose()


def _rotate_batch(connection, table: _Table, ring: KeyRing, after, size: int, done: Rotation):
    """One batch of `table` after primary key `after`: returns (its last key, how many rows it had)."""
    raw = sa.table(table.name, sa.column(table.key), *(sa.column(name) for name in table.columns))
    statement = sa.select(raw.c[table.key], *(raw.c[name] for name in table.columns)).order_by(raw.c[table.key])
    if after is not None:
        statement = statement.where(raw.c[table.key] > after)
    rows = connection.execute(statement.limit(size)).all()
    for row in rows:
        changes, olds = {}, []
        for index, name in enumerate(table.columns, start=1):
            value = row[index]
            if value is None:
                continue
            token = value.encode("utf-8") if isinstance(value, str) else bytes(value)
            renewed = ring.renewed(token)
            if renewed is None:
                done.current += 1
                continue
            changes[name] = renewed if name in table.binary else renewed.decode("utf-8")
            olds.append(raw.c[name] == value)
        if changes:
            connection.execute(sa.update(raw).where(raw.c[table.key] == row[0], *olds).values(**changes))
            done.renewed += len(changes)
            done.tables[table.name] += len(changes)
    done.rows += len(rows)
    return (rows[-1][0] if rows else after), len(rows)
