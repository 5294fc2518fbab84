"""`spoorzoeker privacy new-key` and `privacy rotate-key`: the encryption keys of health data and free text.

A new key goes in front of ENCRYPTION_KEY (newest first); `rotate-key` then re-encrypts every encrypted value
with it (`storage.key_rotation`), after which the old keys may be removed.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

NEW_KEY_HELP = """\
This is a new encryption key. Keep it secret, and back it up apart from the database (a password manager or a
sealed envelope in a safe): without it the encrypted data cannot be read, and with it anyone holding a copy of
the database can.

The first key: set ENCRYPTION_KEY to it (in the environment or the .env file).
To rotate: put it in front of the keys you have, separated by a comma, and restart the bot:

    ENCRYPTION_KEY={key},<the keys you have now>

then run `spoorzoeker privacy rotate-key`. When that is done, ENCRYPTION_KEY={key} alone is enough."""


def cmd_new_key(args: argparse.Namespace) -> int:
    from cryptography.fernet import Fernet

    key = Fernet.generate_key().decode("ascii")
    print(key)
    print(f"\n{NEW_KEY_HELP.format(key=key)}", file=sys.stderr)
    return 0


def cmd_rotate_key(args: argparse.Namespace) -> int:
    from bot.cli import Refused, settings_or_refuse
    from storage import crypto
    from storage.key_rotation import rotate_database
    from storage.migrate import require_current

    settings = settings_or_refuse()
    if not settings.encryption_key:
        raise Refused(crypto.MISSING)
    if args.batch < 1:
        raise Refused("--batch must be at least 1")
    asyncio.run(require_current(settings.database_url))  # the key check: some configured key opens the database
    ring = crypto.ring()
    done = asyncio.run(rotate_database(settings.database_url, ring, batch=args.batch, progress=_progress))
    print(done.summary())
    if ring.size > 1:
        print(
            f"Every value is now under the newest key: ENCRYPTION_KEY may be shortened to its first key (the other "
            f"{ring.size - 1} can go once no backup you may restore still needs them)."
        )
    return 0


def _progress(table: str, done: int, total: int) -> None:
    print(f"\r{table}: {done}/{total} rows", end="\n" if done >= total else "", file=sys.stderr, flush=True)


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `privacy new-key` and `privacy rotate-key`."""
    new = commands.add_parser("new-key", help="print a fresh encryption key and how to use it", parents=[common])
    new.set_defaults(func=cmd_new_key)
    rotate = commands.add_parser(
        "rotate-key",
        help="re-encrypt every encrypted value with the newest key of ENCRYPTION_KEY (resumable)",
        parents=[common],
    )
    rotate.add_argument("--batch", type=int, default=200, help="rows per transaction (default 200)")
    rotate.set_defaults(func=cmd_rotate_key)
