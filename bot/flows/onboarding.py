"""Enrolment: coaches added by an operator, employees invited by their coach, deep-link tokens redeemed.

A token is single use, expires after 14 days and is stored hashed; a wrong, used or expired token gets one
and the same answer, so it reveals nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core import dialogs
from bot.core.clock import as_utc
from bot.core.context import Person, Work
from bot.core.replies import Reply
from bot.flows import dashboard_chat
from bot.flows import employer as employer_flow
from bot.flows import setup as setup_flow
from bot.outgoing import outbox
from bot.outgoing.outbox import Message
from bot.rules import timeline
from bot.rules.tokens import TOKEN_TTL, deep_link, hash_token, looks_like_token, new_token
from storage import erasure_queries, queries
from storage.models import Coach, Employee, Invite


@dataclass
class NewLink:
    """A freshly made invite: the plain token exists only here, never in the database."""

    token: str
    url: str
    invite: Invite


async def make_link(work: Work, kind: str, *, coach_id: int | None = None, employee_id: int | None = None) -> NewLink:
    token = new_token()
    now = work.clock.now()
    invite = await queries.create_invite(
        work.session,
        kind=kind,
        token_hash=hash_token(token),
        now=now,
        expires_at=now + TOKEN_TTL,
        coach_id=coach_id,
        employee_id=employee_id,
    )
    return NewLink(token, deep_link(work.bot_username, token), invite)


async def add_coach(work: Work, name: str) -> tuple[Coach, NewLink]:
    """Create a coach record and the link with which they register (used by `spoorzoeker coach add`)."""
    name = " ".join(name.split())
    if not 2 <= len(name) <= 120:
        raise ValueError("a coach name needs 2 to 120 characters")
    coach = await queries.create_coach(work.session, name, work.clock.now())
    return coach, await make_link(work, "coach", coach_id=coach.id)


async def redeem(work: Work, person: Person, payload: str, first_name: str) -> list[Reply]:
    """Someone opened a deep link `/start <payload>`."""
    invite = await queries.invite_by_hash(work.session, hash_token(payload)) if looks_like_token(payload) else None
    usable = invite is not None and invite.used_at is None and as_utc(invite.expires_at) > work.clock.now()
    if person.role is not None:
        # Known users keep their role; a link never turns a coach into an employee or the other way round.
        return [Reply("already_registered", person.lang, {"role": person.role})]
    if not usable or not await queries.claim_invite(work.session, invite.id, work.clock.now()):
        return [Reply("token_invalid", person.lang)]
    await erasure_queries.lift_suppression(work.session, person.user_id)  # a new start in an erased chat
    if invite.kind == "coach":
        coach = await queries.get(work.session, Coach, invite.coach_id)
        coach.telegram_user_id = person.user_id
        coach.language = person.lang
        coach.registered_at = work.clock.now()
        work.session.add(coach)
        await work.session.flush()
        mini_app = dashboard_chat.mini_app_url(work)  # the chat's menu button opens the dashboard (https only)
        return [Reply("coach_welcome", person.lang, {"name": coach.name}, menu="coach", menu_button=mini_app)]
    if invite.kind == "employer":
        return await employer_flow.join(work, person, invite)
    employee = await queries.get(work.session, Employee, invite.employee_id)
    employee.telegram_user_id = person.user_id
    employee.language = person.lang
    employee.status = "active"
    employee.registered_at = work.clock.now()
    work.session.add(employee)
    await work.session.flush()
    person.employee = employee
    coach = await queries.get(work.session, Coach, employee.coach_id)
    replies = [Reply("employee_welcome", person.lang, {"name": employee.name, "coach": coach.name})]
    replies += await setup_flow.start(work, person, first_time=True)
    if coach.telegram_user_id is not None:
        late = timeline.track2_warning(employee.first_sick_day, employee.track2_start)  # warn the coach
        ctx = {"name": employee.name, "track2_late": late}
        joined = Reply("coach_employee_joined", coach.language, ctx)
        await outbox.enqueue(
            work, [Message(f"joined:{employee.id}", "coach_joined", coach.telegram_user_id, joined, work.timezone)]
        )
    return replies


async def cancel(work: Work, person: Person) -> list[Reply]:
    """Stop whatever multi-step flow the user is in; answers already given stay stored."""
    dialog = await dialogs.current(work, person.user_id)
    flow = dialog.flow if dialog is not None else None
    await dialogs.finish(work, person.user_id)
    return [Reply("cancelled", person.lang, {"flow": flow})]
