"""How long data is kept (pure rules): a closed trajectory's data goes two calendar years after it was closed, on
the same day of the year in the employee's own time zone (29 February: 28 February); an invited employee who
never joined goes 90 days after their (latest) invite was made."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.rules.weeks import local_date

KEEP_YEARS = 2  # after the trajectory was closed (the welcome message promises "uiterlijk twee jaar")
NEVER_JOINED = timedelta(days=90)  # after the invite was made, when the employee never registered


def deletion_date(closed_at: datetime, timezone: str) -> date:
    """The day (in the employee's time zone) a closed trajectory's data is deleted: two years after the day it
    was closed; a trajectory closed on 29 February goes on 28 February."""
    closed_on = local_date(closed_at, timezone)
    try:
        return closed_on.replace(year=closed_on.year + KEEP_YEARS)
    except ValueError:  # 29 February, and the year two later is no leap year
        return closed_on.replace(year=closed_on.year + KEEP_YEARS, day=28)


def closed_due(closed_at: datetime | None, timezone: str, now: datetime) -> bool:
    """True from the deletion date on (None: the trajectory is open, nothing is due)."""
    return closed_at is not None and local_date(now, timezone) >= deletion_date(closed_at, timezone)


def never_joined_due(invited_at: datetime, registered_at: datetime | None, now: datetime) -> bool:
    """True when the employee never registered and their latest invite was made 90 days ago or longer."""
    return registered_at is None and now - invited_at >= NEVER_JOINED


def closed_by(now: datetime) -> datetime:
    """A bound for the database: only a trajectory closed before this moment can be due at `now` (two years are
    at least 730 days; two days' margin for the time of day and any time zone)."""
    return now - timedelta(days=365 * KEEP_YEARS - 2)


def invited_by(now: datetime) -> datetime:
    """An invite made after this moment is not old enough for the never-joined rule."""
    return now - NEVER_JOINED
