"""End to end over HTTP: retention and erasure. Closing a trajectory tells the employee the day their data goes;
one day before two years nothing is deleted, one day after everything about them is (a scan of every table finds
no row about them and none of the canaries planted through the chat), and only an anonymous count is kept. An
invite never accepted goes after 90 days, not 89. A dry run changes nothing. An operator's erasure through the
real CLI asks to confirm, keeps only the fact (and date) of a report sent to the employer, and a message already
queued for the person (or queued after the erasure) is never sent; a new invite accepted in that chat lifts it.

The clock starts on Friday 20 November 2026, 10:00 in Amsterdam.
"""

from __future__ import annotations

import asyncio
import builtins
import json
from datetime import date, timedelta

import pytest
from sqlmodel import SQLModel, select

from bot import cli
from bot.rules import retention
from bot.sandbox.offline import local, token_in
from storage import erasure_queries, queries
from storage.models import Employee, KeptReportFact, Outbox, RetentionCount, SuppressedChat

AHMED, FLEUR = 2001, 2002


# --- helpers ---------------------------------------------------------------------------------------------


async def plant(people, coach, user, tag: str, name: str) -> None:
    """Canaries in the check-in step, an application and its proof link, and a coach note — all through the chat."""
    await people.checkin(user, step=f"CANARY-STEP-{tag} bellen met de bakker")
    await user.send("/sollicitatie")
    if any("Nieuwe sollicitatie" in label for label in user.buttons()):
        await user.press("Nieuwe sollicitatie")
    await user.send(f"CANARY-COMPANY-{tag}")
    await user.send("Verkoper")
    await user.press("Vandaag")
    await user.press("Website")
    await user.send(f"https://werk.nl/vacatures/CANARY-PROOF-{tag}")
    await coach.send("/caseload")
    await coach.press(name)
    await coach.press("Notitie")
    await coach.send(f"CANARY-NOTE-{tag} gesprek gehad")
    await coach.press("Nee, alleen voor mij")


def _text(value) -> str:
    if isinstance(value, bytes):
        return value.decode("latin-1")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value if isinstance(value, str) else ""


async def traces(box, employee_id: int, chat: int, needles: tuple[str, ...]) -> list[str]:
    """Every row in every table that is about the employee: their id in a column that refers to an employee,
    their Telegram id, or one of `needles` (canaries, their name) in any value, read through the ORM (decrypted)."""
    found = []
    async with box.db.session() as session:
        for table in SQLModel.metadata.sorted_tables:
            refers = {c.name for c in table.columns if c.name == "employee_id"}
            refers |= {c.name for c in table.columns for fk in c.foreign_keys if fk.column.table.name == "employee"}
            if table.name == "employee":
                refers.add("id")
            for row in (await session.exec(table.select())).all():
                values = row._mapping
                for column in table.columns:
                    value = values[column.name]
                    by_id = column.name in refers and value == employee_id
                    if by_id or (column.name in ("telegram_user_id", "chat_id") and value == chat):
                        found.append(f"{table.name}.{column.name}")
                    elif any(needle in _text(value) for needle in needles):
                        found.append(f"{table.name}.{column.name}: {_text(value)[:60]}")
    return found


async def row_counts(box) -> dict[str, int]:
    async with box.db.session() as session:
        return {t.name: len((await session.exec(t.select())).all()) for t in SQLModel.metadata.sorted_tables}


async def run_at(box, clock, moment: str) -> None:
    clock.set(local(moment))
    await box.run_due()


async def cli_run(capsys, monkeypatch, *argv: str, answer: str | None = None) -> tuple[int, str, str]:
    """`spoorzoeker …` in a thread (the bot keeps running in this loop); `answer` is typed at the prompt."""
    if answer is not None:
        monkeypatch.setattr(builtins, "input", lambda prompt="": answer)
    capsys.readouterr()
    code = await asyncio.to_thread(cli.main, list(argv))
    out, err = capsys.readouterr()
    return code, out, err


async def close_in_chat(coach, name: str) -> None:
    await coach.send("/caseload")
    await coach.press(name)
    await coach.press("Fase")
    await coach.press("afgesloten")


@pytest.fixture
async def two(box, people):
    """Coach Sanne with Ahmed and Fleur (both joined), each with canaries planted through the chat."""
    coach = await people.coach()
    ahmed = await people.employee(coach, AHMED, "Ahmed Yilmaz")
    fleur = await people.employee(coach, FLEUR, "Fleur Jansen")
    await plant(people, coach, ahmed, "AHMED", "Ahmed Yilmaz")
    await plant(people, coach, fleur, "FLEUR", "Fleur Jansen")
    return coach, ahmed, fleur


AHMEDS = ("CANARY-STEP-AHMED", "CANARY-COMPANY-AHMED", "CANARY-PROOF-AHMED", "CANARY-NOTE-AHMED", "Yilmaz")
FLEURS = ("CANARY-STEP-FLEUR", "CANARY-COMPANY-FLEUR", "CANARY-PROOF-FLEUR", "CANARY-NOTE-FLEUR", "Fleur Jansen")


# --- the rules -------------------------------------------------------------------------------------------


def test_the_deletion_day_is_two_calendar_years_later_in_the_employees_time_zone():
    tz = "Europe/Amsterdam"
    assert retention.deletion_date(local("2026-11-20 10:00"), tz) == date(2028, 11, 20)
    assert retention.deletion_date(local("2028-02-29 12:00"), tz) == date(2030, 2, 28)  # no 29 February in 2030
    assert retention.deletion_date(local("2028-02-29 12:00"), tz) != date(2030, 3, 1)
    assert retention.deletion_date(local("2027-01-01 00:30"), tz) == date(2029, 1, 1)  # 31 Dec 23:30 in UTC
    closed = local("2026-11-20 10:00")
    assert not retention.closed_due(closed, tz, local("2028-11-19 23:59"))
    assert retention.closed_due(closed, tz, local("2028-11-20 00:00"))
    assert not retention.closed_due(None, tz, local("2040-01-01 00:00"))
    assert retention.closed_by(local("2028-11-20 00:00")) > closed  # the database's bound lets it through
    invited = local("2026-11-20 10:00")
    assert not retention.never_joined_due(invited, None, invited + timedelta(days=89, hours=23))
    assert retention.never_joined_due(invited, None, invited + timedelta(days=90))
    assert not retention.never_joined_due(invited, invited, invited + timedelta(days=400))


# --- retention -------------------------------------------------------------------------------------------


async def test_closing_names_the_day_and_the_purge_comes_one_day_after_two_years(box, clock, people, two):
    coach, ahmed, fleur = two
    ahmed_id = (await people.employee_row(AHMED)).id
    fleur_id = (await people.employee_row(FLEUR)).id
    await close_in_chat(coach, "Ahmed Yilmaz")
    await box.run_due()
    closing = [m for m in ahmed.inbox if "afgesloten" in m.plain_text and "wissen" in m.plain_text]
    assert len(closing) == 1 and "Op 20-11-2028 wissen we alles" in closing[0].plain_text
    assert await traces(box, ahmed_id, AHMED, AHMEDS)  # the scan does find Ahmed while he is there

    await run_at(box, clock, "2028-11-19 10:00")  # one day before two years: nothing goes
    assert (await people.employee_row(AHMED)) is not None
    assert any("CANARY-STEP-AHMED" in t for t in await traces(box, ahmed_id, AHMED, AHMEDS))

    await run_at(box, clock, "2028-11-21 10:00")  # one day after: everything about Ahmed is gone
    assert await traces(box, ahmed_id, AHMED, AHMEDS) == []
    async with box.db.session() as session:
        counts = (await session.exec(select(RetentionCount))).all()
        assert [(c.closed_year, c.outcome, c.trajectories) for c in counts] == [(2026, "none", 1)]
        assert (await session.exec(select(KeptReportFact))).all() == []  # the purge keeps no facts
        fleur_row = await session.get(Employee, fleur_id)
    assert fleur_row is not None and fleur_row.name == "Fleur Jansen"  # the open trajectory is untouched
    fleur_left = await traces(box, fleur_id, FLEUR, FLEURS)
    for canary in FLEURS[:4]:
        assert any(canary in trace for trace in fleur_left), canary

    before = await row_counts(box)
    await run_at(box, clock, "2028-11-22 10:00")  # the next day's sweep finds nothing more to do
    async with box.db.session() as session:
        assert [c.trajectories for c in (await session.exec(select(RetentionCount))).all()] == [1]
    assert await traces(box, ahmed_id, AHMED, AHMEDS) == []
    assert (await row_counts(box))["employee"] == before["employee"]


async def test_an_invite_never_accepted_goes_after_90_days_not_89(box, clock, people):
    coach = await people.coach()
    await people.invite(coach, "Ivo Nooit")
    async with box.db.session() as session:
        (ivo,) = [e for e in await queries.employees_of_coach(session, 1) if e.name == "Ivo Nooit"]
    start = clock.now()
    clock.set(start + timedelta(days=89))
    await box.run_due()
    async with box.db.session() as session:
        assert await session.get(Employee, ivo.id) is not None
        assert len(await erasure_queries.count_about(session, [ivo])) >= 2  # the employee and the invite
    clock.set(start + timedelta(days=91))
    await box.run_due()
    assert await traces(box, ivo.id, -1, ("Ivo Nooit",)) == []
    async with box.db.session() as session:
        counts = (await session.exec(select(RetentionCount))).all()
        assert [(c.closed_year, c.outcome, c.trajectories) for c in counts] == [(2026, "never_joined", 1)]


async def test_a_dry_run_lists_what_would_go_and_changes_nothing(box, clock, people, two, capsys, monkeypatch):
    coach, ahmed, fleur = two
    monkeypatch.setenv("DATABASE_URL", box.settings.database_url)
    ahmed_id = (await people.employee_row(AHMED)).id
    await close_in_chat(coach, "Ahmed Yilmaz")
    await box.run_due()
    before = await row_counts(box)
    code, out, err = await cli_run(capsys, monkeypatch, "privacy", "purge", "--dry-run", "--at", "2028-11-21T10:00")
    assert code == 0, err
    assert "1 employee(s) would go (closed two years ago: 1, never joined in 90 days: 0)" in out
    assert f"employees: {ahmed_id}\n" in out and "checkin 1" in out and "Ahmed" not in out  # by id only
    code, out, err = await cli_run(capsys, monkeypatch, "privacy", "purge", "--dry-run", "--at", "2028-11-19T10:00")
    assert code == 0 and "nothing is due, nothing would go" in out
    assert await row_counts(box) == before
    assert any("CANARY-NOTE-AHMED" in t for t in await traces(box, ahmed_id, AHMED, AHMEDS))

    code, out, err = await cli_run(capsys, monkeypatch, "privacy", "purge", "--at", "2028-11-21T10:00")
    assert code == 2 and out == "" and len(err.splitlines()) == 1 and "--dry-run" in err  # future: refused
    code, out, err = await cli_run(capsys, monkeypatch, "privacy", "purge")  # now (December 2026): none due
    assert code == 0 and "nothing is due, nothing deleted" in out
    assert await row_counts(box) == before


# --- erasure ---------------------------------------------------------------------------------------------


async def send_a_report_to_the_employer(box, clock, coach) -> None:
    """Eva of Bakkerij Bol joins; on 1 December the coach sends Ahmed's progress report to her."""
    await coach.send("/werkgever")
    await coach.press("Bakkerij Bol")
    token = token_in(await coach.send("Eva de Jong"))
    eva = box.fake.user(3001, "Eva")
    await eva.send(f"/start {token}")
    await run_at(box, clock, "2026-12-01 09:00")
    offer = [m for m in coach.inbox if m.kind == "document" and "Ahmed Yilmaz" in m.plain_text][-1]
    await coach.press("📤 Versturen", message=offer)
    assert any(m.kind == "document" for m in eva.inbox)


async def test_erasure_through_the_cli_keeps_only_the_sent_report_fact_and_nothing_reaches_the_chat(
    box, clock, people, two, capsys, monkeypatch
):
    coach, ahmed, fleur = two
    monkeypatch.setenv("DATABASE_URL", box.settings.database_url)
    ahmed_id = (await people.employee_row(AHMED)).id
    fleur_id = (await people.employee_row(FLEUR)).id
    await send_a_report_to_the_employer(box, clock, coach)

    clock.set(local("2026-12-01 23:00"))  # the coach pauses Ahmed late at night: the notice waits for 08:00
    await coach.send("/caseload")
    await coach.press("Ahmed Yilmaz")
    await coach.press("Pauze")
    await coach.press("Vakantie")
    await coach.press("2 weken")
    async with box.db.session() as session:
        queued = [r for r in await queries.outbox_rows(session, status="pending") if r.chat_id == AHMED]
    assert queued, "a message for Ahmed waits in the outbox"
    seen = len(ahmed.inbox)

    code, out, err = await cli_run(capsys, monkeypatch, "privacy", "erase", "--employee", "99999")
    assert code == 2 and out == "" and err.strip() == "spoorzoeker: no employee with id 99999"

    code, out, err = await cli_run(capsys, monkeypatch, "privacy", "erase", "--employee", str(ahmed_id), answer="no")
    assert code == 2 and f"not confirmed: employee {ahmed_id} was not erased" in err
    assert f"Erase employee {ahmed_id}: Ahmed Yilmaz" in out and "checkin 1" in out
    assert "progress report sent to the employer on 2026-12-01" in out
    assert await people.employee_row(AHMED) is not None  # nothing happened

    code, out, err = await cli_run(
        capsys, monkeypatch, "privacy", "erase", "--employee", str(ahmed_id), answer=str(ahmed_id)
    )
    assert code == 0, err
    reference = out.split("erasure reference ")[1].split(")")[0]
    assert f"Employee {ahmed_id} erased (erasure reference {reference})" in out
    assert (
        f"Kept by law under the erasure reference {reference}, without content or name: progress report sent to "
        "the employer on 2026-12-01." in out
    )
    assert await traces(box, ahmed_id, AHMED, AHMEDS) == []
    async with box.db.session() as session:
        (fact,) = (await session.exec(select(KeptReportFact))).all()
        assert (fact.erasure, fact.kind, fact.period_first, fact.period_last) == (
            reference, "progress", date(2026, 11, 1), date(2026, 11, 30)
        )  # fmt: skip
        assert (await session.exec(select(RetentionCount))).all() == []  # an erasure is no purge statistic
        assert len((await session.exec(select(SuppressedChat))).all()) == 1
        assert await session.get(Employee, fleur_id) is not None
        # A message queued for the chat after the erasure (another process, a race) is cancelled, never sent.
        await queries.insert_outbox_rows(session, [_row("late:1", AHMED, clock.now())])
    for moment in ("2026-12-02 09:00", "2026-12-04 11:00", "2026-12-11 11:00"):  # delivery and later sweeps
        await run_at(box, clock, moment)
    assert len(ahmed.inbox) == seen  # the fake Telegram got nothing more for Ahmed's chat
    async with box.db.session() as session:
        to_ahmed = [r for r in await queries.outbox_rows(session) if r.chat_id == AHMED]
    assert [(r.dedupe_key, r.status, r.last_error) for r in to_ahmed] == [("late:1", "cancelled", "erased")]
    assert any("CANARY-NOTE-FLEUR" in t for t in await traces(box, fleur_id, FLEUR, FLEURS))

    # A new invite accepted in that chat lifts the suppression: Ahmed can start again.
    token = await people.invite(coach, "Ahmed Opnieuw")
    await ahmed.send(f"/start {token}")
    async with box.db.session() as session:
        assert (await session.exec(select(SuppressedChat))).all() == []
    assert len(ahmed.inbox) > seen


def _row(key: str, chat: int, now) -> dict:
    return {
        "dedupe_key": key, "kind": "test", "chat_id": chat, "employee_id": None, "iso_year": None, "iso_week": None,
        "text": "Hallo", "reply_markup": None, "attachment": None, "attachment_name": None, "attachment_kind": None,
        "timezone": "Europe/Amsterdam", "status": "pending", "attempts": 0, "not_before": now, "created_at": now,
    }  # fmt: skip


async def test_erasure_without_a_report_keeps_nothing_and_yes_skips_the_question(box, people, two, capsys, monkeypatch):
    coach, ahmed, fleur = two
    monkeypatch.setenv("DATABASE_URL", box.settings.database_url)
    ahmed_id = (await people.employee_row(AHMED)).id
    monkeypatch.setattr(builtins, "input", lambda prompt="": pytest.fail("--yes asks nothing"))
    code, out, err = await cli_run(capsys, monkeypatch, "privacy", "erase", "--employee", str(ahmed_id), "--yes")
    assert code == 0, err
    assert "Kept by law: nothing." in out and "Erase employee" not in out
    assert await traces(box, ahmed_id, AHMED, AHMEDS) == []
    async with box.db.session() as session:
        assert (await session.exec(select(KeptReportFact))).all() == []
        outbox = await queries.outbox_rows(session)
    assert not any("Yilmaz" in (row.text or "") for row in outbox)  # coach notices naming him were emptied
    assert any(isinstance(row, Outbox) and row.text for row in outbox)  # others' messages are kept
