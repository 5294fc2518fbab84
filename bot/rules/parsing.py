"""Reading what people type: counts, scores, dates and clock times. Pure functions, no Telegram.

Each parser returns the value or raises `Invalid` with a reason key that `content/` turns into a friendly
re-ask.
"""

from __future__ import annotations

import re
from datetime import date, time

_WORDS = {
    # Dutch
    "geen": 0, "nul": 0, "niks": 0, "niets": 0, "een": 1, "één": 1, "eén": 1, "twee": 2, "drie": 3, "vier": 4,
    "vijf": 5, "zes": 6, "zeven": 7, "acht": 8, "negen": 9, "tien": 10,
    # English
    "none": 0, "zero": 0, "no": 0, "nothing": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}  # fmt: skip


class Invalid(ValueError):
    """Input that cannot be used; `reason` is a content key such as 'not_a_number' or 'too_high'."""

    def __init__(self, reason: str, **details: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.details = details


def parse_count(text: str, maximum: int) -> int:
    """A whole number from 0 to `maximum`, typed as digits or as a Dutch/English word."""
    cleaned = text.strip().lower().rstrip(".!")
    if cleaned in _WORDS:
        value = _WORDS[cleaned]
    elif re.fullmatch(r"[+-]?\d{1,9}", cleaned):
        value = int(cleaned)
    else:
        raise Invalid("not_a_number")
    if value < 0:
        raise Invalid("negative")
    if value > maximum:
        raise Invalid("too_high", maximum=maximum)
    return value


def parse_score(text: str, low: int = 1, high: int = 10) -> int:
    """A score from `low` to `high` (energy)."""
    cleaned = text.strip().lower().rstrip(".!")
    if cleaned in _WORDS:
        value = _WORDS[cleaned]
    elif re.fullmatch(r"[+-]?\d{1,9}", cleaned):
        value = int(cleaned)
    else:
        raise Invalid("not_a_score", low=low, high=high)
    if not low <= value <= high:
        raise Invalid("out_of_range", low=low, high=high)
    return value


_DATE_DMY = re.compile(r"^(\d{1,2})[-/. ](\d{1,2})[-/. ](\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_date(text: str) -> date:
    """A date typed as 15-3-2026, 15/03/2026, 15.3.2026 or 2026-03-15."""
    cleaned = text.strip()
    if match := _DATE_ISO.match(cleaned):
        year, month, day = (int(part) for part in match.groups())
    elif match := _DATE_DMY.match(cleaned):
        day, month, year = (int(part) for part in match.groups())
    else:
        raise Invalid("not_a_date")
    try:
        return date(year, month, day)
    except ValueError:
        raise Invalid("not_a_date") from None


_TIME = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?(?:\s*u(?:ur)?)?$")


def parse_time(text: str) -> time:
    """A clock time typed as 9:30, 09.30, 9u, 14 or 14:00."""
    match = _TIME.match(text.strip().lower())
    if not match:
        raise Invalid("not_a_time")
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        raise Invalid("not_a_time")
    return time(hour, minute)


# The bot never writes in quiet hours (21:00-08:00), so a chosen time for a message must fall between these.
EARLIEST_SEND, LATEST_SEND = time(8, 0), time(20, 59)


def parse_send_time(text: str) -> time:
    """A clock time for a regular message (check-in, digest): outside quiet hours."""
    chosen = parse_time(text)
    if not EARLIEST_SEND <= chosen <= LATEST_SEND:
        raise Invalid("quiet_hours")
    return chosen
