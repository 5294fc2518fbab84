"""The reminder sweep: "what is due now?" for every employee, idempotent, safe to run at any moment.

It queues the weekly prompt and the two nudges through the outbox (one dedupe key per employee, week and stage,
so a message is never queued twice), and closes check-in periods that ended: missed, or paused (which does not
count against the employee). After downtime it catches up with the latest stage that is still due in an open
period, never with the stages in between.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from bot.core.context import Work
from bot.core.dialogs import button_data
from bot.core.replies import Button, Reply
from bot.outgoing import outbox
from bot.outgoing.outbox import Message
from bot.rules.schedule import MISSED, PERIOD, Week, candidate_weeks, local_now, prompt_at, stage_at
from storage import queries


@dataclass
class SweepResult:
    queued: int = 0
    missed: list[tuple[int, str]] = field(default_factory=list)  # (employee id, week)
    paused: list[tuple[int, str]] = field(default_factory=list)


def reminder(stage: str, lang: str, name: str, week: Week) -> Reply:
    """The prompt or nudge itself, with the button that opens the check-in."""
    start = Button("start_checkin_now", data=button_data(None, "go", "checkin"))
    return Reply(f"reminder_{stage}", lang, {"name": name, "week": week.week}, [[start]])


async def sweep(work: Work) -> SweepResult:
    now = work.clock.now()
    result = SweepResult()
    employees = await queries.employees_to_remind(work.session)
    weeks_of = {employee.id: candidate_weeks(now, employee.timezone) for employee in employees}
    all_weeks = {(week.year, week.week) for pair in weeks_of.values() for week in pair}
    checkins = await queries.checkins_in_weeks(work.session, all_weeks)
    earliest = min((pair[0].monday() for pair in weeks_of.values()), default=None)
    pauses = {} if earliest is None else await queries.pauses_overlapping(work.session, earliest, now.date() + PERIOD)
    messages: list[Message] = []
    for employee in employees:
        for week in weeks_of[employee.id]:
            opened = prompt_at(week, employee.checkin_weekday, employee.checkin_time, employee.timezone)
            stage = stage_at(now, opened)
            if stage is None or opened <= employee.registered_at:  # only periods that opened after joining
                continue
            checkin = checkins.get((employee.id, week.year, week.week))
            if checkin is not None and (checkin.submitted_at or checkin.missed_at or checkin.paused_reason):
                continue
            first_day = local_now(opened, employee.timezone).date()
            last_day = first_day + PERIOD - timedelta(days=1)
            pause = next((p for p in pauses.get(employee.id, []) if p.start <= last_day and p.until >= first_day), None)
            if stage == MISSED:
                await queries.mark_week(
                    work.session, employee.id, week.year, week.week, now,
                    missed=pause is None, reason=pause.reason if pause else None,
                )  # fmt: skip
                (result.paused if pause else result.missed).append((employee.id, str(week)))
                continue
            if pause is not None:
                continue  # a paused week gets no reminders
            messages.append(
                Message(
                    dedupe_key=f"{stage}:{employee.id}:{week}",
                    kind=stage,
                    chat_id=employee.telegram_user_id,
                    reply=reminder(stage, employee.language, employee.name, week),
                    timezone=employee.timezone,
                    employee_id=employee.id,
                    iso_year=week.year,
                    iso_week=week.week,
                )
            )
    result.queued = await outbox.enqueue(work, messages)
    return result
