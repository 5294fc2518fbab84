"""End to end over HTTP: the employee's own plan (/mijnplan, /myplan): reading it, agreeing or asking to discuss
it, a plan that changed in between, the coach's "look at your plan" message, and forged presses."""

from datetime import date

from bot.core.context import Work
from bot.outgoing import plan_notices
from bot.rules import plan
from storage import plan_queries, queries
from storage.models import PlanEvaluation, PlanVersion
from tests.conftest import People
from tests.test_forged_e2e import snapshot

CANARY = "CANARY-evaluatie-7731"
CONTENT = {
    "profile": {"own_role": "Magazijnmedewerker", "hours": 24, "region": "Utrecht"},
    "capacity": {"text": "Niet zwaar tillen"},
    "directions": [
        {"occupation": "Klantenservicemedewerker", "sector": "Zorg", "region": "Utrecht", "hours": 24},
        {"occupation": "Receptionist", "region": "Amersfoort", "reason": "Houdt van mensen"},
    ],
    "activities": [
        {"kind": "application_training", "provider": "Werkfit BV", "start": "2026-11-02", "end": "2026-12-14",
         "status": "running", "result": "Goed bezig"},
    ],
    "track1": True,
}  # fmt: skip


async def _add_plan(people, user_id: int, content: dict = CONTENT) -> PlanVersion:
    employee = await people.employee_row(user_id)
    now = people.box.clock.now()
    async with people.box.db.session() as session:
        version = await plan_queries.add_plan_version(
            session, employee.id, plan.normalise(content, now.date()), "created", employee.coach_id, now
        )
        session.add(
            PlanEvaluation(
                employee_id=employee.id, held_on=date(2026, 11, 18), participants=["coach"], conclusion=CANARY,
                changes=CANARY, created_at=now,
            )
        )  # fmt: skip
        return version


async def _version(people, version_id: int) -> PlanVersion:
    async with people.box.db.session() as session:
        return await queries.get(session, PlanVersion, version_id)


async def _answers_sent(people) -> list:
    async with people.box.db.session() as session:
        return await queries.outbox_rows(session, kind="plan_answer")


async def test_without_a_plan_a_kind_line(people):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await ahmed.send("/mijnplan")
    assert "nog geen plan" in ahmed.last.plain_text and "samen met jou" in ahmed.last.plain_text
    assert ahmed.last.buttons == []


async def test_the_plan_in_plain_words_never_the_evaluation(people):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await _add_plan(people, 2001)
    await ahmed.send("/mijnplan")
    text = ahmed.last.plain_text
    assert "versie 1" in text
    assert "Klantenservicemedewerker (Zorg), in Utrecht, 24 uur per week" in text
    assert "Receptionist, in Amersfoort" in text
    assert "Sollicitatietraining, bij Werkfit BV, van 02-11-2026 tot 14-12-2026: bezig" in text
    assert "Magazijnmedewerker" in text and "spoor 1" in text
    assert CANARY not in text
    assert ahmed.buttons() == ["✅ Ik ga akkoord", "💬 Ik wil iets bespreken"]


async def test_agreeing_is_stored_and_the_coach_hears_it_then_discuss_replaces_it(people, box):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    version = await _add_plan(people, 2001)
    await ahmed.send("/mijnplan")
    await ahmed.press("Ik ga akkoord")
    assert "akkoord" in ahmed.last.plain_text and "/mijnplan" in ahmed.last.plain_text
    stored = await _version(people, version.id)
    assert stored.employee_answer == "agree" and stored.answered_at is not None
    assert len(await _answers_sent(people)) == 1
    await box.app.bot_data["runtime"].delivery.drain()
    assert "Ahmed is akkoord met het plan (versie 1)" in coach.last.plain_text

    await ahmed.send("/mijnplan")
    assert "Je antwoord: ✅ akkoord (op " in ahmed.last.plain_text
    await ahmed.press("Ik wil iets bespreken")
    stored = await _version(people, version.id)
    assert stored.employee_answer == "discuss"
    assert len(await _answers_sent(people)) == 2
    await box.app.bot_data["runtime"].delivery.drain()
    assert "Ahmed wil iets bespreken over het plan (versie 1)" in coach.last.plain_text


async def test_a_newer_version_is_shown_and_the_old_button_stores_nothing(people):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    first = await _add_plan(people, 2001)
    await ahmed.send("/mijnplan")
    changed = {**CONTENT, "directions": [{"occupation": "Beveiliger", "region": "Zeist"}], "track1": False}
    second = await _add_plan(people, 2001, changed)
    await ahmed.press("Ik ga akkoord")
    assert (await _version(people, first.id)).employee_answer is None
    assert (await _version(people, second.id)).employee_answer is None
    assert await _answers_sent(people) == []
    text = ahmed.last.plain_text
    assert "net veranderd" in text and "versie 2" in text and "Beveiliger" in text
    assert "spoor 1) loopt nu niet" in text
    await ahmed.press("Ik ga akkoord")
    assert (await _version(people, second.id)).employee_answer == "agree"


async def test_the_coach_message_opens_the_plan(people, box):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    version = await _add_plan(people, 2001)
    async with box.db.session() as session:
        work = Work(session, box.clock, box.fake.bot_username, box.settings.default_timezone)
        employee = await queries.employee_by_telegram(session, 2001)
        assert await plan_notices.ask_employee(work, employee, await queries.get(session, PlanVersion, version.id))
    await box.app.bot_data["runtime"].delivery.drain()
    assert "Je coach heeft je plan voor werk klaargezet (versie 1)" in ahmed.last.plain_text
    await ahmed.press("Bekijk mijn plan")
    assert "Klantenservicemedewerker" in ahmed.last.plain_text
    await ahmed.press("Ik wil iets bespreken")
    assert (await _version(people, version.id)).employee_answer == "discuss"


async def test_a_forged_press_changes_nothing(people, box):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await _add_plan(people, 2001)
    await ahmed.send("/mijnplan")
    async with box.db.session() as session:
        v = (await queries.dialog_of(session, 2001)).data["v"]
    before = await snapshot(box)
    for data in (f"{v}|answer|yes", f"{v}|answer|", f"{v}|agree|agree", f"{v - 1}|answer|agree", "|answer|agree"):
        await ahmed.press_data(data, ahmed.last)
        assert await snapshot(box) == before, data


async def test_english(people):
    coach = await people.coach()
    peter = await people.employee(coach, 2003, "Peter", language="English")
    await peter.send("/myplan")
    assert "plan" in peter.last.plain_text.lower()
    await _add_plan(people, 2003)
    await peter.send("/myplan")
    assert "versie" not in peter.last.plain_text
    assert len(peter.buttons()) == 2


async def test_the_buttons_still_work_after_a_restart(box):
    async with box.bot_running():
        people = People(box)
        coach = await people.coach()
        ahmed = await people.employee(coach, 2001)
        version = await _add_plan(people, 2001)
        await ahmed.send("/mijnplan")
    async with box.bot_running():  # a new process: only the database remembers the plan Ahmed was reading
        await ahmed.press("Ik ga akkoord")
        assert "akkoord bent met je plan (versie 1)" in ahmed.last.plain_text
    assert (await _version(people, version.id)).employee_answer == "agree"
