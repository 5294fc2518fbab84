"""Test databases, chosen by one setting: the environment variable TEST_DATABASE_URL.

Unset, every test database is a SQLite file in the test's tmp_path (as before). Set to a PostgreSQL server's URL
(`postgresql+asyncpg://postgres@127.0.0.1:55501/postgres`, a role that may CREATE DATABASE), every test that asks
for a database runs twice in the one pytest run: once on SQLite and once on a brand-new PostgreSQL database of its
own (`[sqlite]` / `[postgresql]` in the test id). Tests without a database run once.

How a test gets a database (the fixtures are in tests/conftest.py):
- ask for the `database_url` fixture: an async URL (`sqlite+aiosqlite:///...` or `postgresql+asyncpg://...`) of an
  empty database with the schema at head but no keycheck row yet (the first program that opens it writes that
  with the key installed then, as on a new SQLite file). The `box` fixture (the sandbox) uses it.
- more than one database in a test: ask for `database_kind` (or `database_url`) and call
  `fresh_url(tmp_path, name="other")` for each further one.
- `fresh_url(tmp_path, migrated=False)`: a database without any table (SQLite: no file yet), for tests of the
  migrations themselves.
- outside a test function (a module-scoped fixture): `with temporary_url(folder, kind) as url:`.
Each PostgreSQL database is `CREATE DATABASE t_<random> TEMPLATE <template>` (the template migrated once per test
process) and is dropped `WITH (FORCE)` when its test ends. `rows(url, sql)` reads with plain SQL from outside the
event loop (e.g. raw stored values); `contents(url)` every table's rows; `await snapshot(engine)` and
`await restore(engine, taken)` put a database back as it was (raw rows, sequences).
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.types import NullType

SERVER_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
KINDS: tuple[str, ...] = ("sqlite", "postgresql") if SERVER_URL else ("sqlite",)

current_kind: str | None = None  # the running test's kind, set by the `database_kind` fixture
_made: list[str] = []  # PostgreSQL databases of the running test, dropped when it ends
_template: str | None = None
_template_lock = threading.Lock()
_reads: dict[tuple[str, tuple[str, ...]], dict[str, str]] = {}  # per database: a SELECT for each table
_admin = ThreadPoolExecutor(max_workers=1, thread_name_prefix="test-databases")


def fresh_url(folder: Path, kind: str | None = None, *, name: str = "bot", migrated: bool = True) -> str:
    """A new database of `kind` (default: the running test's) for the running test; dropped when it ends."""
    kind = kind or current_kind
    if kind is None:
        raise RuntimeError("fresh_url needs the test to ask for the `database_kind` or `database_url` fixture")
    if kind == "sqlite":
        path = Path(folder) / f"{name}.db"
        if migrated and not path.exists():
            _run(_upgrade(f"sqlite+aiosqlite:///{path}"))
        return f"sqlite+aiosqlite:///{path}"
    if not SERVER_URL:
        raise RuntimeError("a PostgreSQL test database needs TEST_DATABASE_URL")
    database = f"t_{secrets.token_hex(6)}"
    source = _migrated_template() if migrated else "template0"
    _run(_admin_sql(f'CREATE DATABASE "{database}" TEMPLATE "{source}"', retry=True))
    _made.append(database)
    return url_of(database)


@contextmanager
def temporary_url(folder: Path, kind: str, *, name: str = "bot", migrated: bool = True) -> Iterator[str]:
    """`fresh_url` for a fixture wider than one test: the database is dropped when the block ends."""
    global current_kind
    outer, outer_made = current_kind, list(_made)
    _made.clear()
    try:
        yield fresh_url(folder, kind, name=name, migrated=migrated)
    finally:
        drop_made()
        _made.extend(outer_made)
        current_kind = outer


def drop_made() -> None:
    """Drop the PostgreSQL databases made since the last call (the `database_kind` fixture's teardown)."""
    while _made:
        _run(_admin_sql(f'DROP DATABASE IF EXISTS "{_made.pop()}" WITH (FORCE)'))


def url_of(database: str) -> str:
    """The server's URL with another database name."""
    return make_url(SERVER_URL).set(database=database).render_as_string(hide_password=False)


def is_postgresql(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def rows(url: str, sql: str, **params: Any) -> list[tuple]:
    """The rows of one plain SQL statement (committed), run from outside any event loop."""
    return _run(_fetch(url, sql, params))


def contents(url: str, *, leave_out: tuple[str, ...] = ()) -> dict[str, list[tuple]]:
    """Every table's rows in primary-key order (the whole stored state, for "nothing changed" checks)."""
    return _run(_contents(url, leave_out))


@dataclass
class Snapshot:
    """Every table's raw rows (and PostgreSQL's sequence positions), for `restore`."""

    metadata: MetaData
    rows: dict[str, list[dict[str, Any]]]
    sequences: dict[str, int | None]


async def snapshot(engine: AsyncEngine) -> Snapshot:
    """What `engine`'s database holds now, raw (no type conversion, so encrypted values stay the same bytes)."""

    def read(sync) -> Snapshot:
        metadata = MetaData()
        metadata.reflect(sync)
        for table in metadata.tables.values():
            for column in table.columns:
                column.type = NullType()  # the driver's values as they are
                column.autoincrement = False  # every id is put back as it was
        rows = {
            name: [dict(row._mapping) for row in sync.execute(select(table))] for name, table in metadata.tables.items()
        }
        sequences = {}
        if sync.dialect.name == "postgresql":
            for name, table in metadata.tables.items():
                if "id" in table.columns:
                    sequence = sync.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": name}).scalar()
                    if sequence:
                        sequences[sequence] = sync.execute(
                            text(f"SELECT CASE WHEN is_called THEN last_value END FROM {sequence}")  # noqa: S608
                        ).scalar()
        return Snapshot(metadata, rows, sequences)

    async with engine.connect() as connection:
        return await connection.run_sync(read)


async def restore(engine: AsyncEngine, taken: Snapshot) -> None:
    """Put back what `taken` holds: every table emptied and refilled in one transaction, sequences reset."""

    def write(sync) -> None:
        for table in reversed(taken.metadata.sorted_tables):
            sync.execute(table.delete())
        for table in taken.metadata.sorted_tables:
            if taken.rows[table.name]:
                sync.execute(table.insert(), taken.rows[table.name])
        for sequence, value in taken.sequences.items():
            if value is None:
                sync.execute(text("SELECT setval(:s, 1, false)"), {"s": sequence})
            else:
                sync.execute(text("SELECT setval(:s, :v)"), {"s": sequence, "v": value})

    async with engine.begin() as connection:
        await connection.run_sync(write)


# ---- the machinery -------------------------------------------------------------------------------------------


def _run(coroutine) -> Any:
    """Run a coroutine to the end on the helper thread's own loop (works inside and outside a running loop)."""
    return _admin.submit(asyncio.run, coroutine).result()


async def _fetch(url: str, sql: str, params: dict[str, Any]) -> list[tuple]:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            result = await connection.execute(text(sql), params)
            return [tuple(row) for row in result.fetchall()] if result.returns_rows else []
    finally:
        await engine.dispose()


async def _contents(url: str, leave_out: tuple[str, ...]) -> dict[str, list[tuple]]:
    engine = create_async_engine(url)
    try:
        return await contents_of(engine, leave_out=leave_out)
    finally:
        await engine.dispose()


async def contents_of(engine: AsyncEngine, *, leave_out: tuple[str, ...] = ()) -> dict[str, list[tuple]]:
    """`contents` on an engine of the running loop (e.g. the sandbox's `box.db.engine`)."""

    def read(sync) -> dict[str, list[tuple]]:
        key = (str(engine.url), leave_out)
        if key not in _reads:  # the catalog is asked once per database (one query per table on PostgreSQL)
            inspector = inspect(sync)
            _reads[key] = {}
            for table in sorted(set(inspector.get_table_names()) - set(leave_out)):
                primary = inspector.get_pk_constraint(table)["constrained_columns"]
                order = ", ".join(f'"{column}"' for column in primary) or "1"
                _reads[key][table] = f'SELECT * FROM "{table}" ORDER BY {order}'  # noqa: S608 - the catalog's names
        return {
            table: [tuple(_hashable(value) for value in row) for row in sync.execute(text(sql))]
            for table, sql in _reads[key].items()
        }

    async with engine.connect() as connection:
        return await connection.run_sync(read)


def _hashable(value: Any) -> Any:
    return json.dumps(value, sort_keys=True) if isinstance(value, dict | list) else value


async def _admin_sql(statement: str, *, retry: bool = False) -> None:
    """A statement that cannot run in a transaction (CREATE/DROP DATABASE), on the server's own database."""
    engine = create_async_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    try:
        for attempt in range(50):
            try:
                async with engine.connect() as connection:
                    await connection.execute(text(statement))
                return
            except Exception as error:  # "source database ... is being accessed by other users": a moment later
                if not retry or "being accessed" not in str(error) or attempt == 49:
                    raise
                await asyncio.sleep(0.1)
    finally:
        await engine.dispose()


async def _upgrade(url: str) -> None:
    """The schema at head, without the key check (its keycheck row is written by the first program that opens
    the database, with the key installed then)."""
    from alembic import command

    from storage.migrate import alembic_config

    await asyncio.to_thread(command.upgrade, alembic_config(url), "head")


def _migrated_template() -> str:
    """This process's template database at head, made on first use (dropped by `drop_template`)."""
    global _template
    with _template_lock:
        if _template is None:
            worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
            name = f"tpl_{worker}_{secrets.token_hex(4)}"
            _run(_admin_sql(f'CREATE DATABASE "{name}" TEMPLATE template0'))
            _template = name
            _run(_upgrade(url_of(name)))
        return _template


def drop_template() -> None:
    """Drop this process's template (conftest's `pytest_sessionfinish`)."""
    global _template
    with _template_lock:
        if _template is not None:
            _run(_admin_sql(f'DROP DATABASE IF EXISTS "{_template}" WITH (FORCE)'))
            _template = None
