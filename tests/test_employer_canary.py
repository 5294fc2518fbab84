"""The canary test: health data and free text never reach an employer chat, nor the dossier report.

Three employees (two at the contact's company, one elsewhere) get distinctive values planted in every
health-related and free-text field, through the real bot: check-in notes, ACT reflections, committed steps, own
values, energy scores, a pause for "treatment", and coach notes (private and for the file). Then a simulated
trajectory runs — weekly check-ins, phases set in the coach's caseload, a work trial, placement, monthly summaries,
deadline reminders by moving the clock — and everything the bot sent to the employer chats (every Bot API call,
edits included) and the dossier report (PDF text) is searched for the canaries.
"""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from bot.sandbox.offline import local, token_in
from storage import coach_queries, queries

CANARY = re.compile(r"CANARY-[A-Z]+-\d{4}")
ENERGY_SHOWN = re.compile(r"energ(ie|y)\W{0,3}\d|🔋|\d+\s*/\s*10\b", re.IGNORECASE)
PAUSE_REASON = re.compile(r"behandeling|treatment", re.IGNORECASE)
COMPANY = "Bakkerij Bol"
WEEKS = ("2026-11-20", "2026-11-27", "2026-12-04", "2026-12-11", "2026-12-18", "2026-12-25", "2027-01-01")
ENERGIES = (2, 9, 3, 8, 1, 7, 4)  # every week another score, so a rendered energy line would show


async def checkin(user, week: int, *, activities: tuple[str, ...] = (), energy: int) -> None:
    """A check-in with every free-text field filled in with a canary: the note for the coach, the own value
    (first week) or the reflection, and the step for next week."""
    await user.send("/checkin")
    if "Gelukt" in " ".join(user.buttons()):
        await user.press("Gelukt")
    for number in (week % 4, week % 2, 2):
        await user.send(str(number))
    for label in activities:
        await user.press(label)
    await user.press("Klaar" if activities else "Geen")
    await user.press(str(energy))
    await user.press("Notitie voor je coach")
    await user.send(f"CANARY-NOTE-{7700 + week} van {user.first_name}")
    await user.press("Versturen")
    if "Anderen helpen" in user.buttons():  # the first week: the values exercise
        await user.send(f"CANARY-VALUE-{8800 + user.id % 100}")
        await user.press("Klaar")
    else:
        await user.send(f"CANARY-REFLECTION-{4400 + week} ik voelde me moe")
    await user.send(f"CANARY-STEP-{5500 + week} bel de huisarts")


async def enrol(people, coach, user_id: int, name: str, employer: str, sick_day: str):
    await coach.send("/invite")
    for answer in (name, employer, sick_day):
        await coach.send(answer)
    token = token_in(await coach.press("Maak de uitnodiging"))
    user = people.box.fake.user(user_id, name.split()[0])
    await user.send(f"/start {token}")
    for tap in ("Nederlands", "vr", "10:00"):
        await user.press(tap)
    return user


async def open_client(coach, name: str) -> None:
    await coach.send("/caseload")
    await coach.press(name)


async def coach_note(coach, name: str, text: str, for_file: bool) -> None:
    await open_client(coach, name)
    await coach.press("Notitie")
    await coach.send(text)
    await coach.press("Ja, voor het dossier" if for_file else "Nee, alleen voor mij")


async def set_phase(coach, name: str, phase_label: str) -> None:
    await open_client(coach, name)
    await coach.press("Fase")
    await coach.press(phase_label)


def sent_to(box, chat_ids: set[int]) -> str:
    """Everything the bot asked Telegram to show in these chats: every call's parameters, edits included."""
    return "\n".join(str(call.params) for call in box.fake.calls if call.chat_id in chat_ids)


async def test_no_health_data_or_free_text_reaches_an_employer_or_the_dossier(box, clock, people):
    coach = await people.coach()
    ahmed = await enrol(people, coach, 2001, "Ahmed Yilmaz", COMPANY, "06-10-2025")  # Track 2 starts late
    fleur = await enrol(people, coach, 2002, "Fleur Jansen", COMPANY, "02-03-2026")  # UWV report due 21-12-2026
    karim = await enrol(people, coach, 2003, "Karim Bouali", "Garage Gerrits", "01-06-2026")
    employees = (ahmed, fleur, karim)
    contacts = []
    for number, company in enumerate((COMPANY, "Garage Gerrits")):
        await coach.send("/werkgever")
        await coach.press(company)
        token = token_in(await coach.send(f"Contact {number}"))
        contact = box.fake.user(3001 + number, f"Contact{number}")
        await contact.send(f"/start {token}")
        contacts.append(contact)
    eva, tom = contacts

    for name in ("Ahmed Yilmaz", "Fleur Jansen", "Karim Bouali"):
        await coach_note(coach, name, f"CANARY-COACHNOTE-{6600 + len(name)} vermoedelijk burn-out", for_file=False)
        await coach_note(coach, name, f"CANARY-FILENOTE-{9000 + len(name)} intake gedaan", for_file=True)
        await set_phase(coach, name, "oriëntatie")

    for week, (friday, energy) in enumerate(zip(WEEKS, ENERGIES, strict=True), start=1):
        clock.set(local(f"{friday} 10:00"))
        await box.run_due()  # the weekly prompts, and whatever the employer sweep has due
        for user in employees:
            if user is fleur and week in (3, 4):
                continue  # paused for treatment, see below
            trial = ("Proefplaatsing",) if user is ahmed and week >= 4 else ()
            await checkin(user, week, activities=trial, energy=energy)
        if week == 2:
            await fleur.send("/pauze")
            await fleur.press("Behandeling")
            await fleur.press("2 weken")
            await set_phase(coach, "Ahmed Yilmaz", "actief zoeken")
        if week == 5:
            await set_phase(coach, "Ahmed Yilmaz", "geplaatst")
        for moment in ("12:00", "17:00"):
            clock.set(local(f"{friday} {moment}"))
            await box.run_due()
    for moment in ("2026-12-01 09:30", "2026-12-07 09:30", "2026-12-21 09:30", "2027-01-04 09:30"):
        clock.set(local(moment))  # monthly summaries and Fleur's UWV sick report, 2 weeks before and on the day
        await box.run_due()
    await eva.send("/status")
    await tom.send("/status")

    # The canaries are really there, and the coach does see them (so this test can fail).
    async with box.db.session() as session:
        for user in employees:
            employee = await queries.employee_by_telegram(session, user.id)
            checkins = [c for c in await queries.checkins_of(session, employee.id) if c.submitted_at]
            assert all(CANARY.match(c.note) and CANARY.match(c.next_step) for c in checkins)
            assert any(c.reflection and CANARY.match(c.reflection) for c in checkins)
            assert CANARY.match(employee.values[-1])
            assert len(await coach_queries.notes_of(session, employee.id)) == 2
    coach_texts = "\n".join(m.plain_text for m in coach.inbox)
    assert "CANARY-COACHNOTE" in coach_texts and "behandeling" in coach_texts

    # What the employer chats received: plenty, but none of it health data or free text.
    employer_texts = [m.plain_text for m in eva.inbox + tom.inbox]
    joined = "\n".join(employer_texts)
    for expected in (
        "is nu in de fase oriëntatie", "is nu in de fase actief zoeken naar werk", "Ahmed Yilmaz is geplaatst",
        "proefplaatsing", "Maandoverzicht november 2026", "Maandoverzicht december 2026", "Over twee weken — Fleur",
        "Deze termijn loopt nu af — Fleur", "na de uiterste datum", "gepauzeerd", "Karim Bouali",
    ):  # fmt: skip
        assert expected in joined, expected
    everything = sent_to(box, {eva.id, tom.id})
    assert CANARY.findall(everything) == []
    assert ENERGY_SHOWN.findall(everything) == []
    assert PAUSE_REASON.findall(everything) == []
    for text in employer_texts:
        if not text.startswith("👋 Welkom"):  # the welcome says energy and mood are never shared
            assert "energie" not in text.lower() and "stemming" not in text.lower(), text

    # The dossier report (the reintegration file) has the file notes, and nothing private.
    await open_client(coach, "Ahmed Yilmaz")
    await coach.press("Rapportage")
    sent = await coach.press("Voor het dossier")
    (document,) = [m for m in sent if m.kind == "document"]
    dossier = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(document.file_bytes)).pages)
    assert "Ahmed" in dossier and "CANARY-FILENOTE" in dossier.replace("\n", "")
    assert [c for c in CANARY.findall(dossier.replace("\n", "")) if not c.startswith("CANARY-FILENOTE")] == []
    assert PAUSE_REASON.findall(dossier) == [] and ENERGY_SHOWN.findall(dossier) == []
    assert "burn-out" not in dossier and "voelde me" not in dossier and "huisarts" not in dossier
