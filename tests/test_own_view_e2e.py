"""End to end over HTTP: the employee's own view of the trajectory for the final report (/mijnvisie, /myview):
asked once from sickness week 87, typed, shown back as typed, confirmed and stored with consent; no view (stored
as a choice); later; too long; crisis words; change and withdraw; locked once the final report was sent; a
restart mid-way; and nobody else can open it."""

from bot.core.context import Work
from bot.outgoing import own_view_notices
from bot.sandbox.offline import local
from storage import queries, report_queries
from storage.models import OwnView
from tests.conftest import People
from tests.test_employer_e2e import contact_joins, invite_contact
from tests.test_forged_e2e import snapshot

WEEK_87_ON_MONDAY = "31-03-2025"  # sickness week 87 starts on Monday 23 November 2026
VIEW = "Het ging <b>goed</b> met de training & de coach.\nSolliciteren was soms zwaar."
QUESTION = "Jouw eigen visie"
SHOWN = "Dit is je tekst"


async def _view(box, user_id: int = 2001) -> OwnView | None:
    async with box.db.session() as session:
        employee = await queries.employee_by_telegram(session, user_id)
        return await report_queries.own_view(session, employee.id)


async def _rows(box, kind: str) -> list:
    async with box.db.session() as session:
        return await queries.outbox_rows(session, kind=kind)


async def _lock(box, user_id: int = 2001) -> None:
    async with box.db.session() as session:
        employee = await queries.employee_by_telegram(session, user_id)
        await report_queries.lock_view(session, employee.id, box.clock.now())


async def _ask(box, user_id: int = 2001) -> bool:
    async with box.db.session() as session:
        work = Work(session, box.clock, box.fake.bot_username, box.settings.default_timezone)
        return await own_view_notices.ask(work, await queries.employee_by_telegram(session, user_id))


def _asked(user) -> list:
    return [m for m in user.inbox if "jouw eigen visie" in m.plain_text]


async def test_the_sweep_asks_once_from_sickness_week_87(people, box, clock):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001, sick_day=WEEK_87_ON_MONDAY)
    for moment in ("2026-11-20 10:00", "2026-11-22 23:59"):  # week 86
        clock.set(local(moment))
        await box.run_due()
    assert _asked(ahmed) == [] and await _view(box) is None
    clock.set(local("2026-11-23 10:00"))
    await box.run_due()
    (asked,) = _asked(ahmed)
    assert "eindverslag voor het UWV" in asked.plain_text and "/mijnvisie" in asked.plain_text
    assert (await _view(box)).asked_at is not None
    for moment in ("2026-11-23 12:00", "2026-11-30 10:00", "2027-01-04 10:00"):  # never twice, even unanswered
        clock.set(local(moment))
        await box.run_due()
    assert len(_asked(ahmed)) == 1 and len(await _rows(box, "own_view_ask")) == 1
    await ahmed.press("Vertel me meer", message=asked)
    assert QUESTION in ahmed.last.plain_text and "werkgever en het UWV" in ahmed.last.plain_text
    assert ahmed.buttons() == ["✏️ Ja, ik schrijf iets", "Nee, liever niet", "Later"]


async def test_with_consent_typed_shown_back_confirmed_stored_and_the_coach_told(people, box):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await ahmed.send("/mijnvisie")
    await ahmed.press("Ja, ik schrijf iets")
    assert "Typ je visie" in ahmed.last.plain_text
    await ahmed.send(VIEW)
    shown = ahmed.last
    assert SHOWN in shown.plain_text and VIEW in shown.plain_text  # exactly as typed: the markup is text
    assert "&lt;b&gt;goed&lt;/b&gt;" in shown.text and not any(e["type"] == "bold" for e in shown.entities)
    assert ahmed.buttons() == ["✅ Zo is het goed", "✏️ Opnieuw schrijven", "Toch niet"]
    assert await _view(box) is None  # nothing stored before "Zo is het goed"
    await ahmed.press("Zo is het goed")
    assert "Je visie staat nu in je dossier" in ahmed.last.plain_text
    view = await _view(box)
    assert view.consent is True and view.text == VIEW and view.answered_at is not None
    await box.app.bot_data["runtime"].delivery.drain()
    told = coach.last.plain_text
    assert "Ahmed heeft een eigen visie toegevoegd" in told and "training" not in told  # never the text itself
    await ahmed.send("/mijnvisie")
    assert VIEW in ahmed.last.plain_text and "bewaard op" in ahmed.last.plain_text
    assert ahmed.buttons() == ["✏️ Aanpassen", "🗑 Weghalen", "Laat zo staan"]


async def test_without_consent_the_choice_is_stored(people, box):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await ahmed.send("/mijnvisie")
    await ahmed.press("Nee, liever niet")
    assert "geen eigen visie wilde toevoegen" in ahmed.last.plain_text
    view = await _view(box)
    assert view.consent is False and view.text is None and view.answered_at is not None
    await box.app.bot_data["runtime"].delivery.drain()
    assert "Ahmed wil geen eigen visie toevoegen" in coach.last.plain_text
    await ahmed.send("/mijnvisie")
    assert "gekozen om geen eigen visie toe te voegen" in ahmed.last.plain_text
    await ahmed.press("Toch iets schrijven")
    await ahmed.send("Toch een paar woorden.")
    await ahmed.press("Zo is het goed")
    view = await _view(box)
    assert view.consent is True and view.text == "Toch een paar woorden."


async def test_later_stores_nothing_and_is_answered_kindly(people, box):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await ahmed.send("/mijnvisie")
    await ahmed.press("Later")
    assert "neem je tijd" in ahmed.last.plain_text and "/mijnvisie" in ahmed.last.plain_text
    assert await _view(box) is None and await _rows(box, "own_view_answer") == []
    await ahmed.send("/mijnvisie")  # the question again, not a choice
    assert QUESTION in ahmed.last.plain_text and "Later" in ahmed.buttons()


async def test_too_long_is_asked_again_with_the_count_and_cancel_keeps_nothing(people, box):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await ahmed.send("/mijnvisie")
    await ahmed.press("Ja, ik schrijf iets")
    await ahmed.send("a" * 3001)
    assert "Je tekst is 3001 tekens lang" in ahmed.last.plain_text and "3000" in ahmed.last.plain_text
    assert "a" * 100 not in ahmed.last.plain_text
    await ahmed.send("b" * 3000)  # just fits, and is shown back whole
    assert "b" * 3000 in ahmed.last.plain_text
    await ahmed.press("Opnieuw schrijven")
    await ahmed.send("Korter.")
    await ahmed.press("Toch niet")
    assert "niets bewaard" in ahmed.last.plain_text
    assert await _view(box) is None


async def test_crisis_words_take_the_safety_path_and_are_never_the_view(people, box):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await ahmed.send("/mijnvisie")
    await ahmed.press("Ja, ik schrijf iets")
    crisis = "Het traject was goed, maar ik wil niet meer leven"
    replies = await ahmed.send(crisis)
    assert len(replies) == 1 and "113" in replies[0].plain_text
    assert all(crisis not in message.plain_text for message in ahmed.inbox)  # never shown back
    assert await _view(box) is None
    async with box.db.session() as session:
        assert (await queries.dialog_of(session, 2001)).data.get("text") is None
    await ahmed.press("Nee, liever niet", message=replies[0])  # not telling the coach
    assert "vraag nog een keer" in ahmed.last.plain_text and "Typ je visie" in ahmed.last.plain_text
    await ahmed.send("Het traject was goed.")
    await ahmed.press("Zo is het goed")
    assert (await _view(box)).text == "Het traject was goed."


async def test_change_and_withdraw(people, box):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await ahmed.send("/mijnvisie")
    await ahmed.press("Ja, ik schrijf iets")
    await ahmed.send("Eerste versie.")
    await ahmed.press("Zo is het goed")
    await ahmed.send("/mijnvisie")
    await ahmed.press("Aanpassen")
    assert "nieuwe tekst" in ahmed.last.plain_text
    await ahmed.send("Tweede versie.")
    await ahmed.press("Toch niet")  # cancelling a change keeps the stored view
    assert "eerdere tekst blijft staan" in ahmed.last.plain_text
    assert (await _view(box)).text == "Eerste versie."
    await ahmed.send("/mijnvisie")
    await ahmed.press("Aanpassen")
    await ahmed.send("Tweede versie.")
    await ahmed.press("Zo is het goed")
    assert (await _view(box)).text == "Tweede versie."
    await ahmed.send("/mijnvisie")
    await ahmed.press("Weghalen")
    await ahmed.press("Nee, laat staan")
    assert (await _view(box)).text == "Tweede versie."
    await ahmed.send("/mijnvisie")
    await ahmed.press("Weghalen")
    await ahmed.press("Ja, haal weg")
    assert "uit je dossier gehaald" in ahmed.last.plain_text
    view = await _view(box)
    assert view.consent is False and view.text is None
    await box.app.bot_data["runtime"].delivery.drain()
    told = [m.plain_text for m in coach.inbox if "eigen visie" in m.plain_text]
    assert [t.split(" heeft ")[1][:20] for t in told] == [
        "een eigen visie toeg", "de eigen visie voor ", "de eigen visie uit h"
    ]  # fmt: skip


async def test_locked_after_the_final_report_was_sent(people, box):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await ahmed.send("/mijnvisie")
    await ahmed.press("Ja, ik schrijf iets")
    await ahmed.send("Mijn visie.")
    await ahmed.press("Zo is het goed")
    await ahmed.send("/mijnvisie")
    menu = ahmed.last
    await _lock(box)
    await ahmed.press("Weghalen", message=menu)  # the report went out while the menu was open
    assert "meegestuurd met het eindverslag" in ahmed.last.plain_text
    assert (await _view(box)).text == "Mijn visie."
    await ahmed.send("/mijnvisie")
    assert "niet meer veranderen" in ahmed.last.plain_text and "Mijn visie." in ahmed.last.plain_text
    assert ahmed.last.buttons == []
    assert not await _ask(box)  # and nobody asks any more


async def test_the_ask_message_opens_it_and_old_or_forged_presses_change_nothing(people, box):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    assert await _ask(box)
    await box.app.bot_data["runtime"].delivery.drain()
    await ahmed.press("Vertel me meer")
    question = ahmed.last
    async with box.db.session() as session:
        v = (await queries.dialog_of(session, 2001)).data["v"]
    before = await snapshot(box)
    for data in (f"{v}|ok|", f"{v}|withdraw|", f"{v}|write|x1", f"{v - 1}|no|", "|no|", "|go|ownvieww"):
        await ahmed.press_data(data, question)
        assert await snapshot(box) == before, data
    await ahmed.press("Ja, ik schrijf iets", message=question)
    await ahmed.send("Tekst.")
    await ahmed.press_data(f"{v}|no|", question)  # the earlier question's "no", now stale
    assert (await _view(box)).consent is None
    assert SHOWN in ahmed.inbox[-2].plain_text and "Tekst." in ahmed.inbox[-2].plain_text


async def test_a_restart_mid_typing_continues(box):
    async with box.bot_running():
        people = People(box)
        coach = await people.coach()
        ahmed = await people.employee(coach, 2001)
        await ahmed.send("/mijnvisie")
        await ahmed.press("Ja, ik schrijf iets")
    async with box.bot_running():  # a new process: only the database knows Ahmed is typing his view
        await ahmed.send("Na de herstart.")
        assert SHOWN in ahmed.last.plain_text
    async with box.bot_running():
        await ahmed.press("Zo is het goed")
    view = await _view(box)
    assert view.consent is True and view.text == "Na de herstart."


async def test_a_stranger_an_employer_contact_and_a_coach_cannot_open_it(people, box):
    coach = await people.coach()
    await people.employee(coach, 2001)
    stranger = box.fake.user(4001, "Kees")
    await stranger.send("/mijnvisie")
    assert QUESTION not in stranger.last.plain_text
    contact = await contact_joins(box, await invite_contact(coach, "Bakkerij Bol", "Eva"))
    for user in (contact, coach):
        await user.send("/mijnvisie")
        assert QUESTION not in user.last.plain_text
        await user.press_data("|go|ownview", user.last)
        assert QUESTION not in user.last.plain_text
    assert await _view(box) is None


async def test_english(people, box):
    coach = await people.coach()
    peter = await people.employee(coach, 2003, "Peter", language="English")
    await peter.send("/myview")
    assert "/mijnvisie" not in peter.last.plain_text and len(peter.buttons()) == 3
    await peter.press(peter.buttons()[1])
    assert (await _view(box, 2003)).consent is False


async def test_not_asked_during_a_pause_but_after_it(people, box, clock):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001, sick_day=WEEK_87_ON_MONDAY)
    await ahmed.send("/pauze")
    await ahmed.press("Vakantie")
    await ahmed.press("2 weken")  # up to and including Tuesday 8 December 2026
    clock.set(local("2026-11-23 10:00"))
    await box.run_due()
    assert _asked(ahmed) == [] and await _view(box) is None
    clock.set(local("2026-12-09 10:00"))
    await box.run_due()
    assert len(_asked(ahmed)) == 1
