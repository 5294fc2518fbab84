"""End to end: employer contacts invited by a coach, their /status, and every employer notification.

The clock starts on Friday 20 November 2026, 10:00 in Amsterdam (ISO week 47). Dates of milestones are worked
out by hand on a calendar (week N of sickness runs from day 7(N-1)+1 to day 7N).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.sandbox.offline import local, token_in
from storage import queries
from storage.models import Outbox

OTHER_COMPANY = "Garage Gerrits"


async def enrol(people, coach, user_id: int, name: str, employer: str, sick_day: str, track2: str | None = None):
    """The coach invites an employee (optionally with another Track 2 start date) and the employee joins."""
    await coach.send("/invite")
    await coach.send(name)
    await coach.send(employer)
    await coach.send(sick_day)
    if track2 is not None:
        await coach.press("Andere startdatum spoor 2")
        await coach.send(track2)
    token = token_in(await coach.press("Maak de uitnodiging"))
    user = people.box.fake.user(user_id, name.split()[0])
    await user.send(f"/start {token}")
    await user.press("Nederlands")
    await user.press("vr")
    await user.press("10:00")
    return user


async def invite_contact(coach, company: str, name: str) -> str:
    await coach.send("/werkgever")
    await coach.press(company)
    return token_in(await coach.send(name))


async def contact_joins(box, token: str, user_id: int = 3001, first_name: str = "Eva", language: str = "nl"):
    contact = box.fake.user(user_id, first_name, language_code=language)
    await contact.send(f"/start {token}")
    return contact


async def set_phase(coach, name: str, phase_label: str) -> None:
    """The coach sets a client's phase in their caseload (which stores a PhaseChange)."""
    await coach.send("/caseload")
    await coach.press(name)
    await coach.press("Fase")
    await coach.press(phase_label)


def texts_of(user) -> list[str]:
    return [m.plain_text for m in user.inbox]


async def outbox_rows(box, kind: str) -> list[Outbox]:
    async with box.db.session() as session:
        return await queries.outbox_rows(session, kind=kind)


@pytest.fixture
async def team(people):
    """Coach Sanne with Ahmed and Fleur at Bakkerij Bol and Karim at another company."""
    coach = await people.coach()
    ahmed = await enrol(people, coach, 2001, "Ahmed Yilmaz", "Bakkerij Bol", "01-06-2026")
    fleur = await enrol(people, coach, 2002, "Fleur Jansen", "Bakkerij Bol", "02-03-2026")
    karim = await enrol(people, coach, 2003, "Karim Bouali", OTHER_COMPANY, "01-06-2026")
    return coach, ahmed, fleur, karim


async def test_a_coach_invites_a_contact_who_joins_and_sees_only_their_company(box, team):
    coach, *_ = team
    await coach.send("/werkgever")
    assert sorted(coach.buttons()) == ["Bakkerij Bol", "Garage Gerrits"]  # the employers of the coach's own clients
    await coach.press("Bakkerij Bol")
    assert "naam van de contactpersoon bij Bakkerij Bol" in coach.last.plain_text
    sent = await coach.send("Eva de Jong")
    assert "Eva de Jong van Bakkerij Bol is uitgenodigd" in sent[0].plain_text
    assert sent[-1].kind == "photo" and sent[-1].file_bytes.startswith(b"\x89PNG")  # the QR code of the link
    token = token_in(sent)

    eva = await contact_joins(box, token)
    welcome = eva.inbox[0].plain_text
    assert "Welkom, Eva de Jong" in welcome and "contactpersoon van Bakkerij Bol" in welcome
    assert "Gezondheidsgegevens" in welcome and "ook niet als de werknemer toestemming geeft" in welcome
    status = eva.last.plain_text
    assert "Stand van zaken bij Bakkerij Bol" in status
    assert "Ahmed Yilmaz" in status and "Fleur Jansen" in status
    assert "Karim" not in status and OTHER_COMPANY not in status

    await box.run_due()
    assert "Eva de Jong (Bakkerij Bol) heeft de uitnodiging geopend" in coach.last.plain_text
    await eva.send("/start " + token)  # the link works once; a registered contact keeps their role
    assert "al aangemeld als contactpersoon" in eva.last.plain_text
    async with box.db.session() as session:
        assert await queries.employee_by_telegram(session, eva.id) is None


async def test_the_employer_can_be_typed_and_english_works_too(box, team):
    coach, *_ = team
    await coach.send("/employer")
    await coach.send("Bakkerij Nergens")
    assert "geen werkgever „Bakkerij Nergens”" in coach.last.plain_text
    await coach.send("garage GERRITS")
    assert "contactpersoon bij Garage Gerrits" in coach.last.plain_text
    token = token_in(await coach.send("Tom Gerrits"))
    tom = await contact_joins(box, token, 3002, "Tom", language="en")
    assert "Welcome, Tom Gerrits" in tom.inbox[0].plain_text
    assert "Karim Bouali" in tom.last.plain_text and "Ahmed" not in tom.last.plain_text
    await tom.send("/help")
    assert "/status" in tom.last.plain_text and "never get health data" in tom.last.plain_text
    await tom.send("/checkin")  # not an employer's command
    assert "don't know that command" in tom.last.plain_text
    await tom.send("/start")
    assert "Welcome back, Tom Gerrits" in tom.last.plain_text and "/status" in tom.last.plain_text
    await tom.send("hello?")
    assert "didn't quite understand" in tom.last.plain_text


async def test_a_coach_without_clients_is_told_to_invite_an_employee_first(people):
    coach = await people.coach()
    await coach.send("/werkgever")
    assert "Meld eerst een werknemer aan met /invite" in coach.last.plain_text


async def test_status_shows_phase_week_next_deadline_and_four_weeks_of_counts(box, clock, people, team):
    coach, ahmed, fleur, karim = team
    eva = await contact_joins(box, await invite_contact(coach, "Bakkerij Bol", "Eva de Jong"))
    await people.checkin(ahmed, applications=3, interviews=1, networking=2, activities=("Cursus",))  # week 47
    await people.checkin(karim, applications=9, interviews=9, networking=9)
    clock.set(local("2026-11-27 12:00"))  # a week later: week 48
    await people.checkin(ahmed, applications=2, interviews=0, networking=1, activities=("Workshop", "Proefplaatsing"))
    await set_phase(coach, "Ahmed Yilmaz", "actief zoeken")
    await eva.send("/status")
    text = eva.last.plain_text
    assert "week 45 tot en met 48" in text
    ahmed_part = text[text.index("Ahmed Yilmaz") : text.index("Fleur Jansen")]
    # 1 June 2026 is a Monday: 27 November is day 180, so sickness week 26
    assert "Fase: actief zoeken naar werk · ziekteweek 26" in ahmed_part
    assert "5 sollicitaties · 1 gesprek · 3 netwerkcontacten · 3 andere activiteiten" in ahmed_part
    assert "Check-ins: 2 van 2 weken ingevuld" in ahmed_part  # weeks 45 and 46 were before Ahmed joined
    # the plan of action is evaluated every 6 weeks after week 8: the third evaluation ends week 26, Sunday 29 Nov
    assert "Volgende termijn: Evaluatie 3 van het plan van aanpak: uiterlijk zondag 29-11-2026 (ziekteweek 26)" in (
        ahmed_part
    )
    fleur_part = text[text.index("Fleur Jansen") :]
    assert "Fase: intake · ziekteweek 39" in fleur_part and "0 sollicitaties" in fleur_part
    # Fleur (2 March 2026): week 42 ends Sunday 20 December 2026, so the report is due Monday 21 December
    assert "uiterlijk maandag 21-12-2026 (ziekteweek 42)" in fleur_part
    assert "Karim" not in text and "9 sollicitaties" not in text


async def test_trajectory_started_is_told_once_with_the_late_track2_warning(box, clock, people, team):
    coach, *_ = team
    eva = await contact_joins(box, await invite_contact(coach, "Bakkerij Bol", "Eva de Jong"))
    tom = await contact_joins(box, await invite_contact(coach, OTHER_COMPANY, "Tom Gerrits"), 3002, "Tom")
    await box.run_due()
    assert not [t for t in texts_of(eva) if "is gestart met spoor 2" in t]  # joined before the contact
    clock.set(local("2026-11-23 11:00"))
    # first day of sickness Monday 6 October 2025: the first-year evaluation is due Sunday 4 October 2026 and
    # Track 2 had to start by Sunday 15 November 2026; it starts today, Monday 23 November
    await enrol(people, coach, 2004, "Daan de Wit", "Bakkerij Bol", "06-10-2025")
    late_line = "spoor 2 van Daan de Wit is gestart op 23-11-2026, na de uiterste datum 15-11-2026"
    await box.run_due()
    assert [t for t in texts_of(coach) if late_line in t]  # the coach is warned when the employee joins
    await box.run_due()
    started = [t for t in texts_of(eva) if "Daan de Wit is gestart met spoor 2" in t]
    assert len(started) == 1
    assert "(sinds 23-11-2026)" in started[0] and "ziekteweek 60" in started[0]
    assert "spoor 2 is gestart op 23-11-2026, na de uiterste datum 15-11-2026" in started[0]
    assert not [t for t in texts_of(tom) if "Daan" in t]  # another company's contact hears nothing
    await eva.send("/status")
    assert "na de uiterste datum 15-11-2026" in eva.last.plain_text


async def test_phase_changes_and_placement_are_told_once(box, clock, team):
    coach, ahmed, fleur, karim = team
    await set_phase(coach, "Fleur Jansen", "afronding")  # before any contact joined: old news, never told
    clock.set(local("2026-11-20 10:05"))
    eva = await contact_joins(box, await invite_contact(coach, "Bakkerij Bol", "Eva de Jong"))
    tom = await contact_joins(box, await invite_contact(coach, OTHER_COMPANY, "Tom Gerrits"), 3002, "Tom")
    await set_phase(coach, "Ahmed Yilmaz", "oriëntatie")
    await set_phase(coach, "Karim Bouali", "actief zoeken")
    await box.run_due()
    await box.run_due()
    assert [t for t in texts_of(eva) if t.startswith("📍")] == [
        "📍 Ahmed Yilmaz is nu in de fase oriëntatie van spoor 2."
    ]
    assert [t for t in texts_of(tom) if t.startswith("📍")] == [
        "📍 Karim Bouali is nu in de fase actief zoeken naar werk van spoor 2."
    ]
    clock.set(local("2026-12-10 14:00"))
    await set_phase(coach, "Ahmed Yilmaz", "geplaatst")
    await box.run_due()
    await box.run_due()
    placed = [t for t in texts_of(eva) if t.startswith("🎉")]
    assert len(placed) == 1 and "Goed nieuws: Ahmed Yilmaz is geplaatst" in placed[0]
    assert "Fleur" not in "".join(t for t in texts_of(eva) if t.startswith(("📍", "🎉")))
    await set_phase(coach, "Karim Bouali", "afgesloten")
    await box.run_due()
    assert texts_of(tom)[-1].startswith("🏁 Het spoor 2-traject van Karim Bouali is afgesloten")
    assert len(await outbox_rows(box, "employer_phase")) == 4
    # a closed trajectory gets no more deadline reminders: Karim's (1 June 2026) sick report is due 22 March 2027
    for moment in ("2027-03-08 09:30", "2027-03-22 09:30"):
        clock.set(local(moment))
        await box.run_due()
    assert not [t for t in texts_of(tom) if "Karim Bouali" in t and "Ziekmelding bij UWV" in t]
    assert [t for t in texts_of(eva) if "— Ahmed Yilmaz" in t and "Ziekmelding bij UWV" in t]  # Ahmed is open


async def test_a_work_trial_is_told_when_it_starts_not_every_week(box, clock, people, team):
    coach, ahmed, *_ = team
    eva = await contact_joins(box, await invite_contact(coach, "Bakkerij Bol", "Eva de Jong"))
    await people.checkin(ahmed, activities=("Proefplaatsing",))  # week 47
    await box.run_due()
    await box.run_due()
    clock.set(local("2026-11-27 12:00"))
    await people.checkin(ahmed, activities=("Proefplaatsing",))  # week 48: the same trial continues
    await box.run_due()
    trials = [t for t in texts_of(eva) if t.startswith("🛠️")]
    assert trials == [
        "🛠️ Ahmed Yilmaz heeft in week 47 een proefplaatsing: een periode van werken op proef bij een andere "
        "werkgever. Dat is een goede stap in spoor 2."
    ]


async def test_the_monthly_summary_has_counts_only_and_comes_once(box, clock, people, team):
    coach, ahmed, fleur, karim = team
    eva = await contact_joins(box, await invite_contact(coach, "Bakkerij Bol", "Eva de Jong"))
    clock.set(local("2026-11-26 12:00"))  # Thursday of week 48
    await people.checkin(ahmed, applications=4, interviews=2, networking=1, activities=("Cursus",), energy=2)
    await people.checkin(fleur, applications=1, interviews=0, networking=0)
    clock.set(local("2026-12-01 08:59"))  # Tuesday 1 December is the month's first working day
    await box.run_due()
    assert not [t for t in texts_of(eva) if "Maandoverzicht" in t]
    clock.set(local("2026-12-01 09:00"))
    await box.run_due()
    clock.set(local("2026-12-03 15:00"))
    await box.run_due()
    (summary,) = [t for t in texts_of(eva) if "Maandoverzicht" in t]
    # November's ISO weeks are those whose Thursday falls in November: weeks 45 to 48
    assert "Maandoverzicht november 2026 — Bakkerij Bol" in summary and "Week 45 tot en met 48" in summary
    ahmed_part = summary[summary.index("Ahmed Yilmaz") : summary.index("Fleur Jansen")]
    assert "4 sollicitaties · 2 gesprekken · 1 netwerkcontact · 1 andere activiteit" in ahmed_part
    # weeks 45 and 46 were before Ahmed joined, and week 47's check-in period opened as he joined: not his
    assert "Check-ins: 1 van 1 week ingevuld" in ahmed_part
    assert "Karim" not in summary and "energie" not in summary.lower()


# The employer's own obligations of two employees, hand-checked: (employee, key, "soon" moment, "due" moment).
# Fleur: first day Monday 2 March 2026, Track 2 from today. Bram: first day Monday 5 January 2026, Track 2
# planned for Monday 1 March 2027, after its deadline. A reminder day on a weekend moves to the Friday before.
DEADLINES = [
    # week 42 ends Sun 20 Dec 2026 -> report due Mon 21 Dec; 2 weeks before: Mon 7 Dec
    ("Fleur Jansen", "Ziekmelding bij UWV", "2026-12-07 09:00", "2026-12-21 09:00"),
    # week 52 ends Sun 3 Jan 2027; 2 weeks before is Sun 20 Dec -> Fri 18 Dec; the day -> Fri 1 Jan
    ("Bram Smit", "Eerstejaarsevaluatie", "2026-12-18 09:00", "2027-01-01 09:00"),
    # 6 weeks later: Sun 14 Feb 2027 -> Fri 12 Feb; 2 weeks before: Sun 31 Jan -> Fri 29 Jan
    ("Bram Smit", "Uiterste start van spoor 2", "2027-01-29 09:00", "2027-02-12 09:00"),
    # week 91 ends Sun 3 Oct 2027 -> Fri 1 Oct; 2 weeks before: Sun 19 Sep -> Fri 17 Sep
    ("Bram Smit", "Eindevaluatie", "2027-09-17 09:00", "2027-10-01 09:00"),
    # week 93 ends Sun 17 Oct 2027 -> Fri 15 Oct; 2 weeks before: Sun 3 Oct -> Fri 1 Oct
    ("Bram Smit", "Uiterste datum WIA-aanvraag", "2027-10-01 09:00", "2027-10-15 09:00"),
    # week 104 ends Sun 2 Jan 2028 -> Fri 31 Dec 2027; 2 weeks before: Sun 19 Dec -> Fri 17 Dec
    ("Bram Smit", "Einde loondoorbetaling", "2027-12-17 09:00", "2027-12-31 09:00"),
]


def reminders(user, name: str, title: str) -> list[str]:
    return [t for t in texts_of(user) if f"— {name}" in t and title in t]


async def test_each_deadline_is_reminded_two_weeks_before_and_on_the_day_once(box, clock, people, team):
    coach, *_ = team
    await enrol(people, coach, 2005, "Bram Smit", "Bakkerij Bol", "05-01-2026", track2="01-03-2027")
    eva = await contact_joins(box, await invite_contact(coach, "Bakkerij Bol", "Eva de Jong"))
    minute, later = timedelta(minutes=1), timedelta(hours=8)
    # every moment just before, at, and later on the day of each reminder, in time order: (moment, deadline, how
    # many reminders of that deadline the contact should have by then)
    moments = []
    for number, (_, _, soon, due) in enumerate(DEADLINES):
        for start, count in ((local(soon), 1), (local(due), 2)):
            moments += [(start - minute, number, count - 1), (start, number, count), (start + later, number, count)]
    for moment, number, count in sorted(moments):
        clock.set(moment)
        await box.run_due()
        name, title, _, _ = DEADLINES[number]
        found = reminders(eva, name, title)
        assert len(found) == count, (title, moment)
        if count:
            assert found[0].startswith("📅 Over twee weken — " + name)
        if count == 2:
            assert found[1].startswith("⏰ Deze termijn loopt nu af — " + name)
    # the coach's Monday digest lists the same deadlines (Monday 7 December: Fleur's report within 4 weeks)
    assert [t for t in texts_of(coach) if "21-12 Fleur Jansen: Ziekmelding bij UWV (42e-weeksmelding)" in t]
    fleur, bram = [(await people.employee_row(user_id)).id for user_id in (2002, 2005)]
    keys = ["first_year_evaluation", "track2_start_deadline", "final_evaluation", "wia_application_deadline"]
    expected = sorted([f"{fleur}:uwv_sick_report", *(f"{bram}:{key}" for key in [*keys, "wage_continuation_end"])])
    for kind in ("employer_deadline_soon", "employer_deadline_due"):
        refs = [row.dedupe_key.split(":", 3)[3] for row in await outbox_rows(box, kind)]
        assert sorted(ref for ref in refs if ref in expected) == expected


async def test_a_track2_deadline_met_is_not_reminded(box, clock, people, team):
    coach, *_ = team
    # first day Monday 5 January 2026; Track 2 starts Monday 25 January 2027, before its deadline (14 February)
    await enrol(people, coach, 2005, "Bram Smit", "Bakkerij Bol", "05-01-2026", track2="25-01-2027")
    eva = await contact_joins(box, await invite_contact(coach, "Bakkerij Bol", "Eva de Jong"))
    clock.set(local("2027-01-22 10:00"))  # the two-week reminder would be on Friday 29 January
    await box.run_due()
    clock.set(local("2027-01-29 10:00"))
    await box.run_due()
    clock.set(local("2027-02-12 10:00"))
    await box.run_due()
    assert reminders(eva, "Bram Smit", "Uiterste start van spoor 2") == []


async def test_news_for_the_employer_waits_for_the_end_of_quiet_hours(box, clock, team):
    coach, *_ = team
    eva = await contact_joins(box, await invite_contact(coach, "Bakkerij Bol", "Eva de Jong"))
    clock.set(local("2026-11-20 22:30"))  # the coach works late
    await set_phase(coach, "Ahmed Yilmaz", "actief zoeken")
    await box.run_due()
    assert not [t for t in texts_of(eva) if t.startswith("📍")]
    clock.set(local("2026-11-21 07:59"))
    await box.run_due()
    assert not [t for t in texts_of(eva) if t.startswith("📍")]
    clock.set(local("2026-11-21 08:00"))
    await box.run_due()
    assert [t for t in texts_of(eva) if t.startswith("📍")] == [
        "📍 Ahmed Yilmaz is nu in de fase actief zoeken naar werk van spoor 2."
    ]
