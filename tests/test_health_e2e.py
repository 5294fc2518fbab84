"""/healthz, /readyz and /metrics of a real `spoorzoeker run` (polling, METRICS_PORT set): ready only while the
database answers and is at head; not ready while its PostgreSQL server is down, ready again when it is back."""

from __future__ import annotations

import asyncio
import glob
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests import databases
from tests.bot_process import bot_env, free_port, start_bot

ROOT = Path(__file__).resolve().parent.parent


async def _wait_for(bot, path: str, status: int, tries: int = 150):
    for _ in range(tries):
        answer = await bot.get(path)
        if answer.status_code == status:
            return answer
        await asyncio.sleep(0.1)
    raise AssertionError(f"{path} kept answering {answer.status_code}: {answer.text}")


async def test_probes_and_metrics_in_polling_mode(fake, database_url, tmp_path):
    port = free_port()
    bot = await start_bot(fake, bot_env(fake, database_url, METRICS_PORT=str(port)), tmp_path, port=port)
    try:
        assert (await bot.get("/healthz")).status_code == 200
        ready = await bot.get("/readyz")
        assert ready.status_code == 200 and ready.json() == {"ready": True}
        canary = fake.user(3001, "Canary")
        await canary.send("/start")
        page = (await bot.get("/metrics")).text
        families = {family.name: family for family in text_string_to_metric_families(page)}
        for name in (
            "spoorzoeker_updates", "spoorzoeker_handler_seconds", "spoorzoeker_outbox_rows", "spoorzoeker_sends",
            "spoorzoeker_telegram_429", "spoorzoeker_sweep_seconds", "spoorzoeker_last_sweep_timestamp_seconds",
        ):  # fmt: skip
            assert name in families, name
        samples = families["spoorzoeker_updates"].samples
        updates = {sample.labels["kind"]: sample.value for sample in samples if sample.name.endswith("_total")}
        assert updates["command"] == 1 and sum(updates.values()) == 1
        assert (await bot.post_update({"update_id": 1}, "whatever-secret-0123456789")).status_code in (404, 405)
    finally:
        assert await bot.stop() == 0, bot.stderr.decode()


async def test_not_ready_while_the_schema_is_behind(fake, database_url, tmp_path):
    port = free_port()
    bot = await start_bot(fake, bot_env(fake, database_url, METRICS_PORT=str(port)), tmp_path, port=port)
    try:
        await _wait_for(bot, "/readyz", 200)
        (head,) = databases.rows(database_url, "SELECT version_num FROM alembic_version")[0]
        databases.rows(database_url, "UPDATE alembic_version SET version_num = '0009'")
        behind = await bot.get("/readyz")
        assert behind.status_code == 503
        assert behind.json() == {"ready": False, "reason": f"schema at 0009, not at head {head}"}
        assert (await bot.get("/healthz")).status_code == 200  # alive all the same
        databases.rows(database_url, "UPDATE alembic_version SET version_num = :head", head=head)
        await _wait_for(bot, "/readyz", 200)
    finally:
        assert await bot.stop() == 0, bot.stderr.decode()


def _postgres_binaries() -> bool:
    return bool(glob.glob("/usr/lib/postgresql/*/bin/initdb") or shutil.which("initdb"))


def _cluster(action: str, folder: str, *port: str) -> str:
    done = subprocess.run(
        [str(ROOT / ".ci" / "postgres"), action, folder, *port], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


async def _create_database(server_url: str, name: str) -> str:
    engine = create_async_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await engine.dispose()
    return server_url.rsplit("/", 1)[0] + f"/{name}"


@pytest.mark.skipif(not _postgres_binaries(), reason="needs the PostgreSQL server binaries (CI installs them)")
async def test_not_ready_while_the_database_is_down(fake, tmp_path):
    folder = tempfile.mkdtemp(prefix="pg-readyz-", dir="/tmp")  # the server's own user must reach it
    server_port = str(free_port())
    try:
        url = await _create_database(_cluster("start", folder, server_port), "bot")
        port = free_port()
        bot = await start_bot(fake, bot_env(fake, url, METRICS_PORT=str(port)), tmp_path, port=port)
        try:
            await _wait_for(bot, "/readyz", 200)
            await asyncio.to_thread(_cluster, "stop", folder)
            down = await _wait_for(bot, "/readyz", 503)
            assert down.json() == {"ready": False, "reason": "database unreachable"}
            assert (await bot.get("/healthz")).status_code == 200
            assert (await bot.get("/metrics")).status_code == 200  # still a page, without a fresh outbox count
            await asyncio.to_thread(_cluster, "start", folder, server_port)
            await _wait_for(bot, "/readyz", 200)
        finally:
            assert await bot.stop() == 0, bot.stderr.decode()
    finally:
        await asyncio.to_thread(_cluster, "stop", folder)
        shutil.rmtree(folder, ignore_errors=True)
