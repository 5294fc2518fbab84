"""End to end over real HTTP: the agency administrator's dashboard pages — the coaches of the agency, one coach's
clients, deactivating a coach (after a confirmation page), moving one client or a whole caseload (each client is
told who their new coach is, as in the chat), each action in the audit trail as /beheer writes it. A coach who is
no administrator gets 404; an id of another agency's coach or client is 404 and changes nothing; a form without
its token is 403.

Nora (1001) administers the agency of Sanne (1002, Ahmed and Fleur) and Joost (1003, Karim); Piet (1004, Lisa)
works for "Bureau Elders". The clock starts on Friday 20 November 2026, 10:00 in Amsterdam.
"""

from __future__ import annotations

import pytest
import sqlalchemy
from sqlmodel import SQLModel, select

from bot.sandbox.offline import sandbox
from storage import admin_queries, coach_queries, queries
from storage.models import AuditEntry, Coach, Employee
from tests import dashboard


@pytest.fixture
async def box(clock, database_url):
    async with sandbox(clock=clock, database_url=database_url, dashboard_port=0) as box:
        yield box


async def coach_row(box, name: str) -> Coach:
    async with box.db.session() as session:
        return next(c for c in await coach_queries.all_coaches(session) if c.name == name)


async def employee_row(box, name: str) -> Employee:
    async with box.db.session() as session:
        return (await session.exec(select(Employee).where(Employee.name == name))).one()


async def admin_audit(box) -> list[tuple]:
    async with box.db.session() as session:
        entries = (await session.exec(select(AuditEntry).where(AuditEntry.actor_kind == "admin"))).all()
    return [(e.what, e.actor_id, e.employee_id, e.coach_id) for e in entries]


async def snapshot(box) -> dict[str, list[tuple]]:
    """Every row of every table but the sign-in sessions and links and `chatturn`."""
    skip = {"chatturn", "dashboardsession", "dashboardlink"}
    async with box.db.session() as session:
        return {
            table.name: sorted(map(tuple, (await session.exec(sqlalchemy.select(table))).all()), key=repr)
            for table in SQLModel.metadata.sorted_tables
            if table.name not in skip
        }


@pytest.fixture
async def agency(people, box):
    nora = await people.coach(1001, "Nora Bakker")
    sanne = await people.coach(1002, "Sanne de Vries")
    joost = await people.coach(1003, "Joost Visser")
    piet = await people.coach(1004, "Piet Elders")
    ahmed = await people.employee(sanne, 2001, "Ahmed Yilmaz")
    await people.employee(sanne, 2002, "Fleur Jansen")
    await people.employee(joost, 2003, "Karim Bouali", employer="Garage Gerrits")
    await people.employee(piet, 2004, "Lisa de Wit", employer="Drukkerij Dam")
    async with box.db.session() as session:
        await admin_queries.set_admin(session, (await queries.coach_by_telegram(session, 1001)).id)
        await coach_queries.set_agency(session, (await queries.coach_by_telegram(session, 1004)).id, "Bureau Elders")
    http = await dashboard.signed_in(box, 1001)
    return {"nora": nora, "sanne": sanne, "joost": joost, "piet": piet, "ahmed": ahmed, "http": http}


async def test_the_administrator_sees_the_agencys_coaches(agency, box):
    http = agency["http"]
    page = await http.get("/dashboard/admin")
    assert page.status_code == 200
    assert 'href="/dashboard/admin" aria-current="page"' in page.text
    for name, clients in (("Sanne de Vries", 2), ("Joost Visser", 1), ("Nora Bakker", 0)):
        coach = await coach_row(box, name)
        assert f'<tr data-coach="{coach.id}">' in page.text
        cells = page.text.split(f'<tr data-coach="{coach.id}">')[1].split("</tr>")[0]
        assert name in cells and f'<td class="num">{clients}</td>' in cells and "actief" in cells
    assert "(jij)" in page.text and "beheerder" in page.text
    assert "Piet" not in page.text and "Lisa" not in page.text
    sanne = await coach_row(box, "Sanne de Vries")
    detail = await http.get(f"/dashboard/admin/coach/{sanne.id}")
    assert detail.status_code == 200
    assert "Ahmed Yilmaz" in detail.text and "Fleur Jansen" in detail.text and "Karim" not in detail.text
    assert f'action="/dashboard/admin/coach/{sanne.id}/move"' in detail.text
    assert '<option value="' in detail.text and "Piet Elders" not in detail.text  # other agency: no target
    nora = await coach_row(box, "Nora Bakker")
    own = await http.get(f"/dashboard/admin/coach/{nora.id}")
    assert "Coach deactiveren" not in own.text  # not oneself
    assert (await http.get(f"/dashboard/admin/coach/{nora.id}/deactivate")).status_code == 404


async def test_a_coach_who_is_no_administrator_gets_404(agency, box):
    sanne_http = await dashboard.signed_in(box, 1002)
    joost = await coach_row(box, "Joost Visser")
    karim = await employee_row(box, "Karim Bouali")
    caseload = await sanne_http.get("/dashboard/caseload")
    csrf = dashboard.csrf_of(caseload.text)
    assert 'href="/dashboard/admin"' not in caseload.text  # no admin link in the nav
    before = await snapshot(box)
    for path in (
        "/dashboard/admin",
        f"/dashboard/admin/coach/{joost.id}",
        f"/dashboard/admin/coach/{joost.id}/deactivate",
    ):
        assert (await sanne_http.get(path)).status_code == 404, path
    for path, data in (
        (f"/dashboard/admin/coach/{joost.id}/deactivate", {}),
        (f"/dashboard/admin/coach/{joost.id}/move", {"to": str((await coach_row(box, "Sanne de Vries")).id)}),
        (f"/dashboard/admin/client/{karim.id}/move", {"to": str((await coach_row(box, "Sanne de Vries")).id)}),
    ):
        answer = await sanne_http.post(path, data={"csrf": csrf, **data})
        assert answer.status_code == 404, path
    assert await snapshot(box) == before


async def test_deactivating_a_coach_after_a_confirmation(agency, box):
    http = agency["http"]
    joost = await coach_row(box, "Joost Visser")
    joost_http = await dashboard.signed_in(box, 1003)
    detail = await http.get(f"/dashboard/admin/coach/{joost.id}")
    assert f'href="/dashboard/admin/coach/{joost.id}/deactivate"' in detail.text
    confirm = await http.get(f"/dashboard/admin/coach/{joost.id}/deactivate")
    assert confirm.status_code == 200 and "Joost Visser deactiveren?" in confirm.text
    assert (await coach_row(box, "Joost Visser")).deactivated_at is None  # the confirmation page changes nothing
    done = await http.post(
        f"/dashboard/admin/coach/{joost.id}/deactivate", data={"csrf": dashboard.csrf_of(confirm.text)}
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/dashboard/admin/coach/{joost.id}?done=deactivated"
    after = await http.get(done.headers["location"])
    assert "De coach is gedeactiveerd." in after.text and "gedeactiveerd" in after.text
    assert "Coach deactiveren" not in after.text
    row = await coach_row(box, "Joost Visser")
    assert row.deactivated_at is not None and row.telegram_user_id is None
    nora = await coach_row(box, "Nora Bakker")
    assert await admin_audit(box) == [("coach_deactivated", nora.id, None, joost.id)]
    assert (await joost_http.get("/dashboard/caseload")).status_code == 403  # their session no longer works
    overview = await http.get("/dashboard/admin")
    assert "Cliënten zonder coach (1)" in overview.text and "Karim Bouali" in overview.text
    again = await http.post(
        f"/dashboard/admin/coach/{joost.id}/deactivate", data={"csrf": dashboard.csrf_of(confirm.text)}
    )
    assert again.status_code == 404  # already deactivated: nothing more to do
    assert len(await admin_audit(box)) == 1


async def test_moving_one_client_tells_them_and_is_audited(agency, box):
    http = agency["http"]
    sanne, joost = await coach_row(box, "Sanne de Vries"), await coach_row(box, "Joost Visser")
    ahmed = await employee_row(box, "Ahmed Yilmaz")
    page = await http.get(f"/dashboard/admin/coach/{sanne.id}")
    answer = await http.post(
        f"/dashboard/admin/client/{ahmed.id}/move",
        data={"csrf": dashboard.csrf_of(page.text), "to": str(joost.id), "back": "coach"},
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/dashboard/admin/coach/{sanne.id}?done=client_moved"
    assert (await employee_row(box, "Ahmed Yilmaz")).coach_id == joost.id
    nora = await coach_row(box, "Nora Bakker")
    assert await admin_audit(box) == [("client_moved", nora.id, ahmed.id, joost.id)]
    await box.run_due()
    assert "Je hebt een nieuwe coach: Joost Visser" in agency["ahmed"].last.plain_text  # as from /beheer
    joost_http = await dashboard.signed_in(box, 1003)
    assert "Ahmed Yilmaz" in (await joost_http.get("/dashboard/caseload")).text


async def test_moving_a_whole_caseload(agency, box):
    http = agency["http"]
    sanne, joost = await coach_row(box, "Sanne de Vries"), await coach_row(box, "Joost Visser")
    page = await http.get(f"/dashboard/admin/coach/{sanne.id}")
    answer = await http.post(
        f"/dashboard/admin/coach/{sanne.id}/move", data={"csrf": dashboard.csrf_of(page.text), "to": str(joost.id)}
    )
    assert answer.status_code == 303
    async with box.db.session() as session:
        assert [e.name for e in await coach_queries.clients_of(session, joost.id)] == [
            "Ahmed Yilmaz", "Fleur Jansen", "Karim Bouali"
        ]  # fmt: skip
        assert await coach_queries.clients_of(session, sanne.id) == []
    nora = await coach_row(box, "Nora Bakker")
    moved = [(await employee_row(box, name)).id for name in ("Ahmed Yilmaz", "Fleur Jansen")]
    assert sorted(await admin_audit(box)) == sorted(("caseload_moved", nora.id, i, sanne.id) for i in moved)
    await box.run_due()
    assert "Je hebt een nieuwe coach: Joost Visser" in agency["ahmed"].last.plain_text
    after = await http.get(answer.headers["location"])
    assert "De caseload is verplaatst" in after.text and "Geen lopende cliënten." in after.text


async def test_forged_ids_are_404_and_change_nothing(agency, box):
    http = agency["http"]
    page = await http.get("/dashboard/admin")
    csrf = dashboard.csrf_of(page.text)
    piet, sanne = await coach_row(box, "Piet Elders"), await coach_row(box, "Sanne de Vries")
    lisa, ahmed = await employee_row(box, "Lisa de Wit"), await employee_row(box, "Ahmed Yilmaz")
    before = await snapshot(box)
    for path in (
        f"/dashboard/admin/coach/{piet.id}",
        f"/dashboard/admin/coach/{piet.id}/deactivate",
        "/dashboard/admin/coach/abc",
        "/dashboard/admin/coach/99999999999999999999",
        "/dashboard/admin/coach/0",
    ):
        answer = await http.get(path)
        assert answer.status_code == 404, path
        assert "Lisa" not in answer.text and "Piet" not in answer.text
    for path, data in (
        (f"/dashboard/admin/coach/{piet.id}/deactivate", {}),  # another agency's coach
        (f"/dashboard/admin/client/{lisa.id}/move", {"to": str(sanne.id)}),  # another agency's client
        (f"/dashboard/admin/client/{ahmed.id}/move", {"to": str(piet.id)}),  # to another agency's coach
        (f"/dashboard/admin/client/{ahmed.id}/move", {"to": str(sanne.id)}),  # to the coach they have
        (f"/dashboard/admin/client/{ahmed.id}/move", {"to": "1 OR 1=1"}),
        (f"/dashboard/admin/client/{ahmed.id}/move", {}),
        (f"/dashboard/admin/coach/{piet.id}/move", {"to": str(sanne.id)}),  # another agency's caseload
        (f"/dashboard/admin/coach/{sanne.id}/move", {"to": str(piet.id)}),
        (f"/dashboard/admin/coach/{sanne.id}/move", {"to": str(sanne.id)}),  # to itself
    ):
        answer = await http.post(path, data={"csrf": csrf, **data})
        assert answer.status_code == 404, (path, data)
    assert await snapshot(box) == before


async def test_forms_without_the_token_or_from_another_site_are_refused(agency, box):
    http = agency["http"]
    joost, sanne = await coach_row(box, "Joost Visser"), await coach_row(box, "Sanne de Vries")
    ahmed = await employee_row(box, "Ahmed Yilmaz")
    csrf = dashboard.csrf_of((await http.get("/dashboard/admin")).text)
    before = await snapshot(box)
    forms = (
        (f"/dashboard/admin/coach/{joost.id}/deactivate", {}),
        (f"/dashboard/admin/client/{ahmed.id}/move", {"to": str(joost.id)}),
        (f"/dashboard/admin/coach/{sanne.id}/move", {"to": str(joost.id)}),
    )
    for path, data in forms:
        assert (await http.post(path, data=data)).status_code == 403, path
        assert (await http.post(path, data={**data, "csrf": "0" * 64})).status_code == 403, path
        cross = await http.post(path, data={**data, "csrf": csrf}, headers={"Origin": "https://evil.example"})
        assert cross.status_code == 403, path
    assert await snapshot(box) == before
