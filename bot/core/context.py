"""What every domain call gets: who wrote, and the unit of work (session, clock, bot identity)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.clock import Clock
from content.texts import Texts, pick_language, texts
from storage import employer_queries, queries
from storage.models import Coach, Employee, EmployerContact


@dataclass(frozen=True)
class Attachment:
    """A file the user sent (a photo or a document), as Telegram describes it. The bytes are fetched only when a
    flow accepts the file (`fetch`: getFile and the download), after its size and type were checked."""

    kind: str  # photo | document
    file_id: str
    size: int | None
    mime_type: str | None
    file_name: str | None
    fetch: Callable[[], Awaitable[bytes]]


@dataclass
class Incoming:
    """A parsed Telegram update: the user, and the text, button data or file they sent."""

    user_id: int
    chat_id: int
    first_name: str = ""
    language_code: str | None = None
    text: str | None = None
    data: str | None = None
    attachment: Attachment | None = None


@dataclass
class Work:
    """One unit of work: a database session, a clock, and the facts about this bot."""

    session: AsyncSession
    clock: Clock
    bot_username: str
    timezone: str = "Europe/Amsterdam"
    texts: Texts = field(default_factory=texts)
    queued: int = 0  # outbox rows this unit of work queued (`bot.outgoing.outbox.enqueue`)
    dashboard_url: str | None = None  # the dashboard's public address (None: no web server runs)


@dataclass
class Person:
    """The sender as we know them: a coach, an employee, an employer contact, or nobody yet."""

    user_id: int
    lang: str
    coach: Coach | None = None
    employee: Employee | None = None
    employer_contact: EmployerContact | None = None

    @property
    def role(self) -> str | None:
        if self.coach is not None:
            return "coach"
        if self.employee is not None:
            return "employee"
        if self.employer_contact is not None:
            return "employer"
        return None

    @property
    def name(self) -> str | None:
        known = self.coach or self.employee or self.employer_contact
        return known.name if known is not None else None


async def identify(work: Work, incoming: Incoming) -> Person:
    """Look the sender up; an unknown user gets the language their Telegram app uses."""
    coach = await queries.coach_by_telegram(work.session, incoming.user_id)
    if coach is not None:
        return Person(incoming.user_id, coach.language, coach=coach)
    employee = await queries.employee_by_telegram(work.session, incoming.user_id)
    if employee is not None:
        if employee.unreachable_at is not None:  # they wrote to us, so they unblocked the bot
            employee.unreachable_at = None
            work.session.add(employee)
        return Person(incoming.user_id, employee.language, employee=employee)
    contact = await employer_queries.contact_by_telegram(work.session, incoming.user_id)
    if contact is not None:
        return Person(incoming.user_id, contact.language, employer_contact=contact)
    return Person(incoming.user_id, pick_language(incoming.language_code))
