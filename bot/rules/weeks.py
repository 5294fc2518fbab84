"""Calendar rules: ISO weeks in the employee's own time zone and weeks of sickness."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo


def local_date(moment: datetime, timezone: str) -> date:
    return moment.astimezone(ZoneInfo(timezone)).date()


def iso_week(moment: datetime, timezone: str) -> tuple[int, int]:
    """(ISO year, ISO week) of `moment` as seen in `timezone`."""
    year, week, _ = local_date(moment, timezone).isocalendar()
    return year, week


def sickness_week(first_sick_day: date, today: date) -> int:
    """Week number counted from the first day of sickness: day 1 starts week 1."""
    return (today - first_sick_day).days // 7 + 1
