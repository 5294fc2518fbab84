"""A real `spoorzoeker run` process against the fake Bot API of the test process: its environment, starting it in
polling or webhook mode (and waiting until it takes updates), the CLI, HTTP to its web server, stopping it."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass

import httpx

from bot.sandbox.fake_telegram import FakeTelegram
from bot.sandbox.offline import SANDBOX_TOKEN

SECRET = "s3cret-of-the-tests_0123456789"
HOOK_PATH = "/telegram/hook"
START_S = 30  # start-up: migrations, getMe, setMyCommands, then the first poll or setWebhook


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bot_env(fake: FakeTelegram, database_url: str, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TELEGRAM_", "DATABASE_URL", "WEBHOOK_", "METRICS_PORT", "LOG_FORMAT"))
    }
    env.update(TELEGRAM_BOT_TOKEN=SANDBOX_TOKEN, TELEGRAM_BASE_URL=fake.base_url, DATABASE_URL=database_url)
    env.update(extra)
    return env


def webhook_env(fake: FakeTelegram, database_url: str, port: int, **extra: str) -> dict[str, str]:
    return bot_env(
        fake, database_url, WEBHOOK_URL=f"http://127.0.0.1:{port}{HOOK_PATH}", WEBHOOK_LISTEN="127.0.0.1",
        WEBHOOK_PORT=str(port), WEBHOOK_SECRET=SECRET, **extra,
    )  # fmt: skip


async def cli(env: dict[str, str], cwd, *args: str) -> subprocess.CompletedProcess:
    return await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "bot", *args], env=env, cwd=cwd, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip


@dataclass
class BotProcess:
    process: asyncio.subprocess.Process
    port: int | None  # where its web server listens (None: it has none)
    stderr: bytes = b""

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def get(self, path: str) -> httpx.Response:
        async with httpx.AsyncClient(timeout=10) as client:
            return await client.get(self.base + path)

    async def post_update(self, body: bytes | dict, secret: str | None) -> httpx.Response:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        async with httpx.AsyncClient(timeout=10) as client:
            if isinstance(body, dict):
                return await client.post(self.base + HOOK_PATH, json=body, headers=headers)
            return await client.post(self.base + HOOK_PATH, content=body, headers=headers)

    async def stop(self, timeout_s: float = 30) -> int:
        """SIGTERM, then the exit code (its stderr is read into `stderr`)."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        return await self.finish(timeout_s)

    async def finish(self, timeout_s: float = 30) -> int:
        out = await asyncio.wait_for(self.process.stderr.read(), timeout=timeout_s)
        self.stderr += out
        return await asyncio.wait_for(self.process.wait(), timeout=timeout_s)

    def kill(self) -> None:
        if self.process.returncode is None:
            self.process.kill()


async def start_bot(
    fake: FakeTelegram, env: dict[str, str], cwd, *, webhook: bool = False, port: int | None = None
) -> BotProcess:
    """Start `spoorzoeker run [--webhook]` and wait until it takes updates: its webhook is set at the fake (webhook
    mode) or it polls; and, when it has a web server on `port`, until /healthz answers."""
    polls_before = len(fake.calls_of("getUpdates"))
    hooks_before = len(fake.calls_of("setWebhook"))
    args = ["run", "--webhook"] if webhook else ["run"]
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, env=env, cwd=cwd,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    bot = BotProcess(process, port)
    for _ in range(START_S * 10):
        if process.returncode is not None:
            await bot.finish()
            raise AssertionError(f"the bot stopped while starting: {bot.stderr.decode()}")
        taking = (
            len(fake.calls_of("setWebhook")) > hooks_before and fake.webhook.active
            if webhook
            else len(fake.calls_of("getUpdates")) > polls_before
        )
        if taking and (port is None or await _answers(bot)):
            return bot
        await asyncio.sleep(0.1)
    bot.kill()
    raise AssertionError("the bot did not start taking updates")


async def _answers(bot: BotProcess) -> bool:
    try:
        return (await bot.get("/healthz")).status_code == 200
    except httpx.HTTPError:
        return False
