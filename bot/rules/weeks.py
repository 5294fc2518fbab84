"""Calendar rules: ISO weeks in the employee's own time zone, weeks of sickness, and how one week stands."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.rules.schedule import PERIOD, Week, prompt_at


def local_date(moment: datetime, timezone: str) -> date:
    return moment.astimezone(ZoneInfo(timezone)).date()


def iso_week(moment: datetime, timezone: str) -> tuple[int, int]:
    """(ISO year, ISO week) of `moment` as seen in `timezone`."""
    year, week, _ = local_date(moment, timezone).isocalendar()
    return year, week


def sickness_week(first_sick_day: date, today: date) -> int:
    """Week number counted from the first day of sickness: day 1 starts week 1."""
    return (today - first_sick_day).days // 7 + 1


# How one ISO week stands for an employee (`week_status`). A week that is still open or that began before the
# employee joined is no reported zero: "x of y weeks" counts only the weeks in COUNTED.
SUBMITTED, PAUSED, MISSED, OPEN, NONE, BEFORE, FUTURE = (
    "submitted", "paused", "missed", "open", "none", "before", "future",
)  # fmt: skip
COUNTED = (SUBMITTED, PAUSED, MISSED, NONE)


def week_status(
    monday: date, today: date, joined: date | None, *, submitted: bool, paused: bool, missed: bool,
    period_open: bool = False,
) -> str:  # fmt: skip
    """submitted, paused or missed when the week has that outcome; otherwise future (it has not begun), before
    (the employee joined after it, or has not joined), open (the week has not ended, or its check-in period is
    still open: `period_open`), or none (it ended without a check-in)."""
    if submitted:
        return SUBMITTED
    if paused:
        return PAUSED
    if missed:
        return MISSED
    if monday > today:
        return FUTURE
    if joined is None or monday + timedelta(days=6) < joined:
        return BEFORE
    if monday + timedelta(days=6) >= today or period_open:
        return OPEN
    return NONE


def period_open(
    week: Week, weekday: int, at: time, timezone: str, registered_at: datetime | None, now: datetime
) -> bool:
    """Whether the check-in period of `week` (from its weekly prompt, 7 days) still runs at `now` for an employee
    who joined at `registered_at` (a period that opened before they joined is not theirs)."""
    opens = prompt_at(week, weekday, at, timezone)
    return registered_at is not None and opens > registered_at and now < opens + PERIOD
