"""The ACT rules without Telegram: the prompt library, and property tests of how the week's prompt is chosen."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import escape

from bot.rules import act
from content.texts import LANGUAGES, Texts

LIBRARY = act.library()
START = date(2026, 1, 5)  # a Monday
texts = Texts()

weeks = st.builds(
    lambda energy, applications, interviews, rejections, phase: (energy, applications, interviews, rejections, phase),
    st.one_of(st.none(), st.integers(1, 10)),
    st.one_of(st.none(), st.integers(0, 6)),
    st.integers(0, 3),
    st.integers(0, 2),
    st.sampled_from(("intake", "orientation", "active_search", "completion")),
)


def _run(answers, *, pinned=None, seed=0, gaps=None):
    """Choose prompts week after week (optionally skipping weeks), feeding each choice back as history."""
    history: list[act.Used] = []
    monday = START
    for index, (energy, applications, interviews, rejections, phase) in enumerate(answers):
        monday += timedelta(weeks=1 + (gaps[index] if gaps else 0))
        week = act.Week(monday, energy, applications, interviews, rejections, phase)
        prompt = act.choose_prompt(LIBRARY, history, week, pinned=pinned, seed=seed + index)
        history.append(act.Used(monday, prompt.id, prompt.process))
    return history


# --- the library ----------------------------------------------------------------------------------------------


def test_the_library_has_enough_prompts_for_every_process():
    assert len(LIBRARY.prompts) >= 60
    for process in act.PROCESSES:
        assert len(LIBRARY.of_process(process)) >= 10, process
    assert len({prompt.id for prompt in LIBRARY.prompts}) == len(LIBRARY.prompts)


@pytest.mark.parametrize("prompt", LIBRARY.prompts, ids=lambda prompt: prompt.id)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_prompt_exists_in_both_languages_and_renders(prompt, lang):
    text = prompt.in_language(lang)
    assert 20 <= len(text) <= 260, "short"
    assert text.rstrip().endswith(("?", ".", "!")), text
    ctx = {"prompt": text, "process": prompt.process, "values": ["Zinvol werk"], "intro": None, "problem": None}
    message = texts.render(lang, "checkin_reflection", **ctx)
    assert str(escape(text)) in message
    assert len(message) < 4096


def test_the_one_minute_exercises_and_job_search_situations_are_there():
    english = " ".join(prompt.text["en"] for prompt in LIBRARY.prompts)
    for needle in ("three slow breaths", "I notice I'm having the thought", "leaves floating", "rejection",
                   "No answer", "interview", "tomorrow", "energy", "Missing your old job"):  # fmt: skip
        assert needle in english, needle
    fits = {situation for prompt in LIBRARY.prompts for situation in prompt.fits}
    assert fits == set(act.SITUATIONS)


def test_values_and_step_ideas_exist_in_both_languages():
    for choice in act.value_choices():
        assert all(choice.text[lang] for lang in LANGUAGES)
    ideas = act.step_ideas()
    for value in (choice.id for choice in act.value_choices()):
        assert len(ideas.by_value[value]) >= 2, value
    for idea in [*ideas.general, *ideas.low_energy, *(i for group in ideas.by_value.values() for i in group)]:
        assert all(0 < len(idea.text[lang]) <= 40 for lang in LANGUAGES), idea.id  # fits on a button


# --- choosing the week's prompt: properties -------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.lists(weeks, min_size=1, max_size=40), st.integers(0, 10_000), st.lists(st.integers(0, 3), max_size=40))
def test_no_prompt_is_repeated_within_eight_weeks(answers, seed, gaps):
    gaps = (gaps + [0] * len(answers))[: len(answers)]
    history = _run(answers, seed=seed, gaps=gaps)
    last_seen: dict[str, date] = {}
    for used in history:
        if used.prompt_id in last_seen:
            assert (used.week - last_seen[used.prompt_id]).days > 7 * act.NO_REPEAT_WEEKS
        last_seen[used.prompt_id] = used.week


@settings(max_examples=60, deadline=None)
@given(st.lists(weeks, min_size=14, max_size=40), st.integers(0, 10_000))
def test_every_fourteen_weeks_cover_all_six_processes(answers, seed):
    history = _run(answers, seed=seed)
    assert {used.process for used in history[:6]} == set(act.PROCESSES)  # a new employee meets all six first
    for start in range(len(history) - 13):
        assert {used.process for used in history[start : start + 14]} == set(act.PROCESSES)


@settings(max_examples=40, deadline=None)
@given(st.lists(weeks, min_size=1, max_size=20), st.sampled_from(act.PROCESSES), st.integers(0, 10_000))
def test_a_pinned_process_wins(answers, process, seed):
    history = _run(answers, pinned=process, seed=seed)
    assert {used.process for used in history} == {process}
    assert len({used.prompt_id for used in history[-9:]}) == len(history[-9:])  # still no repeats


def _leans(history: list[act.Used], week: act.Week, expected: set[str], seed: int) -> None:
    """The chosen process follows the leaning whenever coverage does not demand another process first."""
    assert act.leanings(week) == expected
    chosen = act.choose_process(history, week, seed=seed)
    due = set(act.overdue(history))
    if not due or due & expected:
        assert chosen in expected, (chosen, due)
    else:
        assert chosen in due  # a process unseen for eight weeks comes first


histories = st.lists(weeks, max_size=30).map(lambda answers: _run(answers))


@settings(max_examples=80, deadline=None)
@given(histories, st.integers(1, act.LOW_ENERGY), st.integers(1, 5), st.integers(0, 10_000))
def test_low_energy_leans_to_acceptance_present_moment_and_self_as_context(history, energy, applications, seed):
    week = act.Week(START + timedelta(weeks=60), energy=energy, applications=applications, phase="orientation")
    _leans(history, week, {"acceptance", "present_moment", "self_as_context"}, seed)


@settings(max_examples=80, deadline=None)
@given(histories, st.integers(act.LOW_ENERGY + 1, 10), st.integers(1, 3), st.integers(0, 10_000))
def test_rejections_or_no_answers_lean_to_defusion(history, energy, rejections, seed):
    week = act.Week(START + timedelta(weeks=60), energy=energy, applications=2, rejections=rejections)
    _leans(history, week, {"defusion"}, seed)


@settings(max_examples=80, deadline=None)
@given(histories, st.integers(act.LOW_ENERGY + 1, 10), st.integers(0, 10_000))
def test_no_applications_in_active_search_lean_to_values_and_committed_action(history, energy, seed):
    week = act.Week(START + timedelta(weeks=60), energy=energy, applications=0, phase="active_search")
    _leans(history, week, {"values", "committed_action"}, seed)
    other_phase = act.Week(START + timedelta(weeks=60), energy=energy, applications=0, phase="orientation")
    assert act.leanings(other_phase) == frozenset()


def test_leanings_win_most_weeks_in_a_long_run_of_low_energy():
    history = _run([(2, 1, 0, 0, "orientation")] * 52)
    gentle = sum(used.process in act.GENTLE for used in history[6:])
    assert gentle >= 0.6 * len(history[6:])  # coverage still brings the other three now and then


def test_the_same_week_and_seed_give_the_same_prompt():
    week = act.Week(START, energy=3, applications=0, phase="active_search")
    assert act.choose_prompt(LIBRARY, [], week, seed=7) == act.choose_prompt(LIBRARY, [], week, seed=7)


def test_step_suggestions_follow_values_and_energy():
    low = act.suggest_steps(["helping"], 2, seed=1)
    ideas = act.step_ideas()
    assert low[0] in ideas.low_energy and any(idea in ideas.by_value["helping"] for idea in low)
    assert len(low) == act.SUGGESTIONS == len({idea.id for idea in low})
    plain = act.suggest_steps(["Eerlijkheid"], 8, seed=1)  # own words have no ideas of their own
    assert all(idea in ideas.general for idea in plain)


def test_values_toggle_up_to_three_and_own_words():
    chosen = act.toggle_value([], "helping")
    chosen = act.add_own_values(chosen, "Eerlijkheid, rust")
    assert chosen == ["helping", "Eerlijkheid", "rust"]
    with pytest.raises(act.TooManyValues):
        act.toggle_value(chosen, "craft")
    assert act.toggle_value(chosen, "helping") == ["Eerlijkheid", "rust"]
    assert act.value_text("helping", "en") == "Helping others" and act.value_text("rust", "en") == "rust"
