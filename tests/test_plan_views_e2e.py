"""The trajectory plan in the existing views: the coach's client detail, the flags and the digest, and the
employer's /status (directions and running activities only; canaries in every private plan field stay out)."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.rules import plan
from bot.rules.weeks import local_date
from bot.sandbox.offline import token_in
from storage import coach_queries, plan_queries, queries
from storage.models import ApplicationProof, PlanEvaluation

CANARY = re.compile(r"CANARY-[A-Z]+-\d{4}")
TZ = "Europe/Amsterdam"


def content(**values) -> dict:
    return {
        "profile": {"own_role": "Magazijnmedewerker", "ambitions": "CANARY-AMBITION-1001",
                    "skills": ["CANARY-SKILL-1002"], "work_kind": "CANARY-WORKKIND-1003"},
        "capacity": {"text": "CANARY-CAPACITY-1004 niet tillen"},
        "directions": [{"occupation": "Planner", "region": "Utrecht", "hours": 24,
                        "reason": "CANARY-REASON-1005"}],
        "activities": [
            {"kind": "course", "provider": "ROC Midden", "status": "running", "start": "2026-11-02",
             "result": "CANARY-RESULT-1006"},
            {"kind": "job_coaching", "provider": "Coach & Co", "status": "planned"},
        ],
        "track1": True,
        **values,
    }  # fmt: skip


async def make_plan(box, user_id: int, now, data: dict | None = None) -> int:
    """A plan version made directly in the database (the /plan chat is another part); the employee's id."""
    async with box.db.session() as session:
        employee = await queries.employee_by_telegram(session, user_id)
        cleaned = plan.normalise(data or content(), local_date(now, TZ))
        await plan_queries.add_plan_version(session, employee.id, cleaned, "created", None, now)
        return employee.id


async def detail(coach, name: str) -> str:
    await coach.send("/caseload")
    return await _open(coach, name)


async def _open(coach, name: str) -> str:
    await coach.press(name)
    return coach.last.plain_text


async def test_detail_without_and_with_a_plan(box, clock, people):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001, "Ahmed Yilmaz")
    text = await detail(coach, "Ahmed Yilmaz")
    assert "Nog geen trajectplan — maak het met /plan" in text

    await people.checkin(ahmed)  # before the plan: with Track 1 running the check-in asks the hours too
    employee_id = await make_plan(box, ahmed.id, clock.now())
    async with box.db.session() as session:
        (checkin,) = await queries.checkins_of(session, employee_id)
        checkin.track1_hours = 8
        checkin.activities = ["course"]
        session.add(checkin)
        today = local_date(clock.now(), TZ)
        with_proof = await coach_queries.add_application(
            session, employee_id, "Bol", "Planner", today, "website", clock.now(), direction="d1"
        )
        await coach_queries.add_application(
            session, employee_id, "Jumbo", "Planner", today, "email", clock.now(), direction="d1"
        )
        await coach_queries.add_application(session, employee_id, "Lidl", "Kassa", today, "email", clock.now())
        await plan_queries.add_proof(
            session,
            ApplicationProof(application_id=with_proof.id, kind="link", url="https://x.nl/v", created_at=clock.now()),
        )
        counts = await plan_queries.direction_counts(session, employee_id)
    assert counts == {"d1": (1, 1), None: (0, 1)}

    text = await detail(coach, "Ahmed Yilmaz")
    assert "Trajectplan versie 1 van 20-11-2026 · nog niet beantwoord" in text
    assert "🧭 Planner: 1 met bewijs, 1 zonder" in text
    assert "(1 sollicitatie buiten een zoekrichting)" in text
    assert "▶️ Cursus of opleiding (ROC Midden): 1 check-in-week" in text
    assert "Coach & Co" not in text  # planned, not running
    assert "Spoor 1 (uren eigen werkgever): wk 44 – · wk 45 – · wk 46 – · wk 47 8" in text
    assert "Maar één zoekrichting" in text  # the breadth warning, with why the UWV cares
    assert "Nog geen evaluatie." in text and "Evaluatie van het plan is nu nodig" not in text
    assert "CANARY-CAPACITY" not in text  # the summary does not print the profile or capacity
    assert len(text) <= 4096


async def test_evaluation_due_and_narrow_profile_in_the_caseload_and_digest(box, clock, people):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001, "Ahmed Yilmaz")
    await people.employee(coach, 2002, "Fleur Jansen")
    broad = content(directions=[{"occupation": "Planner"}, {"occupation": "Inkoper"}])
    employee_id = await make_plan(box, ahmed.id, clock.now(), broad)
    await coach.send("/caseload")
    assert "smal zoekprofiel" not in coach.last.plain_text and "evaluatie" not in coach.last.plain_text

    clock.set(clock.now() + timedelta(weeks=6))
    await coach.send("/caseload")
    assert "evaluatie" not in coach.last.plain_text  # exactly six weeks: not yet
    clock.set(clock.now() + timedelta(days=1))
    await coach.send("/caseload")
    assert "🗓️ evaluatie" in coach.last.plain_text
    await coach.send("/digest")
    digest = next(m.plain_text for m in reversed(coach.inbox) if "Weekoverzicht" in m.plain_text)
    assert "eerste evaluatie van het plan nodig" in digest
    assert "🗓️ 1 evaluatie nodig: Ahmed Yilmaz" in digest
    assert "zoekprofiel mogelijk te smal" not in digest

    async with box.db.session() as session:
        await plan_queries.add_evaluation(
            session,
            PlanEvaluation(employee_id=employee_id, held_on=local_date(clock.now(), TZ), conclusion="CANARY-EVAL-1007",
                           changes="CANARY-CHANGES-1008", created_at=clock.now()),
        )  # fmt: skip
    clock.set(clock.now() + timedelta(weeks=8))  # three months without a review of the directions
    await coach.send("/digest")
    digest = next(m.plain_text for m in reversed(coach.inbox) if "Weekoverzicht" in m.plain_text)
    assert "🔭 1 zoekprofiel mogelijk te smal: Ahmed Yilmaz" in digest
    assert "3 maanden niet besproken" in digest
    assert "🗓️ 1 evaluatie nodig: Ahmed Yilmaz" in digest
    text = await detail(coach, "Ahmed Yilmaz")
    assert "De zoekrichtingen zijn al meer dan drie maanden niet besproken" in text
    assert "Laatste evaluatie: 02-01-2027" in text


async def test_employer_status_shows_directions_and_running_activities_only(box, clock, people):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001, "Ahmed Yilmaz")
    await coach.send("/werkgever")
    await coach.press("Bakkerij Bol")
    token = token_in(await coach.send("Eva"))
    eva = box.fake.user(3001, "Eva")
    await eva.send(f"/start {token}")
    employee_id = await make_plan(box, ahmed.id, clock.now())
    async with box.db.session() as session:
        application = await coach_queries.add_application(
            session, employee_id, "Bol", "Planner", local_date(clock.now(), TZ), "website", clock.now(), "d1"
        )
        await plan_queries.add_proof(
            session,
            ApplicationProof(application_id=application.id, kind="document", data=b"%PDF", mime_type="application/pdf",
                             size=4, file_name="CANARY-FILE-1009.pdf", created_at=clock.now()),
        )  # fmt: skip
        await plan_queries.add_evaluation(
            session,
            PlanEvaluation(employee_id=employee_id, held_on=local_date(clock.now(), TZ), conclusion="CANARY-EVAL-1007",
                           changes="CANARY-CHANGES-1008", participants=["CANARY-WHO-1010"], created_at=clock.now()),
        )  # fmt: skip
    await eva.send("/status")
    text = eva.last.plain_text
    assert "🧭 Zoekt als Planner · Utrecht · 24 uur per week" in text
    assert "▶️ Cursus of opleiding (ROC Midden)" in text
    assert "Jobcoaching" not in text  # planned, not running
    await clock_on(box, clock)
    everything = "\n".join(str(call.params) for call in box.fake.calls if call.chat_id == eva.id)
    assert CANARY.findall(everything) == []
    assert "niet tillen" not in everything and "Magazijnmedewerker" not in everything
    # the coach does see what is theirs to see: the plan summary (and the detail names the direction)
    assert "Planner" in await detail(coach, "Ahmed Yilmaz")


async def clock_on(box, clock) -> None:
    """A month on: the monthly summary and the other employer messages go out too."""
    clock.set(clock.now() + timedelta(days=14))
    await box.run_due()


async def test_the_plan_menu_and_the_detail_count_six_weeks_of_search_from_the_same_day(box, clock, people):
    """Active search without a recorded change into it (rows from before phases were recorded) counts from the
    start of Track 2, in the coach's plan menu exactly as in the client's detail."""
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001, "Ahmed Yilmaz")
    broad = content(directions=[{"occupation": "Planner"}, {"occupation": "Inkoper"}])
    employee_id = await make_plan(box, ahmed.id, clock.now(), broad)
    async with box.db.session() as session:
        employee = await queries.employee_by_telegram(session, ahmed.id)
        employee.phase = "active_search"
        session.add(employee)
        await session.commit()
        assert await coach_queries.phase_changes_of(session, [employee_id]) == []
    warning = "Zes weken geen sollicitatie in „Planner”"
    clock.set(clock.now() + timedelta(days=41))
    assert warning not in await detail(coach, "Ahmed Yilmaz")
    await coach.press("Plan")
    assert warning not in coach.last.plain_text
    clock.set(clock.now() + timedelta(days=1))
    assert warning in await detail(coach, "Ahmed Yilmaz")
    await coach.press("Plan")
    assert warning in coach.last.plain_text and "„Inkoper”" in coach.last.plain_text
