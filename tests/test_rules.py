"""Unit tests of the pure domain rules: parsing, check-in steps, tokens, weeks, callback data."""

from datetime import UTC, date, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.rules import checkin as rules
from bot.rules.buttons import parse as parse_button
from bot.rules.parsing import Invalid, parse_count, parse_date, parse_score, parse_time
from bot.rules.tokens import deep_link, hash_token, looks_like_token, new_token
from bot.rules.weeks import iso_week, sickness_week


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0", 0), ("3", 3), (" 12 ", 12), ("drie", 3), ("Geen", 0), ("none", 0), ("één", 1), ("+2", 2), ("5.", 5)],
)
def test_parse_count_accepts_digits_and_words(text, expected):
    assert parse_count(text, 60) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [("veel", "not_a_number"), ("2.5", "not_a_number"), ("", "not_a_number"), ("-1", "negative"), ("61", "too_high"),
     ("9999999999", "not_a_number"), ("1e3", "not_a_number")],
)  # fmt: skip
def test_parse_count_rejects_with_a_reason(text, reason):
    with pytest.raises(Invalid) as caught:
        parse_count(text, 60)
    assert caught.value.reason == reason


@given(st.integers(min_value=-1000, max_value=1000))
def test_parse_count_is_in_range_or_refused(number):
    try:
        value = parse_count(str(number), 60)
    except Invalid:
        assert number < 0 or number > 60
    else:
        assert value == number and 0 <= value <= 60


def test_parse_score_bounds():
    assert parse_score("1") == 1 and parse_score("10") == 10 and parse_score("zeven") == 7
    for bad in ("0", "11", "moe"):
        with pytest.raises(Invalid):
            parse_score(bad)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("15-03-2026", date(2026, 3, 15)), ("1/2/2025", date(2025, 2, 1)), ("2026-03-15", date(2026, 3, 15)),
     ("15.3.2026", date(2026, 3, 15))],
)  # fmt: skip
def test_parse_date(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["31-02-2026", "gisteren", "15-03", "2026/03/15/1"])
def test_parse_date_rejects(text):
    with pytest.raises(Invalid):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "expected"), [("9:30", time(9, 30)), ("09.30", time(9, 30)), ("14", time(14)), ("9u", time(9))]
)
def test_parse_time(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["25:00", "9:75", "morgen"])
def test_parse_time_rejects(text):
    with pytest.raises(Invalid):
        parse_time(text)


def test_steps_go_in_order_and_end_at_summary():
    answers = rules.Answers()
    seen = []
    step = rules.first_open_step(answers)
    while step != rules.SUMMARY:
        seen.append(step)
        setattr(answers, step, [] if step == "activities" else 1)
        step = rules.step_after(step, answers, editing=False)
    assert seen == list(rules.STEPS)


def test_editing_one_answer_returns_to_summary():
    answers = rules.Answers(applications=1, interviews=0, networking=2, activities=[], energy=5)
    assert rules.step_after("applications", answers, editing=True) == rules.SUMMARY


def test_resume_continues_at_first_unanswered_question():
    answers = rules.Answers(applications=1, interviews=0)
    assert rules.first_open_step(answers) == "networking"
    assert not rules.is_complete(answers)


def test_zero_and_empty_count_as_answered():
    answers = rules.Answers(applications=0, interviews=0, networking=0, activities=[], energy=1)
    assert rules.is_complete(answers)


def test_toggle_activity_keeps_button_order():
    chosen = rules.toggle_activity([], "coaching")
    chosen = rules.toggle_activity(chosen, "course")
    assert chosen == ["course", "coaching"]
    assert rules.toggle_activity(chosen, "course") == ["coaching"]
    with pytest.raises(ValueError):
        rules.toggle_activity(chosen, "sleeping")


def test_clean_note_trims_and_caps():
    assert rules.clean_note("  hoi  ") == "hoi"
    assert len(rules.clean_note("x" * 5000)) == rules.NOTE_MAX_CHARS


def test_tokens_are_long_random_and_fit_a_deep_link():
    tokens = {new_token() for _ in range(200)}
    assert len(tokens) == 200
    for token in tokens:
        assert len(token) == 32 and looks_like_token(token)  # 24 random bytes = 192 bits
        assert hash_token(token) != token and len(hash_token(token)) == 64
    assert deep_link("SpoorzoekerBot", "abc") == "https://t.me/SpoorzoekerBot?start=abc"
    assert not looks_like_token("a b") and not looks_like_token("x" * 65) and not looks_like_token("")


def test_iso_week_uses_the_employees_time_zone():
    # Sunday 23:30 UTC is already Monday in Amsterdam: a new ISO week there.
    moment = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)
    assert iso_week(moment, "UTC") == (2026, 47)
    assert iso_week(moment, "Europe/Amsterdam") == (2026, 48)


def test_iso_week_across_year_end():
    assert iso_week(datetime(2027, 1, 1, 12, tzinfo=UTC), "Europe/Amsterdam") == (2026, 53)


def test_sickness_week_counts_day_one_as_week_one():
    first = date(2026, 1, 5)
    assert sickness_week(first, first) == 1
    assert sickness_week(first, date(2026, 1, 11)) == 1
    assert sickness_week(first, date(2026, 1, 12)) == 2
    assert sickness_week(first, date(2027, 1, 4)) == 53


def test_button_data_parsing():
    press = parse_button("12|ans|3")
    assert (press.version, press.action, press.value) == (12, "ans", "3")
    assert parse_button("|go|checkin").version is None
    assert parse_button("garbage") is None
    assert parse_button("x|ans|3") is None
