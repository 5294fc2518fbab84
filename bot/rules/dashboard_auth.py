"""The dashboard's sign-in rules, pure: Telegram's signed Mini App `initData`, the lifetimes of links and
sessions, and the cross-site-request token of a session.

`initData` is checked as Telegram documents it: the fields other than `hash`, sorted by key, joined as
`key=value` lines, HMAC-SHA256 with the key HMAC-SHA256("WebAppData", bot token); refused when the hash is wrong
or `auth_date` is more than an hour old (or in the future beyond a minute of clock skew).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime, timedelta
from urllib.parse import parse_qsl

LINK_TTL = timedelta(minutes=10)  # a /dashboard link
SESSION_TTL = timedelta(hours=12)  # a signed-in browser or Mini App
INIT_DATA_MAX_AGE = timedelta(hours=1)
CLOCK_SKEW = timedelta(minutes=1)
MAX_INIT_DATA = 4096  # characters; Telegram's are well under 1 kB


def init_data_user(init_data: str, bot_token: str, now: datetime) -> int | None:
    """The Telegram user id `init_data` was signed for, or None when it is not Telegram's, too old, or malformed."""
    if not init_data or len(init_data) > MAX_INIT_DATA or not bot_token:
        return None
    try:
        fields = dict(parse_qsl(init_data, keep_blank_values=True, strict_parsing=True))
    except ValueError:
        return None
    given = fields.pop("hash", "")
    expected = sign_init_data(fields, bot_token)
    if not hmac.compare_digest(given.encode("ascii", "replace"), expected.encode("ascii")):
        return None
    try:
        signed_at = datetime.fromtimestamp(int(fields.get("auth_date", "")), tz=now.tzinfo)
        user = json.loads(fields.get("user", ""))
        user_id = user["id"] if isinstance(user, dict) else None
    except (ValueError, TypeError, KeyError, OverflowError, OSError):
        return None
    if not isinstance(user_id, int) or isinstance(user_id, bool) or user_id <= 0:
        return None
    if signed_at > now + CLOCK_SKEW or now - signed_at > INIT_DATA_MAX_AGE:
        return None
    return user_id


def sign_init_data(fields: dict[str, str], bot_token: str) -> str:
    """The `hash` Telegram puts in initData for these fields (hex). Also what the fake Telegram signs with."""
    check = "\n".join(f"{key}={fields[key]}" for key in sorted(fields))
    secret = hmac.new(b"WebAppData", bot_token.encode("utf-8"), hashlib.sha256).digest()
    return hmac.new(secret, check.encode("utf-8"), hashlib.sha256).hexdigest()


def csrf_token(session_token: str) -> str:
    """The token every form of this session carries (derived, so nothing more is stored)."""
    return hmac.new(session_token.encode("utf-8"), b"dashboard-form", hashlib.sha256).hexdigest()


def csrf_ok(session_token: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(csrf_token(session_token).encode(), str(given).encode("utf-8"))
