"""End to end over HTTP: while the plan says Track 1 (work at the own employer) runs beside Track 2, the weekly
check-in asks the hours worked there, just before energy; without it nothing changes."""

from bot.rules import checkin as rules
from bot.rules import plan
from storage import plan_queries
from tests.conftest import People

QUESTION = "Hoeveel uur heb je deze week bij je eigen werkgever gewerkt"


async def _plan(people, user_id: int, track1: bool) -> None:
    employee = await people.employee_row(user_id)
    now = people.box.clock.now()
    content = plan.normalise({"directions": [{"occupation": "Receptionist"}], "track1": track1}, now.date())
    async with people.box.db.session() as session:
        await plan_queries.add_plan_version(session, employee.id, content, "created", employee.coach_id, now)


async def _checkin(people, user_id: int):
    (checkin,) = await people.checkins(user_id)
    return checkin


async def _to_track1(user, nothing: str = "Geen") -> None:
    await user.send("/checkin")
    for tap in ("1", "0", "2", nothing):
        await user.press(tap)


async def test_the_question_comes_only_while_track1_runs(people):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await _plan(people, 2001, track1=False)
    await _to_track1(ahmed)
    assert QUESTION not in ahmed.last.plain_text and "energie" in ahmed.last.plain_text

    await _plan(people, 2001, track1=True)
    await ahmed.send("/checkin")  # resumes: the hours are asked now, before energy
    assert QUESTION in ahmed.last.plain_text
    assert ahmed.buttons() == ["0", "4", "8", "12", "16", "24", "32"]


async def test_tapped_and_typed_hours_are_stored_at_once_and_shown_in_the_summary(people):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await _plan(people, 2001, track1=True)
    await _to_track1(ahmed)
    await ahmed.press("16")
    assert (await _checkin(people, 2001)).track1_hours == 16
    assert "energie" in ahmed.last.plain_text
    await ahmed.press("6")
    assert "Uren bij je eigen werkgever: 16" in ahmed.last.plain_text

    await ahmed.press("Antwoord wijzigen")
    await ahmed.press("Uren eigen werkgever")
    assert QUESTION in ahmed.last.plain_text and "Nu staat er: 16" in ahmed.last.plain_text
    await ahmed.send("61")
    assert "van 0 tot en met 60" in ahmed.last.plain_text
    assert (await _checkin(people, 2001)).track1_hours == 16
    await ahmed.send("20")
    assert (await _checkin(people, 2001)).track1_hours == 20
    assert "Klopt dit?" in ahmed.last.plain_text and "Uren bij je eigen werkgever: 20" in ahmed.last.plain_text
    await ahmed.press("Versturen")
    checkin = await _checkin(people, 2001)
    assert checkin.submitted_at is not None and checkin.track1_hours == 20 and checkin.energy == 6


async def test_without_track1_the_summary_and_edit_menu_are_unchanged(people):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await _to_track1(ahmed)  # no plan at all
    await ahmed.press("6")
    assert "eigen werkgever" not in ahmed.last.plain_text
    await ahmed.press("Antwoord wijzigen")
    assert "Uren eigen werkgever" not in ahmed.buttons()
    assert (await _checkin(people, 2001)).track1_hours is None


async def test_track1_switched_off_asks_no_more(people):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await _plan(people, 2001, track1=True)
    await _plan(people, 2001, track1=False)
    await _to_track1(ahmed)
    assert QUESTION not in ahmed.last.plain_text
    await ahmed.press("6")
    assert "Klopt dit?" in ahmed.last.plain_text


async def test_track1_switched_off_during_the_checkin_stops_asking(people):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await _plan(people, 2001, track1=True)
    await ahmed.send("/checkin")
    await ahmed.press("1")
    await _plan(people, 2001, track1=False)  # the coach changes the plan half-way the check-in
    await ahmed.send("/checkin")  # picks up where it was, with the new plan
    for tap in ("0", "2", "Geen"):
        await ahmed.press(tap)
    assert QUESTION not in ahmed.last.plain_text and "energie" in ahmed.last.plain_text
    await ahmed.press("6")
    await ahmed.press("Versturen")
    checkin = await _checkin(people, 2001)
    assert checkin.submitted_at is not None and checkin.track1_hours is None


def test_the_hours_are_needed_only_while_track1_runs():
    answers = rules.Answers(applications=1, interviews=0, networking=2, activities=[], energy=6)
    assert rules.complete(answers)
    answers.track1 = True
    assert not rules.complete(answers) and rules.first_open_step(answers) == rules.TRACK1
    answers.track1_hours = 0
    assert rules.complete(answers)


async def test_english(people):
    coach = await people.coach()
    peter = await people.employee(coach, 2003, "Peter", language="English")
    await _plan(people, 2003, track1=True)
    await _to_track1(peter, "None")
    text = peter.last.plain_text
    assert "own employer" in text and QUESTION not in text
    await peter.send("8")
    assert (await _checkin(people, 2003)).track1_hours == 8


async def test_a_restart_before_the_hours_keeps_the_question(box):
    async with box.bot_running():
        people = People(box)
        coach = await people.coach()
        ahmed = await people.employee(coach, 2001)
        await _plan(people, 2001, track1=True)
        await _to_track1(ahmed)
    async with box.bot_running():  # a new process: the dialog in the database still knows Track 1 runs
        await ahmed.send("12")
        assert "energie" in ahmed.last.plain_text
    assert (await _checkin(people, 2001)).track1_hours == 12
