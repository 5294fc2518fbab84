"""End to end over real HTTP against the running bot: the client page of the dashboard (header, plan, timeline,
charts), its privacy (unshared reflections never, shared ones yes), the audit of every view, and the plan's edit
forms (each save a new plan version with the chat's change key; invalid input, forged ids and missing form tokens
change nothing)."""

from __future__ import annotations

import re

import pytest

from bot.sandbox.offline import sandbox
from storage import audit_queries, plan_queries, queries
from storage.models import Coach
from tests import dashboard

SECRET = "Ik vond het eng maar deed het toch (geheim)"
STEP = "Bel de uitzendbureaus in Utrecht"


@pytest.fixture
async def box(clock, database_url):
    async with sandbox(clock=clock, database_url=database_url, dashboard_port=0) as box:
        yield box


async def _client(people, clock):
    """Sanne's client Ahmed with three weeks of check-ins: a reflection (not shared with the coach), a step, and
    how the step went."""
    sanne = await people.coach()
    ahmed = await people.employee(sanne, 2001, "Ahmed")
    await people.checkin(ahmed, applications=2, interviews=1, networking=3, energy=4)
    clock.advance(days=7)
    await people.checkin(ahmed, applications=1, reflection=SECRET, step=STEP, energy=7)
    clock.advance(days=7)
    await people.checkin(ahmed, applications=3, step_result="Gelukt", energy=8)
    return sanne, ahmed, await people.employee_row(2001)


async def _versions(box, employee_id: int):
    async with box.db.session() as session:
        return await plan_queries.plan_versions(session, employee_id)


async def _audit(box, employee_id: int) -> list[str]:
    async with box.db.session() as session:
        return [entry.what for entry in await audit_queries.about_employee(session, employee_id)]


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


async def test_the_client_page_shows_plan_timeline_and_charts_and_keeps_unshared_reflections_out(people, box, clock):
    sanne, ahmed, employee = await _client(people, clock)
    http = await dashboard.signed_in(box, 1001)
    before = (await _audit(box, employee.id)).count("dashboard_client")
    page = await http.get(f"/dashboard/client/{employee.id}")
    assert page.status_code == 200, page.text
    text = _text(page.text)
    assert "Ahmed" in text and "Bakkerij Bol" in text and "Ziekteweek" in text
    assert "Trajectplan" in text and "Nog geen plan" in text and "Nog geen zoekrichting" in text  # breadth warning
    assert "Week voor week" in text and "De laatste 3 weken" in text
    assert SECRET not in page.text  # not shared: never on the page
    assert STEP in text and "gedaan" in text  # the step and how it went the week after
    assert '<svg viewBox="0 0 260 112"' in page.text and "bar-applications" in page.text and "energy-line" in page.text
    assert "Energie per week" in text  # the coach sees energy
    assert (await _audit(box, employee.id)).count("dashboard_client") == before + 1

    await ahmed.send("/privacy")
    await ahmed.press("Delen met mijn coach")  # his choice: now the coach may read his reflections
    page = await http.get(f"/dashboard/client/{employee.id}")
    assert SECRET in _text(page.text)
    assert (await _audit(box, employee.id)).count("dashboard_client") == before + 2
    await http.aclose()


async def test_another_coachs_client_is_404_and_not_audited(people, box, clock):
    sanne, ahmed, employee = await _client(people, clock)
    await people.coach(1002, "Piet")
    other = await dashboard.signed_in(box, 1002)
    before = await _audit(box, employee.id)
    for path in (f"/dashboard/client/{employee.id}", "/dashboard/client/999999", "/dashboard/client/abc",
                 f"/dashboard/client/{employee.id}/plan/profile"):  # fmt: skip
        answer = await other.get(path)
        assert answer.status_code == 404 and "Ahmed" not in answer.text, path
    answer = await other.post(
        f"/dashboard/client/{employee.id}/plan/direction",
        data={"csrf": dashboard.csrf_of((await other.get("/dashboard/client/1/plan/x")).text), "d_occupation": "X"},
    )
    assert answer.status_code == 404
    assert await _audit(box, employee.id) == before and await _versions(box, employee.id) == []
    await other.aclose()


DIRECTION = {"d_occupation": "Klantenservicemedewerker", "d_sector": "Energie", "d_region": "Amersfoort",
             "d_hours": "24", "d_level": "mbo", "d_reason": "Zittend werk, past bij de FML."}  # fmt: skip


async def test_edits_make_new_plan_versions_with_the_chats_change_keys(people, box, clock):
    sanne, ahmed, employee = await _client(people, clock)
    http = await dashboard.signed_in(box, 1001)
    form = await http.get(f"/dashboard/client/{employee.id}/plan/profile")
    assert form.status_code == 200 and 'name="own_role"' in form.text
    csrf = dashboard.csrf_of(form.text)
    profile = {"csrf": csrf, "own_role": "Bakker", "job_role_0": "Verkoper", "job_years_0": "10",
               "job_sector_0": "Detailhandel", "education": "mbo bakker, rijbewijs C", "skills": "", "hours": "32",
               "region": "Utrecht", "travel": "45", "work_kind": "", "ambitions": ""}  # fmt: skip
    saved = await http.post(f"/dashboard/client/{employee.id}/plan/profile", data=profile)
    assert saved.status_code == 303 and saved.headers["location"] == f"/dashboard/client/{employee.id}#plan"
    (first,) = await _versions(box, employee.id)
    assert first.number == 1 and first.change == "profile" and first.author_coach_id == employee.coach_id
    assert first.content["profile"]["own_role"] == "Bakker" and first.content["profile"]["hours"] == 32
    assert first.content["profile"]["education"] == ["mbo bakker", "rijbewijs C"]
    assert first.content["profile"]["experience"] == [{"role": "Verkoper", "years": 10, "sector": "Detailhandel"}]

    saved = await http.post(f"/dashboard/client/{employee.id}/plan/direction", data={"csrf": csrf, **DIRECTION})
    assert saved.status_code == 303
    versions = await _versions(box, employee.id)
    assert [v.number for v in versions] == [1, 2] and versions[-1].change == "direction_added"
    (direction,) = versions[-1].content["directions"]
    assert direction["occupation"] == "Klantenservicemedewerker" and direction["id"] == "d1"
    assert versions[-1].content["profile"] == first.content["profile"]  # the rest of the plan stays

    edit = await http.get(f"/dashboard/client/{employee.id}/plan/direction/d1")
    assert edit.status_code == 200 and 'value="Amersfoort"' in edit.text
    changed = {**DIRECTION, "d_hours": "32", "d_region": "Utrecht"}
    saved = await http.post(f"/dashboard/client/{employee.id}/plan/direction/d1", data={"csrf": csrf, **changed})
    assert saved.status_code == 303
    latest = (await _versions(box, employee.id))[-1]
    assert latest.number == 3 and latest.change == "direction_changed"
    assert latest.content["directions"][0]["hours"] == 32 and latest.content["directions"][0]["region"] == "Utrecht"

    activity = {"csrf": csrf, "a_kind": "application_training", "a_provider": "Werkfit BV", "a_start": "2026-12-01",
                "a_end": "", "a_status": "running"}  # fmt: skip
    assert (await http.post(f"/dashboard/client/{employee.id}/plan/activity", data=activity)).status_code == 303
    latest = (await _versions(box, employee.id))[-1]
    assert latest.number == 4 and latest.change == "activity_added"
    assert latest.content["activities"][0]["kind"] == "application_training"

    today = clock.now().date().isoformat()
    evaluation = [("csrf", csrf), ("e_date", today), ("e_who", "employee"), ("e_who", "coach"),
                  ("e_conclusion", "Het gaat goed."), ("e_changes", ""), ("e_reviewed", "yes")]  # fmt: skip
    saved = await http.post(
        f"/dashboard/client/{employee.id}/plan/evaluation",
        content="&".join(f"{k}={v.replace(' ', '+')}" for k, v in evaluation),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert saved.status_code == 303
    async with box.db.session() as session:
        (held,) = await plan_queries.evaluations_of(session, [employee.id])
    assert (
        held.participants == ["employee", "coach"] and held.directions_reviewed and held.conclusion == "Het gaat goed."
    )
    assert len(await _versions(box, employee.id)) == 4  # an evaluation is no plan version

    page = _text((await http.get(f"/dashboard/client/{employee.id}")).text)
    assert "Versie 4 van" in page and "Klantenservicemedewerker" in page and "Sollicitatietraining" in page
    assert "Het gaat goed." in page and "Zoekrichting aangepast" in page  # the history
    assert "plan" in await _audit(box, employee.id)  # the edit forms showed the plan
    await http.aclose()


async def test_an_invalid_edit_shows_the_form_again_and_stores_nothing(people, box, clock):
    sanne, ahmed, employee = await _client(people, clock)
    http = await dashboard.signed_in(box, 1001)
    csrf = dashboard.csrf_of((await http.get(f"/dashboard/client/{employee.id}")).text)
    bad = {**DIRECTION, "d_hours": "99"}
    answer = await http.post(f"/dashboard/client/{employee.id}/plan/direction", data={"csrf": csrf, **bad})
    assert answer.status_code == 400
    assert "Kies een getal van 0 tot en met 60" in answer.text and 'value="99"' in answer.text
    assert 'value="Klantenservicemedewerker"' in answer.text  # what was typed stays
    missing = {**DIRECTION, "d_occupation": "  "}
    answer = await http.post(f"/dashboard/client/{employee.id}/plan/direction", data={"csrf": csrf, **missing})
    assert answer.status_code == 400 and "Hier is een antwoord nodig" in answer.text
    future = {"csrf": csrf, "fml_date": "2030-01-01", "fml_text": "Niet tillen."}
    answer = await http.post(f"/dashboard/client/{employee.id}/plan/capacity", data=future)
    assert answer.status_code == 400 and "in de toekomst" in answer.text
    activity = {"csrf": csrf, "a_kind": "course", "a_start": "2026-12-10", "a_end": "2026-12-01", "a_status": "planned"}
    answer = await http.post(f"/dashboard/client/{employee.id}/plan/activity", data=activity)
    assert answer.status_code == 400 and "vóór de startdatum" in answer.text
    forged_choice = {**DIRECTION, "d_level": "doctor"}
    answer = await http.post(f"/dashboard/client/{employee.id}/plan/direction", data={"csrf": csrf, **forged_choice})
    assert answer.status_code == 400
    assert await _versions(box, employee.id) == []
    await http.aclose()


async def test_a_forged_direction_id_or_missing_csrf_changes_nothing(people, box, clock):
    sanne, ahmed, employee = await _client(people, clock)
    http = await dashboard.signed_in(box, 1001)
    csrf = dashboard.csrf_of((await http.get(f"/dashboard/client/{employee.id}")).text)
    added = await http.post(f"/dashboard/client/{employee.id}/plan/direction", data={"csrf": csrf, **DIRECTION})
    assert added.status_code == 303
    for forged in ("d9", "x1", "d1'--"):
        answer = await http.post(f"/dashboard/client/{employee.id}/plan/direction/{forged}",
                                 data={"csrf": csrf, **DIRECTION})  # fmt: skip
        assert answer.status_code == 404, forged
    assert (await http.get(f"/dashboard/client/{employee.id}/plan/activity/d1")).status_code == 404
    assert (await http.get(f"/dashboard/client/{employee.id}/plan/track9")).status_code == 404
    answer = await http.post(f"/dashboard/client/{employee.id}/plan/direction/d1", data=DIRECTION)  # no csrf
    assert answer.status_code == 403
    answer = await http.post(f"/dashboard/client/{employee.id}/plan/direction/d1", data={"csrf": "0" * 64, **DIRECTION})
    assert answer.status_code == 403
    cross_site = await http.post(f"/dashboard/client/{employee.id}/plan/direction/d1",
                                 data={"csrf": csrf, **DIRECTION, "d_hours": "8"},
                                 headers={"origin": "https://evil.example"})  # fmt: skip
    assert cross_site.status_code == 403
    assert [v.number for v in await _versions(box, employee.id)] == [1]
    signed_out = dashboard.client(box)
    assert (await signed_out.get(f"/dashboard/client/{employee.id}")).status_code == 403
    await signed_out.aclose()
    await http.aclose()


async def test_the_chats_one_tap_changes_make_versions_and_forged_ones_change_nothing(people, box, clock):
    sanne, ahmed, employee = await _client(people, clock)
    http = await dashboard.signed_in(box, 1001)
    csrf = dashboard.csrf_of((await http.get(f"/dashboard/client/{employee.id}")).text)
    base = f"/dashboard/client/{employee.id}"
    await http.post(f"{base}/plan/direction", data={"csrf": csrf, **DIRECTION})
    await http.post(f"{base}/plan/direction", data={"csrf": csrf, **DIRECTION, "d_occupation": "Chauffeur"})
    activity = {"csrf": csrf, "a_kind": "course", "a_provider": "", "a_start": "2026-12-01", "a_status": "planned"}
    await http.post(f"{base}/plan/activity", data=activity)
    clock.advance(days=2)  # a dashboard session lasts 12 hours: sign in again
    await http.aclose()
    http = await dashboard.signed_in(box, 1001)
    csrf = dashboard.csrf_of((await http.get(base)).text)
    taps = ((f"{base}/change/track1", {}), (f"{base}/change/reviewed/d1", {}),
            (f"{base}/change/status/a1", {"status": "running"}), (f"{base}/change/remove/d2", {}))  # fmt: skip
    for path, data in taps:
        answer = await http.post(path, data={"csrf": csrf, **data})
        assert answer.status_code == 303 and answer.headers["location"] == f"{base}#plan", path
    versions = await _versions(box, employee.id)
    assert [v.change for v in versions] == ["direction_added", "direction_added", "activity_added", "track1",
                                            "directions_reviewed", "activity_changed", "direction_removed"]  # fmt: skip
    latest = versions[-1].content
    assert latest["track1"] is True and latest["activities"][0]["status"] == "running"
    assert [d["id"] for d in latest["directions"]] == ["d1"]
    assert latest["directions"][0]["reviewed_on"] > latest["directions"][0]["added_on"]
    for path, data in ((f"{base}/change/remove/d2", {}), (f"{base}/change/status/a1", {"status": "flying"}),
                       (f"{base}/change/status/a7", {"status": "done"}), (f"{base}/change/track1/d1", {}),
                       (f"{base}/change/explode", {}), (f"{base}/change/reviewed", {})):  # fmt: skip
        assert (await http.post(path, data={"csrf": csrf, **data})).status_code == 404, path
    assert (await http.post(f"{base}/change/track1", data={})).status_code == 403  # no form token
    await people.coach(1002, "Piet")
    other = await dashboard.signed_in(box, 1002)
    other_csrf = dashboard.csrf_of((await other.get("/dashboard/caseload")).text)
    assert (await other.post(f"{base}/change/track1", data={"csrf": other_csrf})).status_code == 404
    assert len(await _versions(box, employee.id)) == len(versions)
    page = _text((await http.get(base)).text)
    assert "Spoor 1 (eigen werkgever) loopt ook nog." in page and "Chauffeur" not in page
    await other.aclose()
    await http.aclose()


async def test_every_wrong_answer_of_a_form_is_named_and_the_page_speaks_english(people, box, clock):
    sanne, ahmed, employee = await _client(people, clock)
    http = await dashboard.signed_in(box, 1001)
    csrf = dashboard.csrf_of((await http.get(f"/dashboard/client/{employee.id}")).text)
    profile = {"csrf": csrf, "own_role": "", "hours": "veel", "region": "Utrecht", "travel": "45",
               "job_role_0": "Verkoper", "job_years_0": "", "education": "x" * 161}  # fmt: skip
    answer = await http.post(f"/dashboard/client/{employee.id}/plan/profile", data=profile)
    assert answer.status_code == 400
    text = _text(answer.text)
    assert "4 antwoorden kloppen nog niet" in text
    assert "Eigen functie : Hier is een antwoord nodig" in text and "Dat is geen heel getal" in text
    assert "hoogstens 160 tekens" in text and "Functie 1 : Hier is een antwoord nodig" in text
    assert 'value="veel"' in answer.text and 'value="Verkoper"' in answer.text
    assert await _versions(box, employee.id) == []

    async with box.db.session() as session:  # the coach's language is the page's language
        coach = await queries.get(session, Coach, employee.coach_id)
        coach.language = "en"
        session.add(coach)
        await session.commit()
    page = await http.get(f"/dashboard/client/{employee.id}")
    english = _text(page.text)
    assert page.status_code == 200 and "Trajectory plan" in english and "Week by week" in english
    assert "Trajectplan" not in english
    await http.aclose()


async def test_a_week_without_a_check_in_is_on_the_timeline(people, box, clock):
    sanne = await people.coach()
    ahmed = await people.employee(sanne, 2001, "Ahmed")
    await people.checkin(ahmed, applications=2)
    clock.advance(days=14)  # one week without a check-in
    await people.checkin(ahmed, applications=1)
    employee = await people.employee_row(2001)
    http = await dashboard.signed_in(box, 1001)
    page = await http.get(f"/dashboard/client/{employee.id}")
    rows = re.findall(r'<tr class="week-(\w+)">', page.text)
    assert rows[0] == "submitted" and rows[-1] == "submitted" and rows[1] in ("missed", "none"), rows
    assert "De laatste 3 weken" in _text(page.text)
    await http.aclose()
