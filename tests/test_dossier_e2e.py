"""End to end over HTTP: the coach's /dossier flow (poortwachter steps with their real dates, the BSN, why Track 2
started late, the outcome, asking for the employee's own view, offering the final report), the caseload's report
kind, restarts, bad input and forged presses."""

import json
from datetime import date

import pytest
from sqlmodel import select

from bot.rules import buttons, timeline
from storage import coach_queries, queries, report_queries
from storage.models import Employee, PoortwachterStep
from tests.conftest import People

SICK_DAY = date(2025, 10, 6)  # the default invitation: Track 2 starts today (20-11-2026), after its deadline
VALID_BSN, INVALID_BSN = "111222333", "123456789"


def _due(step: str) -> str:
    return timeline.milestone(SICK_DAY, step).due.strftime("%d-%m-%Y")


async def _row(people: People, user_id: int = 2001) -> Employee:
    return await people.employee_row(user_id)


async def _steps(people: People, user_id: int = 2001) -> dict[str, date]:
    employee = await _row(people, user_id)
    async with people.box.db.session() as session:
        return await report_queries.steps_done(session, employee.id)


async def _version(people: People, user_id: int) -> int:
    async with people.box.db.session() as session:
        return (await queries.dialog_of(session, user_id)).data["v"]


def _data(user, label: str) -> str:
    return next(b["callback_data"] for row in user.last.reply_markup for b in row if label in b["text"])


async def test_the_coach_records_corrects_and_removes_a_step_date(people):
    sanne = await people.coach()
    await people.employee(sanne, 2001)
    await sanne.send("/dossier")
    menu = sanne.last.plain_text
    assert "Dossier van Ahmed" in menu and "Poortwachterstappen: 0 van 5 gedaan · ⚠️ 4 over tijd" in menu
    await sanne.press("Poortwachterstappen")
    shown = sanne.last.plain_text
    assert f"⚠️ Probleemanalyse: nog niet, over tijd sinds {_due('problem_analysis')}" in shown
    assert f"▫️ Eindevaluatie: nog niet, uiterlijk {_due('final_evaluation')}" in shown
    await sanne.press("Probleemanalyse")
    assert "Niet gebeurd" not in " ".join(sanne.buttons())  # nothing to remove yet
    await sanne.press("Andere datum")
    await sanne.send("20-11-2027")
    assert "in de toekomst" in sanne.last.plain_text and "Typ de datum" in sanne.last.plain_text
    await sanne.send("01-01-2025")
    assert "vóór de eerste ziektedag (06-10-2025)" in sanne.last.plain_text
    await sanne.send("gisteren")
    assert "Die datum begrijp ik niet" in sanne.last.plain_text
    await sanne.send("13-11-2025")
    shown = sanne.last.plain_text
    assert "Bewaard: Probleemanalyse op 13-11-2025" in shown and "✅ Probleemanalyse: gedaan op 13-11-2025" in shown
    assert await _steps(people) == {"problem_analysis": date(2025, 11, 13)}

    await sanne.press("Probleemanalyse")  # correct it: a typed date on the step itself
    assert "Vastgelegd: gedaan op 13-11-2025" in sanne.last.plain_text
    await sanne.send("10-11-2025")
    assert await _steps(people) == {"problem_analysis": date(2025, 11, 10)}
    await sanne.press("Plan van aanpak")
    await sanne.press("Vandaag")
    assert f"✅ Plan van aanpak: gedaan op 20-11-2026 (uiterlijk was {_due('action_plan')})" in sanne.last.plain_text
    employee = await _row(people)
    async with people.box.db.session() as session:
        rows = (await session.exec(select(PoortwachterStep))).all()
    assert {row.coach_id for row in rows} == {employee.coach_id}

    await sanne.press("Plan van aanpak")
    await sanne.press("Niet gebeurd")
    assert "Plan van aanpak staat weer op nog niet gedaan" in sanne.last.plain_text
    assert f"⚠️ Plan van aanpak: nog niet, over tijd sinds {_due('action_plan')}" in sanne.last.plain_text
    assert await _steps(people) == {"problem_analysis": date(2025, 11, 10)}
    await sanne.press("Terug")
    assert "Poortwachterstappen: 1 van 5 gedaan · ⚠️ 3 over tijd" in sanne.last.plain_text


async def test_the_bsn_is_checked_stored_and_never_shown_in_full(people, box):
    sanne = await people.coach()
    await people.employee(sanne, 2001)
    await sanne.send("/dossier")
    assert "BSN: niet ingevuld" in sanne.last.plain_text
    await sanne.press("BSN")
    await sanne.send(INVALID_BSN)
    assert "elfproef" in sanne.last.plain_text and "Typ het BSN" in sanne.last.plain_text
    assert (await _row(people)).bsn is None
    await sanne.send("111 222 333")
    assert "Het BSN is bewaard (······333)" in sanne.last.plain_text and "verwijderd" in sanne.last.plain_text
    assert "BSN: ······333" in sanne.last.plain_text
    assert (await _row(people)).bsn == VALID_BSN
    deleted = box.fake.calls_of("deleteMessage")  # the coach's messages with a number are gone from the chat
    assert [call.chat_id for call in deleted] == [1001, 1001]
    await sanne.press("BSN")
    assert "Nu vastgelegd: ······333" in sanne.last.plain_text
    await sanne.send("/caseload")
    await sanne.press("Ahmed")
    await sanne.press("Dossier")
    await sanne.press("BSN")
    await sanne.press("BSN verwijderen")
    assert "Het BSN is verwijderd" in sanne.last.plain_text and "BSN: niet ingevuld" in sanne.last.plain_text
    assert (await _row(people)).bsn is None
    # nothing the bot sent (messages, edits, captions, toasts) ever held the full number
    for call in box.fake.calls:
        sent = json.dumps(call.params, ensure_ascii=False, default=str)
        assert VALID_BSN not in sent and "111 222 333" not in sent, call.method


async def test_the_late_start_reason_is_offered_only_when_track2_started_late(people):
    sanne = await people.coach()
    await people.employee(sanne, 2001)  # sick since 06-10-2025: Track 2 today is after week 58
    await people.employee(sanne, 2002, "Peter", sick_day="01-06-2026")  # Track 2 in time
    await sanne.send("/dossier")
    await sanne.press("Peter")
    assert "te laat gestart" not in sanne.last.plain_text and "Reden late start" not in " ".join(sanne.buttons())
    forged = buttons.compose(await _version(people, 1001), "late")
    await sanne.press_data(forged, sanne.last)  # a button this menu did not show
    assert "eerder bericht" in sanne.last.plain_text

    await sanne.send("/dossier")
    await sanne.press("Ahmed")
    assert "Spoor 2 te laat gestart: nog geen reden vastgelegd" in sanne.last.plain_text
    await sanne.press("Reden late start")
    await sanne.send("x" * 1001)
    assert "hoogstens 1000 tekens" in sanne.last.plain_text
    reason = "De eerstejaarsevaluatie liep uit door een wisseling van bedrijfsarts."
    await sanne.send(reason)
    assert f"De reden is bewaard: «{reason}»" in sanne.last.plain_text
    assert "Spoor 2 te laat gestart: reden vastgelegd" in sanne.last.plain_text
    assert (await _row(people)).track2_late_reason == reason
    assert (await _row(people, 2002)).track2_late_reason is None


async def test_both_outcomes_and_too_few_needs_a_substantiated_conclusion(people):
    sanne = await people.coach()
    await people.employee(sanne, 2001)
    await sanne.send("/dossier")
    await sanne.press("Uitkomst")
    await sanne.press("Te weinig mogelijkheden")
    assert "Overslaan" not in sanne.buttons()  # the conclusion is required
    await sanne.send("Te weinig werk.")
    assert "minstens 40 tekens" in sanne.last.plain_text
    conclusion = "Vijf zoekrichtingen onderzocht; volgens het arbeidsdeskundig onderzoek geen passend werk in de regio."
    await sanne.send(conclusion)
    await sanne.send("21-11-2026")
    assert "in de toekomst" in sanne.last.plain_text
    await sanne.send("01-11-2026")
    assert "vóór de start van spoor 2 (20-11-2026)" in sanne.last.plain_text
    await sanne.press("Vandaag")
    assert "De uitkomst is bewaard" in sanne.last.plain_text
    assert "Uitkomst: te weinig mogelijkheden (20-11-2026)" in sanne.last.plain_text
    employee = await _row(people)
    assert (employee.outcome, employee.outcome_text, employee.outcome_on) == (
        "too_few_possibilities", conclusion, date(2026, 11, 20),
    )  # fmt: skip
    assert employee.phase == "intake"  # no placement: the phase stays

    await sanne.press("Uitkomst")
    assert "Nu vastgelegd: te weinig mogelijkheden" in sanne.last.plain_text
    await sanne.press("Uitkomst wissen")
    assert "Uitkomst: nog niet vastgelegd" in sanne.last.plain_text
    assert (await _row(people)).outcome is None and (await _row(people)).outcome_text is None

    await sanne.press("Uitkomst")
    await sanne.press("Geplaatst")
    await sanne.send("Bakkerij De Korf in Zeist, verkoper, vanaf 1 december")
    await sanne.send("20-11-2026")
    assert "Uitkomst: geplaatst (20-11-2026)" in sanne.last.plain_text
    employee = await _row(people)
    assert (employee.outcome, employee.outcome_on, employee.phase) == ("placed", date(2026, 11, 20), "placed")
    assert employee.outcome_text == "Bakkerij De Korf in Zeist, verkoper, vanaf 1 december"
    async with people.box.db.session() as session:
        changes = await coach_queries.phase_changes_of(session, [employee.id])
    assert [(c.phase, c.coach_id) for c in changes][-1] == ("placed", employee.coach_id)

    await sanne.press("Uitkomst")  # placed again without a text: the phase change is not repeated
    await sanne.press("Geplaatst")
    await sanne.press("Overslaan")
    await sanne.press("Vandaag")
    employee = await _row(people)
    assert (employee.outcome, employee.outcome_text) == ("placed", None)
    async with people.box.db.session() as session:
        assert len(await coach_queries.phase_changes_of(session, [employee.id])) == len(changes)


async def test_asking_for_the_own_view(people):
    pytest.importorskip("bot.outgoing.own_view_notices", reason="helper 3's own-view notices are not there yet")
    sanne = await people.coach()
    await people.employee(sanne, 2001)
    await people.invite(sanne, "Linda")  # invited, never started: cannot be reached
    await sanne.send("/dossier")
    await sanne.press("Ahmed")
    assert "Eigen visie: nog niet gevraagd" in sanne.last.plain_text
    await sanne.press("Eigen visie vragen")
    assert "Ahmed krijgt een bericht met de vraag om een eigen visie" in sanne.last.plain_text
    assert "Eigen visie: gevraagd, nog geen antwoord" in sanne.last.plain_text
    employee = await _row(people)
    async with people.box.db.session() as session:
        view = await report_queries.own_view(session, employee.id)
    assert view is not None and view.asked_at is not None and view.consent is None

    await sanne.send("/dossier")
    await sanne.press("Linda")
    await sanne.press("Eigen visie vragen")
    assert "Linda is nu niet bereikbaar" in sanne.last.plain_text
    assert "Eigen visie: nog niet gevraagd" in sanne.last.plain_text


async def test_a_final_report_draft_is_made_and_offered(people, box):
    pytest.importorskip("bot.outgoing.report_drafts", reason="helper 4's report drafts are not there yet")
    sanne = await people.coach()
    await people.employee(sanne, 2001, "Ahmed Yilmaz")
    await sanne.send("/dossier")
    assert "Eindrapportage: nog niet gemaakt" in sanne.last.plain_text
    menu = sanne.last
    await sanne.press("Eindrapportage versturen")
    menu = next(m for m in sanne.inbox if m.message_id == menu.message_id)  # edited in place
    assert "De eindrapportage komt zo als PDF" in menu.plain_text
    assert "Eindrapportage: klaar om na te kijken" in menu.plain_text
    employee = await _row(people)
    async with people.box.db.session() as session:
        (draft,) = await report_queries.drafts_of(session, employee.id)
    assert (draft.kind, draft.status) == ("final", "draft")
    assert (draft.period_first, draft.period_last) == (employee.track2_start, date(2026, 11, 20))
    await box.app.bot_data["runtime"].delivery.drain()
    (document,) = [m for m in sanne.inbox if m.kind == "document"]
    assert document.file_bytes.startswith(b"%PDF") and document.file_name.startswith("eindrapportage-spoor-2-")
    assert "📤 Versturen" in sanne.buttons(document) and "Niet versturen" in sanne.buttons(document)
    await sanne.send("/dossier")
    await sanne.press("Eindrapportage versturen")  # asked again: the same draft, its PDF once more
    documents = [m for m in sanne.inbox if m.kind == "document"]
    assert len(documents) == 2 and "📤 Versturen" in sanne.buttons(documents[-1])
    async with people.box.db.session() as session:
        assert [d.id for d in await report_queries.drafts_of(session, employee.id)] == [draft.id]


async def test_another_coachs_forged_press_is_stale_and_stores_nothing(people):
    sanne = await people.coach()
    await people.employee(sanne, 2001)
    await sanne.send("/dossier")
    await sanne.press("Poortwachterstappen")
    await sanne.press("Probleemanalyse")
    today = _data(sanne, "Vandaag")
    kees = await people.coach(1002, "Kees")
    await kees.send("/dossier")
    assert "nog geen cliënten" in kees.last.plain_text
    await kees.press_data(today, kees.last)  # Sanne's button, pressed in Kees's chat
    assert "eerder bericht" in kees.last.plain_text
    employee = await _row(people)
    forged = buttons.compose(await _version(people, 1002), "open", employee.id)
    await kees.press_data(forged, kees.last)  # a forged client id
    assert "eerder bericht" in kees.last.plain_text and "Ahmed" not in kees.last.plain_text
    assert await _steps(people) == {}
    async with people.box.db.session() as session:
        assert (await queries.dialog_of(session, 1002)).data.get("employee") is None
    await sanne.press("Vandaag")  # Sanne's own button still works
    assert await _steps(people) == {"problem_analysis": date(2026, 11, 20)}


async def test_a_restart_in_the_middle_continues_at_the_same_step(box, clock):
    async with box.bot_running():
        people = People(box)
        sanne = await people.coach()
        await people.employee(sanne, 2001)
        await sanne.send("/dossier")
        await sanne.press("Uitkomst")
        await sanne.press("Te weinig mogelijkheden")
        await sanne.send("Na vijf zoekrichtingen en een proefplaatsing is er geen passend werk gevonden.")
        assert "Op welke datum" in sanne.last.plain_text
    async with box.bot_running():  # a new process: only the database remembers the conclusion
        await sanne.press("Vandaag")
        assert "Uitkomst: te weinig mogelijkheden (20-11-2026)" in sanne.last.plain_text
        await sanne.press("Poortwachterstappen")
        await sanne.press("Eerstejaarsevaluatie")
        await sanne.press("Andere datum")
    async with box.bot_running():
        await sanne.send("05-10-2026")
        assert "Bewaard: Eerstejaarsevaluatie op 05-10-2026" in sanne.last.plain_text
    people = People(box)
    employee = await people.employee_row(2001)
    assert employee.outcome == "too_few_possibilities" and employee.outcome_text.startswith("Na vijf")
    assert await _steps(people) == {"first_year_evaluation": date(2026, 10, 5)}


async def test_the_caseload_asks_for_the_kind_of_report(people):
    sanne = await people.coach()
    await people.employee(sanne, 2001, "Ahmed Yilmaz")
    await sanne.send("/caseload")
    await sanne.press("Ahmed Yilmaz")
    await sanne.press("Rapportage")
    assert sanne.buttons()[:2] == ["✅ Voortgangsrapportage", "Eindrapportage"]
    await sanne.press("Eindrapportage")
    assert sanne.buttons()[:2] == ["Voortgangsrapportage", "✅ Eindrapportage"]
    assert "Eindrapportage spoor 2 van" in sanne.last.plain_text
    await sanne.press("Voor het dossier")
    document = next(m for m in reversed(sanne.inbox) if m.kind == "document")
    assert document.file_bytes.startswith(b"%PDF")
    assert document.file_name.startswith("eindrapportage-spoor-2-ahmed-yilmaz-dossier-2026-11-20-2026-11-20")
    assert "Eindrapportage spoor 2 Ahmed Yilmaz (dossier)" in document.plain_text
    assert "Ahmed Yilmaz" in sanne.last.plain_text and sanne.last.kind == "text"  # the detail again
    await sanne.press("Rapportage")  # the kind starts at the progress report again
    await sanne.press("Voor jezelf")
    document = next(m for m in reversed(sanne.inbox) if m.kind == "document")
    assert document.file_name.startswith("voortgangsrapportage-ahmed-yilmaz-coach-")
