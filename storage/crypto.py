"""Encryption at rest of health data and free text: a key ring from `ENCRYPTION_KEY` and the column types that use it.

`ENCRYPTION_KEY` holds one or more Fernet keys (AES-128-CBC with an HMAC-SHA256: authenticated), comma-separated,
newest first. New values are always encrypted with the newest key; a value under any configured key can be read,
so keys can be rotated (`storage.key_rotation`, `spoorzoeker privacy rotate-key`). The ring is installed once per
process (`install`); the column types below use it and fail with a clear `KeyProblem` when none is installed.
NULL stays NULL (whether a value exists is not secret; what it says is).

The `keycheck` table holds one value encrypted when the database first got a key: `check_key_sync` opens it at
start-up (`storage.migrate`), so a wrong key stops the program before it writes anything that no one could read back.
"""

from __future__ import annotations

import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import LargeBinary, Text, text
from sqlalchemy.types import TypeDecorator

MAKE_ONE = "make one with `spoorzoeker privacy new-key`"
MISSING = f"ENCRYPTION_KEY is not set: the health data and free text in the database are encrypted with it ({MAKE_ONE})"
WRONG = (
    "ENCRYPTION_KEY does not open this database: none of its keys is the one its data was encrypted with "
    "(restore the key from your backup; a new key cannot read old data)"
)
UNREADABLE = "a stored value cannot be decrypted with any key in ENCRYPTION_KEY (restore the key it was encrypted with)"
KEYCHECK_PLAIN = b"spoorzoeker keycheck"


class KeyProblem(Exception):
    """The encryption key is missing, malformed or does not fit the database; the message is one line."""


def parse_keys(value: str) -> list[bytes]:
    """The Fernet keys in a comma-separated setting, newest first; ValueError (naming no key material) otherwise."""
    parts = [part.strip() for part in value.split(",")]
    if not any(parts):
        raise ValueError(f"ENCRYPTION_KEY is empty ({MAKE_ONE})")
    keys = []
    for number, part in enumerate(parts, start=1):
        if not part:
            raise ValueError(f"ENCRYPTION_KEY has an empty part (number {number}): separate keys by one comma")
        try:
            Fernet(part.encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            which = "it" if len(parts) == 1 else f"part {number} of it"
            raise ValueError(
                f"ENCRYPTION_KEY: {which} is not a Fernet key (44 characters of URL-safe base64; {MAKE_ONE})"
            ) from None
        keys.append(part.encode("ascii"))
    return keys


class KeyRing:
    """The configured keys: encrypts with the newest, decrypts with any."""

    def __init__(self, keys: list[bytes]) -> None:
        if not keys:
            raise ValueError("a key ring needs at least one key")
        self._fernets = [Fernet(key) for key in keys]
        self._newest = self._fernets[0]
        self._any = MultiFernet(self._fernets)

    @classmethod
    def from_setting(cls, value: str) -> KeyRing:
        return cls(parse_keys(value))

    @classmethod
    def generated(cls) -> KeyRing:
        """A ring with one fresh key (the offline demo and the tests)."""
        return cls([Fernet.generate_key()])

    @property
    def size(self) -> int:
        return len(self._fernets)

    def encrypt(self, data: bytes) -> bytes:
        return self._newest.encrypt(data)

    def decrypt(self, token: bytes) -> bytes:
        try:
            return self._any.decrypt(token)
        except InvalidToken:
            raise KeyProblem(UNREADABLE) from None

    def opens(self, token: bytes) -> bool:
        """Whether any configured key decrypts `token`."""
        try:
            self._any.decrypt(token)
        except InvalidToken:
            return False
        return True

    def renewed(self, token: bytes) -> bytes | None:
        """`token` encrypted anew with the newest key, or None when it already is (rotation skips it)."""
        try:
            self._newest.decrypt(token)
            return None
        except InvalidToken:
            return self.encrypt(self.decrypt(token))


class NullRing(KeyRing):
    """No encryption at all: ONLY for `bench/encryption.py`, to measure what the real ring costs."""

    def __init__(self) -> None:  # noqa: D107 - no keys
        pass

    size = 0

    def encrypt(self, data: bytes) -> bytes:
        return data

    def decrypt(self, token: bytes) -> bytes:
        return token

    def opens(self, token: bytes) -> bool:
        return True

    def renewed(self, token: bytes) -> bytes | None:
        return None


_installed: KeyRing | None = None


def install(ring: KeyRing | None) -> None:
    """Make `ring` the process's key configuration (None: none, so every encrypted column refuses)."""
    global _installed
    _installed = ring


def ring() -> KeyRing:
    """The installed ring; KeyProblem when there is none."""
    if _installed is None:
        raise KeyProblem(MISSING)
    return _installed


def has_ring() -> bool:
    return _installed is not None


class Encrypted(TypeDecorator):
    """Base of the encrypted column types: the database holds the Fernet token (text), Python the plain value."""

    impl = Text
    cache_ok = True

    def encode(self, value: Any) -> bytes:
        raise NotImplementedError

    def decode(self, data: bytes) -> Any:
        raise NotImplementedError

    def process_bind_param(self, value: Any, dialect) -> Any:
        if value is None:
            return None
        return ring().encrypt(self.encode(value)).decode("utf-8")  # a token is ASCII; the null ring's is not

    def process_result_value(self, value: Any, dialect) -> Any:
        if value is None:
            return None
        return self.decode(ring().decrypt(_token(value)))


class EncryptedText(Encrypted):
    """A string, encrypted."""

    cache_ok = True

    def encode(self, value: str) -> bytes:
        return str(value).encode("utf-8")

    def decode(self, data: bytes) -> str:
        return data.decode("utf-8")


class EncryptedInt(Encrypted):
    """An integer (e.g. the energy score), encrypted."""

    cache_ok = True

    def encode(self, value: int) -> bytes:
        return str(int(value)).encode("ascii")

    def decode(self, data: bytes) -> int:
        return int(data)


class EncryptedJSON(Encrypted):
    """A JSON document (a dict or a list), encrypted."""

    cache_ok = True

    def encode(self, value: Any) -> bytes:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def decode(self, data: bytes) -> Any:
        return json.loads(data)


class EncryptedBytes(Encrypted):
    """Bytes (a document, a photo), encrypted; the database holds the token as binary."""

    impl = LargeBinary
    cache_ok = True

    def encode(self, value: bytes) -> bytes:
        return bytes(value)

    def decode(self, data: bytes) -> bytes:
        return data

    def process_bind_param(self, value: Any, dialect) -> Any:
        if value is None:
            return None
        return ring().encrypt(self.encode(value))


def key_problem(error: BaseException | None) -> KeyProblem | None:
    """The KeyProblem behind `error` (SQLAlchemy wraps one raised while binding a parameter), or None."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, KeyProblem):
            return error
        error = getattr(error, "orig", None) or error.__cause__ or error.__context__
        seen += 1
    return None


def check_key_sync(connection) -> None:
    """On a (sync) connection of a migrated database: the installed ring must open the keycheck value; a database
    without one gets it now (its first key). KeyProblem when no ring is installed or none of its keys fits."""
    current = ring()
    row = connection.execute(text("SELECT value FROM keycheck WHERE id = 1")).first()
    if row is None:
        write_keycheck(connection, current)
        return
    if not current.opens(_token(row[0])):
        raise KeyProblem(WRONG)


def write_keycheck(connection, current: KeyRing, *, replace: bool = False) -> None:
    """Store the keycheck value under the newest key (`replace`: overwrite the one there)."""
    value = current.encrypt(KEYCHECK_PLAIN).decode("ascii")
    if replace:
        connection.execute(text("UPDATE keycheck SET value = :value WHERE id = 1"), {"value": value})
    else:
        connection.execute(text("INSERT INTO keycheck (id, value) VALUES (1, :value)"), {"value": value})


def _token(value: Any) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)
