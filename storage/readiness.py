"""What `/readyz` asks the database: is it reachable, and is its schema at the newest migration? Reads only, on
the running bot's own engine (no new connection pool per probe)."""

from __future__ import annotations

from functools import cache

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.migrate import alembic_config


@cache
def _heads(database_url: str) -> frozenset[str]:
    return frozenset(ScriptDirectory.from_config(alembic_config(database_url)).get_heads())


async def schema_problem(engine: AsyncEngine) -> str | None:
    """None when the schema is at head; else a few words why not. Raises the driver's error when the database
    cannot be reached."""
    async with engine.connect() as connection:
        current = await connection.run_sync(lambda sync: set(MigrationContext.configure(sync).get_current_heads()))
    heads = _heads(engine.url.render_as_string(hide_password=False))
    if current == heads:
        return None
    if not current:
        return "schema not migrated"
    return f"schema at {', '.join(sorted(current))}, not at head {', '.join(sorted(heads))}"
