"""Updates of one chat one after the other, different chats at the same time; each update counted and timed.

python-telegram-bot handles updates one at a time unless told otherwise, so a coach's report being rendered
(seconds) kept every other user waiting. With this processor a chat's updates still run strictly in arrival order
(a dialog's answers and presses never overtake each other), while other chats are answered meanwhile. Across
processes the same holds through the chat's turn in the database (`bot.core.turns`, taken by every update).

While an update is handled its id is in the log context (`bot.core.logs.update_id`; the conversation adds the
sender's role); when it is done `Metrics.count_update` gets its kind and the time from taking it (waiting for
the chat's earlier updates included) to its answer sent.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.core import logs
from bot.core.metrics import Metrics

MAX_CONCURRENT = 64  # updates in hand at once (each waits for its chat's earlier ones)


def kind_of(update: object) -> str:
    """command | text | button | edited | other (the kinds of `bot.core.metrics.UPDATE_KINDS`)."""
    if not isinstance(update, Update):
        return "other"
    if update.callback_query is not None:
        return "button"
    if update.edited_message is not None:
        return "edited"
    message = update.message
    if message is not None and message.text is not None:
        return "command" if message.text.startswith("/") else "text"
    return "other"


class PerChatUpdates(BaseUpdateProcessor):
    """One lock per chat (per user when an update has no chat), kept only while that chat has updates in hand."""

    def __init__(self, metrics: Metrics | None = None, max_concurrent_updates: int = MAX_CONCURRENT) -> None:
        super().__init__(max_concurrent_updates)
        self.metrics = metrics
        self._chats: dict[int, tuple[asyncio.Lock, list[int]]] = {}  # chat -> (lock, [updates holding or waiting])

    async def do_process_update(self, update: object, coroutine: Awaitable[object]) -> None:
        started = time.perf_counter()
        chat = getattr(update, "effective_chat", None)
        user = getattr(update, "effective_user", None)
        key = chat.id if chat is not None else (user.id if user is not None else 0)
        lock, waiting = self._chats.setdefault(key, (asyncio.Lock(), [0]))
        waiting[0] += 1
        update_token = logs.update_id.set(getattr(update, "update_id", None))
        role_token = logs.role.set(None)
        try:
            async with lock:  # asyncio.Lock is fair: the chat's updates run in the order they arrived
                await coroutine
        finally:
            logs.role.reset(role_token)
            logs.update_id.reset(update_token)
            waiting[0] -= 1
            if waiting[0] == 0:
                del self._chats[key]
            if self.metrics is not None:
                self.metrics.count_update(kind_of(update), time.perf_counter() - started)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
