"""End to end over HTTP: the monthly progress report to the employer. On the first working day of the month
(from 09:00, the coach's time) the bot drafts last month's dossier report for each active client and sends it
to the coach as a PDF; only the coach's tap sends it to the employer's contacts (and a copy to the employee).
Also: skip, adjust and remake, stale and forged buttons, the digest's mention of a draft left alone, and the
digest chart's weeks.

The clock starts on Friday 20 November 2026 (ISO week 47); 1 December 2026 is a Tuesday, 1 January 2027 a
holiday (Friday), so the first working day of January is Monday 4 January.
"""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader

from bot.rules import buttons
from bot.sandbox.offline import local, token_in
from storage import coach_queries, queries, report_queries
from storage.models import Pause, ReportDraft
from tests.conftest import People

COMPANY = "Bakkerij Bol"
NOVEMBER = date(2026, 11, 1)
CANARY = re.compile(r"CANARY-[A-Z]+-\d{4}")
ENERGY_SHOWN = re.compile(r"energ(ie|y)\W{0,3}\d|🔋", re.IGNORECASE)


def pdf_text(message) -> str:
    pages = PdfReader(io.BytesIO(message.file_bytes)).pages
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in pages))


def documents(user) -> list:
    return [m for m in user.inbox if m.kind == "document"]


def draft_offer(coach, name: str):
    """The latest draft PDF the coach got for this client."""
    found = [m for m in documents(coach) if name in m.plain_text and "Versturen" in " ".join(coach.buttons(m))]
    assert found, f"no draft for {name}"
    return found[-1]


async def drafts(box, user_id: int) -> list[ReportDraft]:
    async with box.db.session() as session:
        employee = await queries.employee_by_telegram(session, user_id)
        return await report_queries.drafts_of(session, employee.id)


async def run_at(box, clock, moment: str) -> None:
    clock.set(local(moment))
    await box.run_due()


async def contact(box, coach, user_id: int, name: str, company: str = COMPANY):
    await coach.send("/werkgever")
    await coach.press(company)
    token = token_in(await coach.send(name))
    user = box.fake.user(user_id, name.split()[0])
    await user.send(f"/start {token}")
    return user


@pytest.fixture
async def team(box, people):
    """Coach Sanne; Ahmed and Fleur (joined) at Bakkerij Bol, which has two contacts in the bot; Ivo invited but
    never joined; Carla joined and her trajectory closed."""
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001, "Ahmed Yilmaz")
    fleur = await people.employee(coach, 2002, "Fleur Jansen")
    await people.invite(coach, "Ivo Nooit")
    await people.employee(coach, 2004, "Carla Dicht")
    async with box.db.session() as session:
        carla = await queries.employee_by_telegram(session, 2004)
        carla.status = "closed"
        session.add(carla)
        await session.commit()
    eva = await contact(box, coach, 3001, "Eva de Jong")
    piet = await contact(box, coach, 3002, "Piet Bakker")
    return coach, ahmed, fleur, eva, piet


async def test_the_sweep_drafts_once_per_active_client_on_the_first_working_day(box, clock, team):
    coach, ahmed, fleur, eva, piet = team
    for moment in ("2026-11-30 09:00", "2026-12-01 08:59"):  # the day before, and before 09:00
        await run_at(box, clock, moment)
        assert documents(coach) == [] and await drafts(box, 2001) == []
    await run_at(box, clock, "2026-12-01 09:00")
    for moment in ("2026-12-01 09:30", "2026-12-02 09:00", "2026-12-31 23:00"):  # reruns: nothing new
        await run_at(box, clock, moment)
    offers = documents(coach)
    assert len(offers) == 2 and sorted(m.plain_text.split("\n")[0] for m in offers) == [
        "📄 Voortgangsrapportage Ahmed Yilmaz",
        "📄 Voortgangsrapportage Fleur Jansen",
    ]
    for user_id in (2001, 2002):
        (draft,) = await drafts(box, user_id)
        assert (draft.kind, draft.period_first, draft.period_last, draft.status) == (
            "progress", NOVEMBER, date(2026, 11, 30), "draft"
        )  # fmt: skip
    for user_id in (2004,):  # closed
        assert await drafts(box, user_id) == []
    async with box.db.session() as session:  # never joined
        ivo = [e for e in await queries.employees_of_coach(session, 1) if e.name == "Ivo Nooit"]
        assert ivo and await report_queries.drafts_of(session, ivo[0].id) == []

    offer = draft_offer(coach, "Ahmed Yilmaz")
    caption = offer.plain_text
    assert "Periode: 01-11-2026 t/m 30-11-2026" in caption
    assert "2 contactpersonen van Bakkerij Bol: Eva de Jong, Piet Bakker" in caption
    assert "Ahmed Yilmaz krijgt een kopie" in caption and "niets weg zonder jouw tik" in caption
    assert coach.buttons(offer) == ["📤 Versturen", "✏️ Eerst aanpassen", "Niet deze maand"]
    assert offer.file_name.endswith(".pdf") and "ahmed-yilmaz" in offer.file_name
    text = pdf_text(offer)
    assert "Ahmed Yilmaz" in text and "01-11-2026" in text and "30-11-2026" in text
    assert documents(eva) == documents(piet) == documents(ahmed) == documents(fleur) == []  # nothing before the tap


async def test_after_downtime_a_later_day_of_the_month_still_drafts(box, clock, team):
    coach, *_ = team
    await run_at(box, clock, "2026-12-15 14:00")  # the bot was down on 1 December
    assert len(documents(coach)) == 2
    assert [(d.period_first, d.period_last) for d in await drafts(box, 2001)] == [(NOVEMBER, date(2026, 11, 30))]


async def test_a_month_that_is_over_is_not_caught_up(box, clock, team):
    coach, *_ = team
    await run_at(box, clock, "2027-01-04 08:59")  # down all of December; 1 January is a holiday
    assert documents(coach) == []
    await run_at(box, clock, "2027-01-04 09:00")
    assert [d.period_first for d in await drafts(box, 2001)] == [date(2026, 12, 1)]  # December only, no November
    assert "Periode: 01-12-2026 t/m 31-12-2026" in draft_offer(coach, "Ahmed Yilmaz").plain_text


async def plant_canaries(box, people, ahmed) -> None:
    """Health data and private words in every field the employer may never see, for November."""
    await people.checkin(ahmed, applications=2, energy=7, step="CANARY-STEP-1234 bel de huisarts")
    async with box.db.session() as session:
        employee = await queries.employee_by_telegram(session, ahmed.id)
        checkin = await queries.checkin_for_week(session, employee.id, 2026, 47)
        checkin.note, checkin.reflection = "CANARY-NOTE-1234 moe", "CANARY-REFLECTION-1234 somber"
        session.add(checkin)
        session.add(
            Pause(employee_id=employee.id, start=date(2026, 11, 23), until=date(2026, 11, 29),
                  reason="CANARY-XYZ-1234", created_at=local("2026-11-22 10:00"))
        )  # fmt: skip
        employee.values = ["CANARY-VALUE-1234"]
        session.add(employee)
        await coach_queries.add_note(session, employee.id, employee.coach_id, "CANARY-COACH-1234 burn-out", False,
                                     local("2026-11-24 10:00"))  # fmt: skip
        await session.commit()


async def test_approve_sends_the_pdf_to_each_contact_and_a_copy_to_the_employee(box, clock, people, team):
    coach, ahmed, fleur, eva, piet = team
    await plant_canaries(box, people, ahmed)
    await run_at(box, clock, "2026-12-01 09:00")
    offer = draft_offer(coach, "Ahmed Yilmaz")
    assert documents(eva) == documents(piet) == []

    answer = await coach.press("📤 Versturen", message=offer)
    assert "Verstuurd: het rapport van Ahmed Yilmaz over 01-11-2026 t/m 30-11-2026" in answer[-1].plain_text
    assert "Naar 2 contactpersonen: Eva de Jong, Piet Bakker" in answer[-1].plain_text
    for employer_contact in (eva, piet):
        (document,) = documents(employer_contact)
        assert "Voortgangsrapportage Ahmed Yilmaz" in document.plain_text
        assert "geen gezondheidsgegevens" in document.plain_text
        text = pdf_text(document)
        assert "Ahmed Yilmaz" in text and "01-11-2026" in text
        assert CANARY.findall(text) == [] and ENERGY_SHOWN.findall(text) == []
        assert "huisarts" not in text and "burn-out" not in text and "somber" not in text
    (copy,) = documents(ahmed)
    assert "Hier is het rapport over 01-11-2026 t/m 30-11-2026" in copy.plain_text
    assert "Je werkgever krijgt het ook" in copy.plain_text and "Ahmed Yilmaz" in pdf_text(copy)
    assert documents(fleur) == []  # Fleur's draft is still waiting
    assert [d.status for d in await drafts(box, 2001)] == ["sent"]
    assert [d.status for d in await drafts(box, 2002)] == ["draft"]

    # A second tap on the same (now decided) draft is stale and sends nothing more.
    again = await coach.press("📤 Versturen", message=offer)
    assert "al verstuurd op 01-12-2026" in again[-1].plain_text and "niets veranderd" in again[-1].plain_text
    assert len(documents(eva)) == len(documents(piet)) == len(documents(ahmed)) == 1


async def test_skip_sends_nothing_and_a_later_tap_is_stale(box, clock, team):
    coach, ahmed, fleur, eva, piet = team
    await run_at(box, clock, "2026-12-01 09:00")
    offer = draft_offer(coach, "Fleur Jansen")
    answer = await coach.press("Niet deze maand", message=offer)
    assert "Niet verstuurd: het rapport van Fleur Jansen" in answer[-1].plain_text
    assert [d.status for d in await drafts(box, 2002)] == ["skipped"]
    again = await coach.press("📤 Versturen", message=offer)
    assert "al overgeslagen" in again[-1].plain_text
    assert [d.status for d in await drafts(box, 2002)] == ["skipped"]
    assert documents(eva) == documents(piet) == documents(fleur) == []


async def test_adjust_then_remake_then_send(box, clock, team):
    coach, ahmed, fleur, eva, piet = team
    await run_at(box, clock, "2026-12-01 09:00")
    offer = draft_offer(coach, "Ahmed Yilmaz")
    adjust = await coach.press("Eerst aanpassen", message=offer)
    assert "/plan" in adjust[-1].plain_text and "Notitie" in adjust[-1].plain_text
    assert coach.buttons(adjust[-1]) == ["🔄 Opnieuw maken", "📤 Versturen"]
    assert [d.status for d in await drafts(box, 2001)] == ["draft"]  # stays open
    assert documents(eva) == []

    remade = await coach.press("Opnieuw maken", message=adjust[-1])
    (fresh,) = [m for m in remade if m.kind == "document"]
    assert "Opnieuw gemaakt" in fresh.plain_text and "Ahmed Yilmaz" in pdf_text(fresh)
    assert coach.buttons(fresh) == ["📤 Versturen", "✏️ Eerst aanpassen", "Niet deze maand"]
    await coach.press("Opnieuw maken", message=adjust[-1])  # a second remake: another fresh PDF
    assert len([m for m in documents(coach) if "Opnieuw gemaakt" in m.plain_text]) == 2
    assert documents(eva) == []

    await coach.press("📤 Versturen", message=fresh)
    assert len(documents(eva)) == len(documents(piet)) == len(documents(ahmed)) == 1
    assert [d.status for d in await drafts(box, 2001)] == ["sent"]
    await coach.press("📤 Versturen", message=offer)  # the first PDF's button: decided already
    assert len(documents(eva)) == 1


async def test_a_forged_draft_id_from_another_coach_or_the_employee_changes_nothing(box, clock, people, team):
    coach, ahmed, fleur, eva, piet = team
    await run_at(box, clock, "2026-12-01 09:00")
    (draft,) = await drafts(box, 2001)
    other = await people.coach(1002, "Omar")
    await people.employee(other, 2009, "Bram Ander", employer="Garage Gerrits")
    for user in (other, ahmed):
        for action in ("draft_send", "draft_skip", "draft_remake", "draft_adjust"):
            before = len(user.inbox)
            await user.press_data(buttons.compose(None, action, draft.id), message=user.last)
            assert not [m for m in user.inbox[before:] if m.kind == "document"]
            assert "Ahmed" not in " ".join(m.plain_text for m in user.inbox[before:])
    await coach.press_data(buttons.compose(None, "draft_send", 99999), message=coach.last)  # no such draft
    assert [d.status for d in await drafts(box, 2001)] == ["draft"]
    assert documents(eva) == documents(piet) == []
    assert len(documents(ahmed)) == 0


async def test_no_contact_in_the_bot_the_coach_is_told_and_only_the_employee_gets_a_copy(box, clock, people):
    coach = await people.coach()
    karim = await people.employee(coach, 2003, "Karim Bouali", employer="Garage Gerrits")
    await run_at(box, clock, "2026-12-01 09:00")
    offer = draft_offer(coach, "Karim Bouali")
    assert "Garage Gerrits heeft nog geen contactpersoon in de bot" in offer.plain_text
    answer = await coach.press("📤 Versturen", message=offer)
    assert "Niet naar Garage Gerrits" in answer[-1].plain_text
    (copy,) = documents(karim)
    assert "Je werkgever krijgt het ook" not in copy.plain_text and "altijd een kopie" in copy.plain_text


def digests(coach) -> list:
    return [m for m in coach.inbox if "Weekoverzicht" in m.plain_text]


async def test_a_draft_left_alone_for_a_week_is_in_the_digest(box, clock, team):
    coach, *_ = team
    await run_at(box, clock, "2026-12-01 09:00")
    await coach.press("Niet deze maand", message=draft_offer(coach, "Fleur Jansen"))
    await run_at(box, clock, "2026-12-07 08:00")  # 6 days after: not yet
    assert "wacht al een week" not in digests(coach)[-1].plain_text
    await run_at(box, clock, "2026-12-14 08:00")
    assert "1 rapport wacht al een week op je besluit: Ahmed Yilmaz" in digests(coach)[-1].plain_text
    assert "Fleur" not in digests(coach)[-1].plain_text.split("wacht al een week")[1]


async def test_the_digest_chart_starts_at_the_first_enrolment_and_leaves_out_this_week(box, clock, people):
    coach = await people.coach()
    await people.invite(coach, "Ivo Nooit")  # invited only: not enrolled yet
    await people.employee(coach, 2001, "Ahmed Yilmaz")  # joined in week 47
    await run_at(box, clock, "2026-11-23 08:00")  # Monday of week 48
    chart = [m for m in coach.inbox if m.kind == "photo" and m.file_name == "caseload.png"][-1]
    assert "Week 47." in chart.plain_text  # not the 12 weeks from week 37, not the unfinished week 48
    await run_at(box, clock, "2026-12-07 08:00")  # week 50
    chart = [m for m in coach.inbox if m.kind == "photo" and m.file_name == "caseload.png"][-1]
    assert "Week 47 t/m 49." in chart.plain_text


async def test_a_coach_in_english_gets_the_draft_in_english(box, clock, people):
    coach = await people.coach()
    await people.employee(coach, 2001, "Ahmed Yilmaz")
    async with box.db.session() as session:
        row = await queries.coach_by_telegram(session, coach.id)
        row.language = "en"
        session.add(row)
        await session.commit()
    await run_at(box, clock, "2026-12-01 09:00")
    (offer,) = documents(coach)
    assert "Progress report Ahmed Yilmaz" in offer.plain_text
    assert coach.buttons(offer)[0] == "📤 Send"


async def test_a_final_report_offered_from_the_dossier_is_sent_only_on_the_tap_and_locks_the_view(box, clock, team):
    coach, ahmed, fleur, eva, piet = team
    await coach.send("/dossier")
    await coach.press("Ahmed Yilmaz")
    await coach.press("Eindrapportage versturen")
    offer = draft_offer(coach, "Ahmed Yilmaz")
    assert "Eindrapportage spoor 2 Ahmed Yilmaz" in offer.plain_text
    assert coach.buttons(offer) == ["📤 Versturen", "✏️ Eerst aanpassen", "Niet versturen"]
    assert documents(eva) == []
    await coach.press("📤 Versturen", message=offer)
    (document,) = documents(eva)
    assert "Eindrapportage spoor 2 Ahmed Yilmaz" in document.plain_text and "Ahmed Yilmaz" in pdf_text(document)
    assert len(documents(ahmed)) == 1
    async with box.db.session() as session:
        employee = await queries.employee_by_telegram(session, ahmed.id)
        view = await report_queries.own_view(session, employee.id)
        assert view is not None and view.locked_at is not None
    assert [(d.kind, d.status) for d in await drafts(box, 2001)] == [("final", "sent")]


async def test_after_a_restart_the_draft_is_not_made_again_and_its_buttons_still_work(box, clock):
    async with box.bot_running():
        people = People(box)
        coach = await people.coach()
        ahmed = await people.employee(coach, 2001, "Ahmed Yilmaz")
        eva = await contact(box, coach, 3001, "Eva de Jong")
        await run_at(box, clock, "2026-12-01 09:00")
        offer = draft_offer(coach, "Ahmed Yilmaz")
    async with box.bot_running():  # a new process: the draft and its buttons live in the database
        await run_at(box, clock, "2026-12-01 09:05")
        assert len(documents(coach)) == 1 and len(await drafts(box, 2001)) == 1
        await coach.press("📤 Versturen", message=offer)
        assert len(documents(eva)) == len(documents(ahmed)) == 1
