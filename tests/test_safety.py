"""Safety: crisis language in Dutch and English is always caught (also with typos), ordinary job-search talk is
not; a typed yes or no to telling the coach is read. End to end: tests/test_crisis_e2e.py."""

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from bot.rules.safety import (
    END,
    MODEL_EXAMPLES,
    MODEL_THRESHOLD,
    consent_answer,
    distance,
    model_score,
    normalise,
    screen,
)
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
    assert sorted(rates_per_batch) == list(range(6, 21))
    assert all(rates_per_batch[number][1::2] == (25, 40) for number in range(6, 13))
    assert all(rates_per_batch[number][1::2] == (40, 60) for number in rates_per_batch if number >= 13)
    for crisis, ordinary in BLIND_BATCHES.values():
        assert all(text in CRISIS or text in KNOWN_MISSES for text in crisis)
        assert all(text in ORDINARY or text in BORDERLINE for text in ordinary)


def test_the_learned_part_is_trained_on_every_list_sentence_but_the_last_fresh_batch():
    examples = yaml.safe_load(MODEL_EXAMPLES.read_text(encoding="utf-8"))
    crisis, ordinary = set(examples["crisis"]), set(examples["ordinary"])
    last = max(BLIND_BATCHES)
    held_out = set(BLIND_BATCHES[last][0]) | set(BLIND_BATCHES[last][1])
    assert held_out.isdisjoint(crisis | ordinary)  # its figure stays held out from the version of now
    assert crisis.isdisjoint(ordinary)
    assert {text for text in CRISIS + KNOWN_MISSES if text not in held_out} <= crisis
    assert {text for text in ORDINARY + BORDERLINE if text not in held_out} <= ordinary


def test_the_learned_part_catches_indirect_wording_the_rules_miss():
    # batch 18, missed by the rules alone and caught by the model before it was trained on batch 18
    for text in ("Honestly I think my family would grieve for a week and then be relieved",
                 "Ik heb een brief voor de politie geschreven zodat niemand anders de schuld krijgt"):  # fmt: skip
        assert screen(text).matched[0].startswith("model: "), text
    assert model_score(normalise("Ik heb drie sollicitaties verstuurd deze week.")) < MODEL_THRESHOLD
    assert model_score(normalise("")) < MODEL_THRESHOLD


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


@pytest.mark.parametrize("text", ["13", "13-11-2026", "Ik heb 13 sollicitaties verstuurd", "11 3", "1133"])
def test_a_number_or_a_date_is_not_the_crisis_line(text):
    assert not screen(text).hit  # repeated letters count once, repeated digits do not: 13 is not 113


def test_the_crisis_line_itself_is_a_hit():
    assert screen("ik heb gisteren 113 gebeld").hit
