"""Encryption benchmark: what encryption at rest costs one weekly check-in.

Run from the project folder::

    python bench/encryption.py [--checkins 6] [--rounds 3]

Runs the real bot against the offline sandbox (fake Telegram on 127.0.0.1, SQLite) with the real key ring
(Fernet) and with a null cipher that stores plain values (`storage.crypto.NullRing`, used ONLY here): after a
warm-up, `--rounds` runs of each, alternating, so a busy moment of the machine does not fall on one side only. In
each run one employee does `--checkins` whole check-ins (numbers, activities, energy, a note, a reflection and a
committed step, typed and tapped as a person would), each in its own week. It prints the encryption work one
check-in does (values encrypted and decrypted, their bytes, and the CPU time the cipher took, measured inside the
ring), the median time of one value's encryption and decryption alone, and a check-in's median time end to end
with encryption and with the null cipher. The end-to-end time is mostly the chat's round trips (the fake server
waits until the bot is quiet), so on a busy machine its difference is mostly noise; the cipher time is the cost.
The last line of the output is one JSON object with the numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.fernet import Fernet  # noqa: E402

from bot.core.clock import ManualClock  # noqa: E402
from bot.sandbox.offline import local, sandbox, token_in  # noqa: E402
from storage import crypto  # noqa: E402

START = local("2026-11-20 10:00")
NOTE = "Ik twijfel over de proefplaatsing en wil dat graag bespreken met mijn coach."
REFLECTION = "Ik merkte dat ik moe werd na twee gesprekken, maar ik heb het toch afgemaakt."
STEP = "Maandag twee vacatures bij de gemeente bekijken"


class Counting(crypto.KeyRing):
    """The real ring, counting its calls, bytes and time."""

    def __init__(self) -> None:
        super().__init__([Fernet.generate_key()])
        self.encrypted = self.decrypted = self.plain_bytes = 0
        self.seconds = 0.0

    def encrypt(self, data: bytes) -> bytes:
        start = time.perf_counter()
        token = super().encrypt(data)
        self.seconds += time.perf_counter() - start
        self.encrypted += 1
        self.plain_bytes += len(data)
        return token

    def decrypt(self, token: bytes) -> bytes:
        start = time.perf_counter()
        data = super().decrypt(token)
        self.seconds += time.perf_counter() - start
        self.decrypted += 1
        return data


async def _checkin(user, first: bool) -> None:
    await user.send("/checkin")
    if "Gelukt" in " ".join(user.buttons()):
        await user.press("Gelukt")
    for number in ("2", "1", "3"):
        await user.send(number)
    await user.press("Geen")
    await user.press("5")
    await user.press("Notitie voor je coach")
    await user.send(NOTE)
    await user.press("Versturen")
    if first:
        await user.press("Overslaan")  # the values exercise of the first week
    else:
        await user.send(REFLECTION)
    await user.send(STEP)


async def run(ring: crypto.KeyRing, checkins: int) -> list[float]:
    """Seconds per check-in, with `ring` installed."""
    clock = ManualClock(START)
    async with sandbox(clock=clock, quiet_s=0.02) as box:
        crypto.install(ring)
        async with box.bot_running():
            coach = box.fake.user(1001, "Sanne")
            await coach.send(f"/start {await box.add_coach('Sanne')}")
            await coach.send("/invite")
            for answer in ("Ahmed", "Bakkerij Bol", "06-10-2025"):
                await coach.send(answer)
            token = token_in(await coach.press("Maak de uitnodiging"))
            ahmed = box.fake.user(2001, "Ahmed")
            await ahmed.send(f"/start {token}")
            for label in ("Nederlands", "vr", "10:00"):
                await ahmed.press(label)
            times = []
            for week in range(checkins):
                clock.set(START + timedelta(weeks=week))
                start = time.perf_counter()
                await _checkin(ahmed, first=week == 0)
                times.append(time.perf_counter() - start)
            return times


def _roundtrip_us(value: bytes, times: int = 2000) -> float:
    """The median time of encrypting and decrypting one short value with one key, in microseconds."""
    ring = crypto.KeyRing.generated()
    spans = []
    for _ in range(times):
        start = time.perf_counter()
        ring.decrypt(ring.encrypt(value))
        spans.append(time.perf_counter() - start)
    return round(statistics.median(spans) * 1e6, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkins", type=int, default=6, help="check-ins per run")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each cipher, alternating")
    args = parser.parse_args()
    asyncio.run(run(crypto.NullRing(), 2))  # warm up: imports, templates, caches
    counting = Counting()
    encrypted, plain = [], []
    for _round in range(args.rounds):
        plain += asyncio.run(run(crypto.NullRing(), args.checkins))
        encrypted += asyncio.run(run(counting, args.checkins))
    n = args.checkins * args.rounds
    result = {
        "checkins": n,
        "values_encrypted_per_checkin": round(counting.encrypted / n, 1),
        "values_decrypted_per_checkin": round(counting.decrypted / n, 1),
        "plain_bytes_encrypted_per_checkin": round(counting.plain_bytes / n),
        "cipher_cpu_ms_per_checkin": round(counting.seconds / n * 1000, 3),
        "fernet_roundtrip_us_per_value": _roundtrip_us(NOTE.encode()),
        "checkin_median_s_encrypted": round(statistics.median(encrypted), 3),
        "checkin_median_s_null_cipher": round(statistics.median(plain), 3),
    }
    result["difference_median_ms"] = round(
        (result["checkin_median_s_encrypted"] - result["checkin_median_s_null_cipher"]) * 1000, 1
    )
    print(
        f"one check-in encrypts {result['values_encrypted_per_checkin']} values "
        f"({result['plain_bytes_encrypted_per_checkin']} bytes) and decrypts {result['values_decrypted_per_checkin']}: "
        f"{result['cipher_cpu_ms_per_checkin']} ms of cipher time; end to end "
        f"{result['checkin_median_s_encrypted']} s encrypted vs {result['checkin_median_s_null_cipher']} s "
        "with the null cipher (median)"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
