"""Callback data as it arrives from Telegram: read in this one place, and never trusted.

A Telegram client can send any `callback_data` of up to 64 bytes, also for buttons the bot never showed. The bot
writes button data as "version|action|value" (the version is empty for buttons that belong to no dialog). This
module turns the raw string into a `ButtonPress`, or None when it is not something the bot could have written:
only ASCII, only the characters the bot uses, and numbers of ASCII digits within the database's integer range.
Whether the press was *offered* (and whether the ids in it are the user's to see) is checked by the caller.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SEPARATOR = "|"
MAX_BYTES = 64  # Telegram's limit for callback_data
MAX_ID = 2**31 - 1  # the largest value of the database's INTEGER (PostgreSQL int4) columns

_VERSION = re.compile(r"[0-9]{0,10}")
_ACTION = re.compile(r"[a-z][a-z0-9_]{0,19}")
_VALUE = re.compile(r"[A-Za-z0-9_:.\-]{0,40}")
_NUMBER = re.compile(r"(0|[1-9][0-9]{0,9})")


@dataclass(frozen=True)
class ButtonPress:
    version: int | None
    action: str
    value: str


def parse(data: str | None) -> ButtonPress | None:
    """The press in `data`, or None when it is malformed (a stale button for the user)."""
    if not data or not data.isascii() or len(data) > MAX_BYTES:
        return None
    parts = data.split(SEPARATOR)
    if len(parts) != 3:
        return None
    version, action, value = parts
    if not (_VERSION.fullmatch(version) and _ACTION.fullmatch(action) and _VALUE.fullmatch(value)):
        return None
    number = number_in(version, 0, MAX_ID) if version else None
    if version and number is None:
        return None
    return ButtonPress(number, action, value)


def number_in(text: str, low: int, high: int) -> int | None:
    """A whole number written in ASCII digits (no sign, no leading zero) from `low` to `high`, else None."""
    if not _NUMBER.fullmatch(text):
        return None
    number = int(text)
    return number if low <= number <= high else None


def record_id(text: str) -> int | None:
    """A database id (1 .. MAX_ID) written in ASCII digits, else None."""
    return number_in(text, 1, MAX_ID)


def compose(version: int | None, action: str, value: object = "") -> str:
    """The callback data of a button; `parse(compose(...))` gives the same press back."""
    data = SEPARATOR.join(("" if version is None else str(version), action, str(value)))
    assert parse(data) is not None, f"button data the bot would not accept: {data!r}"
    return data
