"""The real `spoorzoeker` process against the fake Bot API server: the CLI, a kill -9 in the middle of a
check-in and a restart that continues at the same step, and a clean stop on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys

from bot.sandbox.fake_telegram import FakeTelegram
from bot.sandbox.offline import SANDBOX_TOKEN, token_in
from tests import databases


def _env(fake: FakeTelegram, tmp_path, url: str | None = None, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in ("TELEGRAM_BOT_TOKEN", "DATABASE_URL")}
    env.update(
        TELEGRAM_BOT_TOKEN=SANDBOX_TOKEN,
        TELEGRAM_BASE_URL=fake.base_url,
        DATABASE_URL=url or f"sqlite:///{tmp_path / 'bot.db'}",
    )
    env.update(extra)
    return env


async def _cli(env, tmp_path, *args: str) -> subprocess.CompletedProcess:
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot", *args],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def _start_bot(env, tmp_path, fake: FakeTelegram) -> asyncio.subprocess.Process:
    polls_before = sum(1 for call in fake.calls if call.method == "getUpdates")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, cwd=tmp_path,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    for _ in range(300):  # up to 30 s for start-up (migrations, getMe, first long poll)
        if sum(1 for call in fake.calls if call.method == "getUpdates") > polls_before:
            return process
        if process.returncode is not None:
            raise AssertionError((await process.stderr.read()).decode())
        await asyncio.sleep(0.1)
    process.kill()
    raise AssertionError("the bot did not start polling")


async def test_kill_mid_check_in_and_continue_after_restart(fake, tmp_path, database_url):
    env = _env(fake, tmp_path, database_url)
    added = await _cli(env, tmp_path, "coach", "add", "--name", "Sanne de Vries")
    assert added.returncode == 0, added.stderr
    coach_token = re.search(r"start=(\S+)", added.stdout).group(1)

    bot = await _start_bot(env, tmp_path, fake)
    coach = fake.user(1001, "Sanne")
    ahmed = fake.user(2001, "Ahmed")
    try:
        await coach.send(f"/start {coach_token}")
        for text in ("/invite", "Ahmed Yilmaz", "Bakkerij Bol", "06-10-2025"):
            await coach.send(text)
        token = token_in(await coach.press("Maak de uitnodiging"))
        await ahmed.send(f"/start {token}")
        for tap in ("Nederlands", "vr", "10:00", "Doe nu je eerste check-in", "2", "1"):
            await ahmed.press(tap)
        question = ahmed.last
        assert "netwerk" in question.plain_text
    finally:
        bot.send_signal(signal.SIGKILL)
        await bot.wait()

    bot = await _start_bot(env, tmp_path, fake)
    try:
        # The button on the question shown before the crash still works: the position lives in the database.
        await ahmed.press("3", message=question)
        assert "Wat heb je nog meer gedaan" in ahmed.last.plain_text
        resumed = (await ahmed.send("/checkin"))[0]
        assert "Welkom terug" in resumed.plain_text and "Wat heb je nog meer gedaan" in resumed.plain_text
        for tap in ("Geen", "6", "Versturen"):
            await ahmed.press(tap)
        assert "verstuurd" in ahmed.last.plain_text
        summary = (await ahmed.send("/checkin"))[0].plain_text
        assert "Sollicitaties: 2" in summary and "Gesprekken: 1" in summary and "Netwerkcontacten: 3" in summary
    finally:
        bot.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(bot.wait(), timeout=30)
    assert code == 0


async def test_db_upgrade_and_config_errors(fake, tmp_path, database_kind):
    url = databases.fresh_url(tmp_path, migrated=False)
    env = _env(fake, tmp_path, url)
    upgraded = await _cli(env, tmp_path, "db", "upgrade")
    assert upgraded.returncode == 0 and "head" in upgraded.stdout
    assert await asyncio.to_thread(databases.rows, url, "SELECT version_num FROM alembic_version") != []
    broken = await _cli({**env, "DATABASE_URL": "mysql://nope/db"}, tmp_path, "run")
    assert broken.returncode == 2
    assert broken.stderr.strip().count("\n") == 0 and "DATABASE_URL" in broken.stderr
    no_token = await _cli({**env, "TELEGRAM_BOT_TOKEN": ""}, tmp_path, "coach", "add", "--name", "X")
    assert no_token.returncode == 2 and "TELEGRAM_BOT_TOKEN" in no_token.stderr


async def test_run_without_token_explains_and_shows_the_offline_demo(fake, tmp_path):
    env = _env(fake, tmp_path, TELEGRAM_BOT_TOKEN="")
    result = await _cli(env, tmp_path, "run", "--demo-out", str(tmp_path / "demo"))
    assert result.returncode == 0, result.stderr
    assert "@BotFather" in result.stdout and "spoorzoeker demo" in result.stdout
    assert "Versturen" in result.stdout
    assert (tmp_path / "demo" / "transcript.txt").exists()
