"""Operator actions outside the chat (used by the CLI): adding a coach."""

from __future__ import annotations

from telegram import Bot

from bot.config import Settings
from bot.core.clock import Clock, SystemClock
from bot.core.context import Work
from bot.flows.onboarding import add_coach
from storage.db import Database
from storage.migrate import upgrade_async


async def bot_username(settings: Settings) -> str:
    """Ask Telegram (getMe) for the bot's username: deep links need it."""
    async with Bot(settings.telegram_bot_token, base_url=settings.telegram_base_url) as bot:
        return bot.username


async def add_coach_with_link(settings: Settings, name: str, clock: Clock | None = None) -> str:
    username = await bot_username(settings)
    await upgrade_async(settings.database_url)
    db = Database(settings.database_url)
    try:
        async with db.session() as session:
            work = Work(session, clock or SystemClock(), username, settings.default_timezone)
            _coach, link = await add_coach(work, name)
        return link.url
    finally:
        await db.dispose()
