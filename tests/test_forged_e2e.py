"""End to end over HTTP: forged button data and ids that are not the sender's to see.

A Telegram client can send any callback data, also for buttons the bot never showed. Each forged press here gets
the stale-button answer and changes nothing stored (every table is compared before and after).
"""

import pytest
import sqlalchemy
from sqlmodel import SQLModel, select

from bot.rules import buttons
from storage import queries
from storage.models import SafetyAlert
from tests.conftest import People


async def snapshot(box) -> dict[str, list[tuple]]:
    """Every row of every table but `chatturn` (every update stores its id there, a forged one too)."""
    async with box.db.session() as session:
        return {
            table.name: sorted(map(tuple, (await session.exec(sqlalchemy.select(table))).all()), key=repr)
            for table in SQLModel.metadata.sorted_tables
            if table.name != "chatturn"
        }


async def version(box, user_id: int) -> int:
    async with box.db.session() as session:
        return (await queries.dialog_of(session, user_id)).data["v"]


async def forged(box, user, data: str) -> str:
    """Press `data` on the user's latest message; assert it changed nothing and return the answer's text."""
    before = await snapshot(box)
    replies = await user.press_data(data, user.last)
    assert await snapshot(box) == before, f"{data!r} changed what is stored"
    assert replies, f"{data!r} got no answer"
    return user.last.plain_text


STALE = "Die knop hoorde bij een eerder bericht"


@pytest.mark.parametrize(
    "data",
    ["garbage", "", "||", "|||", "²|ans|1", "٣|ans|1", "1|ans|²", "99999999999999999999|ans|1", "-1|ans|1",
     "+1|ans|1", " 1|ans|1", "1|ANS|1", "1|ans|1 ", "1|ans|<b>1</b>", "x" * 64, "1|ans|" + "9" * 58, "1|ans|é"],
)  # fmt: skip
def test_button_data_the_bot_could_not_have_written_is_refused(data):
    assert buttons.parse(data) is None


def test_numbers_in_buttons_are_ascii_digits_within_the_database_range():
    assert buttons.parse("12|ans|3") == buttons.ButtonPress(12, "ans", "3")
    assert buttons.parse("|go|checkin") == buttons.ButtonPress(None, "go", "checkin")
    assert buttons.record_id("2147483647") == 2147483647 and buttons.record_id("2147483648") is None
    for text in ("²", "٣", "0", "007", "-1", "+1", "1e3", "1.0", " 1", "", "99999999999999999999"):
        assert buttons.record_id(text) is None, text
    assert buttons.number_in("0", 0, 6) == 0 and buttons.number_in("7", 0, 6) is None


def test_every_button_the_bot_writes_can_be_read_back():
    with pytest.raises(AssertionError):
        buttons.compose(1, "ans", "twee woorden")  # the bot never writes what it would refuse
    assert buttons.parse(buttons.compose(3, "time", "09:00")) == buttons.ButtonPress(3, "time", "09:00")


async def test_the_forged_presses_from_the_issue_change_nothing(people: People, box):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await ahmed.send("/checkin")
    v = await version(box, 2001)
    for data in ("²|ans|1", f"{v}|ans|²", f"{v}|ans|99999999999999999999", f"{v}|ans|-1", f"{v}|tog|course"):
        assert STALE in await forged(box, ahmed, data)
    assert STALE in await forged(box, ahmed, "|safety|²:yes")  # not even well-formed
    assert "Die knop hoort bij een ouder bericht" in await forged(box, ahmed, "|safety|99999999999999999999:yes")
    await coach.send("/caseload")
    v = await version(box, 1001)
    for data in (f"{v}|open|²", f"{v}|page|²", f"{v}|open|99999999999999999999", f"{v}|page|-1", f"{v}|page|7"):
        assert STALE in await forged(box, coach, data)
    await coach.send("/werkgever")
    v = await version(box, 1001)
    assert STALE in await forged(box, coach, f"{v}|employer|99999999999999999999")
    await coach.send("/invite")
    await coach.send("Linda")
    v = await version(box, 1001)
    assert STALE in await forged(box, coach, f"{v}|employer|99999999999999999999")
    assert STALE in await forged(box, coach, f"{v}|create|")  # a button of a later step


async def test_a_forged_back_on_the_first_question_does_not_submit_an_empty_check_in(people: People, box):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await ahmed.send("/checkin")
    v = await version(box, 2001)
    assert STALE in await forged(box, ahmed, f"{v}|back|")
    assert "Hoeveel sollicitaties" in ahmed.last.plain_text
    assert STALE in await forged(box, ahmed, f"{v}|submit|")
    (checkin,) = await people.checkins(2001)
    assert checkin.submitted_at is None and checkin.applications is None


async def test_a_dialog_saved_before_buttons_were_recorded_still_cannot_send_an_empty_check_in(people: People, box):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await ahmed.send("/checkin")
    async with box.db.session() as session:  # as a dialog stored by the previous version looks: no buttons recorded
        dialog = await queries.dialog_of(session, 2001)
        data = {key: value for key, value in dialog.data.items() if key != "offered"}
        await queries.save_dialog(session, 2001, dialog.flow, dialog.step, data, dialog.updated_at)
        await session.commit()
    await ahmed.press_data(f"{data['v']}|back|", ahmed.last)
    assert "Hoeveel sollicitaties" in ahmed.last.plain_text  # back leads to the first open question
    v = await version(box, 2001)
    async with box.db.session() as session:
        dialog = await queries.dialog_of(session, 2001)
        await queries.save_dialog(
            session, 2001, "checkin", "summary", {**dialog.data, "offered": None}, dialog.updated_at
        )
        await session.commit()
    await ahmed.press_data(f"{v}|submit|", ahmed.last)  # even at the summary: nothing is sent with answers missing
    assert "Er ontbreekt nog een antwoord" in ahmed.last.plain_text and "Hoeveel sollicitaties" in ahmed.last.plain_text
    (checkin,) = await people.checkins(2001)
    assert checkin.submitted_at is None


async def test_a_coach_cannot_reach_another_coachs_client_or_employer_by_id(people: People, box):
    sanne = await people.coach()
    await people.employee(sanne, 2001, employer="Bakkerij Bol")
    piet = await people.coach(1002, "Piet")
    await people.employee(piet, 2002, "Linda", employer="Gemeente Zeist")
    async with box.db.session() as session:
        linda = await queries.employee_by_telegram(session, 2002)
    await sanne.send("/invite")
    await sanne.send("Noor")
    offered = sanne.buttons()
    assert "Bakkerij Bol" in offered and "Gemeente Zeist" not in offered
    v = await version(box, 1001)
    assert STALE in await forged(box, sanne, f"{v}|employer|{linda.employer_id}")
    await sanne.send("/werkgever")
    v = await version(box, 1001)
    assert STALE in await forged(box, sanne, f"{v}|employer|{linda.employer_id}")
    await sanne.send("/caseload")
    v = await version(box, 1001)
    assert STALE in await forged(box, sanne, f"{v}|open|{linda.id}")
    await sanne.send("/oefening")
    v = await version(box, 1001)
    assert STALE in await forged(box, sanne, f"{v}|client|{linda.id}")
    assert "Linda" not in " ".join(message.plain_text for message in sanne.inbox)


async def test_an_employee_cannot_answer_someone_elses_safety_question(people: People, box):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    linda = await people.employee(coach, 2002, "Linda")
    await linda.send("Ik wil dood")
    async with box.db.session() as session:
        (alert,) = (await session.exec(select(SafetyAlert))).all()
    assert "Die knop hoort bij een ouder bericht" in await forged(box, ahmed, f"|safety|{alert.id}:yes")
    async with box.db.session() as session:
        assert await queries.outbox_rows(session, kind="safety_alert") == []  # the coach is told nothing


async def test_a_button_of_another_role_or_flow_is_stale(people: People, box):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    assert STALE in await forged(box, coach, "|go|checkin")  # a coach has no check-in
    await ahmed.send("/checkin")
    assert "Die knop hoorde" in await forged(box, ahmed, "|go|caseload")
    v = await version(box, 2001)
    assert STALE in await forged(box, ahmed, f"{v}|phase|placed")
