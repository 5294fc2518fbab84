"""Telegram's side of a webhook: while one is set (`setWebhook`), the updates of the simulated users are POSTed
to its URL as JSON, with the secret token in the `X-Telegram-Bot-Api-Secret-Token` header, one at a time and in
order; an update the bot does not answer with 2xx (or that cannot be delivered at all) is tried again after
`retry_s`, so an instance that is shutting down (503) or gone loses nothing."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import aiohttp

from bot.sandbox.fake_telegram.records import SECRET_TOKEN_HEADER
from bot.sandbox.fake_telegram.state import _POLL_TOPIC, ChangeNotifier, UpdateQueue


@dataclass
class WebhookPost:
    """One POST of an update to the webhook: its update_id and the HTTP status (0: no answer at all)."""

    update_id: int
    status: int
    at: float = field(default_factory=time.monotonic)


class WebhookPusher:
    """Posts the pending updates of `queue` to the webhook while one is set."""

    def __init__(self, queue: UpdateQueue, notifier: ChangeNotifier, closing: Callable[[], bool]) -> None:
        self._queue = queue
        self._notifier = notifier
        self._closing = closing
        self.url = ""
        self.secret_token: str | None = None
        self.max_connections = 40
        self.retry_s = 0.2
        self.posts: list[WebhookPost] = []
        self.last_error: tuple[int, str] | None = None  # (unix time, message) of the latest failed delivery
        self._task: asyncio.Task | None = None

    @property
    def active(self) -> bool:
        return bool(self.url)

    def set(self, url: str, secret_token: str | None, max_connections: int = 40) -> None:
        self.url, self.secret_token, self.max_connections = url, secret_token, max_connections
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._push(), name="fake-telegram-webhook")
        self._notifier.notify(_POLL_TOPIC)

    def clear(self) -> None:
        self.url, self.secret_token = "", None
        self._notifier.notify(_POLL_TOPIC)

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _wanted(self) -> bool:
        return self._closing() or not self.active or self._queue.has_deliverable()

    async def _push(self) -> None:
        timeout = aiohttp.ClientTimeout(total=10)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while self.active and not self._closing():
                await self._notifier.wait_until(_POLL_TOPIC, self._wanted, time.monotonic() + 1.0)
                if self._closing() or not self.active or not self._queue.has_deliverable():
                    continue
                update = self._queue.take(1)[0]
                status = await self._post(session, update)
                self.posts.append(WebhookPost(update["update_id"], status))
                if 200 <= status < 300:
                    self._queue.confirm(update["update_id"] + 1)
                else:
                    self.last_error = (int(time.time()), f"Wrong response from the webhook: {status}")
                    await asyncio.sleep(self.retry_s)

    async def _post(self, session: aiohttp.ClientSession, update: dict) -> int:
        headers = {SECRET_TOKEN_HEADER: self.secret_token} if self.secret_token else {}
        try:
            async with session.post(self.url, json=update, headers=headers) as response:
                await response.read()
                return response.status
        except (aiohttp.ClientError, TimeoutError, OSError):
            return 0
