"""The audit trail end to end: every kind of read of one person's data by someone else leaves an entry (the coach
in the chat: the client's detail and check-ins, a report, the plan, the dossier, a safety alert; the employer
contact: their view of the employee, the plan, a report sent to them; the operator: `spoorzoeker report` and
`privacy export`), the employee reading their own data leaves none, an entry holds no content, the database refuses
to change an entry, `spoorzoeker audit` lists the trail about an employee and by an actor, and the employee's own
export lists who looked."""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DatabaseError

from bot import cli
from bot.rules import plan as plan_rules
from bot.sandbox.offline import token_in
from storage import audit_queries, plan_queries
from storage.models import AuditEntry

CRISIS = "Ik zie het nie meer zitten, soms wil ik dood"
REFLECTION = "kanarie-reflectie-in-het-logboek"


async def entries(box, employee_id: int) -> list[AuditEntry]:
    async with box.db.session() as session:
        return await audit_queries.about_employee(session, employee_id)


def kinds(found: list[AuditEntry]) -> Counter:
    return Counter((entry.actor_kind, entry.what) for entry in found)


def table(out: str) -> list[list[str]]:
    """`spoorzoeker audit`'s table: columns are two or more spaces apart."""
    return [re.split(r"\s{2,}", line) for line in out.splitlines()]


async def run(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = await asyncio.to_thread(cli.main, list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
async def file(people, box, clock, monkeypatch):
    """Sanne's client Ahmed (Bakkerij Bol) with a plan, two weeks of check-ins (the second with a reflection),
    and Eva, the contact of Bakkerij Bol, joined."""
    monkeypatch.setenv("DATABASE_URL", box.settings.database_url)
    sanne = await people.coach(name="Sanne de Vries")
    ahmed = await people.employee(sanne, 2001, "Ahmed Yilmaz")
    await people.checkin(ahmed)
    clock.advance(days=7)
    await people.checkin(ahmed, reflection=REFLECTION)
    employee = await people.employee_row(2001)
    async with box.db.session() as session:  # a plan (its chat flow has its own tests)
        await plan_queries.add_plan_version(session, employee.id, plan_rules.empty(), "created", employee.coach_id,
                                            clock.now())  # fmt: skip
    await sanne.send("/werkgever")
    await sanne.press("Bakkerij Bol")
    eva = box.fake.user(3001, "Eva")
    await eva.send(f"/start {token_in(await sanne.send('Eva de Boer'))}")
    return sanne, ahmed, eva, employee.id


async def test_every_kind_of_read_by_someone_else_is_logged_and_the_employees_own_reads_are_not(file, box, capsys,
                                                                                                 tmp_path):  # fmt: skip
    sanne, ahmed, eva, employee_id = file
    before = kinds(await entries(box, employee_id))
    assert before == Counter({("employer", "employer_view"): 1, ("employer", "plan"): 1})  # Eva's /status on joining

    await ahmed.send("/mijngegevens")  # the employee's own reads: nothing logged
    await ahmed.send("/mijnplan")
    await ahmed.send("/checkin")
    await ahmed.send("/annuleren")
    assert kinds(await entries(box, employee_id)) == before

    await sanne.send("/caseload")
    await sanne.press("Ahmed Yilmaz")
    await sanne.press("Rapportage")
    await sanne.press("Voor het dossier")
    await sanne.send("/plan")
    await sanne.send("/dossier")
    await sanne.press("Eindrapportage versturen")
    await box.app.bot_data["runtime"].delivery.drain()
    draft = next(m for m in reversed(sanne.inbox) if m.kind == "document" and "Versturen" in " ".join(sanne.buttons(m)))
    await sanne.press("📤 Versturen", message=draft)  # the final report goes to Eva (and a copy to Ahmed)
    await eva.send("/status")
    replies = await ahmed.send(CRISIS)
    await ahmed.press("Ja, laat mijn coach het weten", message=replies[0])
    code, _, err = await run(capsys, "report", "--employee", str(employee_id), "--out", str(tmp_path / "r.pdf"))
    assert code == 0, err
    code, _, err = await run(capsys, "privacy", "export", "--employee", str(employee_id), "--out", str(tmp_path))
    assert code == 0, err

    logged = kinds(await entries(box, employee_id)) - before
    assert logged == Counter({
        ("coach", "caseload_detail"): 2, ("coach", "checkins"): 2,  # the detail, and again after the report
        ("coach", "report"): 2,  # the caseload's PDF and the final report's draft
        ("coach", "plan"): 1, ("coach", "dossier"): 2,  # the dossier menu, and again after the tap
        ("employer", "report"): 1, ("employer", "employer_view"): 1, ("employer", "plan"): 1,
        ("coach", "safety_alert"): 1,
        ("operator", "report"): 1, ("operator", "export"): 1,
    })  # fmt: skip
    found = await entries(box, employee_id)
    coach_ids = {e.actor_id for e in found if e.actor_kind == "coach"}
    assert coach_ids == {(await file_coach_id(box, employee_id))}
    assert {e.actor_id for e in found if e.actor_kind == "operator"} == {None}


async def file_coach_id(box, employee_id: int) -> int:
    from storage.models import Employee

    async with box.db.session() as session:
        return (await session.get(Employee, employee_id)).coach_id


async def test_an_entry_holds_no_content_and_cannot_be_changed(file, box):
    sanne, _ahmed, _eva, employee_id = file
    await sanne.send("/caseload")
    await sanne.press("Ahmed Yilmaz")
    columns = {column["name"] for column in await _columns(box)}
    assert columns == {"id", "at", "actor_kind", "actor_id", "what", "employee_id", "coach_id"}
    async with box.db.session() as session:
        rows = (await session.exec(text("SELECT * FROM auditentry"))).all()
    assert rows and all(REFLECTION not in repr(row) and "Ahmed" not in repr(row) for row in rows)
    with pytest.raises(DatabaseError, match="append-only"):
        async with box.db.session() as session:
            await session.exec(text("UPDATE auditentry SET what = 'plan'"))
    assert {e.what for e in await entries(box, employee_id)} >= {"caseload_detail", "checkins"}  # unchanged


async def _columns(box) -> list[dict]:
    async with box.db.engine.connect() as connection:
        return await connection.run_sync(lambda sync: inspect(sync).get_columns("auditentry"))


async def test_spoorzoeker_audit_lists_by_employee_and_by_actor_and_the_export_lists_who_looked(
    file, box, capsys, tmp_path
):
    sanne, ahmed, eva, employee_id = file
    await sanne.send("/caseload")
    await sanne.press("Ahmed Yilmaz")
    code, _, err = await run(capsys, "privacy", "export", "--employee", str(employee_id), "--out", str(tmp_path))
    assert code == 0, err
    coach_id = await file_coach_id(box, employee_id)

    code, out, err = await run(capsys, "audit", "--employee", str(employee_id))
    assert code == 0, err
    header, *rows = table(out)
    assert header == ["when", "who", "what", "about whom"]
    assert [f"coach:{coach_id} Sanne de Vries", "caseload_detail"] in [row[1:3] for row in rows]
    assert any(who.startswith("employer:") and who.endswith("Eva de Boer") for _, who, what, _ in rows)
    assert ["operator", "export"] in [row[1:3] for row in rows]
    assert {row[3] for row in rows} == {f"employee:{employee_id} Ahmed Yilmaz"}
    assert REFLECTION not in out

    code, out, _ = await run(capsys, "audit", "--actor", f"coach:{coach_id}")
    assert code == 0 and {row[2] for row in table(out)[1:]} == {"caseload_detail", "checkins"}
    code, out, _ = await run(capsys, "audit", "--actor", "operator")
    assert code == 0 and [row[2] for row in table(out)[1:]] == ["export"]
    code, out, _ = await run(capsys, "audit", "--actor", "employer:99")
    assert code == 0 and out.strip() == "no audit entries by employer:99"
    code, _, err = await run(capsys, "audit", "--actor", "buurman:3")
    assert code != 0 and err.count("\n") == 1 and "--actor" in err

    replies = await ahmed.send("/mijngegevens")
    document = json.loads(next(m for m in replies if m.file_name and m.file_name.endswith(".json")).file_bytes)
    looked = {(v["who_role"], v["who_name"], v["what"]) for v in document["file_views"]}
    assert {("coach", "Sanne de Vries", "caseload_detail"), ("employer", "Eva de Boer", "employer_view"),
            ("operator", None, "export")} <= looked  # fmt: skip
