"""Report drafts the coach decides on before anything reaches an employer.

- **The monthly sweep** (`sweep`): from 09:00 on the first working day of the month, in the coach's time zone,
  it makes for each active, registered client who was enrolled during last month the dossier progress report of
  last month as a draft (one per client, kind and period: a rerun or a second instance never makes two), and
  offers it. After downtime a later day of the same month still makes them; a month that is over is not caught up.
- **`offer`**: the dossier PDF of the draft's kind and period, in the coach's language, to the coach through the
  outbox, with *Versturen* / *Eerst aanpassen* / *Niet deze maand* (*Niet versturen* for a final report); the
  caption says to whom it will go.
- **`send`**, only after the coach's tap: rendered anew (the file may have changed since the draft), to every
  registered contact of the employee's employer and as a copy to the employee (the file is also theirs), one
  outbox row per draft and chat. With no registered contact the employee still gets the copy and the coach was
  told so beforehand (the coach may upload the PDF they have themselves).
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot.core import audit
from bot.core.context import Person, Work
from bot.core.replies import Button, Reply
from bot.outgoing import outbox
from bot.outgoing.outbox import Message
from bot.rules import buttons
from bot.rules.report import FINAL, PROGRESS, first_working_day, previous_month
from bot.rules.weeks import local_date
from bot.views import report
from storage import coach_queries, employer_queries, queries, report_queries
from storage.models import Coach, Employee, Employer, EmployerContact, ReportDraft

SWEEP_AT = time(9, 0)  # the monthly drafts are made from this hour of the first working day (coach's time zone)
SEND, ADJUST, SKIP, REMAKE = "draft_send", "draft_adjust", "draft_skip", "draft_remake"
ACTIONS = (SEND, ADJUST, SKIP, REMAKE)
NAMES_SHOWN = 5  # contact names in a caption at most; fewer when the caption would not fit
CAPTION_LIMIT = 1024  # Telegram's limit for a document's caption


def due_month(coach: Coach, now: datetime) -> tuple[date, date] | None:
    """Last month (first and last day) once this month's drafts are due for `coach` at `now`, else None."""
    today = local_date(now, coach.timezone)
    starts = datetime.combine(first_working_day(today.year, today.month), SWEEP_AT, tzinfo=ZoneInfo(coach.timezone))
    return previous_month(today) if now >= starts else None


def takes_part(employee: Employee, last: date) -> bool:
    """An active, registered client who had joined by the end of the month."""
    return (
        employee.status == "active"
        and employee.registered_at is not None
        and local_date(employee.registered_at, employee.timezone) <= last
    )


async def sweep(work: Work) -> int:
    """Make and offer last month's progress drafts that are due; returns how many were made. Each draft is
    committed on its own, and its PDF is made before anything is written, so no write lock waits for a render."""
    now, made = work.clock.now(), 0
    for coach in await coach_queries.registered_coaches(work.session):
        month = due_month(coach, now)
        if month is None:
            continue
        first, last = month
        for employee in await coach_queries.clients_of(work.session, coach.id):
            if not takes_part(employee, last):
                continue
            if await report_queries.draft_for(work.session, employee.id, PROGRESS, first) is not None:
                continue
            data = await render(work, employee, PROGRESS, first, last, coach.language)
            draft, created = await report_queries.add_draft(work.session, employee.id, PROGRESS, first, last, now)
            if created:
                await offer(work, draft, employee, pdf=data)
                made += 1
            await work.session.commit()
    return made


async def offer(work: Work, draft: ReportDraft, employee: Employee, *, pdf: bytes | None = None) -> None:
    """Queue the draft to the coach as a PDF with the decision buttons (once per draft: key report_draft:<id>)."""
    coach = await queries.get(work.session, Coach, employee.coach_id)
    if coach is None or coach.telegram_user_id is None:
        return
    reply = await offer_reply(work, draft, employee, coach, pdf=pdf)
    key = f"report_draft:{draft.id}"
    message = Message(key, "report_draft", coach.telegram_user_id, reply, coach.timezone, employee_id=employee.id)
    await outbox.enqueue(work, [message])


async def offer_reply(
    work: Work, draft: ReportDraft, employee: Employee, coach: Coach, *, pdf: bytes | None = None, remake: bool = False
) -> Reply:
    """The draft as a document for the coach: what, which period, to whom it will go, and the three buttons
    (`remake`: made anew at the coach's request, sent as the answer to that tap)."""
    data = pdf or await render(work, employee, draft.kind, draft.period_first, draft.period_last, coach.language)
    await audit.read(work, Person(coach.telegram_user_id or 0, coach.language, coach=coach), "report", employee.id)
    employer, contacts = await recipients(work, employee)
    ctx = {
        **_about(draft, employee, employer),
        "contacts": [contact.name for contact in contacts[:NAMES_SHOWN]],
        "more_contacts": max(0, len(contacts) - NAMES_SHOWN),
        "employee_copy": reachable(employee),
        "remade": remake,
    }
    while len(work.texts.render(coach.language, "report_draft_offer", **ctx)) > CAPTION_LIMIT and ctx["contacts"]:
        ctx = {**ctx, "contacts": ctx["contacts"][:-1], "more_contacts": ctx["more_contacts"] + 1}
    return Reply(
        "report_draft_offer", coach.language, ctx, decision_buttons(draft), document=data,
        document_name=_filename(employee, draft),
    )  # fmt: skip


def decision_buttons(draft: ReportDraft) -> list[list[Button]]:
    skip = "report_draft_skip_final" if draft.kind == FINAL else "report_draft_skip"
    return [
        [Button("report_draft_send", data=button(SEND, draft))],
        [Button("report_draft_adjust", data=button(ADJUST, draft)), Button(skip, data=button(SKIP, draft))],
    ]


def button(action: str, draft: ReportDraft) -> str:
    """Button data outside any dialog; the draft id in it goes through `access.reach` when pressed."""
    return buttons.compose(None, action, draft.id)


async def send(work: Work, draft: ReportDraft, employee: Employee, coach: Coach) -> int:
    """The coach approved: the PDF to every registered employer contact and a copy to the employee, the draft
    marked sent (a final report also locks the employee's own view). Returns how many messages were queued."""
    employer, contacts = await recipients(work, employee)
    about = _about(draft, employee, employer)
    about["coach"] = coach.name
    rendered: dict[str, bytes] = {}

    async def document(lang: str) -> bytes:
        if lang not in rendered:
            rendered[lang] = await render(work, employee, draft.kind, draft.period_first, draft.period_last, lang)
        return rendered[lang]

    name = _filename(employee, draft)
    messages = []
    for contact in contacts:
        reply = Reply(
            "report_draft_employer", contact.language, about, document=await document(contact.language),
            document_name=name,
        )  # fmt: skip
        chat = contact.telegram_user_id
        await audit.read(work, Person(chat or 0, contact.language, employer_contact=contact), "report", employee.id)
        messages.append(Message(f"report:{draft.id}:{chat}", "report_employer", chat, reply, work.timezone))
    if reachable(employee):
        ctx = {**about, "to_employer": bool(contacts)}
        reply = Reply("report_draft_copy", employee.language, ctx, document=await document(employee.language),
                      document_name=name)  # fmt: skip
        chat = employee.telegram_user_id
        messages.append(
            Message(f"report:{draft.id}:{chat}", "report_copy", chat, reply, employee.timezone, employee_id=employee.id)
        )
    queued = await outbox.enqueue(work, messages)
    now = work.clock.now()
    await report_queries.decide_draft(work.session, draft, "sent", coach.id, now)
    if draft.kind == FINAL:
        await report_queries.lock_view(work.session, employee.id, now)
    return queued


async def recipients(work: Work, employee: Employee) -> tuple[Employer | None, list[EmployerContact]]:
    """The employee's employer and its contacts who opened their link (only they can receive a report)."""
    employer = await queries.get(work.session, Employer, employee.employer_id)
    contacts = [
        contact
        for contact in await employer_queries.registered_contacts(work.session)
        if contact.employer_id == employee.employer_id
    ]
    return employer, contacts


def reachable(employee: Employee) -> bool:
    """The employee can get their copy: registered and not blocked."""
    return employee.telegram_user_id is not None and employee.unreachable_at is None


def _about(draft: ReportDraft, employee: Employee, employer: Employer | None) -> dict:
    return {
        "name": employee.name,
        "kind": draft.kind,
        "first": draft.period_first,
        "last": draft.period_last,
        "employer": employer.name if employer is not None else "",
    }


async def render(work: Work, employee: Employee, kind: str, first: date, last: date, lang: str) -> bytes:
    """The dossier variant (privacy.DOSSIER): what the employer and the UWV may read."""
    return await report.pdf(work, employee, report.Period(first, last), report.DOSSIER, lang, kind=kind)


def _filename(employee: Employee, draft: ReportDraft) -> str:
    period = report.Period(draft.period_first, draft.period_last)
    return report.filename(employee, report.DOSSIER, period, "pdf", kind=draft.kind)
