"""Deep-link tokens: 192 random bits, URL-safe, stored only as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

TOKEN_TTL = timedelta(days=14)
_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def new_token() -> str:
    """A fresh token: 24 random bytes, 32 characters of A-Za-z0-9_- (fits a Telegram deep link)."""
    return secrets.token_urlsafe(24)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def looks_like_token(payload: str) -> bool:
    """True when `payload` has the shape of a deep-link payload (it may still be wrong)."""
    return bool(_PAYLOAD.match(payload))


def deep_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username}?start={token}"
