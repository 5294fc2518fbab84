"""The employer sweep: what employer contacts are told, each thing once, through the outbox.

For every registered employer contact and each employee of their company:
- **trajectory started**: the employee joined after the contact did (with the Track 2 warning if it started late);
- **phase changes**, placement included, made after the contact joined: every PhaseChange row, whichever flow
  wrote it (today the coach's caseload through `bot.core.phases`), told once per row;
- **a work trial**: a work trial is not a phase of its own but an activity the employee reports in the weekly
  check-in ("work_trial"); the employer hears of the first week of each run of weeks that report one;
Starts and phase changes older than NEWS_CATCH_UP (after a long downtime) are no news any more and are skipped.
- **the employer's own obligations** (`timeline.EMPLOYER_REMINDED`): 2 weeks before and on the due date, at
  09:00; a reminder day on a weekend moves to the Friday before, so there is still a working day to act on it.
  After downtime only the latest stage that is still due is sent, and nothing for a date that has passed;
- **a monthly summary** of last month (counts only) on the first working day of the month at 09:00 (caught up
  within a week).
Every message is built by `bot.views.employer_view` (privacy-filtered) and queued with the dedupe key
`employer:<contact>:<kind>:<ref>`, so nothing is sent twice; quiet hours are the outbox's business.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.context import Work
from bot.core.replies import Reply
from bot.outgoing import outbox
from bot.outgoing.outbox import Message
from bot.rules import timeline
from bot.rules.schedule import Week
from bot.rules.weeks import local_date
from bot.views import employer_view
from storage import coach_queries, employer_queries
from storage.models import CheckIn, Employee, EmployerContact

NOTICE_AT = time(9, 0)
REMIND_BEFORE = timedelta(days=14)
MONTHLY_CATCH_UP = timedelta(days=7)
RECENT_WEEKS = 3  # work trials are looked for in this week and the 2 before (the week before those is context)
LOOK_AHEAD = REMIND_BEFORE + timedelta(days=3)  # a deadline further away has no reminder due (weekend shift)
NEWS_CATCH_UP = timedelta(days=30)  # a start or phase change older than this is not told any more (downtime)


@dataclass
class Pending:
    """A message the sweep may queue; `build` runs only when its key is new."""

    key: str
    kind: str
    contact: EmployerContact
    build: Callable[[], Reply | list[Reply]]
    employee_id: int | None = None


def working_day_on_or_before(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def first_working_day(year: int, month: int) -> date:
    day = date(year, month, 1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def at_notice_time(day: date, timezone: str) -> datetime:
    return datetime.combine(day, NOTICE_AT, tzinfo=ZoneInfo(timezone))


def reminder_stage(due: date, now: datetime, timezone: str) -> str | None:
    """Which deadline reminder is due at `now`: "soon" from 2 weeks before, "due" from the due date (each on
    the working day on or before, at 09:00) until the end of the due date; None before and after."""
    soon_at = at_notice_time(working_day_on_or_before(due - REMIND_BEFORE), timezone)
    due_at = at_notice_time(working_day_on_or_before(due), timezone)
    over_at = datetime.combine(due + timedelta(days=1), time(0), tzinfo=ZoneInfo(timezone))
    if due_at <= now < over_at:
        return "due"
    if soon_at <= now < due_at:
        return "soon"
    return None


def monthly_due(now: datetime, timezone: str) -> date | None:
    """The first day of the month to summarise, while this month's summary is due (else None)."""
    today = local_date(now, timezone)
    send_at = at_notice_time(first_working_day(today.year, today.month), timezone)
    if not send_at <= now < send_at + MONTHLY_CATCH_UP:
        return None
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def work_trial_starts(checkins: list[CheckIn], context: Week) -> list[CheckIn]:
    """Submitted check-ins that report a work trial when the week before did not (the start of a run), in the
    weeks after `context`: that week's check-in only tells whether a run was going on already."""
    by_week = {(c.iso_year, c.iso_week): c for c in checkins}

    def has_trial(checkin: CheckIn | None) -> bool:
        return checkin is not None and checkin.submitted_at is not None and "work_trial" in (checkin.activities or [])

    starts = []
    for checkin in checkins:
        if (checkin.iso_year, checkin.iso_week) <= (context.year, context.week):
            continue
        before = Week(checkin.iso_year, checkin.iso_week).previous()
        if has_trial(checkin) and not has_trial(by_week.get((before.year, before.week))):
            starts.append(checkin)
    return starts


async def sweep(work: Work) -> int:
    """Queue what is due for every employer contact; returns how many messages were queued."""
    now = work.clock.now()
    today = local_date(now, work.timezone)
    contacts = await employer_queries.registered_contacts(work.session)
    if not contacts:
        return 0
    staff = await employer_queries.employees_of_employers(work.session, {c.employer_id for c in contacts})
    employees = {e.id: e for group in staff.values() for e in group}
    context = Week.of(today)
    for _ in range(RECENT_WEEKS):
        context = context.previous()
    recent = await employer_queries.work_trials_from_week(work.session, set(employees), context.year, context.week)
    earliest = max(min(c.registered_at for c in contacts), now - NEWS_CATCH_UP)
    changes = await employer_queries.phase_changes_since(work.session, set(employees), earliest)

    pending: list[Pending] = []
    for contact in contacts:
        for employee in staff.get(contact.employer_id, []):
            trials = work_trial_starts(recent.get(employee.id, []), context)
            pending += _about_employee(contact, employee, trials, changes, now, work.timezone)
    month = monthly_due(now, work.timezone)
    if month is not None:
        pending += await _monthly(work, contacts, staff, month)

    queued = await employer_queries.queued_keys(work.session, {p.key for p in pending})
    messages = []
    for item in pending:
        if item.key in queued:
            continue
        replies = item.build()
        for number, reply in enumerate(replies if isinstance(replies, list) else [replies], start=1):
            key = item.key if number == 1 else f"{item.key}:{number}"
            chat = item.contact.telegram_user_id
            messages.append(Message(key, item.kind, chat, reply, work.timezone, employee_id=item.employee_id))
    return await outbox.enqueue(work, messages)


def _about_employee(
    contact: EmployerContact, employee: Employee, trials: list[CheckIn], changes: dict, now: datetime, timezone: str
) -> list[Pending]:
    lang, prefix = contact.language, f"employer:{contact.id}"
    today = local_date(now, timezone)
    found: list[Pending] = []

    def add(kind: str, ref: object, build: Callable[[], Reply]) -> None:
        found.append(Pending(f"{prefix}:{kind}:{ref}", f"employer_{kind}", contact, build, employee.id))

    for change in changes.get(employee.id, []):
        if change.changed_at >= contact.registered_at:
            add("phase", change.id, lambda change=change: employer_view.phase_changed(lang, employee, change))
    if employee.status == "closed":
        return found  # a closed trajectory: only its phase changes
    joined = employee.registered_at
    if employee.status == "active" and joined > contact.registered_at and joined >= now - NEWS_CATCH_UP:
        add("started", employee.id, lambda: employer_view.started(lang, employee, today))
    for checkin in trials:
        if checkin.submitted_at >= contact.registered_at:
            add("work_trial", checkin.id, lambda checkin=checkin: employer_view.work_trial(lang, employee, checkin))
    for item in timeline.employer_deadlines(employee.first_sick_day, employee.track2_start, today):
        if item.due > today + LOOK_AHEAD:
            break  # in date order: the rest is further away still
        stage = reminder_stage(item.due, now, timezone)
        if stage is not None:
            add(
                f"deadline_{stage}",
                f"{employee.id}:{item.key}",
                lambda item=item, stage=stage: employer_view.deadline(lang, employee, item, stage),
            )
    return found


def monthly_key(contact: EmployerContact, month: date) -> str:
    return f"employer:{contact.id}:monthly:{month:%Y-%m}"


async def _monthly(work: Work, contacts: list[EmployerContact], staff: dict, month: date) -> list[Pending]:
    """One summary per contact of last month's ISO weeks, for employees who were active then. The check-ins are
    read only for contacts whose summary is not queued yet (the window lasts a week; the sweep runs every minute)."""
    done = await employer_queries.queued_keys(work.session, {monthly_key(c, month) for c in contacts})
    contacts = [c for c in contacts if monthly_key(c, month) not in done]
    if not contacts:
        return []
    weeks = employer_view.weeks_of_month(month)
    month_end = weeks[-1].monday() + timedelta(days=7)
    ids = {e.id for c in contacts for e in staff.get(c.employer_id, [])}
    checkins = await employer_queries.checkins_from_week(work.session, ids, weeks[0].year, weeks[0].week)
    names = await coach_queries.employer_names(work.session, {c.employer_id for c in contacts})
    wanted = {(w.year, w.week) for w in weeks}

    def took_part(employee: Employee, rows: list[CheckIn]) -> bool:
        joined = employee.registered_at is not None and local_date(employee.registered_at, work.timezone) < month_end
        return bool(rows) or (employee.status == "active" and joined)

    found = []
    for contact in contacts:
        rows = [
            (employee, [c for c in checkins.get(employee.id, []) if (c.iso_year, c.iso_week) in wanted])
            for employee in staff.get(contact.employer_id, [])
        ]
        rows = [(e, c) for e, c in rows if took_part(e, c)]
        if not rows:
            continue
        found.append(
            Pending(
                monthly_key(contact, month),
                "employer_monthly",
                contact,
                lambda contact=contact, rows=rows, name=names[contact.employer_id]: employer_view.monthly(
                    contact.language, name, month, rows
                ),
            )
        )
    return found
