"""End to end over HTTP: /privacy shows the privacy statement per part (nl and en; the coach's and the employer
contact's own part), keeps the choice of sharing reflections, and lets the employee delete their reflections or
check-in notes for good after a confirmation (the coach's view and the report no longer show them; the counts
stay); cancel keeps them; stale and forged presses change nothing; a restart mid-way; the README holds exactly
the statement `spoorzoeker privacy statement --language en --markdown` prints."""

from __future__ import annotations

import re
import subprocess
import sys
from functools import partial
from pathlib import Path

from bot.core.context import Work
from bot.rules import statement
from bot.sandbox.offline import local
from bot.views import report
from content.texts import texts
from storage import queries
from tests.conftest import People
from tests.test_employer_e2e import contact_joins, invite_contact
from tests.test_forged_e2e import STALE, snapshot

ROOT = Path(__file__).resolve().parent.parent
NOTE_1 = "Kanarie-notitie een zware week gehad"
NOTE_2 = "Kanarie-notitie gesprek met de bedrijfsarts"
REFLECTION_2 = "Kanarie-reflectie ik mag trots zijn"
REFLECTION_3 = "Kanarie-reflectie afwijzing doet pijn"
TELEGRAM_LIMIT = 4096


async def _checkin(user, *, note: str | None = None, reflection: str | None = None) -> None:
    """A check-in by taps (1 application, 0 interviews, 2 contacts, energy 6), with a note for the coach; after
    sending: the values exercise (first week) skipped, the reflection typed, the step skipped."""
    await user.send("/checkin")
    if "Gelukt" in " ".join(user.buttons()):
        await user.press("Gelukt")
    for number in ("1", "0", "2"):
        await user.send(number)
    await user.press("Geen")
    await user.press("6")
    if note is not None:
        await user.press("Notitie voor je coach")
        await user.send(note)
    await user.press("Versturen")
    if "Anderen helpen" in user.buttons():
        await user.press("Overslaan")
    elif reflection is not None:
        await user.send(reflection)
    else:
        await user.press("Overslaan")
    await user.press("Overslaan")  # no step for next week


async def _three_weeks(people: People, clock):
    """Ahmed shares his reflections and checks in three weeks: notes in weeks 47 and 48, reflections in 48, 49."""
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001, "Ahmed Yilmaz")
    await ahmed.send("/privacy")
    await ahmed.press("Delen met mijn coach")
    await _checkin(ahmed, note=NOTE_1)
    clock.set(local("2026-11-27 10:00"))
    await _checkin(ahmed, note=NOTE_2, reflection=REFLECTION_2)
    clock.set(local("2026-12-04 10:00"))
    await _checkin(ahmed, reflection=REFLECTION_3)
    return coach, ahmed


async def _coach_sees(coach) -> str:
    await coach.send("/caseload")
    await coach.press("Ahmed")
    return coach.last.plain_text


async def _coach_report(box, clock) -> str:
    """The coach variant of the progress report as CSV text (it holds reflections and notes)."""
    async with box.db.session() as session:
        work = Work(session, clock, box.fake.bot_username)
        employee = await queries.employee_by_telegram(session, 2001)
        period = report.default_period(employee, clock.now().date())
        return (await report.csv_bytes(work, employee, period, "coach", "nl")).decode("utf-8-sig")


def _counts(checkins) -> list[tuple]:
    return [(c.iso_week, c.applications, c.interviews, c.networking, c.energy, c.submitted_at) for c in checkins]


async def test_privacy_shows_the_statement_part_by_part_in_dutch(people):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await ahmed.send("/privacy")
    overview = ahmed.last.plain_text
    assert "alleen voor jou" in overview and "/mijngegevens" in overview and "re-integratiebureau" in overview
    labels = ahmed.buttons()
    parts = ("Over jou", "Je check-in", "Je traject", "Notities en logboek", "Je rechten")
    for wanted in (*parts, "Delen met mijn coach", "Alleen voor mij", "Mijn reflecties wissen", "Mijn notities wissen"):
        assert any(wanted in label for label in labels), wanted
    seen = []
    for part in parts:
        await ahmed.press(part)
        page = ahmed.last.plain_text
        assert len(page) < TELEGRAM_LIMIT and ahmed.last.message_id == ahmed.inbox[-1].message_id
        seen.append(page)
        await ahmed.press("Terug naar het overzicht")
        assert "alleen voor jou" in ahmed.last.plain_text
    you, checkin, work, records, rights = seen
    assert "Je BSN" in you and "90 dagen" in you and "Wet verbetering poortwachter" in you
    assert "Je energie" in checkin and "Waarom: " in checkin
    assert "Wie ziet het: Jij en je coach. Je werkgever nooit." in checkin
    assert "Hoe lang: Tot twee jaar na het einde van je traject" in checkin and "UAVG art. 30" in checkin
    assert "FML" in work and "Rapportages aan je werkgever" in work and "Je eigen visie" in work
    assert "Notities van je coach" in records and "Veiligheidsmeldingen" in records and "logboek" in records
    assert "/mijngegevens" in rights and "Autoriteit Persoonsgegevens" in rights and "coach" in rights
    # the sharing choice still works from the overview
    await ahmed.press("Delen met mijn coach")
    assert (await people.employee_row(2001)).share_reflections is True


async def test_privacy_in_english(people):
    coach = await people.coach()
    peter = await people.employee(coach, 2002, "Peter Smith", language="English")
    await peter.send("/privacy")
    overview = peter.last.plain_text
    assert "/mydata" in overview and "/mijngegevens" not in overview
    await peter.press("Your rights")
    rights = peter.last.plain_text
    assert "/mydata" in rights and "Dutch Data Protection Authority" in rights
    await peter.press("Back to the overview")
    await peter.press("Your check-in")
    assert "Why: " in peter.last.plain_text and "How long: " in peter.last.plain_text
    assert "energie" not in peter.last.plain_text.lower()


async def test_deleting_reflections_for_good_keeps_the_counts_and_the_notes(people, box, clock):
    coach, ahmed = await _three_weeks(people, clock)
    before = await people.checkins(2001)
    detail = await _coach_sees(coach)
    assert "afwijzing doet pijn" in detail and "zware week" in detail
    assert REFLECTION_2 in await _coach_report(box, clock)

    await ahmed.send("/privacy")
    await ahmed.press("Mijn reflecties wissen")
    assert "2 reflecties" in ahmed.last.plain_text and "voor altijd" in ahmed.last.plain_text
    await ahmed.press("Ja, wis ze voor altijd")
    assert "Gewist: 2 reflecties" in ahmed.last.plain_text

    after = await people.checkins(2001)
    assert [c.reflection for c in after] == [None, None, None]
    assert [c.note for c in after] == [c.note for c in before] and NOTE_1 in [c.note for c in after]
    assert _counts(after) == _counts(before)  # the rows keep their counts
    detail = await _coach_sees(coach)
    assert "Kanarie-reflectie" not in detail and "afwijzing doet pijn" not in detail and "zware week" in detail
    csv_text = await _coach_report(box, clock)
    assert "Kanarie-reflectie" not in csv_text


async def test_deleting_notes_for_good(people, box, clock):
    coach, ahmed = await _three_weeks(people, clock)
    before = await people.checkins(2001)
    await ahmed.send("/privacy")
    await ahmed.press("Mijn notities wissen")
    assert "2 notities" in ahmed.last.plain_text
    await ahmed.press("Ja, wis ze voor altijd")
    assert "Gewist: 2 notities" in ahmed.last.plain_text
    after = await people.checkins(2001)
    assert [c.note for c in after] == [None, None, None]
    assert [c.reflection for c in after] == [c.reflection for c in before]
    assert _counts(after) == _counts(before)
    detail = await _coach_sees(coach)
    assert "Kanarie-notitie" not in detail and "afwijzing doet pijn" in detail
    # nothing left to delete: said so, without a delete button
    await ahmed.send("/privacy")
    await ahmed.press("Mijn notities wissen")
    assert "geen notities" in ahmed.last.plain_text and not any("Ja, wis" in b for b in ahmed.buttons())


async def test_cancel_keeps_everything(people, box, clock):
    _coach, ahmed = await _three_weeks(people, clock)
    before = await people.checkins(2001)
    await ahmed.send("/privacy")
    await ahmed.press("Mijn reflecties wissen")
    await ahmed.press("Nee, bewaren")
    assert "niets gewist" in ahmed.last.plain_text
    after = await people.checkins(2001)
    assert [(c.reflection, c.note) for c in after] == [(c.reflection, c.note) for c in before]
    assert REFLECTION_3 in [c.reflection for c in after]


async def test_a_stale_or_forged_press_deletes_nothing(people, box, clock):
    _coach, ahmed = await _three_weeks(people, clock)
    await ahmed.send("/privacy")
    await ahmed.press("Mijn reflecties wissen")
    confirmation = ahmed.last
    yes = next(b["callback_data"] for row in confirmation.reply_markup for b in row if "Ja, wis" in b["text"])
    await ahmed.press("Nee, bewaren")
    # the old "yes" after the answer: stale
    before = await snapshot(box)
    await ahmed.press_data(yes, confirmation)
    assert STALE in ahmed.last.plain_text
    assert await snapshot(box) == before
    # a forged press at the current version: a delete the question does not offer
    await ahmed.send("/privacy")
    version = yes.split("|")[0]
    current = ahmed.last
    current_version = current.reply_markup[0][0]["callback_data"].split("|")[0]
    assert current_version != version
    for data in (f"{current_version}|yes|", f"{current_version}|erase|everything", f"{current_version}|part|employer"):
        before = await snapshot(box)
        await ahmed.press_data(data, current)
        assert await snapshot(box) == before, data
    assert REFLECTION_3 in [c.reflection for c in await people.checkins(2001)]


async def test_a_restart_at_the_confirmation_continues(box, clock):
    async with box.bot_running():
        people = People(box)
        _coach, ahmed = await _three_weeks(people, clock)
        await ahmed.send("/privacy")
        await ahmed.press("Mijn notities wissen")
    async with box.bot_running():  # a new process: only the database knows the question
        await ahmed.press("Ja, wis ze voor altijd")
        assert "Gewist: 2 notities" in ahmed.last.plain_text
        assert [c.note for c in await People(box).checkins(2001)] == [None, None, None]


async def test_the_coach_and_the_employer_contact_read_their_own_part(people, box):
    coach = await people.coach()
    await people.employee(coach, 2001, "Ahmed", employer="Bakkerij Bol")
    await coach.send("/privacy")
    text = coach.last.plain_text
    assert "Als coach" in text and "logboek" in text and "Reflecties alleen als je cliënt ze deelt" in text
    labels = coach.buttons()
    assert not any("wissen" in label or "Delen" in label for label in labels)
    await coach.press("Je check-in")
    assert "Je energie" in coach.last.plain_text
    await coach.press("Terug naar het overzicht")
    assert "Als coach" in coach.last.plain_text

    contact = await contact_joins(box, await invite_contact(coach, "Bakkerij Bol", "Eva de Wit"))
    await contact.send("/privacy")
    text = contact.last.plain_text
    assert "Als werkgever" in text and "nooit gezondheidsgegevens" in text and "logboek" in text
    assert contact.buttons() == []


def test_the_statement_covers_every_kind_of_data_in_both_languages():
    shared = texts()
    for lang in ("nl", "en"):
        text = statement.markdown(partial(shared.label, lang))
        for kinds in statement.KINDS.values():
            for kind in kinds:
                assert shared.label(lang, f"statement_{kind}_title") in text
        assert text.count(shared.label(lang, "statement_field_why")) == sum(map(len, statement.KINDS.values()))
    english = statement.markdown(partial(shared.label, "en"))
    assert re.search(r"\b(je|jij|werkgever)\b", english) is None  # translated, not Dutch


def test_the_readme_holds_the_statement_the_bot_shows():
    printed = subprocess.run(
        [sys.executable, "-m", "bot", "privacy", "statement", "--language", "en", "--markdown"],
        capture_output=True, text=True, check=True, cwd=ROOT,
    ).stdout  # fmt: skip
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- privacy-statement:start -->\n(.*?)<!-- privacy-statement:end -->", readme, re.S)
    assert found is not None, "README.md has no privacy-statement markers"
    assert found.group(1).strip() == printed.strip()
