"""Shared fixtures: an offline sandbox (fake Bot API server on 127.0.0.1 + a test database) with the real bot
running, a manual clock, and helpers that enrol people the way real users do: through the chat.

The test database comes from `tests/databases.py`: SQLite, or with TEST_DATABASE_URL set SQLite and PostgreSQL
(every test that asks for `database_kind`, `database_url` or `box` runs once on each).

The whole test session runs with one generated encryption key: installed in this process and put in
`ENCRYPTION_KEY`, so CLI subprocesses and `cli.main` read it too."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from cryptography.fernet import Fernet

from bot.core.clock import ManualClock
from bot.sandbox.fake_telegram import FakeTelegram, SimUser
from bot.sandbox.offline import Sandbox, local, sandbox, token_in
from storage import crypto, queries
from storage.models import CheckIn, Employee
from tests import databases

# one key even though this module is imported twice (as `conftest` and as `tests.conftest`)
SESSION_KEY = os.environ.setdefault("SPOORZOEKER_TEST_SESSION_KEY", Fernet.generate_key().decode("ascii"))
os.environ["ENCRYPTION_KEY"] = SESSION_KEY
crypto.install(crypto.KeyRing.from_setting(SESSION_KEY))


@pytest.fixture(autouse=True)
def session_key():
    """Every test starts and ends with the session's key ring installed (a test may install another)."""
    crypto.install(crypto.KeyRing.from_setting(SESSION_KEY))
    yield SESSION_KEY
    crypto.install(crypto.KeyRing.from_setting(SESSION_KEY))
    os.environ["ENCRYPTION_KEY"] = SESSION_KEY


# Friday 20 November 2026, 10:00 in Amsterdam (ISO week 47).
START = local("2026-11-20 10:00")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


def pytest_generate_tests(metafunc):
    """With TEST_DATABASE_URL set, a test that needs a database runs on each kind (SQLite and PostgreSQL)."""
    if "database_kind" in metafunc.fixturenames and len(databases.KINDS) > 1:
        metafunc.parametrize("database_kind", databases.KINDS, indirect=True)


def pytest_sessionfinish(session):
    databases.drop_template()


@pytest.fixture
def database_kind(request):
    """The kind ("sqlite" or "postgresql") of this test's databases; those made for it are dropped after it."""
    databases.current_kind = getattr(request, "param", databases.KINDS[0])
    try:
        yield databases.current_kind
    finally:
        databases.drop_made()
        databases.current_kind = None


@pytest.fixture
def database_url(database_kind, tmp_path_factory) -> str:
    """A new database with the schema at head (tests/databases.py); a SQLite file is not in the test's tmp_path."""
    return databases.fresh_url(tmp_path_factory.mktemp("database"))


@pytest.fixture
async def fake():
    """The fake Bot API server alone, for tests that start the bot as a real process."""
    server = FakeTelegram(bot_username="SpoorzoekerBot", quiet_s=0.1)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def box(clock, database_url):
    async with sandbox(clock=clock, database_url=database_url) as box:
        yield box


@pytest.fixture
async def running(box):
    async with box.bot_running() as app:
        yield app


@dataclass
class People:
    box: Sandbox

    async def coach(self, user_id: int = 1001, name: str = "Sanne") -> SimUser:
        coach = self.box.fake.user(user_id, name)
        await coach.send(f"/start {await self.box.add_coach(name)}")
        return coach

    async def invite(
        self, coach: SimUser, name: str, employer: str = "Bakkerij Bol", sick_day: str = "06-10-2025"
    ) -> str:
        await coach.send("/invite")
        await coach.send(name)
        await coach.send(employer)
        await coach.send(sick_day)
        return token_in(await coach.press("Maak de uitnodiging"))

    async def employee(
        self, coach: SimUser, user_id: int, name: str = "Ahmed", *, language: str = "Nederlands", **invite
    ) -> SimUser:
        token = await self.invite(coach, name, **invite)
        user = self.box.fake.user(user_id, name.split()[0])
        await user.send(f"/start {token}")
        await user.press(language)
        await user.press("vr" if language == "Nederlands" else "Fri")
        await user.press("10:00")
        return user

    async def checkin(
        self,
        user: SimUser,
        applications: int = 1,
        interviews: int = 0,
        networking: int = 2,
        activities: tuple[str, ...] = (),
        energy: int = 6,
        *,
        step_result: str = "Gelukt",
        values: tuple[str, ...] = (),
        reflection: str | None = None,
        step: str | None = None,
        suggested_step: int | None = None,
    ) -> None:
        """A whole weekly check-in by taps, from /checkin to the submit button (Dutch labels), then the ACT part:
        last week's step is answered with `step_result` (a button label) when asked; the first week's values
        exercise picks `values` (labels) or is skipped; the reflection is typed or skipped; the step for next
        week is typed (`step`), the n-th suggestion (`suggested_step`, from 0), or skipped."""
        await user.send("/checkin")
        if "Gelukt" in " ".join(user.buttons()):
            await user.press(step_result)
        for number in (applications, interviews, networking):
            await user.send(str(number))
        if activities:
            for label in activities:
                await user.press(label)
            await user.press("Klaar")
        else:
            await user.press("Geen")
        await user.press(str(energy))
        await user.press("Versturen")
        if "Overslaan" not in " ".join(user.buttons()):
            return  # a check-in that was already submitted this week was changed, not sent anew
        if "Anderen helpen" in user.buttons():  # the first week: the values exercise, no reflection
            for label in values:
                await user.press(label)
            await user.press("Klaar" if values else "Overslaan")
        elif reflection is not None:
            await user.send(reflection)
        else:
            await user.press("Overslaan")
        if step is not None:
            await user.send(step)
        elif suggested_step is not None:
            await user.press(user.buttons()[suggested_step])
        else:
            await user.press("Overslaan")

    async def employee_row(self, user_id: int) -> Employee:
        async with self.box.db.session() as session:
            return await queries.employee_by_telegram(session, user_id)

    async def checkins(self, user_id: int) -> list[CheckIn]:
        async with self.box.db.session() as session:
            employee = await queries.employee_by_telegram(session, user_id)
            return await queries.checkins_of(session, employee.id)


@pytest.fixture
def people(box, running) -> People:
    return People(box)
