"""Signing in to the coach's dashboard, without passwords, and who a request is.

- In the chat, `/dashboard` makes a single-use link (`new_link`: 192 random bits, stored hashed, 10 minutes);
  opening it (`sign_in_with_link`) starts a session.
- Inside Telegram the Mini App posts its signed `initData` (`sign_in_with_telegram`), which starts a session too.
- A session (12 hours) is a random token in an HttpOnly cookie, stored hashed; `viewer` turns it into the
  `Person` (an active coach, administrators included) for every request, and `sign_out` (`/uitloggen`) ends all
  sessions of a user. Employees, employer contacts, deactivated coaches and strangers get no session and no
  viewer: the dashboard answers them 403.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.context import Person, Work
from bot.rules import dashboard_auth as rules
from bot.rules.tokens import hash_token, looks_like_token, new_token
from storage import dashboard_queries, queries


@dataclass(frozen=True)
class SignedIn:
    """A new session: the token for the cookie (never stored) and who it belongs to."""

    token: str
    person: Person


async def dashboard_person(work: Work, telegram_user_id: int) -> Person | None:
    """The coach (or agency administrator) behind this Telegram account, if they may use the dashboard."""
    coach = await queries.coach_by_telegram(work.session, telegram_user_id)  # active coaches only
    if coach is None:
        return None
    return Person(telegram_user_id, coach.language, coach=coach)


async def new_link(work: Work, person: Person) -> str | None:
    """A fresh single-use sign-in token for `person` (None when they may not use the dashboard)."""
    if person.coach is None or person.coach.deactivated_at is not None:
        return None
    token = new_token()
    now = work.clock.now()
    await dashboard_queries.add_link(work.session, hash_token(token), person.user_id, now, now + rules.LINK_TTL)
    return token


async def sign_in_with_link(work: Work, token: str) -> SignedIn | None:
    """Use a link token once: a new session, or None (unknown, expired, used, or no longer a coach)."""
    if not looks_like_token(token or ""):
        return None
    user_id = await dashboard_queries.use_link(work.session, hash_token(token), work.clock.now())
    return None if user_id is None else await _start(work, user_id, "link")


async def sign_in_with_telegram(work: Work, init_data: str, bot_token: str) -> SignedIn | None:
    """A new session from the Mini App's signed initData, or None (forged, older than an hour, not a coach)."""
    user_id = rules.init_data_user(init_data, bot_token, work.clock.now())
    return None if user_id is None else await _start(work, user_id, "telegram")


async def _start(work: Work, user_id: int, via: str) -> SignedIn | None:
    person = await dashboard_person(work, user_id)
    if person is None:
        return None
    token = new_token()
    now = work.clock.now()
    await dashboard_queries.add_session(work.session, hash_token(token), user_id, via, now, now + rules.SESSION_TTL)
    return SignedIn(token, person)


async def viewer(work: Work, session_token: str | None) -> Person | None:
    """Who this session cookie belongs to, while the session lives and they are still an active coach."""
    if not session_token or not looks_like_token(session_token):
        return None
    row = await dashboard_queries.live_session(work.session, hash_token(session_token), work.clock.now())
    return None if row is None else await dashboard_person(work, row.telegram_user_id)


async def sign_out(work: Work, person: Person) -> int:
    """End every dashboard session of this user (`/uitloggen`); how many were open."""
    return await dashboard_queries.end_sessions(work.session, person.user_id, work.clock.now())
