"""End to end: the rows of one chat reach it in the order they were queued, against the fake Bot API server with
a real SQLite file, while many chats are sent in parallel.

Issue 11: an employer got *placed*, then *active search*, then *orientation* for three phase changes queued in
the other order, because concurrent senders took rows of the same chat at once. The first test is that story
through the real bot; the others queue numbered messages to a few chats and send them with several sending
workers (and two senders on one database, like two processes), with answers that take a random while, a 429 on
the first row of a chat, a row that keeps failing (it holds back the rest of its chat) and one that is given up
(it does not), and a crashed sender's claim (taken over when its lease ends).
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from telegram import Bot

from bot.core.clock import ManualClock
from bot.core.context import Work
from bot.core.replies import Reply
from bot.outgoing import outbox
from bot.outgoing.delivery import Delivery
from bot.outgoing.outbox import Message
from bot.sandbox.fake_telegram import FakeTelegram
from bot.sandbox.offline import SANDBOX_TOKEN, local, token_in
from content.texts import texts
from storage import queries
from storage.db import Database

TIMEZONE = "Europe/Amsterdam"
MOMENT = local("2026-11-23 10:05")  # a Monday morning: no quiet hours
CHATS = [7001, 7002, 7003, 7004, 7005]
ROUNDS = 3
PER_CHAT = 3


# --- the story: an employer hears three phase changes -----------------------------------------------------


async def set_phase(coach, name: str, phase_label: str) -> None:
    await coach.send("/caseload")
    await coach.press(name)
    await coach.press("Fase")
    await coach.press(phase_label)


async def test_an_employer_hears_three_phase_changes_in_the_order_they_were_made(box, people):
    coach = await people.coach()
    await people.employee(coach, 2001, "Ahmed Yilmaz")
    await coach.send("/werkgever")
    await coach.press("Bakkerij Bol")
    token = token_in(await coach.send("Eva de Jong"))
    eva = box.fake.user(3001, "Eva")
    await eva.send(f"/start {token}")
    for label in ("oriëntatie", "actief zoeken", "geplaatst"):
        await set_phase(coach, "Ahmed Yilmaz", label)
    box.fake.fail_next("sendMessage", 429, chat_id=3001, retry_after=1)  # the first one has to wait
    await box.run_due()
    told = [m.plain_text for m in eva.inbox if m.plain_text.startswith(("📍", "🎉")) and "Ahmed" in m.plain_text]
    assert len(told) == 3
    assert "oriëntatie" in told[0] and "actief zoeken" in told[1] and "geplaatst" in told[2]


# --- numbered messages to a few chats ---------------------------------------------------------------------


@pytest.fixture
async def fake():
    async with FakeTelegram(bot_username="SpoorzoekerBot") as server:
        for chat in CHATS:
            server.user(chat, f"Lezer{chat}")
        yield server


@pytest.fixture
def url(database_url):
    return database_url


@pytest.fixture
def moment() -> ManualClock:
    return ManualClock(MOMENT)


async def queue(db: Database, clock: ManualClock, tag: str, per_chat: int = PER_CHAT) -> dict[int, list[str]]:
    """Queue `per_chat` numbered messages to every chat, the chats interleaved (1 to each, then 2 to each...),
    in one transaction; returns what each chat should see, in queue order."""
    expected: dict[int, list[str]] = {chat: [] for chat in CHATS}
    messages = []
    for number in range(1, per_chat + 1):
        for chat in CHATS:
            name = f"{tag}-{chat}-{number}"
            expected[chat].append(name)
            reply = Reply("coach_employee_joined", "nl", {"name": name})
            messages.append(Message(f"order:{name}", "test", chat, reply, TIMEZONE))
    async with db.session() as session:
        assert await outbox.enqueue(Work(session, clock, "SpoorzoekerBot", TIMEZONE), messages) == len(messages)
    return expected


def received(fake: FakeTelegram, chat: int, tag: str) -> list[str]:
    """The numbered messages of round `tag` the chat got, in the order they arrived."""
    prefix = f"🎉 {tag}-{chat}-"
    return [m.plain_text.split()[1] for m in fake.messages(chat) if m.plain_text.startswith(prefix)]


def jitter(fake: FakeTelegram, calls: int, seed: int) -> None:
    """The next `calls` sendMessage answers take 0 to 120 ms each."""
    rng = random.Random(seed)
    for _ in range(calls):
        fake.slow_next("sendMessage", rng.uniform(0, 0.12))


async def test_each_chat_gets_its_rows_in_queue_order_from_two_senders_over_several_rounds(fake, url, moment):
    first, second = Database(url), Database(url)  # two engines: like two processes on one database
    try:
        async with Bot(SANDBOX_TOKEN, base_url=fake.base_url) as bot:
            senders = [
                Delivery(first, bot, moment, texts(), rate_per_s=100, workers=8, timezone=TIMEZONE),
                Delivery(second, bot, moment, texts(), rate_per_s=100, workers=8, timezone=TIMEZONE),
            ]
            for number in range(ROUNDS):
                tag = f"r{number}"
                expected = await queue(first, moment, tag)
                jitter(fake, len(CHATS) * PER_CHAT, seed=number)
                turn = senders if number % 2 == 0 else senders[::-1]  # each starts first in turn
                await asyncio.gather(*(sender.drain() for sender in turn))
                assert {chat: received(fake, chat, tag) for chat in CHATS} == expected
            assert sum(sender.stats.sent for sender in senders) == ROUNDS * len(CHATS) * PER_CHAT  # none twice
        async with first.session() as session:
            statuses = Counter(row.status for row in await queries.outbox_rows(session))
        assert statuses == {"sent": ROUNDS * len(CHATS) * PER_CHAT}
    finally:
        await first.dispose()
        await second.dispose()


async def test_a_429_on_the_first_row_of_a_chat_holds_back_its_next_rows_not_other_chats(fake, url, moment):
    db = Database(url)
    try:
        async with Bot(SANDBOX_TOKEN, base_url=fake.base_url) as bot:
            delivery = Delivery(db, bot, moment, texts(), rate_per_s=100, workers=8, timezone=TIMEZONE)
            for number in range(ROUNDS):
                tag = f"r{number}"
                expected = await queue(db, moment, tag)
                fake.fail_next("sendMessage", 429, chat_id=CHATS[number], retry_after=1)
                jitter(fake, len(CHATS) * PER_CHAT + 1, seed=10 + number)
                await delivery.drain()
                assert {chat: received(fake, chat, tag) for chat in CHATS} == expected
            assert delivery.stats.rate_limited == ROUNDS and delivery.stats.sent == ROUNDS * len(CHATS) * PER_CHAT
    finally:
        await db.dispose()


async def test_a_row_waiting_for_a_retry_holds_back_its_chat_and_a_row_given_up_does_not(fake, url, moment):
    waiting, giving_up = CHATS[0], CHATS[1]
    db = Database(url)
    try:
        async with Bot(SANDBOX_TOKEN, base_url=fake.base_url) as bot:
            delivery = Delivery(db, bot, moment, texts(), rate_per_s=100, workers=8, backoff_s=0.001, timezone=TIMEZONE)
            expected = await queue(db, moment, "r")
            fake.fail_next("sendMessage", 502, chat_id=waiting, count=7)  # every quick retry fails: try later
            fake.fail_next("sendMessage", 400, chat_id=giving_up, description="Bad Request: wrong text")
            await delivery.drain()
            assert received(fake, waiting, "r") == []  # its first row waits for the next round, the rest behind it
            assert received(fake, giving_up, "r") == expected[giving_up][1:]  # the rest came, in order
            for chat in CHATS[2:]:
                assert received(fake, chat, "r") == expected[chat]
            moment.advance(minutes=15)
            await delivery.drain()
            assert received(fake, waiting, "r") == expected[waiting]
        async with db.session() as session:
            statuses = Counter(row.status for row in await queries.outbox_rows(session))
        assert statuses == {"sent": len(CHATS) * PER_CHAT - 1, "failed": 1}
    finally:
        await db.dispose()


async def test_a_crashed_senders_claim_holds_its_chat_until_the_lease_ends_then_is_taken_over(fake, url, moment):
    held = CHATS[0]
    db = Database(url)
    try:
        expected = await queue(db, moment, "r")
        async with db.session() as session:
            head = (await queries.outbox_rows(session, chat_id=held))[0]
            lease_end = datetime.now(UTC) + timedelta(seconds=1)  # a sender that died just after claiming it
            await queries.update_outbox(session, head.id, claimed_by="crashed", claimed_until=lease_end)
        async with Bot(SANDBOX_TOKEN, base_url=fake.base_url) as bot:
            delivery = Delivery(db, bot, moment, texts(), rate_per_s=100, workers=8, timezone=TIMEZONE)
            await delivery.drain()  # waits for the lease, then sends the held chat too
        assert {chat: received(fake, chat, "r") for chat in CHATS} == expected
        async with db.session() as session:
            rows = await queries.outbox_rows(session, chat_id=held)
        assert [row.status for row in rows] == ["sent"] * PER_CHAT and rows[0].claimed_by == delivery.name
    finally:
        await db.dispose()
