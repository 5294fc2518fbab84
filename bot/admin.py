"""Operator actions outside the chat (used by the CLI): adding a coach, naming the reintegration agency a coach
works for (reports name it as the party that carries out Track 2), listing the coaches, and the agency
administrators (who manage their agency's coaches from the chat with /beheer)."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Bot

from bot.config import Settings
from bot.core.clock import Clock, SystemClock
from bot.core.context import Work
from bot.flows.onboarding import add_coach
from storage import admin_queries, coach_queries
from storage.db import Database
from storage.migrate import require_current, upgrade_async
from storage.models import Coach

AGENCY_LENGTH = (2, 160)  # Coach.agency holds at most 160 characters


@dataclass(frozen=True)
class AddedCoach:
    id: int
    url: str  # the single-use registration link


async def bot_username(settings: Settings) -> str:
    """Ask Telegram (getMe) for the bot's username: deep links need it."""
    async with Bot(settings.telegram_bot_token, base_url=settings.telegram_base_url) as bot:
        return bot.username


def clean_agency(text: str | None) -> str | None:
    """The agency's name with its spaces collapsed; None for an empty text (no agency named). ValueError when it
    is one letter or longer than the reports can hold."""
    name = " ".join((text or "").split())
    if not name:
        return None
    shortest, longest = AGENCY_LENGTH
    if not shortest <= len(name) <= longest:
        raise ValueError(f"an agency name needs {shortest} to {longest} characters (this one has {len(name)})")
    return name


async def add_coach_with_link(
    settings: Settings, name: str, clock: Clock | None = None, agency: str | None = None, *, admin: bool = False
) -> AddedCoach:
    """Add a coach (with the agency they work for, if given; an administrator of it with `admin`) and make their
    registration link. ValueError for a name or agency that cannot be stored (checked before Telegram or the
    database is touched)."""
    agency = clean_agency(agency)
    username = await bot_username(settings)
    await upgrade_async(settings.database_url)
    db = Database(settings.database_url)
    try:
        async with db.session() as session:
            work = Work(session, clock or SystemClock(), username, settings.default_timezone)
            coach, link = await add_coach(work, name)
            if agency is not None:
                await coach_queries.set_agency(session, coach.id, agency)
            if admin:
                await admin_queries.set_admin(session, coach.id)
        return AddedCoach(coach.id, link.url)
    finally:
        await db.dispose()


async def set_agency(database_url: str, coach_id: int, agency: str | None) -> Coach:
    """Name (or, with an empty text, stop naming) the coach's reintegration agency. LookupError for an unknown
    coach, ValueError for a name that cannot be stored; the database must exist and be migrated."""
    agency = clean_agency(agency)
    await require_current(database_url)
    db = Database(database_url)
    try:
        async with db.session() as session:
            coach = await coach_queries.set_agency(session, coach_id, agency)
            if coach is None:
                raise LookupError(f"no coach with id {coach_id} (`spoorzoeker coach list` shows them)")
        return coach
    finally:
        await db.dispose()


async def coaches(database_url: str) -> list[Coach]:
    """Every coach with their id, registration and agency (the database must exist and be migrated)."""
    await require_current(database_url)
    db = Database(database_url)
    try:
        async with db.session() as session:
            return await coach_queries.all_coaches(session)
    finally:
        await db.dispose()


async def make_admin(database_url: str, coach_id: int) -> Coach:
    """Make an existing coach an administrator of their agency. LookupError for an unknown coach, ValueError for a
    deactivated one; the database must exist and be migrated."""
    await require_current(database_url)
    db = Database(database_url)
    try:
        async with db.session() as session:
            coach = await session.get(Coach, coach_id)
            if coach is None:
                raise LookupError(f"no coach with id {coach_id} (`spoorzoeker coach list` shows them)")
            if coach.deactivated_at is not None:
                raise ValueError(f"coach {coach.name!r} (id {coach_id}) was deactivated: add them again as a new coach")
            await admin_queries.set_admin(session, coach_id)
        return coach
    finally:
        await db.dispose()


async def administrators(database_url: str) -> list[Coach]:
    """Every agency administrator (the database must exist and be migrated)."""
    await require_current(database_url)
    db = Database(database_url)
    try:
        async with db.session() as session:
            return await admin_queries.admins(session)
    finally:
        await db.dispose()
