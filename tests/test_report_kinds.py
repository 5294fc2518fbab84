"""The two report kinds the UWV reads: the progress report (any period) and the final report (the whole
trajectory, ending with its outcome), each in the dossier and coach variants, PDF (read back with pypdf) and CSV,
Dutch and English. One client with everything filled (check-ins through the chat; plan, applications, evaluations,
poortwachter steps, own view and outcome through the storage functions) and one with every section empty;
canaries in every private field never reach the dossier; the BSN only in the running header of every page."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta

import pytest
from pypdf import PdfReader

from bot.core.context import Work
from bot.rules import plan as plan_rules
from bot.sandbox.offline import local
from bot.views import report
from storage import coach_queries, plan_queries, queries, report_queries
from storage.models import ApplicationProof, Coach, Employee, PlanEvaluation

BSN = "111222333"
STEP = "CANARY-STEP-1234 bel drie bakkerijen"
REFLECTION = "CANARY-REFLECTION-2345 afwijzing voelt zwaar"
PRIVATE_NOTE = "CANARY-NOTE-3456 slaapt slecht"
HIDDEN_VIEW = "CANARY-OWNVIEW-4567 niet voor het dossier"
PRIVATE = (STEP, REFLECTION, PRIVATE_NOTE, HIDDEN_VIEW)
FILE_NOTE = "Driegesprek gevoerd met werkgever en werknemer"
OWN_VIEW = "Ik heb veel geleerd over wat ik nog kan."
OUTCOME = "Geplaatst als planner bij Transport Oost, 24 uur per week."
LATE = "Het arbeidsdeskundig onderzoek kwam te laat."
AGENCY = "Werkfit Re-integratie BV"
REPORT_DAY = local("2026-12-21 09:00")  # Monday of ISO week 52


def pages_of(pdf: bytes) -> list[str]:
    assert pdf.startswith(b"%PDF")
    return [re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]


def text_of(pdf: bytes) -> str:
    return " ".join(pages_of(pdf))


def rows_of(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def plan_content(**values) -> dict:
    return {
        "profile": {"own_role": "Magazijnmedewerker", "experience": [{"role": "Magazijnmedewerker", "years": 12}],
                    "education": ["mbo Logistiek"], "skills": ["heftruck"], "hours": 24, "region": "Zwolle",
                    "travel_minutes": 45, "ambitions": "Plannen en organiseren"},
        "capacity": {"fml_date": "2026-10-20", "text": "Niet zwaar tillen, wisselend zitten en staan"},
        "directions": [
            {"id": "d1", "occupation": "Planner", "sector": "Logistiek", "region": "Zwolle", "hours": 24,
             "level": "mbo", "reason": "Past bij ervaring in het magazijn", "added_on": "2026-11-20"},
            {"id": "d2", "occupation": "Baliemedewerker", "sector": "Zorg", "added_on": "2026-11-20"},
        ],
        "activities": [
            {"id": "a1", "kind": "application_training", "provider": "TrainWerk", "start": "2026-11-23",
             "status": "running"},
        ],
        "track1": True,
        **values,
    }  # fmt: skip


@pytest.fixture
async def filled(people, box, clock):
    """Ahmed's trajectory with every part of the file filled. Through the chat: two check-ins (energy 6 and 7, a
    chosen step, a shared reflection) and a week paused for "treatment". Through the storage functions: the
    agency, BSN, the reason Track 2 started late, three plan versions (a direction added and one removed, the
    intervention finished, Track 1 stopped), applications in two directions and outside one (one with proof),
    an evaluation, three poortwachter steps, notes, his own view (consented) and the outcome."""
    coach = await people.coach(name="Sanne de Vries")
    ahmed = await people.employee(coach, 2001, "Ahmed Yilmaz", employer="Bakkerij Bol", sick_day="06-10-2025")
    await ahmed.send("/privacy")
    await ahmed.press("Delen met mijn coach")
    await people.checkin(ahmed, 3, 1, 2, ("Workshop",), energy=6, step=STEP)  # week 47
    clock.set(local("2026-11-27 10:00"))
    await people.checkin(ahmed, 2, 0, 1, energy=7, step_result="Gelukt", reflection=REFLECTION)  # week 48
    clock.set(local("2026-12-04 09:00"))  # week 49: a pause for treatment
    await ahmed.send("/pauze")
    await ahmed.press("Behandeling")
    await ahmed.press("1 week")
    async with box.db.session() as session:
        employee = await queries.employee_by_telegram(session, 2001)
        sanne = await queries.get(session, Coach, employee.coach_id)
        sanne.agency = AGENCY
        employee.bsn, employee.track2_late_reason = BSN, LATE
        session.add_all([sanne, employee])
        checkins = await queries.checkins_of(session, employee.id)
        checkins[0].track1_hours = 8
        session.add(checkins[0])
        first = plan_rules.normalise(plan_content(), date(2026, 11, 20))
        await plan_queries.add_plan_version(session, employee.id, first, "created", sanne.id, local("2026-11-20 12:00"))
        second = plan_rules.normalise(
            plan_content(directions=[*first["directions"][:1], {"id": "d3", "occupation": "Orderpicker",
                                                                  "added_on": "2026-12-01"}]),
            date(2026, 12, 1),
        )  # fmt: skip
        await plan_queries.add_plan_version(session, employee.id, second, "direction_added", sanne.id,
                                            local("2026-12-01 11:00"))  # fmt: skip
        third = {
            **second,
            "track1": False,
            "activities": [
                {**second["activities"][0], "status": "done", "end": "2026-12-11", "result": "Cv en pitch klaar"}
            ],
        }
        await plan_queries.add_plan_version(session, employee.id, third, "activity_changed", sanne.id,
                                            local("2026-12-11 11:00"))  # fmt: skip
        proved = await coach_queries.add_application(
            session, employee.id, "Transport Oost", "Planner", date(2026, 11, 24), "website", clock.now(), "d1"
        )
        await plan_queries.add_proof(
            session,
            ApplicationProof(application_id=proved.id, kind="link", url="https://x.nl/v", created_at=clock.now()),
        )
        await coach_queries.add_application(
            session, employee.id, "Isala", "Baliemedewerker", date(2026, 11, 25), "email", clock.now(), "d2"
        )
        await coach_queries.add_application(
            session, employee.id, "=Jumbo", "Vakkenvuller", date(2026, 12, 2), "letter", clock.now()
        )
        await plan_queries.add_evaluation(
            session,
            PlanEvaluation(employee_id=employee.id, coach_id=sanne.id, held_on=date(2026, 12, 10),
                           participants=["employee", "coach", "employer"], conclusion="Zoekrichting planner loopt goed",
                           changes="Baliemedewerker vervalt, orderpicker erbij", directions_reviewed=True,
                           created_at=clock.now()),
        )  # fmt: skip
        for step, day in (("problem_analysis", date(2025, 11, 10)), ("action_plan", date(2025, 12, 10)),
                          ("first_year_evaluation", date(2026, 10, 1))):  # fmt: skip
            await report_queries.record_step(session, employee.id, step, day, sanne.id, clock.now())
        await coach_queries.add_note(session, employee.id, sanne.id, FILE_NOTE, True, clock.now())
        await coach_queries.add_note(session, employee.id, sanne.id, PRIVATE_NOTE, False, clock.now())
        await report_queries.answer_view(session, employee.id, True, OWN_VIEW, clock.now())
        employee.outcome, employee.outcome_text, employee.outcome_on = "placed", OUTCOME, date(2026, 12, 18)
        session.add(employee)
        await session.commit()
    clock.set(REPORT_DAY)
    return coach, ahmed


async def made(box, clock, variant, kind=report.FINAL, fmt="pdf", lang="nl", period=None, user=2001) -> bytes:
    async with box.db.session() as session:
        work = Work(session, clock, box.fake.bot_username)
        employee = await queries.employee_by_telegram(session, user)
        if period is None:
            choose = report.final_period if kind == report.FINAL else report.default_period
            period = choose(employee, REPORT_DAY.date())
        make = report.pdf if fmt == "pdf" else report.csv_bytes
        return await make(work, employee, period, variant, lang, kind=kind)


async def test_the_final_dossier_report_has_every_section_filled(filled, box, clock):
    pages = pages_of(await made(box, clock, "dossier"))
    text = " ".join(pages)
    # the period runs from the start of Track 2 to the outcome
    assert "Eindrapportage spoor 2" in text and "periode 20-11-2026 t/m 18-12-2026" in text
    # 1 the facts: the agency (also in the brand block, never the product), the late start and its reason
    for fact in ("Werknemer Ahmed Yilmaz", "Werkgever Bakkerij Bol", f"Re-integratiebedrijf {AGENCY}",
                 "Re-integratiecoach Sanne de Vries", "Eerste ziektedag 06-10-2025", "Start spoor 2 20-11-2026",
                 "Start begeleiding 20-11-2026", "na de uiterste datum van 15-11-2026", LATE):  # fmt: skip
        assert fact in text, fact
    assert "Spoorzoeker" not in text
    # 2 profile and capacity, from the plan as it was on the last day (version 3)
    for fact in ("Eigen functie Magazijnmedewerker", "Magazijnmedewerker, 12 jaar", "Opleiding mbo Logistiek",
                 "FML van 20-10-2026: Niet zwaar tillen", "Volgens versie 3 van het trajectplan"):  # fmt: skip
        assert fact in text, fact
    # 3 the current directions and the versions with what changed
    assert "Planner Logistiek Zwolle 24 mbo 20-11-2026" in text and "Orderpicker" in text
    assert "Waarom: Past bij ervaring in het magazijn" in text
    assert "1 20-11-2026 Plan opgesteld" in text
    assert "2 01-12-2026 Zoekrichting toegevoegd erbij: Orderpicker; vervallen: Baliemedewerker " in text
    assert "3 11-12-2026 Activiteit bijgewerkt Sollicitatietraining: afgerond; spoor 1 gestopt " in text
    # 4 the intervention with provider, dates, status and result
    assert "Sollicitatietraining TrainWerk 23-11-2026 11-12-2026 afgerond Cv en pitch klaar" in text
    # 5 week by week, with the hours of Track 1 next to it
    assert "W47 · 16-11-2026 59 3 1 2 Workshop 8" in text
    assert "Gekozen stappen opgevolgd 1" in text and "Afgesproken stappen" not in text
    # 6 applications per direction, with proof; a removed direction keeps its name; outside a direction last
    assert "Planner · 1 sollicitatie, 1 met bewijs" in text
    assert "24-11-2026 Transport Oost – Planner (website) verstuurd bewijs ✓" in text
    assert "Orderpicker · 0 sollicitaties Geen sollicitaties in deze zoekrichting" in text
    assert "Baliemedewerker (niet meer in het plan) · 1 sollicitatie, 0 met bewijs" in text
    assert "25-11-2026 Isala – Baliemedewerker (e-mail) verstuurd geen bewijs" in text
    assert "Buiten een zoekrichting · 1 sollicitatie" in text and "=Jumbo – Vakkenvuller (brief)" in text
    # 7 the evaluation and the coach's note for the file
    assert "10-12-2026 · aanwezig: werknemer, coach, werkgever · zoekrichtingen opnieuw bekeken" in text
    assert "Conclusie: Zoekrichting planner loopt goed" in text and "Bijstelling: Baliemedewerker vervalt" in text
    assert FILE_NOTE in text
    # 8 the poortwachter steps with their actual dates against the legal ones
    for line in ("Probleemanalyse (bedrijfsarts) 16-11-2025 gedaan op 10-11-2025 Plan",
                 "Plan van aanpak 30-11-2025 gedaan op 10-12-2025 (na de wettelijke datum)",
                 "Arbeidsdeskundig onderzoek 04-10-2026 te laat: uiterlijk 04-10-2026",
                 "Eerstejaarsevaluatie 04-10-2026 gedaan op 01-10-2026", "Eindevaluatie 04-07-2027 nog niet",
                 "42 27-07-2026 Ziekmelding bij UWV (42e-weeksmelding)1", "eerste werkdag na week 42"):  # fmt: skip
        assert line in text, line
    assert "Evaluatie 1 van het plan" not in text
    # 9 Track 1 next to Track 2 per month, and when the plan stopped it
    assert "Vanaf 20-11-2026 loopt spoor 1 volgens het plan." in text
    assert "Vanaf 11-12-2026 loopt spoor 1 volgens het plan niet." in text
    # November: 3 weeks (the Monday decides the month), 8 hours in the one week with hours, 6 applications
    assert re.search(r"nov\.? 2026 3 8 8 6 1 3 1 dec\.? 2026 2 — — 0 0 0 0", text)
    # 10 the own view (consented), the outcome, the signatures
    assert OWN_VIEW in text and "met toestemming" in text
    assert "11. Uitkomst van het traject Geplaatst: de werknemer heeft werk gevonden · op 18-12-2026" in text
    assert OUTCOME in text
    signatures = text.split("12. Ondertekening", 1)[1]
    for line in ("Re-integratiecoach Sanne de Vries Werkfit Re-integratie BV", "Werknemer (gezien) Ahmed Yilmaz",
                 "Werkgever Bakkerij Bol"):  # fmt: skip
        assert line in signatures, (line, signatures[:300])
    assert signatures.count("Handtekening") == 3 and signatures.count("Datum") == 3 and "Naam" in signatures
    # every page names the client, the BSN and the report date; the BSN appears nowhere else
    assert len(pages) >= 3
    for page in pages:
        assert f"Ahmed Yilmaz · BSN {BSN} · Eindrapportage spoor 2" in page and "rapportdatum 21-12-2026" in page
        assert page.count(BSN) == 1


async def test_nothing_private_reaches_the_dossier_of_either_kind(filled, box, clock):
    async with box.db.session() as session:  # a view typed but then not consented: its text must stay out
        employee = await queries.employee_by_telegram(session, 2001)
        view = await report_queries.answer_view(session, employee.id, False, None, clock.now())
        view.text = HIDDEN_VIEW
        session.add(view)
        await session.commit()
    coach = text_of(await made(box, clock, "coach"))
    for canary in (STEP, REFLECTION, PRIVATE_NOTE, "behandeling", "Gemiddelde energie 6,5"):
        assert canary in coach, canary  # the canaries were planted: the coach sees them
    assert "Coachdeel – vertrouwelijk" in coach
    for kind in report.KINDS:
        for lang in ("nl", "en"):
            dossier = text_of(await made(box, clock, "dossier", kind, lang=lang))
            data = (await made(box, clock, "dossier", kind, "csv", lang=lang)).decode("utf-8-sig")
            for found in (dossier, data):
                for canary in (*PRIVATE, "ehandeling", "reatment", "Gemiddelde energie", "Average energy", "Coachdeel",
                               "Coach's part", "Reflecti", "Energie per week", "Energy per week"):  # fmt: skip
                    assert canary not in found, (kind, lang, canary)
                assert OWN_VIEW not in found  # no longer consented
            assert "De werknemer heeft ervoor gekozen geen eigen visie toe te voegen." in dossier or lang == "en"
            assert "The employee chose not to add their own view." in dossier or lang == "nl"
            assert BSN not in data  # the CSV has no running header: no BSN at all
            assert "energ" not in data.splitlines()[0].lower()  # no energy column


async def test_the_progress_report_of_one_month(filled, box, clock):
    period = report.Period(date(2026, 12, 1), date(2026, 12, 13))
    text = text_of(await made(box, clock, "dossier", report.PROGRESS, period=period))
    assert "Voortgangsrapportage spoor 2" in text and "Eindrapportage" not in text
    assert "periode 01-12-2026 t/m 13-12-2026" in text
    assert "Uitkomst" not in text and "11. Ondertekening" in text  # the outcome ends the final report only
    # only this period's applications and evaluation; the plan as on its last day; steps as on that day
    assert "Transport Oost" not in text and "=Jumbo" in text
    assert "10-12-2026 · aanwezig" in text and "Volgens versie 3" in text
    assert "W47" not in text and "W49 · 30-11-2026" in text
    november = report.Period(date(2026, 11, 20), date(2026, 11, 30))
    early = text_of(await made(box, clock, "dossier", report.PROGRESS, period=november))
    assert "Volgens versie 1" in early and "Baliemedewerker Zorg" in early and "Orderpicker" not in early
    assert "In deze periode is geen evaluatie vastgelegd." in early


async def test_the_english_final_report_and_the_decimal_comma(filled, box, clock):
    english = text_of(await made(box, clock, "coach", lang="en"))
    for words in ("Track 2 final report", "Placed: the employee found work", "Average energy 6.5",
                  "Plan of action 30 Nov 2025 done on 10 Dec 2025 (after the legal date)", "Outside a search direction",
                  "12. Signatures", "Coach's part – confidential", OUTCOME, OWN_VIEW):  # fmt: skip
        assert words in english, words
    assert "Gemiddelde energie 6,5" in text_of(await made(box, clock, "coach"))


async def test_the_csv_has_a_row_for_every_part_of_the_file(filled, box, clock):
    rows = rows_of(await made(box, clock, "dossier", fmt="csv"))
    header, body = rows[0], rows[1:]
    column = header.index
    kinds = [row[0] for row in body]
    for kind, count in (("zoekrichting", 2), ("planversie", 3), ("activiteit in het plan", 1), ("evaluatie", 1),
                        ("poortwachterstap", 5), ("eigen visie", 1), ("uitkomst", 1), ("sollicitatie", 3)):  # fmt: skip
        assert kinds.count(kind) == count, kind
    by_kind = {row[0]: row for row in body}
    assert by_kind["uitkomst"][column("status")] == "Geplaatst: de werknemer heeft werk gevonden"
    assert by_kind["uitkomst"][column("tekst")] == OUTCOME
    assert by_kind["eigen visie"][column("tekst")] == OWN_VIEW
    steps = {row[column("onderdeel")]: row for row in body if row[0] == "poortwachterstap"}
    assert steps["Plan van aanpak"][column("status")] == "gedaan (na de wettelijke datum)"
    assert steps["Plan van aanpak"][column("datum")] == "10-12-2025"
    assert steps["Plan van aanpak"][column("wettelijk uiterlijk")] == "30-11-2025"
    applications = {row[column("organisatie")]: row for row in body if row[0] == "sollicitatie"}
    assert applications["Transport Oost"][column("zoekrichting")] == "Planner"
    assert applications["Transport Oost"][column("bewijs")] == "ja"
    assert applications["'=Jumbo"][column("zoekrichting")] == "buiten een zoekrichting"  # never a formula
    (week,) = [row for row in body if row[0] == "week" and row[column("week")] == "47"]
    assert week[column("uren spoor 1")] == "8"
    progress = rows_of(await made(box, clock, "dossier", report.PROGRESS, fmt="csv"))
    assert "uitkomst" not in [row[0] for row in progress]


async def test_a_final_report_with_every_section_empty(people, box, clock):
    coach = await people.coach()
    await people.invite(coach, "Kees Bakker", sick_day="01-09-2025")  # never joins; no plan, nothing recorded
    async with box.db.session() as session:
        work = Work(session, clock, box.fake.bot_username)
        (employee,) = await queries.employees_of_coach(session, (await queries.coach_by_telegram(session, 1001)).id)
        period = report.final_period(employee, clock.now().date())
        assert period == report.Period(employee.track2_start, clock.now().date())
        texts = {}
        for variant in report.VARIANTS:
            texts[variant] = text_of(await report.pdf(work, employee, period, variant, "nl", kind=report.FINAL))
        english = text_of(await report.pdf(work, employee, period, "dossier", "en", kind=report.FINAL))
        rows = rows_of(await report.csv_bytes(work, employee, period, "dossier", "nl", kind=report.FINAL))
    for text in texts.values():
        for empty in ("Re-integratiebedrijf —", "geen reden vastgelegd", "Start begeleiding nog niet",
                      "Er is (nog) geen trajectplan vastgelegd", "Er zijn (nog) geen zoekrichtingen vastgelegd",
                      "Er is in deze periode geen versie van het plan gemaakt",
                      "Er zijn (nog) geen activiteiten of interventies afgesproken",
                      "Geen weken in deze periode waarin de werknemer was aangemeld",
                      "In deze periode zijn geen sollicitaties met organisatie en functie vastgelegd",
                      "In deze periode is geen evaluatie vastgelegd", "Geen notities voor het dossier",
                      "Spoor 1 liep niet naast spoor 2.", "Nog niet gevraagd of nog geen antwoord",
                      "Het traject loopt nog", "Probleemanalyse (bedrijfsarts) 12-10-2025 te laat"):  # fmt: skip
            assert empty in text, empty
        assert "BSN" not in text  # none was entered
    assert "Track 1 did not run alongside Track 2." in english and "The trajectory is still running" in english
    assert [row[0] for row in rows[1:]].count("uitkomst") == 1


async def test_the_file_names_and_the_export_say_client_kind_and_period(filled, box):
    async with box.db.session() as session:
        employee = await queries.employee_by_telegram(session, 2001)
    period = report.Period(date(2026, 11, 1), date(2026, 11, 30))
    assert report.filename(employee, "dossier", period, "pdf") == (
        "voortgangsrapportage-ahmed-yilmaz-dossier-2026-11-01-2026-11-30.pdf"
    )
    assert report.filename(employee, "coach", period, "csv", kind=report.FINAL) == (
        "eindrapportage-spoor-2-ahmed-yilmaz-coach-2026-11-01-2026-11-30.csv"
    )
    with pytest.raises(ValueError):
        report.filename(employee, "dossier", period, "pdf", kind="monthly")
    data, name = await report.export(
        box.settings.database_url, employee.id, first=None, last=None, variant="dossier", kind="pdf", lang="nl",
        today=REPORT_DAY.date(), report_kind=report.FINAL,
    )  # fmt: skip
    assert name == "eindrapportage-spoor-2-ahmed-yilmaz-dossier-2026-11-20-2026-12-18.pdf"
    assert len(data) < 10 * 1024 * 1024 and "Geplaatst: de werknemer heeft werk gevonden" in text_of(data)


def test_the_final_period_ends_at_the_outcome():
    employee = Employee(name="Linda", coach_id=1, employer_id=1, first_sick_day=date(2025, 1, 6),
                        track2_start=date(2026, 1, 5), created_at=datetime(2025, 1, 6))  # fmt: skip
    today = date(2026, 9, 1)
    assert report.final_period(employee, today) == report.Period(date(2026, 1, 5), today)
    employee.outcome_on = date(2026, 6, 30)
    assert report.final_period(employee, today) == report.Period(date(2026, 1, 5), date(2026, 6, 30))
    employee.outcome_on, employee.track2_start = None, today + timedelta(days=10)  # Track 2 starts later
    assert report.final_period(employee, today) == report.Period(today, today)
