"""End to end over real HTTP: the client's file on the dashboard (`/dashboard/client/<id>/...`): applications
per search direction with proofs to open, notes added and marked for the file, poortwachter step dates
recorded (a bad one refused, nothing stored), reports downloaded as PDF, monthly drafts approved once or
skipped; another coach's ids answer 404 and a form without its token 403, changing nothing.

The clock starts on Friday 20 November 2026; Ahmed's first sick day is 6 October 2025.
"""

from __future__ import annotations

import asyncio
import io
import re
from datetime import date

import pytest
from pypdf import PdfReader

from bot.rules import plan
from bot.rules.weeks import local_date
from bot.sandbox.offline import local, sandbox, token_in
from storage import audit_queries, coach_queries, plan_queries, queries, report_queries
from storage.models import CoachNote, ReportDraft
from tests import dashboard

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4 + b"\xff\xd9"
CANARY = re.compile(r"CANARY-[A-Z]+-\d{4}")
ENERGY_SHOWN = re.compile(r"energ(ie|y)\W{0,3}\d|🔋", re.IGNORECASE)


@pytest.fixture
async def box(clock, database_url):
    async with sandbox(clock=clock, database_url=database_url, dashboard_port=0) as box:
        yield box


# -- helpers --------------------------------------------------------------------------------------------------


async def employee_id(people, user_id: int) -> int:
    return (await people.employee_row(user_id)).id


async def give_plan(people, user_id: int, clock) -> None:
    employee = await people.employee_row(user_id)
    content = {"directions": [{"occupation": "Klantenservice medewerker"}, {"occupation": "Administratief medewerker"}]}
    now = clock.now()
    async with people.box.db.session() as session:
        cleaned = plan.normalise(content, local_date(now, employee.timezone))
        await plan_queries.add_plan_version(session, employee.id, cleaned, "created", employee.coach_id, now)
        await session.commit()


async def log_application(user, company: str, role: str, direction: str | None) -> None:
    """/sollicitatie through the chat, up to the proof question."""
    await user.send("/sollicitatie")
    if any("Nieuwe sollicitatie" in label for label in user.buttons()):
        await user.press("Nieuwe sollicitatie")
    await user.send(company)
    await user.send(role)
    await user.press("Vandaag")
    await user.press("Website")
    if any("Weet ik niet" in label for label in user.buttons()):  # the plan has directions: which one
        await user.press(direction or "Weet ik niet")


async def proofs(people, user_id: int) -> list:
    ids = [a.id for a in await coach_queries_applications(people, user_id)]
    async with people.box.db.session() as session:
        return [p for found in (await plan_queries.proofs_of(session, ids)).values() for p in found]


async def coach_queries_applications(people, user_id: int):
    async with people.box.db.session() as session:
        return await coach_queries.applications_of(session, [await employee_id(people, user_id)])


async def audit_whats(box, about: int) -> list[str]:
    async with box.db.session() as session:
        return [entry.what for entry in await audit_queries.about_employee(session, about)]


async def notes(box, about: int) -> list[CoachNote]:
    async with box.db.session() as session:
        return await coach_queries.notes_of(session, about)


async def steps(box, about: int) -> dict:
    async with box.db.session() as session:
        return await report_queries.steps_done(session, about)


async def drafts(box, about: int) -> list[ReportDraft]:
    async with box.db.session() as session:
        return await report_queries.drafts_of(session, about)


async def file_page(http, about: int):
    page = await http.get(f"/dashboard/client/{about}/file")
    assert page.status_code == 200, page.text
    return page


def pdf_text(data: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


async def other_coach_with_client(people) -> int:
    """Coach Omar and his client Bram: ids Sanne may not reach."""
    omar = await people.coach(1002, "Omar")
    await people.employee(omar, 2009, "Bram Ander", employer="Garage Gerrits")
    return await employee_id(people, 2009)


# -- applications and proofs ----------------------------------------------------------------------------------


async def test_applications_per_direction_with_proofs_that_open_and_are_audited(box, people, clock):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001, "Ahmed Yilmaz")
    await give_plan(people, 2001, clock)
    await log_application(ahmed, "Bakkerij Van Dam", "Verkoper", "Administratief")
    await ahmed.send_document(PDF, "brief aan Van Dam.pdf", "application/pdf")
    await log_application(ahmed, "Gemeente Zeist", "Klantcontact", None)
    await ahmed.send_photo(data=JPEG)
    await log_application(ahmed, "Werk BV", "Receptie", "Klantenservice")
    await ahmed.send("https://werk.nl/vacatures/12345")
    about = await employee_id(people, 2001)
    document, photo, link = await proofs(people, 2001)

    http = await dashboard.signed_in(box, 1001)
    html = (await file_page(http, about)).text
    first, second, outside = (html.index(name) for name in ("Klantenservice medewerker", "Administratief", "Buiten"))
    assert first < second < outside  # the plan's directions in order, then the applications in no direction
    assert html.index("Werk BV") < second < html.index("Bakkerij Van Dam") < outside < html.index("Gemeente Zeist")
    assert "Verkoper" in html and "🌐 Website" in html and "verstuurd" in html
    assert f'href="/dashboard/client/{about}/proof/{document.id}"' in html
    assert f'href="/dashboard/client/{about}/proof/{photo.id}"' in html
    assert f'href="/dashboard/client/{about}/proof/{link.id}" rel="noopener noreferrer"' in html
    assert 'vacature (link)</a> <span class="muted">werk.nl</span>' in html
    assert "1 sollicitatie, 1 met bewijs" in html

    before = (await audit_whats(box, about)).count("proof")
    opened = await http.get(f"/dashboard/client/{about}/proof/{document.id}")
    assert opened.status_code == 200 and opened.content == PDF
    assert opened.headers["content-type"] == "application/pdf"
    assert opened.headers["x-content-type-options"] == "nosniff"
    assert opened.headers["content-disposition"] == f'inline; filename="bewijs-{document.id}-bakkerij-van-dam.pdf"'
    shown = await http.get(f"/dashboard/client/{about}/proof/{photo.id}")
    assert shown.content == JPEG and shown.headers["content-type"] == "image/jpeg"
    went = await http.get(f"/dashboard/client/{about}/proof/{link.id}")
    assert went.status_code == 303 and went.headers["location"] == "https://werk.nl/vacatures/12345"
    assert (await audit_whats(box, about)).count("proof") == before + 3


async def test_a_proof_of_another_client_or_coach_is_not_found(box, people):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001, "Ahmed Yilmaz")
    fleur = await people.employee(coach, 2002, "Fleur Jansen")
    await log_application(fleur, "Bakkerij Van Dam", "Verkoper", None)
    await fleur.send_document(PDF, "brief.pdf", "application/pdf")
    (fleurs,) = await proofs(people, 2002)
    bram_id = await other_coach_with_client(people)
    bram = box.fake.user(2009, "Bram")
    await log_application(bram, "Garage Gerrits", "Monteur", None)
    await bram.send_document(PDF, "brief.pdf", "application/pdf")
    (brams,) = await proofs(people, 2009)
    about = await employee_id(people, 2001)
    del ahmed

    http = await dashboard.signed_in(box, 1001)
    before = await audit_whats(box, await employee_id(people, 2002))
    for path in (
        f"/dashboard/client/{about}/proof/{fleurs.id}",  # Sanne's other client's proof under Ahmed's id
        f"/dashboard/client/{about}/proof/{brams.id}",  # another coach's client's proof
        f"/dashboard/client/{bram_id}/proof/{brams.id}",  # another coach's client
        f"/dashboard/client/{about}/proof/99999",
        f"/dashboard/client/{about}/proof/abc",
        f"/dashboard/client/{bram_id}/file",
    ):
        answer = await http.get(path)
        assert answer.status_code == 404, path
        assert PDF not in answer.content and "Niet gevonden" in answer.text
    assert await audit_whats(box, await employee_id(people, 2002)) == before
    assert "proof" not in await audit_whats(box, bram_id)


# -- notes ----------------------------------------------------------------------------------------------------


async def test_a_note_is_added_marked_for_the_file_and_unmarked(box, people):
    coach = await people.coach()
    await people.employee(coach, 2001, "Ahmed Yilmaz")
    about = await employee_id(people, 2001)
    http = await dashboard.signed_in(box, 1001)
    page = await file_page(http, about)
    assert "Nog geen notities" in page.text
    csrf = dashboard.csrf_of(page.text)

    added = await http.post(f"/dashboard/client/{about}/notes", data={"csrf": csrf, "text": "  Belde met UWV <b>  "})
    assert added.status_code == 303 and added.headers["location"] == f"/dashboard/client/{about}#notes"
    (note,) = await notes(box, about)
    assert (note.text, note.for_file, note.coach_id) == ("Belde met UWV <b>", False, 1)
    html = (await file_page(http, about)).text
    assert "Belde met UWV &lt;b&gt;" in html and "<b>" not in html.split("<main")[1].split("Belde")[1][:10]
    assert "Voor het dossier markeren" in html

    marked = await http.post(f"/dashboard/client/{about}/notes/{note.id}", data={"csrf": csrf, "for_file": "1"})
    assert marked.status_code == 303
    assert [n.for_file for n in await notes(box, about)] == [True]
    html = (await file_page(http, about)).text
    assert "in het dossier" in html and "Uit het dossier halen" in html
    await http.post(f"/dashboard/client/{about}/notes/{note.id}", data={"csrf": csrf, "for_file": "0"})
    assert [n.for_file for n in await notes(box, about)] == [False]

    filed = {"csrf": csrf, "text": "Voor het dossier", "for_file": "1"}
    assert (await http.post(f"/dashboard/client/{about}/notes", data=filed)).status_code == 303
    assert [(n.text, n.for_file) for n in await notes(box, about)][-1] == ("Voor het dossier", True)

    empty = await http.post(f"/dashboard/client/{about}/notes", data={"csrf": csrf, "text": "   "})
    assert empty.status_code == 400 and "Schrijf eerst iets in de notitie" in empty.text
    assert len(await notes(box, about)) == 2
    long = await http.post(f"/dashboard/client/{about}/notes", data={"csrf": csrf, "text": "x" * 2500})
    assert long.status_code == 303 and len((await notes(box, about))[-1].text) == 2000  # as the chat: cut at 2000


async def test_notes_of_another_client_and_forms_without_token_change_nothing(box, people):
    coach = await people.coach()
    await people.employee(coach, 2001, "Ahmed Yilmaz")
    await people.employee(coach, 2002, "Fleur Jansen")
    about, fleur = await employee_id(people, 2001), await employee_id(people, 2002)
    bram = await other_coach_with_client(people)
    async with box.db.session() as session:
        fleurs = await coach_queries.add_note(session, fleur, 1, "van Fleur", False, local("2026-11-20 10:00"))
        brams = await coach_queries.add_note(session, bram, 2, "van Bram", False, local("2026-11-20 10:00"))
        await session.commit()
    http = await dashboard.signed_in(box, 1001)
    csrf = dashboard.csrf_of((await file_page(http, about)).text)
    for path in (
        f"/dashboard/client/{about}/notes/{fleurs.id}",  # a note of another client under Ahmed's id
        f"/dashboard/client/{bram}/notes/{brams.id}",
        f"/dashboard/client/{about}/notes/{brams.id}",
    ):
        assert (await http.post(path, data={"csrf": csrf, "for_file": "1"})).status_code == 404, path
    assert (await http.post(f"/dashboard/client/{bram}/notes", data={"csrf": csrf, "text": "hoi"})).status_code == 404
    assert [n.for_file for n in await notes(box, fleur)] == [False]
    assert [(n.text, n.for_file) for n in await notes(box, bram)] == [("van Bram", False)]

    assert (await http.post(f"/dashboard/client/{about}/notes", data={"text": "zonder token"})).status_code == 403
    forged = {"csrf": "0" * 64, "text": "vals"}
    assert (await http.post(f"/dashboard/client/{about}/notes", data=forged)).status_code == 403
    cross = await http.post(
        f"/dashboard/client/{about}/notes", data={"csrf": csrf, "text": "van elders"},
        headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
    )  # fmt: skip
    assert cross.status_code == 403
    assert await notes(box, about) == []


# -- poortwachter steps ---------------------------------------------------------------------------------------


async def test_a_step_date_is_recorded_corrected_refused_and_removed(box, people):
    coach = await people.coach()
    await people.employee(coach, 2001, "Ahmed Yilmaz")
    about = await employee_id(people, 2001)
    http = await dashboard.signed_in(box, 1001)
    page = await file_page(http, about)
    html = page.text
    assert "Probleemanalyse" in html and "Eindevaluatie" in html and "termijn verstreken" in html
    assert 'min="2025-10-06"' in html and 'max="2026-11-20"' in html
    csrf = dashboard.csrf_of(html)
    url = f"/dashboard/client/{about}/steps/problem_analysis"

    saved = await http.post(url, data={"csrf": csrf, "done_on": "2025-11-20"})
    assert saved.status_code == 303 and saved.headers["location"] == f"/dashboard/client/{about}#steps"
    assert await steps(box, about) == {"problem_analysis": date(2025, 11, 20)}
    await http.post(url, data={"csrf": csrf, "done_on": "10-11-2025"})  # typed the Dutch way: corrected
    assert await steps(box, about) == {"problem_analysis": date(2025, 11, 10)}
    assert 'value="2025-11-10"' in (await file_page(http, about)).text

    for typed, says in (
        ("2026-11-21", "Die datum ligt in de toekomst"),
        ("2025-10-05", "vóór de eerste ziektedag (06-10-2025)"),
        ("31-02-2026", "Die datum begrijp ik niet"),
        ("", "Die datum begrijp ik niet"),
    ):
        refused = await http.post(url, data={"csrf": csrf, "done_on": typed})
        assert refused.status_code == 400 and says in refused.text and "Er is niets opgeslagen" in refused.text
        assert 'aria-invalid="true"' in refused.text
        assert await steps(box, about) == {"problem_analysis": date(2025, 11, 10)}

    removed = await http.post(url, data={"csrf": csrf, "done_on": "", "remove": "1"})
    assert removed.status_code == 303 and await steps(box, about) == {}

    assert (
        await http.post(f"/dashboard/client/{about}/steps/bsn", data={"csrf": csrf, "done_on": "2025-11-20"})
    ).status_code == 404
    bram = await other_coach_with_client(people)
    other = await http.post(f"/dashboard/client/{bram}/steps/action_plan", data={"csrf": csrf, "done_on": "2025-11-20"})
    assert other.status_code == 404 and await steps(box, bram) == {}
    assert (await http.post(url, data={"done_on": "2025-11-20"})).status_code == 403 and await steps(box, about) == {}


# -- reports --------------------------------------------------------------------------------------------------


async def test_reports_download_as_pdf_and_are_audited(box, people):
    coach = await people.coach()
    await people.employee(coach, 2001, "Ahmed Yilmaz")
    about = await employee_id(people, 2001)
    http = await dashboard.signed_in(box, 1001)
    html = (await file_page(http, about)).text
    assert f'href="/dashboard/client/{about}/report/progress.pdf"' in html
    assert f'href="/dashboard/client/{about}/report/final.pdf?for=coach"' in html

    before = (await audit_whats(box, about)).count("report")
    got = await http.get(f"/dashboard/client/{about}/report/progress.pdf")
    assert got.status_code == 200 and got.content.startswith(b"%PDF")
    assert got.headers["content-type"] == "application/pdf"
    disposition = got.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="voortgangsrapportage-ahmed-yilmaz-dossier-')
    assert "Ahmed Yilmaz" in pdf_text(got.content)
    final = await http.get(f"/dashboard/client/{about}/report/final.pdf?for=coach")
    assert final.status_code == 200 and final.content.startswith(b"%PDF")
    assert "eindrapportage-spoor-2-ahmed-yilmaz-coach-" in final.headers["content-disposition"]
    assert (await audit_whats(box, about)).count("report") == before + 2

    bram = await other_coach_with_client(people)
    for path in (
        f"/dashboard/client/{bram}/report/progress.pdf",
        f"/dashboard/client/{about}/report/weekly.pdf",
        f"/dashboard/client/{about}/report/progress.pdf?for=employer",
    ):
        assert (await http.get(path)).status_code == 404, path
    assert "report" not in await audit_whats(box, bram)


# -- monthly drafts -------------------------------------------------------------------------------------------


async def contact(box, coach, user_id: int, name: str, company: str = "Bakkerij Bol"):
    await coach.send("/werkgever")
    await coach.press(company)
    token = token_in(await coach.send(name))
    user = box.fake.user(user_id, name.split()[0])
    await user.send(f"/start {token}")
    return user


async def december_drafts(box, clock) -> None:
    clock.set(local("2026-12-01 09:00"))
    await box.run_due()


def documents(user) -> list:
    return [m for m in user.inbox if m.kind == "document"]


async def plant_canaries(box, people, ahmed) -> None:
    await people.checkin(ahmed, applications=2, energy=7, step="CANARY-STEP-1234 bel de huisarts")
    async with box.db.session() as session:
        employee = await queries.employee_by_telegram(session, ahmed.id)
        checkin = await queries.checkin_for_week(session, employee.id, 2026, 47)
        checkin.note, checkin.reflection = "CANARY-NOTE-1234 moe", "CANARY-REFLECTION-1234 somber"
        session.add(checkin)
        await coach_queries.add_note(session, employee.id, employee.coach_id, "CANARY-COACH-1234 burn-out", False,
                                     local("2026-11-24 10:00"))  # fmt: skip
        await session.commit()


async def test_a_draft_is_approved_once_and_goes_to_the_employer_without_health_data(box, people, clock):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001, "Ahmed Yilmaz")
    eva = await contact(box, coach, 3001, "Eva de Jong")
    await plant_canaries(box, people, ahmed)
    await december_drafts(box, clock)
    about = await employee_id(people, 2001)
    (draft,) = await drafts(box, about)

    http = await dashboard.signed_in(box, 1001)
    html = (await file_page(http, about)).text
    assert "Voortgangsrapportage" in html and "01-11-2026 t/m 30-11-2026" in html
    assert "Gaat naar Eva de Jong (Bakkerij Bol)" in html and "De werknemer krijgt een kopie" in html
    assert f'action="/dashboard/client/{about}/draft/{draft.id}"' in html
    csrf = dashboard.csrf_of(html)
    preview = await http.get(f"/dashboard/client/{about}/draft/{draft.id}.pdf")
    assert preview.status_code == 200 and preview.content.startswith(b"%PDF") and documents(eva) == []

    url = f"/dashboard/client/{about}/draft/{draft.id}"
    both = await asyncio.gather(  # a double click: two approvals at once
        *(http.post(url, data={"csrf": csrf, "decision": "send"}) for _ in range(2))
    )
    again = await http.post(url, data={"csrf": csrf, "decision": "send"})  # and once more later
    for answer in (*both, again):
        assert answer.status_code == 303 and answer.headers["location"] == f"/dashboard/client/{about}#drafts"
    await box.app.bot_data["runtime"].delivery.drain()
    async with box.db.session() as session:
        rows = await queries.outbox_rows(session, kind="report_employer")
    assert [row.chat_id for row in rows] == [3001]
    (sent,) = documents(eva)
    text = pdf_text(sent.file_bytes)
    assert "Ahmed Yilmaz" in text and "01-11-2026" in text
    assert CANARY.findall(text) == [] and ENERGY_SHOWN.findall(text) == []
    assert len(documents(ahmed)) == 1  # the employee's copy
    (decided,) = await drafts(box, about)
    assert (decided.status, decided.decided_by) == ("sent", 1)
    html = (await file_page(http, about)).text
    assert "Verstuurd op 01-12-2026" in html and f'action="{url}"' not in html
    skip_after = await http.post(url, data={"csrf": csrf, "decision": "skip"})
    assert skip_after.status_code == 303 and [d.status for d in await drafts(box, about)] == ["sent"]


async def test_a_draft_is_skipped_and_forged_drafts_change_nothing(box, people, clock):
    coach = await people.coach()
    await people.employee(coach, 2001, "Ahmed Yilmaz")
    await people.employee(coach, 2002, "Fleur Jansen")
    eva = await contact(box, coach, 3001, "Eva de Jong")
    bram = await other_coach_with_client(people)
    await december_drafts(box, clock)
    about, fleur = await employee_id(people, 2001), await employee_id(people, 2002)
    (ahmeds,), (fleurs,), (brams,) = await drafts(box, about), await drafts(box, fleur), await drafts(box, bram)

    http = await dashboard.signed_in(box, 1001)
    csrf = dashboard.csrf_of((await file_page(http, about)).text)
    for path in (
        f"/dashboard/client/{about}/draft/{fleurs.id}",  # Sanne's other client's draft under Ahmed's id
        f"/dashboard/client/{about}/draft/{brams.id}",
        f"/dashboard/client/{bram}/draft/{brams.id}",
        f"/dashboard/client/{about}/draft/99999",
    ):
        assert (await http.post(path, data={"csrf": csrf, "decision": "send"})).status_code == 404, path
        assert (await http.get(path + ".pdf")).status_code == 404, path
    weird = await http.post(f"/dashboard/client/{about}/draft/{ahmeds.id}", data={"csrf": csrf, "decision": "maybe"})
    assert weird.status_code == 404
    no_token = await http.post(f"/dashboard/client/{about}/draft/{ahmeds.id}", data={"decision": "send"})
    assert no_token.status_code == 403
    assert [d.status for d in (*await drafts(box, about), *await drafts(box, fleur), *await drafts(box, bram))] == [
        "draft", "draft", "draft",
    ]  # fmt: skip

    skipped = await http.post(f"/dashboard/client/{fleur}/draft/{fleurs.id}", data={"csrf": csrf, "decision": "skip"})
    assert skipped.status_code == 303
    assert [d.status for d in await drafts(box, fleur)] == ["skipped"]
    await box.app.bot_data["runtime"].delivery.drain()
    assert documents(eva) == []
    assert "Niet verstuurd (01-12-2026)" in (await file_page(http, fleur)).text


async def test_the_client_page_shows_the_file_with_its_forms(box, people):
    coach = await people.coach()
    await people.employee(coach, 2001, "Ahmed Yilmaz")
    about = await employee_id(people, 2001)
    http = await dashboard.signed_in(box, 1001)
    page = await http.get(f"/dashboard/client/{about}")
    assert page.status_code == 200, page.text
    html = page.text
    for anchor in ("file", "applications", "notes", "steps", "reports", "drafts"):
        assert f'id="{anchor}"' in html, anchor
    assert f'action="/dashboard/client/{about}/notes"' in html and 'for="note-text"' in html
    assert f'action="/dashboard/client/{about}/steps/problem_analysis"' in html
    assert html.count('name="csrf"') >= 7  # sign out, a note, five steps
    assert "dossier" in await audit_whats(box, about)  # the steps shown, as the chat's dossier screen logs


async def test_a_coach_in_english_reads_the_file_in_english(box, people, clock):
    coach = await people.coach()
    await people.employee(coach, 2001, "Ahmed Yilmaz")
    await contact(box, coach, 3001, "Eva de Jong")
    async with box.db.session() as session:
        row = await queries.coach_by_telegram(session, coach.id)
        row.language = "en"
        session.add(row)
        await session.commit()
    await december_drafts(box, clock)
    about = await employee_id(people, 2001)
    http = await dashboard.signed_in(box, 1001)
    html = (await file_page(http, about)).text
    for words in ("Applications per search direction", "Notes", "Problem analysis", "Reports", "PDF for the file",
                  "Goes to Eva de Jong (Bakkerij Bol)", "📤 Send"):  # fmt: skip
        assert words in html, words
    refused = await http.post(
        f"/dashboard/client/{about}/steps/action_plan", data={"csrf": dashboard.csrf_of(html), "done_on": "2030-01-01"}
    )
    assert refused.status_code == 400 and "That date is in the future" in refused.text
