"""End to end: an agency administrator's /beheer — the coaches of the agency, deactivating a coach (their access and
their digest end at once), the clients without a coach, moving one client or a whole caseload (the client is told
who the new coach is), removing an employer contact; each action in the audit trail. A coach who is no
administrator cannot use it, a press naming another agency's coach or client changes nothing, and the CLI adds and
lists administrators.

Agencies: Nora (administrator), Sanne and Joost have no agency name, so they form one agency; Piet works for
"Bureau Elders". The clock starts on Friday 20 November 2026, 10:00 in Amsterdam.
"""

from __future__ import annotations

import asyncio
import re

import pytest
import sqlalchemy
from sqlmodel import SQLModel, select

from bot import cli
from bot.core.context import Work
from bot.core.replies import Reply
from bot.outgoing import outbox
from bot.outgoing.outbox import Message
from bot.sandbox.offline import SANDBOX_TOKEN, local, token_in
from storage import admin_queries, audit_queries, coach_queries, queries
from storage.models import AuditEntry, Coach, Employee, EmployerContact, Invite
from tests.conftest import People

STALE = "Die knop hoorde bij een eerder bericht"
UNKNOWN_USER = "persoonlijke link"
CRISIS = "ik zie het eigenlijk niet meer zitten"


async def enrol(people: People, coach, user_id: int, name: str, employer: str):
    return await people.employee(coach, user_id, name, employer=employer)


async def invite_contact(coach, company: str, name: str) -> str:
    await coach.send("/werkgever")
    await coach.press(company)
    return token_in(await coach.send(name))


async def coach_row(box, name: str) -> Coach:
    async with box.db.session() as session:
        return next(c for c in await coach_queries.all_coaches(session) if c.name == name)


async def employee_row(box, name: str) -> Employee:
    async with box.db.session() as session:
        return (await session.exec(select(Employee).where(Employee.name == name))).one()


async def audit_of(box, kind: str = "admin") -> list[tuple]:
    async with box.db.session() as session:
        entries = (await session.exec(select(AuditEntry).where(AuditEntry.actor_kind == kind))).all()
    return [(e.what, e.actor_id, e.employee_id, e.coach_id) for e in entries]


async def snapshot(box) -> dict[str, list[tuple]]:
    """Every row of every table but `chatturn` (every update stores its id there, a forged one too)."""
    async with box.db.session() as session:
        return {
            table.name: sorted(map(tuple, (await session.exec(sqlalchemy.select(table))).all()), key=repr)
            for table in SQLModel.metadata.sorted_tables
            if table.name != "chatturn"
        }


async def version(box, user_id: int) -> int:
    async with box.db.session() as session:
        return (await queries.dialog_of(session, user_id)).data["v"]


@pytest.fixture
async def agency(people, box):
    """Nora (administrator, no clients), Sanne with Ahmed and Fleur (Bakkerij Bol, whose contact Eva joined), Joost
    with Karim (Garage Gerrits), and Piet of another agency with Lisa (Drukkerij Dam, contact Tom)."""
    nora = await people.coach(1001, "Nora Bakker")
    sanne = await people.coach(1002, "Sanne de Vries")
    joost = await people.coach(1003, "Joost Visser")
    piet = await people.coach(1004, "Piet Elders")
    ahmed = await enrol(people, sanne, 2001, "Ahmed Yilmaz", "Bakkerij Bol")
    fleur = await enrol(people, sanne, 2002, "Fleur Jansen", "Bakkerij Bol")
    karim = await enrol(people, joost, 2003, "Karim Bouali", "Garage Gerrits")
    lisa = await enrol(people, piet, 2004, "Lisa de Wit", "Drukkerij Dam")
    eva = box.fake.user(3001, "Eva")
    await eva.send(f"/start {await invite_contact(sanne, 'Bakkerij Bol', 'Eva de Jong')}")
    tom = box.fake.user(3002, "Tom")
    await tom.send(f"/start {await invite_contact(piet, 'Drukkerij Dam', 'Tom Dam')}")
    async with box.db.session() as session:
        await admin_queries.set_admin(session, (await queries.coach_by_telegram(session, 1001)).id)
        await coach_queries.set_agency(session, (await queries.coach_by_telegram(session, 1004)).id, "Bureau Elders")
    return {"nora": nora, "sanne": sanne, "joost": joost, "piet": piet, "ahmed": ahmed, "fleur": fleur,
            "karim": karim, "lisa": lisa, "eva": eva, "tom": tom}  # fmt: skip


async def test_the_administrator_sees_the_coaches_of_the_agency_only(agency):
    nora = agency["nora"]
    await nora.send("/beheer")
    text = nora.last.plain_text
    assert "Beheer" in text
    assert "Sanne de Vries · actief · 2 cliënten" in text
    assert "Joost Visser · actief · 1 cliënt" in text
    assert "Nora Bakker (jij) · beheerder · actief · 0 cliënten" in text
    assert "Piet" not in text and "zonder coach" not in text
    assert nora.buttons() == [
        "👤 Joost Visser", "👤 Nora Bakker", "👤 Sanne de Vries", "🏢 Contactpersonen van werkgevers"
    ]  # fmt: skip
    await nora.press("Sanne de Vries")
    assert "2 lopende cliënten" in nora.last.plain_text
    assert nora.buttons() == [
        "↪️ Ahmed Yilmaz", "↪️ Fleur Jansen", "📦 Hele caseload verplaatsen", "⛔ Coach deactiveren", "⬅️ Terug"
    ]  # fmt: skip
    await nora.press("Terug")
    await nora.press("Nora Bakker")
    assert "Coach deactiveren" not in nora.buttons()  # not oneself
    await nora.send("/admin")  # the English alias
    assert "Sanne de Vries" in nora.last.plain_text


async def test_a_coach_who_is_no_administrator_gets_the_unknown_command_answer(agency, box):
    sanne = agency["sanne"]
    await sanne.send("/beheer")
    assert "Die opdracht ken ik niet" in sanne.last.plain_text
    assert "/beheer" in sanne.last.plain_text  # the help names it, for administrators
    async with box.db.session() as session:
        assert (await queries.dialog_of(session, sanne.id)) is None or (
            await queries.dialog_of(session, sanne.id)
        ).flow != "agency_admin"
    await agency["ahmed"].send("/beheer")  # an employee neither
    assert "Die opdracht ken ik niet" in agency["ahmed"].last.plain_text


async def test_deactivating_a_coach_ends_their_access_and_their_digest(agency, box, clock):
    nora, sanne, joost = agency["nora"], agency["sanne"], agency["joost"]
    await nora.send("/beheer")
    await nora.press("Sanne de Vries")
    await nora.press("Coach deactiveren")
    assert "Sanne de Vries deactiveren?" in nora.last.plain_text
    assert "2 cliënten staan daarna zonder coach" in nora.last.plain_text
    await nora.press("Nee, toch niet")
    async with box.db.session() as session:
        assert (await queries.coach_by_telegram(session, sanne.id)) is not None
    await nora.press("Coach deactiveren")
    await nora.press("Ja, deactiveren")
    assert "Sanne de Vries is gedeactiveerd" in nora.last.plain_text
    assert "deze cliënten hebben nu geen coach" in nora.last.plain_text
    sanne_row = await coach_row(box, "Sanne de Vries")
    assert sanne_row.deactivated_at is not None and sanne_row.telegram_user_id is None
    assert await audit_of(box) == [("coach_deactivated", (await coach_row(box, "Nora Bakker")).id, None, sanne_row.id)]

    await sanne.send("/caseload")  # her next message: what anyone unknown gets
    assert UNKNOWN_USER in sanne.last.plain_text
    await sanne.send("hallo")
    assert UNKNOWN_USER in sanne.last.plain_text

    clock.set(local("2026-11-23 08:05"))  # Monday: digest time
    await box.run_due()
    async with box.db.session() as session:
        digests = await queries.outbox_rows(session, kind="digest")
    chats = {row.chat_id for row in digests}
    assert joost.id in chats and sanne.id not in chats  # Joost's digest went out; Sanne's did not
    assert not [m for m in sanne.inbox if "Weekoverzicht" in (m.plain_text or "")]

    await nora.send("/beheer")
    text = nora.last.plain_text
    assert "Sanne de Vries · gedeactiveerd · 2 cliënten" in text
    assert "2 cliënten zonder coach" in text
    await nora.press("Cliënten zonder coach")
    assert "Ahmed Yilmaz (was bij Sanne de Vries)" in nora.last.plain_text
    assert "Fleur Jansen (was bij Sanne de Vries)" in nora.last.plain_text


async def deactivate(nora, name: str) -> None:
    await nora.send("/beheer")
    await nora.press(name)
    await nora.press("Coach deactiveren")
    await nora.press("Ja, deactiveren")


async def test_moving_one_client_tells_them_their_new_coach(agency, box):
    nora, joost, ahmed = agency["nora"], agency["joost"], agency["ahmed"]
    await deactivate(nora, "Sanne de Vries")
    await nora.send("/beheer")
    await nora.press("Cliënten zonder coach")
    await nora.press("Ahmed Yilmaz")
    assert "Naar welke coach gaat Ahmed Yilmaz (nu bij Sanne de Vries)?" in nora.last.plain_text
    assert nora.buttons() == ["👤 Joost Visser", "👤 Nora Bakker", "⬅️ Terug"]  # active coaches only
    await nora.press("Joost Visser")
    assert "Ahmed Yilmaz is verplaatst naar Joost Visser" in nora.last.plain_text
    assert "1 cliënt zonder coach" in nora.last.plain_text
    assert (await employee_row(box, "Ahmed Yilmaz")).coach_id == (await coach_row(box, "Joost Visser")).id

    await box.run_due()
    assert "Je hebt een nieuwe coach: Joost Visser" in ahmed.last.plain_text
    assert "Sanne" not in ahmed.last.plain_text
    await joost.send("/caseload")
    assert "Ahmed Yilmaz" in joost.last.plain_text and "Karim Bouali" in joost.last.plain_text
    ahmed_id, joost_id = (await employee_row(box, "Ahmed Yilmaz")).id, (await coach_row(box, "Joost Visser")).id
    nora_id = (await coach_row(box, "Nora Bakker")).id
    assert ("client_moved", nora_id, ahmed_id, joost_id) in await audit_of(box)
    async with box.db.session() as session:
        about = await audit_queries.about_employee(session, ahmed_id)
    assert [(e.what, e.actor_id) for e in about if e.actor_kind == "admin"] == [("client_moved", nora_id)]


async def test_moving_a_whole_caseload_in_english_too(agency, box):
    nora, fleur, ahmed = agency["nora"], agency["fleur"], agency["ahmed"]
    await deactivate(nora, "Sanne de Vries")
    await nora.send("/beheer")
    await nora.press("Sanne de Vries")
    await nora.press("Hele caseload verplaatsen")
    assert "caseload van Sanne de Vries (2 lopende cliënten)" in nora.last.plain_text
    await nora.press("Nora Bakker")
    assert "2 cliënten van Sanne de Vries zijn verplaatst naar Nora Bakker" in nora.last.plain_text
    assert "zonder coach" not in nora.last.plain_text
    nora_id, sanne_id = (await coach_row(box, "Nora Bakker")).id, (await coach_row(box, "Sanne de Vries")).id
    for name in ("Ahmed Yilmaz", "Fleur Jansen"):
        employee = await employee_row(box, name)
        assert employee.coach_id == nora_id
        assert ("caseload_moved", nora_id, employee.id, sanne_id) in await audit_of(box)
    await box.run_due()
    assert "Je hebt een nieuwe coach: Nora Bakker" in fleur.last.plain_text
    assert "Je hebt een nieuwe coach: Nora Bakker" in ahmed.last.plain_text
    await nora.send("/caseload")
    assert "Ahmed Yilmaz" in nora.last.plain_text and "Fleur Jansen" in nora.last.plain_text


async def test_the_client_is_told_in_their_language(people, box, agency):
    nora, joost = agency["nora"], agency["joost"]
    anna = await people.employee(joost, 2005, "Anna Smith", employer="Garage Gerrits", language="English")
    await nora.send("/beheer")
    await nora.press("Joost Visser")
    await nora.press("Anna Smith")
    await nora.press("Nora Bakker")
    await box.run_due()
    assert "You have a new coach: Nora Bakker" in anna.last.plain_text


async def test_removing_an_employer_contact(agency, box, clock):
    nora, eva, tom = agency["nora"], agency["eva"], agency["tom"]
    clock.set(local("2026-11-20 22:00"))  # quiet hours: what is queued now waits until the morning
    async with box.db.session() as session:
        eva_row = (await session.exec(select(EmployerContact).where(EmployerContact.name == "Eva de Jong"))).one()
        work = Work(session, box.clock, box.fake.bot_username)
        queued = Reply("unknown_user", "nl")  # any message still waiting for Eva's chat
        await outbox.enqueue(work, [Message("test:for-eva", "employer_monthly", eva.id, queued, "Europe/Amsterdam")])
    await nora.send("/beheer")
    await nora.press("Contactpersonen van werkgevers")
    text = nora.last.plain_text
    assert "Eva de Jong · Bakkerij Bol" in text and "Tom" not in text and "Drukkerij" not in text
    await nora.press("Eva de Jong")
    assert "Eva de Jong (Bakkerij Bol) verwijderen?" in nora.last.plain_text
    await nora.press("Ja, verwijderen")
    assert "Eva de Jong is verwijderd" in nora.last.plain_text
    assert "Er zijn geen contactpersonen" in nora.last.plain_text
    async with box.db.session() as session:
        assert await queries.get(session, EmployerContact, eva_row.id) is None
        assert not (await session.exec(select(Invite).where(Invite.employer_contact_id == eva_row.id))).all()
        (row,) = await queries.outbox_rows(session, dedupe_key="test:for-eva")
        assert row.status == "cancelled"
    assert ("contact_removed", (await coach_row(box, "Nora Bakker")).id, None, None) in await audit_of(box)
    await eva.send("/status")
    assert UNKNOWN_USER in eva.last.plain_text
    await tom.send("/status")  # the other agency's contact is untouched
    assert "Stand van zaken bij Drukkerij Dam" in tom.last.plain_text


async def test_a_press_naming_another_agencys_coach_or_client_changes_nothing(agency, box):
    nora = agency["nora"]
    piet, lisa = await coach_row(box, "Piet Elders"), await employee_row(box, "Lisa de Wit")
    await nora.send("/beheer")
    v = await version(box, nora.id)
    for data in (f"{v}|coach|{piet.id}", f"{v}|client|{lisa.id}", f"{v}|contact|1"):
        before = await snapshot(box)
        await nora.press_data(data, nora.last)
        assert STALE in nora.last.plain_text
        assert await snapshot(box) == before
    # a button the bot did show, for a coach who has since left the agency: refused where the id is checked
    await nora.press("Joost Visser")
    await nora.press("Karim Bouali")
    async with box.db.session() as session:
        await coach_queries.set_agency(session, (await coach_row(box, "Joost Visser")).id, "Bureau Elders")
    before = await snapshot(box)
    await nora.press("Nora Bakker")  # moving Karim (now of another agency) to Nora
    assert STALE in nora.last.plain_text
    after = await snapshot(box)
    assert {k: v for k, v in after.items() if k != "dialog"} == {k: v for k, v in before.items() if k != "dialog"}
    assert (await employee_row(box, "Karim Bouali")).coach_id == (await coach_row(box, "Joost Visser")).id
    assert await audit_of(box) == []


async def test_a_restart_between_the_question_and_the_confirmation(box):
    async with box.bot_running():
        people = People(box)
        nora = await people.coach(1001, "Nora Bakker")
        sanne = await people.coach(1002, "Sanne de Vries")
        async with box.db.session() as session:
            await admin_queries.set_admin(session, (await queries.coach_by_telegram(session, 1001)).id)
        await nora.send("/beheer")
        await nora.press("Sanne de Vries")
        await nora.press("Coach deactiveren")
    async with box.bot_running():  # a new process: only the database remembers the question
        await nora.press("Ja, deactiveren")
        assert "Sanne de Vries is gedeactiveerd" in nora.last.plain_text
        await sanne.send("/help")
        assert UNKNOWN_USER in sanne.last.plain_text


async def test_a_crisis_of_a_client_without_coach_reaches_the_administrators(agency, box):
    nora, ahmed = agency["nora"], agency["ahmed"]
    await deactivate(nora, "Sanne de Vries")
    replies = await ahmed.send(CRISIS)
    assert "113" in replies[0].plain_text and "Sanne" not in replies[0].plain_text
    await ahmed.press("Ja, laat mijn coach het weten", message=replies[0])
    await box.run_due()
    assert "Ahmed Yilmaz schreef in de bot iets" in nora.last.plain_text
    async with box.db.session() as session:
        rows = await queries.outbox_rows(session, kind="safety_alert")
    assert [row.chat_id for row in rows] == [nora.id]


async def run(capsys, *argv: str) -> tuple[int, str, str]:
    """`spoorzoeker …` in a thread (the bot keeps running in this loop): exit code, stdout, stderr."""
    capsys.readouterr()
    code = await asyncio.to_thread(cli.main, list(argv))
    out, err = capsys.readouterr()
    return code, out, err


async def test_the_cli_adds_and_lists_administrators(people, box, capsys, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", box.settings.database_url)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", SANDBOX_TOKEN)
    monkeypatch.setenv("TELEGRAM_BASE_URL", box.fake.base_url)
    code, stdout, _ = await run(capsys, "admin", "list")
    assert code == 0 and "no administrators yet" in stdout

    code, stdout, err = await run(capsys, "admin", "add", "Nora Bakker", "--agency", "Bureau Werkfit")
    assert code == 0, err
    found = re.match(r"Administrator 'Nora Bakker' \(id (\d+)\) of 'Bureau Werkfit' added\.", stdout)
    assert found and "start=" in stdout
    nora = box.fake.user(1001, "Nora")
    await nora.send(f"/start {re.search(r'start=([A-Za-z0-9_-]+)', stdout)[1]}")
    await nora.send("/beheer")
    assert "Beheer · Bureau Werkfit" in nora.last.plain_text

    sanne = await people.coach(1002, "Sanne de Vries")
    sanne_id = (await coach_row(box, "Sanne de Vries")).id
    code, stdout, err = await run(capsys, "admin", "add", "--coach", str(sanne_id))
    assert code == 0, err
    assert f"Coach 'Sanne de Vries' (id {sanne_id}) is now an administrator of the coaches without an agency" in stdout
    await sanne.send("/beheer")
    assert "Sanne de Vries (jij) · beheerder" in sanne.last.plain_text and "Nora" not in sanne.last.plain_text

    code, stdout, _ = await run(capsys, "admin", "list")
    lines = stdout.splitlines()
    assert f"{found[1]}\tNora Bakker\tregistered\tBureau Werkfit" in lines
    assert f"{sanne_id}\tSanne de Vries\tregistered\tno agency named" in lines

    for argv, words in (
        (("admin", "add", "--coach", "999"), "no coach with id 999"),
        (("admin", "add", "X Y", "--coach", str(sanne_id)), "not both"),
        (("admin", "add"), "give the administrator's name"),
        (("admin", "add", "--coach", str(sanne_id), "--agency", "B"), "spoorzoeker coach agency"),
        (("admin", "add", "N", "--agency", "Bureau B"), "a coach name needs 2 to 120 characters"),
    ):
        code, _, err = await run(capsys, *argv)
        lines = err.splitlines()
        assert code == 2 and len(lines) == 1 and words in lines[0], (argv, err)
    async with box.db.session() as session:
        assert len(await admin_queries.admins(session)) == 2


async def test_many_coaches_come_in_pages_and_an_unregistered_coach_loses_their_link(agency, box):
    nora = agency["nora"]
    tokens = [await box.add_coach(f"Coach {n:02d}") for n in range(14)]  # added, never registered: 18 in all
    await nora.send("/beheer")
    assert "(pagina 1 van 2)" in nora.last.plain_text
    assert "Coach 00 · nog niet aangemeld · 0 cliënten" in nora.last.plain_text
    assert "Volgende ➡️" in nora.buttons() and "Sanne de Vries" not in nora.last.plain_text
    await nora.press("Volgende")
    assert "(pagina 2 van 2)" in nora.last.plain_text and "Sanne de Vries · actief" in nora.last.plain_text
    assert "⬅️ Vorige" in nora.buttons()
    await nora.press("Vorige")
    await nora.press("Coach 03")
    await nora.press("Coach deactiveren")
    await nora.press("Ja, deactiveren")
    newcomer = box.fake.user(1099, "Nieuw")
    await newcomer.send(f"/start {tokens[3]}")  # the registration link of a deactivated coach no longer works
    async with box.db.session() as session:
        assert await queries.coach_by_telegram(session, 1099) is None
    await newcomer.send("/caseload")
    assert UNKNOWN_USER in newcomer.last.plain_text
