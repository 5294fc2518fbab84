"""Updates of one chat one after the other, different chats at the same time.

python-telegram-bot handles updates one at a time unless told otherwise, so a coach's report being rendered
(seconds) kept every other user waiting. With this processor a chat's updates still run strictly in arrival order
(a dialog's answers and presses never overtake each other), while other chats are answered meanwhile.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

from telegram.ext import BaseUpdateProcessor

MAX_CONCURRENT = 64  # updates in hand at once (each waits for its chat's earlier ones)


class PerChatUpdates(BaseUpdateProcessor):
    """One lock per chat (per user when an update has no chat), kept only while that chat has updates in hand."""

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT) -> None:
        super().__init__(max_concurrent_updates)
        self._chats: dict[int, tuple[asyncio.Lock, list[int]]] = {}  # chat -> (lock, [updates holding or waiting])

    async def do_process_update(self, update: object, coroutine: Awaitable[object]) -> None:
        chat = getattr(update, "effective_chat", None)
        user = getattr(update, "effective_user", None)
        key = chat.id if chat is not None else (user.id if user is not None else 0)
        lock, waiting = self._chats.setdefault(key, (asyncio.Lock(), [0]))
        waiting[0] += 1
        try:
            async with lock:  # asyncio.Lock is fair: the chat's updates run in the order they arrived
                await coroutine
        finally:
            waiting[0] -= 1
            if waiting[0] == 0:
                del self._chats[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
