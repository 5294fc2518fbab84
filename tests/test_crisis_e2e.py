"""End to end over HTTP: a text that safety screening flags never becomes something others read.

It is not stored as a step, note, value or reflection, never repeated back as if it were ordinary, and the coach
hears only what the employee allows (tapped or typed: "ja", "nee", "liever niet"). After the yes or no, the
question the employee was at comes again, gently.
"""

from storage import act_queries, queries
from tests.conftest import People

CRISIS = "ik zie het eigenlijk niet meer zitten"


async def _alerts(box, user_id: int):
    async with box.db.session() as session:
        employee = await queries.employee_by_telegram(session, user_id)
        return await act_queries.alerts_of(session, employee.id)


async def _told_coach(box) -> int:
    async with box.db.session() as session:
        return len(await queries.outbox_rows(session, kind="safety_alert"))


async def _to_the_step_question(people: People, user) -> None:
    await user.send("/checkin")
    for tap in ("1", "0", "0", "Geen", "5", "Versturen", "Overslaan"):  # the first week: values skipped
        await user.press(tap)
    assert "Eén kleine stap" in user.last.plain_text


async def test_a_crisis_sentence_at_the_step_question_is_not_the_step(people: People, box, clock):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await _to_the_step_question(people, ahmed)
    replies = await ahmed.send(CRISIS)
    assert (
        len(replies) == 1 and "113" in replies[0].plain_text and "bewaar ik niet als antwoord" in replies[0].plain_text
    )
    assert all(CRISIS not in message.plain_text for message in ahmed.inbox)  # never repeated back
    (checkin,) = await people.checkins(2001)
    assert checkin.next_step is None
    (alert,) = await _alerts(box, 2001)
    assert alert.source == "step" and alert.coach_allowed is None

    replies = await ahmed.send("Nee")  # typed, not tapped
    assert "Ik zeg niets tegen je coach" in replies[0].plain_text
    assert "vraag nog een keer" in replies[1].plain_text and "Eén kleine stap" in replies[1].plain_text
    assert (await _alerts(box, 2001))[0].coach_allowed is False
    await ahmed.press("Overslaan")
    (checkin,) = await people.checkins(2001)
    assert checkin.next_step is None

    await coach.send("/caseload")
    await coach.press("Ahmed")
    assert CRISIS not in coach.last.plain_text
    await box.run_due()
    assert await _told_coach(box) == 0
    clock.advance(days=7)
    await ahmed.send("/checkin")
    assert "Vorige week nam je je voor" not in ahmed.last.plain_text  # no "step" to ask about


async def test_a_typed_yes_tells_the_coach_without_the_words(people: People, box):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await _to_the_step_question(people, ahmed)
    await ahmed.send("ik wil mezelf iets aandoen")
    replies = await ahmed.send("ja hoor")
    assert "Ik laat je coach weten" in replies[0].plain_text and "Eén kleine stap" in replies[1].plain_text
    await box.run_due()
    assert await _told_coach(box) == 1
    assert "mezelf" not in coach.last.plain_text and "Ahmed" in coach.last.plain_text
    await ahmed.send("Ik bel dinsdag Karin")  # then the step as usual
    (checkin,) = await people.checkins(2001)
    assert checkin.next_step == "Ik bel dinsdag Karin"


async def test_liever_niet_is_a_no_and_a_yes_without_an_open_question_is_just_text(people: People, box):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await ahmed.send("Ik wil dood")
    await ahmed.send("liever niet")
    assert "Ik zeg niets tegen je coach" in ahmed.last.plain_text
    assert (await _alerts(box, 2001))[0].coach_allowed is False
    await ahmed.send("ja")  # answered already: no second answer, an ordinary message
    assert "Ik zeg niets tegen je coach" not in ahmed.last.plain_text
    assert (await _alerts(box, 2001))[0].coach_allowed is False and await _told_coach(box) == 0


async def test_a_flagged_note_reflection_or_value_is_not_stored(people: People, box, clock):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await ahmed.send("/checkin")
    for tap in ("0", "0", "0", "Geen", "2", "Notitie voor je coach"):
        await ahmed.press(tap)
    await ahmed.send("Ik kan het niet meer aan, ik wil er niet meer zijn")
    await ahmed.send("nee")
    assert "Typ je notitie" in ahmed.last.plain_text or "notitie" in ahmed.last.plain_text.lower()
    (checkin,) = await people.checkins(2001)
    assert checkin.note is None
    await ahmed.press("Terug")
    await ahmed.press("Versturen")
    await ahmed.send("Ik heb pillen gespaard om er een eind aan te maken")  # at the values question
    assert (await people.employee_row(2001)).values is None
    await ahmed.press("Nee, liever niet")
    assert "wat vind jij belangrijk in werk" in ahmed.last.plain_text  # the values question again
    await ahmed.press("Overslaan")
    await ahmed.press("Overslaan")
    clock.advance(days=7)
    await ahmed.send("/checkin")
    for tap in ("0", "0", "0", "Geen", "2", "Versturen"):
        await ahmed.press(tap)
    await ahmed.send("Soms wil ik gewoon dood")
    (_, week48) = await people.checkins(2001)
    assert week48.reflection is None and not week48.reflection_skipped
    assert [alert.source for alert in await _alerts(box, 2001)] == ["note", "chat", "reflection"]


async def test_a_photo_caption_is_screened_too(people: People, box):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    replies = await ahmed.send_photo(caption="dit is de brug waar ik vanaf wil springen")
    assert "113" in replies[0].plain_text
    assert len(await _alerts(box, 2001)) == 1


async def test_a_high_count_is_stored_when_it_is_typed_a_second_time(people: People):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await ahmed.send("/checkin")
    await ahmed.send("70")
    assert "meer dan 60" in ahmed.last.plain_text and "nog een keer" in ahmed.last.plain_text
    (checkin,) = await people.checkins(2001)
    assert checkin.applications is None
    await ahmed.send("70")
    assert "gesprekken" in ahmed.last.plain_text
    (checkin,) = await people.checkins(2001)
    assert checkin.applications == 70
    await ahmed.send("21")
    await ahmed.send("22")  # another number is a new question, not a confirmation
    (checkin,) = await people.checkins(2001)
    assert checkin.interviews is None
    await ahmed.send("501")
    assert "Het hoogste getal dat ik hier bewaar is 500" in ahmed.last.plain_text


async def test_words_after_a_command_are_screened_too(people: People, box):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    replies = await ahmed.send("/checkin ik wil niet meer leven")
    assert len(replies) == 1 and "113" in replies[0].plain_text
    assert len(await _alerts(box, 2001)) == 1


async def _coach_rows(box, **where):
    async with box.db.session() as session:
        return await queries.outbox_rows(session, kind="safety_alert", **where)


async def test_crisis_words_in_a_reflection_get_help_at_once_and_the_coach_is_told_only_with_consent(
    people, box, clock
):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await people.checkin(ahmed)
    clock.advance(days=7)
    await ahmed.send("/checkin")
    for tap in ("1", "0", "0", "Geen", "3", "Versturen"):
        await ahmed.press(tap)
    replies = await ahmed.send("Ik zie het nie meer zitten, soms wil ik dood")
    help_text = replies[0].plain_text
    assert "113" in help_text and "0800-0113" in help_text and "113.nl" in help_text
    assert "huisarts" in help_text and "huisartsenpost" in help_text and "112" in help_text
    assert "Mag ik je coach Sanne laten weten" in help_text
    (alert,) = await _alerts(box, 2001)
    assert alert.source == "reflection" and alert.coach_allowed is None and alert.coach_told_at is None
    week48 = (await people.checkins(2001))[1]
    assert week48.reflection is None and week48.submitted_at is not None  # the words are kept nowhere
    await ahmed.press("Ja, laat mijn coach het weten", message=replies[0])
    assert "Ik laat je coach weten" in ahmed.inbox[-2].plain_text
    assert "Een minuut voor jezelf" in ahmed.last.plain_text  # then the reflection question again
    await ahmed.press("Overslaan")
    await box.run_due()
    (row,) = await _coach_rows(box)
    assert row.chat_id == 1001 and row.status == "sent"
    assert "Ahmed" in coach.last.plain_text and "contact" in coach.last.plain_text
    assert "wil ik dood" not in row.text and "zitten" not in row.text  # never the employee's words
    (alert,) = await _alerts(box, 2001)
    assert alert.coach_allowed is True and alert.coach_told_at is not None
    await ahmed.press("Nee, liever niet", message=replies[0])  # answered once; changes nothing
    assert (await _alerts(box, 2001))[0].coach_allowed is True and len(await _coach_rows(box)) == 1


async def test_without_consent_the_coach_hears_nothing(people, box):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001, language="English")
    replies = await ahmed.send("honestly i feel hopless and want to kil myself")  # free chat, no dialog
    assert "113" in replies[0].plain_text and "GP out-of-hours" in replies[0].plain_text and len(replies) == 1
    await ahmed.press("No, I'd rather not")
    assert "I won't say anything to your coach" in ahmed.last.plain_text
    await box.run_due()
    assert await _coach_rows(box) == []
    (alert,) = await _alerts(box, 2001)
    assert alert.source == "chat" and alert.coach_allowed is False
    assert not any("Ahmed" in m.plain_text and "crisis" in m.plain_text for m in coach.inbox)


async def test_a_note_and_a_step_are_screened_too_and_ordinary_frustration_is_not(people, box, clock):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await ahmed.send("/checkin")
    for tap in ("0", "0", "0", "Geen", "2"):
        await ahmed.press(tap)
    await ahmed.press("Notitie voor je coach")
    await ahmed.send("Ik ben doodop en dit solliciteren is killing me")
    assert await _alerts(box, 2001) == []
    await ahmed.press("Notitie aanpassen")
    await ahmed.send("Ik kan het niet meer aan")
    assert "113" in ahmed.last.plain_text
    await ahmed.send("nee")
    await ahmed.press("Terug")
    assert "Klopt dit?" in ahmed.last.plain_text
    await ahmed.press("Versturen")
    await ahmed.press("Overslaan")  # values
    await ahmed.send("Niet meer wakker worden")
    assert [alert.source for alert in await _alerts(box, 2001)] == ["note", "step"]
    (checkin,) = await people.checkins(2001)
    assert checkin.note == "Ik ben doodop en dit solliciteren is killing me" and checkin.next_step is None


async def test_help_says_plainly_the_bot_is_not_a_therapist(people):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    text = (await ahmed.send("/help"))[0].plain_text
    assert "geen therapeut" in text and "113" in text and "huisartsenpost" in text and "/privacy" in text
