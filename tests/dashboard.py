"""Test helpers for the dashboard over real HTTP: a client that signs in as a coach with a single-use link (made
by the real sign-in flow, opened through the real server) and keeps its cookie, and the form token of a page."""

from __future__ import annotations

import re

import httpx

from bot.core.context import Person, Work
from bot.flows import dashboard_signin
from bot.sandbox.offline import Sandbox

_CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


async def link_token(box: Sandbox, telegram_user_id: int) -> str | None:
    """A sign-in token for this Telegram user, as `/dashboard` makes it (None when they may not have one)."""
    async with box.db.session() as session:
        work = Work(session, box.clock, box.fake.bot_username, box.settings.default_timezone)
        person = await dashboard_signin.dashboard_person(work, telegram_user_id)
        return None if person is None else await dashboard_signin.new_link(work, person)


def client(box: Sandbox) -> httpx.AsyncClient:
    """An HTTP client for the running bot's dashboard (no redirects followed, so tests see each answer)."""
    return httpx.AsyncClient(base_url=box.dashboard_url, follow_redirects=False, timeout=10)


async def signed_in(box: Sandbox, telegram_user_id: int) -> httpx.AsyncClient:
    """A client with a live session of this coach (signed in by link, as a browser would)."""
    token = await link_token(box, telegram_user_id)
    assert token is not None, f"user {telegram_user_id} may not use the dashboard"
    http = client(box)
    answer = await http.post("/dashboard/in", data={"token": token})
    assert answer.status_code == 303, answer.text
    return http


def csrf_of(html: str) -> str:
    """The form token a signed-in page carries."""
    match = _CSRF.search(html)
    assert match, "no form token on the page"
    return match.group(1)


def person(telegram_user_id: int, lang: str = "nl") -> Person:
    return Person(telegram_user_id, lang)
