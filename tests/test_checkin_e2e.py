"""End to end over HTTP: the weekly check-in, editing, and every kind of bad input."""

from bot.rules.checkin import STEPS


async def _answers(people, user_id):
    (checkin,) = await people.checkins(user_id)
    return checkin


async def test_a_typical_check_in_takes_eight_taps(people, box):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    taps = ["Doe nu je eerste check-in", "2", "1", "3", "Cv of LinkedIn", "Klaar", "6", "Versturen"]
    for label in taps:
        await ahmed.press(label)
    assert len(taps) == 8
    assert "verstuurd" in ahmed.last.plain_text
    checkin = await _answers(people, 2001)
    assert (checkin.iso_year, checkin.iso_week) == (2026, 47)
    assert (checkin.applications, checkin.interviews, checkin.networking) == (2, 1, 3)
    assert checkin.activities == ["cv_linkedin"] and checkin.energy == 6 and checkin.note is None
    assert checkin.submitted_at is not None


async def test_every_answer_is_stored_the_moment_it_is_given(people):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await ahmed.send("/checkin")
    await ahmed.press("4")
    checkin = await _answers(people, 2001)
    assert checkin.applications == 4 and checkin.interviews is None and checkin.submitted_at is None
    await ahmed.press("0")
    await ahmed.press("1")
    await ahmed.press("Workshop")
    assert (await _answers(people, 2001)).activities == ["workshop"]


async def test_typed_numbers_and_words_are_accepted(people):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await ahmed.send("/checkin")
    await ahmed.send("12")
    await ahmed.send("twee")
    await ahmed.send(" 0 ")
    await ahmed.press("Geen")
    await ahmed.send("8")
    checkin = await _answers(people, 2001)
    assert (checkin.applications, checkin.interviews, checkin.networking, checkin.activities, checkin.energy) == (
        12,
        2,
        0,
        [],
        8,
    )
    assert "Klopt dit?" in ahmed.last.plain_text


async def test_summary_shows_answers_and_a_note_can_be_added(people):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await ahmed.send("/checkin")
    for tap in ("1", "0", "2", "Cursus", "Coachgesprek", "Klaar", "3"):
        await ahmed.press(tap)
    summary = ahmed.last.plain_text
    assert "Sollicitaties: 1" in summary and "Cursus of training, Coachgesprek" in summary and "Energie: 3" in summary
    await ahmed.press("Notitie voor je coach")
    await ahmed.send("Ik <b>twijfel</b> over de proefplaatsing & wil overleggen.")
    assert "twijfel" in ahmed.last.plain_text  # shown back, safely escaped (the fake server rejects bad HTML)
    await ahmed.press("Versturen")
    checkin = await _answers(people, 2001)
    assert checkin.note == "Ik <b>twijfel</b> over de proefplaatsing & wil overleggen."
    assert "laag" in ahmed.last.plain_text  # energy 3: a kind word


async def test_changing_an_answer_from_the_summary(people):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await ahmed.send("/checkin")
    for tap in ("1", "0", "2", "Geen", "5"):
        await ahmed.press(tap)
    await ahmed.press("Antwoord wijzigen")
    assert set(ahmed.buttons()) >= {"Sollicitaties", "Gesprekken", "Energie", "Notitie", "⬅️ Terug"}
    await ahmed.press("Gesprekken")
    assert "Nu staat er: 0" in ahmed.last.plain_text
    await ahmed.press("2")
    assert "Klopt dit?" in ahmed.last.plain_text and "Gesprekken: 2" in ahmed.last.plain_text
    await ahmed.press("Versturen")
    assert (await _answers(people, 2001)).interviews == 2


async def test_checkin_again_in_the_same_week_edits_it(people, clock):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await ahmed.send("/checkin")
    for tap in ("1", "0", "2", "Geen", "5", "Versturen"):
        await ahmed.press(tap)
    clock.advance(days=2)  # Sunday, same ISO week
    replies = await ahmed.send("/checkin")
    assert "al verstuurd" in replies[0].plain_text and "Sollicitaties: 1" in replies[0].plain_text
    await ahmed.press("Antwoord wijzigen")
    await ahmed.press("Sollicitaties")
    await ahmed.send("3")
    await ahmed.press("Zo is het goed")
    checkins = await people.checkins(2001)
    assert len(checkins) == 1 and checkins[0].applications == 3
    clock.advance(days=1)  # Monday: a new week, a new check-in
    replies = await ahmed.send("/checkin")
    assert "week 48" in replies[0].plain_text
    assert len(await people.checkins(2001)) == 2


async def test_bad_numbers_get_a_friendly_re_ask_and_change_nothing(people):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await ahmed.send("/checkin")
    for bad, expected in (("veel", "getal"), ("-3", "onder nul"), ("500", "meer dan 60"), ("2,5", "getal")):
        replies = await ahmed.send(bad)
        assert len(replies) == 1 and expected in replies[0].plain_text
        assert "sollicitaties" in replies[0].plain_text  # the question is asked again
        assert ahmed.buttons(replies[0])[:3] == ["0", "1", "2"]
        assert (await _answers(people, 2001)).applications is None
    for tap in ("1", "0", "0", "Geen"):
        await ahmed.press(tap)
    for bad in ("0", "11", "moe"):
        replies = await ahmed.send(bad)
        assert "1 tot en met 10" in replies[0].plain_text
    assert (await _answers(people, 2001)).energy is None


async def test_stickers_photos_voice_and_edits_are_answered_and_change_nothing(people):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await ahmed.send("/checkin")
    typed = await ahmed.send("2")
    before = await _answers(people, 2001)
    for action, expected in (
        (ahmed.send_sticker, "stickers"),
        (ahmed.send_photo, "foto"),
        (ahmed.send_voice, "spraakberichten"),
    ):
        replies = await action()
        assert len(replies) == 1 and expected in replies[0].plain_text and "gesprekken" in replies[0].plain_text
    own_message_id = typed[0].message_id - 1  # the user's "2" came just before the bot's reply
    replies = await ahmed.edit(own_message_id, "7")
    assert "aangepast" in replies[0].plain_text and "gesprekken" in replies[0].plain_text
    after = await _answers(people, 2001)
    assert (after.applications, after.interviews) == (before.applications, before.interviews) == (2, None)


async def test_stale_buttons_from_old_messages_change_nothing(people):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    first_question = (await ahmed.send("/checkin"))[0]
    await ahmed.send("3")  # typed: the first question's buttons are now stale
    replies = await ahmed.press_data(first_question.reply_markup[0][5]["callback_data"], first_question)
    assert any("eerder bericht" in message.plain_text for message in replies)
    assert (await _answers(people, 2001)).applications == 3
    assert "gesprekken" in ahmed.last.plain_text
    # buttons that never belonged to any dialog, or are garbage, are just as harmless
    await ahmed.press_data("999|ans|5", first_question)
    await ahmed.press_data("rubbish", first_question)
    checkin = await _answers(people, 2001)
    assert (checkin.applications, checkin.interviews) == (3, None)


async def test_text_where_a_button_is_needed_is_re_asked(people):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await ahmed.send("/checkin")
    for tap in ("1", "0", "0"):
        await ahmed.press(tap)
    replies = await ahmed.send("cursus gedaan")
    assert "knoppen" in replies[0].plain_text and "Klaar" in " ".join(ahmed.buttons(replies[0]))
    assert (await _answers(people, 2001)).activities is None


async def test_cancel_keeps_answers_and_checkin_resumes(people):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await ahmed.send("/checkin")
    await ahmed.press("2")
    assert "bewaard" in (await ahmed.send("/annuleren"))[0].plain_text
    assert "begreep ik niet" in (await ahmed.send("hallo"))[0].plain_text
    resumed = (await ahmed.send("/checkin"))[0]
    assert "Welkom terug" in resumed.plain_text and "gesprekken" in resumed.plain_text


async def test_english_check_in(people):
    coach = await people.coach()
    peter = await people.employee(coach, 2003, "Peter Smit", language="English")
    await peter.send("/checkin")
    assert "applications" in peter.last.plain_text.lower()
    for tap in ("1", "1", "1", "None", "7"):
        await peter.press(tap)
    await peter.press("Send")
    assert (await _answers(people, 2003)).energy == 7


async def test_every_step_is_reachable_from_the_edit_menu(people):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await ahmed.send("/checkin")
    for tap in ("1", "0", "2", "Geen", "5"):
        await ahmed.press(tap)
    labels = {"applications": "Sollicitaties", "interviews": "Gesprekken", "networking": "Netwerkcontacten",
              "activities": "Activiteiten", "energy": "Energie"}  # fmt: skip
    assert set(labels) == set(STEPS)
    for step, label in labels.items():
        await ahmed.press("Antwoord wijzigen")
        await ahmed.press(label)
        if step == "activities":
            await ahmed.press("Workshop")
            await ahmed.press("Klaar")
        else:
            await ahmed.press("4")
        assert "Klopt dit?" in ahmed.last.plain_text
    checkin = await _answers(people, 2001)
    assert (checkin.applications, checkin.interviews, checkin.networking, checkin.activities, checkin.energy) == (
        4,
        4,
        4,
        ["workshop"],
        4,
    )
