"""The progress report: PDF (read back with pypdf) and CSV, both variants, made from real check-ins through the
real bot; canaries planted in every health and free-text field never reach the dossier variant; the CLI."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PdfReader

from bot import cli
from bot.core import phases
from bot.core.context import Work
from bot.sandbox.offline import local
from bot.views import report
from storage import coach_queries, queries
from storage.models import Coach, Employee

STEP = "Kanarie-stap bel drie bakkerijen"
REFLECTION = "Kanarie-reflectie afwijzing voelt zwaar"
NOTE = "Kanarie-notitie moe na gesprekken"
PRIVATE_NOTE = "Kanarie-privenotitie slaapt slecht"
FILE_NOTE = "- Driegesprek gevoerd met werkgever en werknemer"  # a leading "-" is a formula to a spreadsheet
CANARIES = (STEP, REFLECTION, NOTE, PRIVATE_NOTE)
REPORT_DAY = local("2026-12-21 09:00")  # Monday of ISO week 52


def text_of(pdf: bytes) -> str:
    """All text of a PDF, whitespace collapsed."""
    assert pdf.startswith(b"%PDF")
    pages = PdfReader(io.BytesIO(pdf)).pages
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in pages))


def rows_of(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


@pytest.fixture
async def history(people, box, clock):
    """Ahmed's first five weeks of Track 2, week 47 to 51 of 2026, through the chat: two check-ins (energy 9 and
    2, a typed step and a reflection he shares), a missed week, a week paused for "treatment", and a check-in
    with a note for his coach; plus two logged applications, a phase change and two coach notes."""
    coach = await people.coach(name="Sanne de Vries")
    ahmed = await people.employee(coach, 2001, "Ahmed Yilmaz", employer="Bakkerij Bol", sick_day="06-10-2025")
    await ahmed.send("/privacy")
    await ahmed.press("Delen met mijn coach")
    # week 47: 3 applications, 1 interview, 2 contacts, a workshop, energy 9, a step of his own
    await people.checkin(ahmed, 3, 1, 2, ("Workshop",), energy=9, step=STEP)
    # week 48: the step was done; 2 applications (logged below too), energy 2, a reflection
    clock.set(local("2026-11-27 10:00"))
    await people.checkin(ahmed, 2, 0, 1, energy=2, step_result="Gelukt", reflection=REFLECTION)
    employee = await people.employee_row(2001)
    async with box.db.session() as session:
        work = Work(session, clock, box.fake.bot_username)
        for company, status in (("Brood & Banket BV", "interview"), ("Gemeente Zwolle", "rejected")):
            application = await coach_queries.add_application(
                session, employee.id, company, "Verkoopmedewerker", date(2026, 11, 24), "website", clock.now()
            )
            application.status = status
        sanne = await queries.get(session, Coach, employee.coach_id)
        await phases.set_phase(work, await queries.get(session, Employee, employee.id), "active_search", sanne)
        await coach_queries.add_note(session, employee.id, sanne.id, FILE_NOTE, True, clock.now())
        await coach_queries.add_note(session, employee.id, sanne.id, PRIVATE_NOTE, False, clock.now())
    # week 49: no check-in; at week 50's prompt the sweep files it as missed
    clock.set(local("2026-12-11 10:05"))
    await box.run_due()
    # week 50: a pause for "treatment" over the whole week
    await ahmed.send("/pauze")
    await ahmed.press("Behandeling")
    await ahmed.press("1 week")
    clock.set(local("2026-12-18 10:05"))
    await box.run_due()
    # week 51: 1 application, energy 5, and a note for the coach
    await ahmed.send("/checkin")
    for answer in ("1", "0", "0"):
        await ahmed.send(answer)
    await ahmed.press("Geen")
    await ahmed.press("5")
    await ahmed.press("Notitie voor je coach")
    await ahmed.send(NOTE)
    await ahmed.press("Versturen")
    clock.set(REPORT_DAY)
    return coach, ahmed


async def made(box, clock, variant: str, kind: str = "pdf", lang: str = "nl", period=None) -> bytes:
    async with box.db.session() as session:
        work = Work(session, clock, box.fake.bot_username)
        employee = await queries.employee_by_telegram(session, 2001)
        period = period or report.default_period(employee, REPORT_DAY.date())
        make = report.pdf if kind == "pdf" else report.csv_bytes
        return await make(work, employee, period, variant, lang)


async def test_the_dossier_sent_in_the_chat_has_the_right_figures(history, box):
    coach, _ahmed = history
    await coach.send("/caseload")
    await coach.press("Ahmed Yilmaz")
    await coach.press("Rapportage")
    await coach.press("Voor het dossier")
    document = next(m for m in reversed(coach.inbox) if m.kind == "document")
    assert document.file_name == "voortgangsrapportage-ahmed-yilmaz-dossier-2026-11-20-2026-12-21.pdf"
    text = text_of(document.file_bytes)
    # the header: client, employer, coach, dates, phase
    for fact in ("Ahmed Yilmaz", "Bakkerij Bol", "Sanne de Vries", "Eerste ziektedag 06-10-2025",
                 "Start spoor 2 20-11-2026", "Actief zoeken", "periode 20-11-2026 t/m 21-12-2026"):  # fmt: skip
        assert fact in text, fact
    # Track 2 began after week 58 of sickness (15-11-2026): the report says so
    assert "na de uiterste datum van 15-11-2026" in text
    # totals: applications 3 + 2 + 1, interviews 1, contacts 2 + 1, check-ins 3 of 6 weeks (week 52 still open)
    assert "Weken in de rapportage 6" in text
    assert "Check-ins ingevuld 3 1 gemist, 1 gepauzeerd" in text
    assert "Sollicitaties 6 2 met organisatie en functie vastgelegd" in text
    assert "Sollicitatiegesprekken 1" in text and "Netwerkcontacten 3" in text
    assert "Andere re-integratieactiviteiten 1 Workshop 1×" in text
    assert "Gekozen stappen opgevolgd 1" in text
    # week by week (week and its Monday, sickness week, applications, interviews, contacts; or why there are none)
    assert "W47 · 16-11-2026 59 3 1 2 Workshop" in text
    assert "W48 · 23-11-2026 60 2 0 1 gedaan" in text
    assert "W49 · 30-11-2026 61 gemist" in text
    assert "W50 · 07-12-2026 62 gepauzeerd" in text
    assert "W51 · 14-12-2026 63 1 0 0" in text
    assert "W52 · 21-12-2026 64 nog open" in text
    # the applications with their status
    assert "24-11-2026 Brood & Banket BV – Verkoopmedewerker (website) gesprek" in text
    assert "24-11-2026 Gemeente Zwolle – Verkoopmedewerker (website) afgewezen" in text
    # poortwachter steps and deadlines for a first day of sickness on Monday 6 October 2025 (checked by hand):
    # nothing recorded, so every step whose legal date passed is overdue; no list of numbered evaluations
    for line in ("Probleemanalyse (bedrijfsarts) 16-11-2025 te laat: uiterlijk 16-11-2025",
                 "Eerstejaarsevaluatie 04-10-2026 te laat: uiterlijk 04-10-2026", "Eindevaluatie 04-07-2027 nog niet",
                 "42 27-07-2026 Ziekmelding bij UWV", "58 15-11-2026 Uiterste start van spoor 2",
                 "93 18-07-2027 Uiterste datum WIA-aanvraag", "104 03-10-2027 Einde loondoorbetaling",
                 "eerste werkdag na week 42"):  # fmt: skip
        assert line in text, line
    assert "Evaluatie 9 van het plan" not in text and "Spoorzoeker" not in text
    assert "27-11-2026 Actief zoeken" in text  # the phase history
    assert FILE_NOTE in text
    assert "1 / " in text and "Dossierversie" in text


async def test_no_health_data_or_free_text_reaches_the_dossier(history, box, clock):
    dossier = text_of(await made(box, clock, "dossier"))
    dossier_csv = (await made(box, clock, "dossier", "csv")).decode("utf-8-sig")
    for canary in CANARIES:
        assert canary not in dossier and canary not in dossier_csv, canary
    for health in ("ehandeling", "Gemiddelde energie", "Energie per week", "Reflecties", "reden pauze"):
        assert health not in dossier and health not in dossier_csv, health
    assert "W47 · 16-11-2026 59 3 1 2 Workshop W48" in dossier  # no energy column (9)
    assert "energie" not in dossier_csv.splitlines()[0] and ";9;" not in dossier_csv
    assert "gepauzeerd" in dossier and "gepauzeerd" in dossier_csv  # that it was paused, not why
    assert FILE_NOTE in dossier and FILE_NOTE in dossier_csv
    english = text_of(await made(box, clock, "dossier", lang="en"))
    for canary in (*CANARIES, "treatment", "Average energy", "Energy per week", "Reflections"):
        assert canary not in english, canary
    assert "File version" in english and "W50 · 07 Dec 2026 62 paused" in english


async def test_the_coach_variant_adds_energy_reflections_and_the_employees_words(history, box, clock):
    coach = text_of(await made(box, clock, "coach"))
    assert "Coachversie – vertrouwelijk" in coach
    assert "Gemiddelde energie 5,3" in coach  # (9 + 2 + 5) / 3, with a decimal comma
    assert "Average energy 5.3" in text_of(await made(box, clock, "coach", lang="en"))  # and a point in English
    assert "W47 · 16-11-2026 59 3 1 2 Workshop W48" in coach  # the file part is the dossier's: no energy column
    coach_part = coach.split("Coachdeel – vertrouwelijk, niet voor het dossier", 1)[1]
    assert f"W47 · 16-11-2026 9 {STEP} gedaan" in coach_part  # energy, the chosen step and its follow-through
    assert "W50 · 07-12-2026 gepauzeerd (behandeling)" in coach_part
    assert "W51 · 14-12-2026 5" in coach_part
    for words in (STEP, REFLECTION, PRIVATE_NOTE, FILE_NOTE):
        assert words in coach, words
    rows = rows_of(await made(box, clock, "coach", "csv"))
    header = rows[0]
    assert {"energie", "reden pauze", "afgesproken stap", "reflectie"} <= set(header)
    week = {row[header.index("week")]: row for row in rows[1:] if row[0] == "week"}
    assert week["47"][header.index("energie")] == "9"
    assert week["47"][header.index("afgesproken stap")] == STEP
    assert week["48"][header.index("reflectie")] == REFLECTION
    assert week["50"][header.index("reden pauze")] == "behandeling"


async def test_reflections_stay_out_of_the_coach_variant_without_consent(history, box, clock):
    _coach, ahmed = history
    await ahmed.send("/privacy")
    await ahmed.press("Alleen voor mij")
    coach = text_of(await made(box, clock, "coach"))
    assert REFLECTION not in coach
    assert "deelt de reflecties niet" in coach


async def test_the_dossier_csv_has_one_row_per_week_application_phase_and_file_note(history, box, clock):
    rows = rows_of(await made(box, clock, "dossier", "csv"))
    header = rows[0]
    assert "energie" not in header and "reden pauze" not in header and "reflectie" not in header
    kinds = [row[0] for row in rows[1:]]
    assert kinds.count("week") == 6 and kinds.count("sollicitatie") == 2
    assert kinds.count("fase") == 1 and kinds.count("notitie coach") == 1
    week = {row[header.index("week")]: row for row in rows[1:] if row[0] == "week"}
    column = header.index
    assert [week["47"][column(name)] for name in ("sollicitaties", "gesprekken", "netwerkcontacten")] == ["3", "1", "2"]
    assert week["47"][column("andere activiteiten")] == "Workshop"
    assert week["48"][column("stap vorige week")] == "gedaan"
    assert [week[w][column("status")] for w in ("49", "50", "51", "52")] == [
        "gemist", "gepauzeerd", "ingevuld", "nog open",
    ]  # fmt: skip
    statuses = sorted(row[column("stand sollicitatie")] for row in rows[1:] if row[0] == "sollicitatie")
    assert statuses == ["afgewezen", "gesprek"]
    (note,) = [row for row in rows[1:] if row[0] == "notitie coach"]
    assert note[column("tekst")] == "'" + FILE_NOTE  # never run as a formula


async def test_a_chosen_period_shows_only_its_weeks(history, box, clock):
    period = report.Period(date(2026, 11, 30), date(2026, 12, 13))  # weeks 49 and 50
    text = text_of(await made(box, clock, "dossier", period=period))
    assert "W49 · 30-11-2026" in text and "W50 · 07-12-2026" in text
    assert "W48 ·" not in text and "W51 ·" not in text
    assert "Sollicitaties 0" in text and "Check-ins ingevuld 0 1 gemist, 1 gepauzeerd" in text


def test_default_period_and_file_name():
    employee = Employee(name="Linda van der Berg-Öztürk", coach_id=1, employer_id=1, first_sick_day=date(2025, 1, 6),
                        track2_start=date(2026, 1, 5), created_at=REPORT_DAY)  # fmt: skip
    today = date(2026, 3, 2)
    assert report.default_period(employee, today) == report.Period(date(2026, 1, 5), today)
    employee.track2_start = date(2026, 4, 1)  # Track 2 starts later: the last 13 weeks
    assert report.default_period(employee, today) == report.Period(today - timedelta(weeks=13), today)
    assert report.filename(employee, "coach", report.Period(date(2026, 1, 5), today), "csv") == (
        "voortgangsrapportage-linda-van-der-berg-ozturk-coach-2026-01-05-2026-03-02.csv"
    )
    with pytest.raises(ValueError):
        report.Period(today, today - timedelta(days=1))


async def test_the_cli_writes_a_pdf_and_a_csv(history, box, tmp_path, monkeypatch):
    async with box.db.session() as session:
        employee = await queries.employee_by_telegram(session, 2001)
    monkeypatch.setenv("DATABASE_URL", box.settings.database_url)
    pdf_file, csv_file = tmp_path / "rapport.pdf", tmp_path / "rapport.csv"
    args = ["report", "--employee", str(employee.id), "--from", "2026-11-20", "--to", "2026-12-21", "--today",
            "2026-12-21"]  # fmt: skip
    assert await _run_cli([*args, "--out", str(pdf_file)]) == 0
    assert "Sollicitaties 6" in text_of(pdf_file.read_bytes())
    assert await _run_cli([*args, "--variant", "coach", "--format", "csv", "--out", str(csv_file)]) == 0
    assert rows_of(csv_file.read_bytes())[0][:2] == ["soort", "jaar"]
    assert STEP in csv_file.read_text(encoding="utf-8-sig")
    assert await _run_cli(["report", "--employee", "999", "--out", str(pdf_file)]) == 2


async def _run_cli(argv: list[str]) -> int:
    import asyncio

    return await asyncio.to_thread(cli.main, argv)


async def test_a_client_who_has_not_joined_yet_gets_a_report_without_weeks(people, box, clock):
    coach = await people.coach()
    await people.invite(coach, "Kees Bakker", sick_day="01-09-2025")  # he never opens his link
    async with box.db.session() as session:
        work = Work(session, clock, box.fake.bot_username)
        (employee,) = await queries.employees_of_coach(session, (await queries.coach_by_telegram(session, 1001)).id)
        period = report.default_period(employee, clock.now().date())
        texts = {lang: text_of(await report.pdf(work, employee, period, "dossier", lang)) for lang in ("nl", "en")}
        rows = rows_of(await report.csv_bytes(work, employee, period, "coach", "nl"))
    assert "Start begeleiding nog niet" in texts["nl"] and "Start of coaching not yet" in texts["en"]
    assert "Spoorzoeker" not in texts["nl"] + texts["en"]  # the report names the agency, never the product
    assert "Check-ins ingevuld 0" in texts["nl"]
    weeks = [row for row in rows[1:] if row[0] == "week"]
    assert [row[5] for row in weeks] == ["nog niet aangemeld"]  # this week only, before he joined


async def test_the_joining_day_is_the_local_day_not_the_utc_one(people, box, clock):
    """Registered at 23:30 UTC on 19 November: in Amsterdam that is 00:30 on 20 November."""
    coach = await people.coach()
    await people.employee(coach, 2001, "Ahmed Yilmaz")
    async with box.db.session() as session:
        employee = await queries.employee_by_telegram(session, 2001)
        employee.registered_at = datetime(2026, 11, 19, 23, 30, tzinfo=UTC)
        session.add(employee)
        await session.commit()
    async with box.db.session() as session:
        work = Work(session, clock, box.fake.bot_username)
        employee = await queries.employee_by_telegram(session, 2001)
        ctx = await report.gather(
            work, employee, report.Period(date(2026, 11, 16), date(2026, 11, 20)), "dossier", "nl"
        )
    html = report.render_html(work, {**ctx, "charts": {}})
    assert "Start begeleiding</th><td>20-11-2026</td>" in html
