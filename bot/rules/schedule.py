"""When reminders fall due: pure functions of an employee's chosen weekday, time and time zone.

A check-in *period* belongs to one ISO week W. It opens at the weekly prompt (the chosen weekday and time of W,
local time) and lasts 7 days, until the next prompt. Nudges follow 24 and 72 hours after the prompt while the
check-in is not submitted; when the period ends unsubmitted, week W is marked missed. Nothing is sent in quiet
hours (21:00-08:00 local); what falls due then waits until 08:00. Local times go through zoneinfo, so the prompt
stays at the same wall-clock time across daylight-saving changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

NUDGE_1 = timedelta(hours=24)
NUDGE_2 = timedelta(hours=72)
PERIOD = timedelta(days=7)
QUIET_START = time(21, 0)
QUIET_END = time(8, 0)

PROMPT, FIRST_NUDGE, SECOND_NUDGE, MISSED = "prompt", "nudge1", "nudge2", "missed"


@dataclass(frozen=True)
class Week:
    """An ISO week."""

    year: int
    week: int

    @classmethod
    def of(cls, day: date) -> Week:
        year, week, _ = day.isocalendar()
        return cls(year, week)

    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    def previous(self) -> Week:
        return Week.of(self.monday() - timedelta(days=7))

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"


def local_now(moment: datetime, timezone: str) -> datetime:
    return moment.astimezone(ZoneInfo(timezone))


def prompt_at(week: Week, weekday: int, at: time, timezone: str) -> datetime:
    """The weekly prompt of `week` as an aware UTC moment (weekday 0 = Monday)."""
    day = week.monday() + timedelta(days=weekday)
    local = datetime.combine(day, at, tzinfo=ZoneInfo(timezone))
    return local.astimezone(UTC)


def stage_at(now: datetime, prompt: datetime) -> str | None:
    """Which reminder stage the period that opened at `prompt` is in at `now` (None: not open yet)."""
    elapsed = now - prompt
    if elapsed < timedelta(0):
        return None
    if elapsed < NUDGE_1:
        return PROMPT
    if elapsed < NUDGE_2:
        return FIRST_NUDGE
    if elapsed < PERIOD:
        return SECOND_NUDGE
    return MISSED


def in_quiet_hours(moment: datetime, timezone: str) -> bool:
    clock = local_now(moment, timezone).time()
    return clock >= QUIET_START or clock < QUIET_END


def quiet_hours_end(moment: datetime, timezone: str) -> datetime:
    """`moment` itself outside quiet hours, else the next 08:00 local (as aware UTC)."""
    if not in_quiet_hours(moment, timezone):
        return moment
    local = local_now(moment, timezone)
    day = local.date() if local.time() < QUIET_END else local.date() + timedelta(days=1)
    return datetime.combine(day, QUIET_END, tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def candidate_weeks(now: datetime, timezone: str) -> tuple[Week, Week]:
    """The weeks whose check-in period can be open at `now`: last week's and this week's."""
    current = Week.of(local_now(now, timezone).date())
    return current.previous(), current


def open_week(
    now: datetime, weekday: int, at: time, timezone: str, registered_at: datetime, is_closed: callable
) -> Week:
    """The week a check-in started at `now` belongs to: last week's while its period is still open (before this
    week's prompt) and not closed (`is_closed(week)`: submitted, missed or paused); otherwise this week."""
    previous, current = candidate_weeks(now, timezone)
    previous_prompt = prompt_at(previous, weekday, at, timezone)
    if (
        stage_at(now, previous_prompt) not in (None, MISSED)
        and previous_prompt > registered_at
        and not is_closed(previous)
    ):
        return previous
    return current


def pause_covers(start: date, until: date, day: date) -> bool:
    return start <= day <= until
