"""Safety: crisis language in Dutch and English is always caught (also with typos), ordinary job-search talk is
not; end to end, the bot answers at once with help, stores an alert without the text, and tells the coach only
when the employee says yes."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.rules.safety import END, consent_answer, distance, normalise, screen
from storage import act_queries, queries
from tests.safety_phrases import BLIND_BATCHES, BORDERLINE, CRISIS, KNOWN_MISSES, ORDINARY, blind_rates, rates


@pytest.mark.parametrize("text", CRISIS)
def test_every_crisis_phrase_triggers(text):
    assert screen(text).hit, text


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_job_search_sentences_do_not_trigger(text):
    assert not screen(text).hit, (text, screen(text).matched)


@pytest.mark.parametrize("text", BORDERLINE)
def test_borderline_sentences_trigger_on_purpose(text):
    assert screen(text).hit, text  # rather a false alarm than a miss


def test_the_lists_are_big_enough_and_the_rates_are_printed():
    hits, crisis, false_alarms, ordinary = rates()
    print(f"hit rate {hits}/{crisis}, false alarms {false_alarms}/{ordinary}")
    assert len(CRISIS) >= 40 and ordinary >= 40
    assert (hits, false_alarms) == (len(CRISIS) + sum(screen(text).hit for text in KNOWN_MISSES), 0)
    dutch = [text for text in CRISIS if any(word in text.lower() for word in ("ik ", "ik'", "het ", "alles"))]
    assert len(dutch) >= 20 and crisis - len(dutch) >= 20  # both languages


def test_the_cue_score_adds_up_hint_words_and_job_search_words_count_against():
    assert screen("i just want it all to end").matched == ("cues: ending + all or nothing + wish",)
    assert screen("ik mis de moed om nog verder te leven").hit
    assert not screen("I ended my contract with the agency.").hit  # ending - job search
    assert not screen("Ik stop ermee om elke dag te solliciteren, drie keer per week is genoeg.").hit
    assert screen("ik denk niet aan zelfmoord").hit  # a negation weighs lightly


def test_a_comma_ends_a_clause_only_for_the_clause_phrases():
    assert "ik wil niet meer $" in screen("ik wil niet meer, ik kan niet meer, laat me maar gaan").matched
    assert not screen("I'm done for today, I'll continue tomorrow.").hit
    assert not screen("Dat formulier hoeft niet meer, zei mijn coach.").hit


def test_every_fresh_batch_is_in_the_lists_and_the_blind_rates_are_printed():
    rates_per_batch = blind_rates()
    print(rates_per_batch)
    assert sorted(rates_per_batch) == list(range(6, 18))
    assert all(rates_per_batch[number][1::2] == (25, 40) for number in range(6, 13))
    assert all(rates_per_batch[number][1::2] == (40, 60) for number in rates_per_batch if number >= 13)
    for crisis, ordinary in BLIND_BATCHES.values():
        assert all(text in CRISIS or text in KNOWN_MISSES for text in crisis)
        assert all(text in ORDINARY or text in BORDERLINE for text in ordinary)


def test_normalising_handles_accents_case_repeats_and_sentence_ends():
    assert normalise("Suïcide!! DOOOOD") == ["suicide", END, "dod", END]
    assert normalise("don't") == ["dont", END]


@given(st.text(max_size=200))
def test_screening_never_fails_on_any_text(text):
    assert isinstance(screen(text).hit, bool)


@given(st.sampled_from(CRISIS), st.text(alphabet="abcdefghij ,", max_size=40), st.text(alphabet="klmnop ,"))
def test_a_crisis_phrase_inside_other_text_still_triggers(phrase, before, after):
    assert screen(f"{before}. {phrase} {after}").hit


def test_a_phrase_that_ends_a_sentence_still_counts_when_more_words_follow():
    # found by the test above: three or more words after "i'm giving up" hid it
    assert screen("there is no light anywhere, i'm giving up k,k,k").hit
    assert screen("I've been thinking of ending it on friday").hit
    assert screen("ik wil gewoon niet meer hoor echt niet").hit
    # unless what follows says which ordinary thing is meant
    assert not screen("I'm done for today, I'll continue tomorrow").hit
    assert not screen("Ik wil niet meer in de bouw werken.").hit
    assert not screen("I'm giving up on the idea of going back to teaching.").hit


def test_indirect_wording_a_place_a_means_getting_ready_and_saying_goodbye_triggers():
    assert screen("ik heb mijn slaappillen opgespaard").hit  # means + getting ready
    assert screen("I looked up how many paracetamol would be lethal").hit  # death
    assert screen("ik sta nu op de brug").hit  # a place + now + being there
    assert screen("ik rij vannacht naar de Erasmusbrug").hit  # a place at the end of a compound
    assert screen("ik ben bang dat ik mezelf iets ga aandoen").hit
    assert screen("I gave my dog to my sister, I won't need to walk him anymore").hit  # finality
    assert not screen("De dosis van mijn pillen is verlaagd door de huisarts.").hit  # routine care counts against
    assert not screen("I stood on the platform waiting for the train to my interview.").hit
    assert not screen("Ik heb afscheid genomen van mijn collega's.").hit


@pytest.mark.parametrize(
    "text",
    ["ja", "Ja!", "JA HOOR", "  prima.  ", "is goed", "oké 👍", "OK", "doe maar", "graag", "Jaaaa", "sure",
     "yes please", "Sure, go ahead", "ja, laat het haar maar weten", "natuurlijk"],
)  # fmt: skip
def test_a_typed_yes_to_telling_the_coach(text):
    assert consent_answer(text) is True


@pytest.mark.parametrize(
    "text",
    ["nee", "Nee, dank je", "liever niet", "niet doen", "nee dank je", "No thanks.", "rather not", "niet", "NO",
     "zeker niet", "natuurlijk niet", "please don't", "neeee 😢", "nee want ik ken hem niet goed"],
)  # fmt: skip
def test_a_typed_no_to_telling_the_coach(text):
    assert consent_answer(text) is False


@pytest.mark.parametrize(
    "text",
    ["ja maar liever niet", "nee, ja doe maar", "ok maar niet nu", "yes but don't tell my employer", "misschien",
     "ik weet het niet", "not sure", "geen probleem", "hallo", "wat bedoel je?", "", "👍", "   "],
)  # fmt: skip
def test_an_unclear_answer_is_neither(text):
    assert consent_answer(text) is None


@given(st.text(max_size=60))
def test_an_answer_with_a_no_word_is_never_a_yes(text):
    for no in ("nee", "niet", "no", "not", "liever niet", "don't"):
        assert consent_answer(f"{text} {no}") is not True
        assert consent_answer(f"{no} {text}") is not True


@given(st.text(alphabet="abcdef", max_size=8), st.text(alphabet="abcdef", max_size=8))
def test_distance_is_symmetric_and_zero_only_for_equal_words(a, b):
    assert distance(a, b, 10) == distance(b, a, 10)
    assert (distance(a, b, 10) == 0) == (a == b)


# --- end to end -----------------------------------------------------------------------------------------------


async def _alerts(box, user_id):
    async with box.db.session() as session:
        employee = await queries.employee_by_telegram(session, user_id)
        return await act_queries.alerts_of(session, employee.id)


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
    assert "Eén kleine stap" in ahmed.last.plain_text  # the check-in carries on
    (alert,) = await _alerts(box, 2001)
    assert alert.source == "reflection" and alert.coach_allowed is None and alert.coach_told_at is None
    week48 = (await people.checkins(2001))[1]
    assert week48.reflection == "Ik zie het nie meer zitten, soms wil ik dood" and week48.submitted_at is not None
    await ahmed.press("Overslaan")  # no step this week; the alert question still works afterwards
    await ahmed.press("Ja, laat mijn coach het weten", message=replies[0])
    assert "Ik laat je coach weten" in ahmed.last.plain_text
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
    assert "113" in ahmed.inbox[-2].plain_text and "Klopt dit?" in ahmed.last.plain_text
    await ahmed.press("Versturen")
    await ahmed.press("Overslaan")  # values
    await ahmed.send("Niet meer wakker worden")
    assert [alert.source for alert in await _alerts(box, 2001)] == ["note", "step"]
    (checkin,) = await people.checkins(2001)
    assert checkin.note == "Ik kan het niet meer aan" and checkin.submitted_at is not None


async def test_help_says_plainly_the_bot_is_not_a_therapist(people):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    text = (await ahmed.send("/help"))[0].plain_text
    assert "geen therapeut" in text and "113" in text and "huisartsenpost" in text and "/privacy" in text
