"""The weekly check-in as a pure step machine: which question comes next, and what an answer means.

Steps, in order: how last week's committed step went (only when there was one), applications, interviews,
networking, activities (multi-select), hours at the own employer (only while Track 1 runs beside Track 2: the
caller says so with `Answers.track1`), energy, then the summary where the employee submits, adds a note for the
coach, or changes an answer. After submitting: the values exercise (first week) or the week's ACT reflection,
then one small committed step for next week; both can be skipped with one tap. Storage and Telegram live
elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.rules.parsing import Invalid, parse_count, parse_score

COUNT_STEPS = ("applications", "interviews", "networking")
STEPS = (*COUNT_STEPS, "activities", "energy")
TRACK1 = "track1_hours"  # hours of own or adapted work at the own employer: asked before energy while Track 1 runs
SUMMARY = "summary"
NOTE = "note"
EDIT_MENU = "edit_menu"
FOLLOWUP = "followup"  # how last week's committed step went: done | partly | not
VALUES = "values"  # the values exercise, once, after the first submitted check-in
REFLECTION = "reflection"  # the week's ACT prompt, answered in own words or skipped
NEXT_STEP = "next_step"  # one small committed step for next week
STEP_MAX_CHARS = 300

# Upper bounds for a single week; above these a typed number may be a typo, so it is stored only when the same
# number is typed a second time. LIMIT is the most that is ever stored.
MAXIMUM = {"applications": 60, "interviews": 20, "networking": 60}
LIMIT = 500
ENERGY_RANGE = (1, 10)
TRACK1_RANGE = (0, 60)
TRACK1_BUTTONS = (0, 4, 8, 12, 16, 24, 32)
NOTE_MAX_CHARS = 1000

ACTIVITIES = ("course", "workshop", "volunteering", "work_trial", "coaching", "cv_linkedin")
NO_ACTIVITY = "none"  # a button that answers "nothing else this week" in one tap; stored as []

# The quick-answer buttons for counts; bigger numbers can be typed.
COUNT_BUTTONS = (0, 1, 2, 3, 4, 5)


@dataclass
class Answers:
    """The answers given so far; None means not answered yet."""

    applications: int | None = None
    interviews: int | None = None
    networking: int | None = None
    activities: list[str] | None = None
    energy: int | None = None
    track1_hours: int | None = None
    note: str | None = None
    extra: dict = field(default_factory=dict)
    followup_due: bool = False  # last week's check-in set a step that has not been asked about yet
    step_result: str | None = None
    track1: bool = False  # Track 1 runs beside Track 2 (the current plan says so): ask the hours worked there

    def get(self, step: str) -> object:
        return getattr(self, step)


def steps(track1: bool) -> tuple[str, ...]:
    """The questions of a check-in, in order: with the Track 1 hours just before energy while Track 1 runs."""
    return (*STEPS[:-1], TRACK1, STEPS[-1]) if track1 else STEPS


def first_open_step(answers: Answers) -> str:
    """Where to continue: the first unanswered question, else the summary."""
    if answers.followup_due and answers.step_result is None:
        return FOLLOWUP
    for step in steps(answers.track1):
        if answers.get(step) is None:
            return step
    return SUMMARY


def complete(answers: Answers) -> bool:
    """Whether every question a check-in needs before it can be sent has an answer."""
    return all(answers.get(step) is not None for step in steps(answers.track1))


def step_after(step: str, answers: Answers, *, editing: bool) -> str:
    """The step after answering `step`; when changing one answer, straight back to the summary."""
    if editing or step == FOLLOWUP:
        return first_open_step(answers)
    order = steps(answers.track1)
    index = order.index(step)
    for later in order[index + 1 :]:
        if answers.get(later) is None:
            return later
    return SUMMARY


def parse_answer(step: str, text: str, confirmed: int | None = None) -> int:
    """Interpret typed text for a count, Track 1 hours or energy step; raises parsing.Invalid. A count above the week's
    MAXIMUM raises Invalid("confirm_high") unless it equals `confirmed` (the number typed the time before)."""
    if step in COUNT_STEPS:
        value = parse_count(text, LIMIT)
        if value > MAXIMUM[step] and value != confirmed:
            raise Invalid("confirm_high", maximum=MAXIMUM[step], value=value)
        return value
    if step == "energy":
        return parse_score(text, *ENERGY_RANGE)
    if step == TRACK1:
        return parse_score(text, *TRACK1_RANGE)
    raise ValueError(f"step {step!r} takes no typed answer")


def toggle_activity(selected: list[str], activity: str) -> list[str]:
    """Add or remove one activity, keeping the list in the order the buttons show."""
    if activity not in ACTIVITIES:
        raise ValueError(f"unknown activity {activity!r}")
    chosen = set(selected) ^ {activity}
    return [item for item in ACTIVITIES if item in chosen]


def clean_note(text: str) -> str:
    """The note as stored: trimmed, at most NOTE_MAX_CHARS characters."""
    return text.strip()[:NOTE_MAX_CHARS]


def clean_step(text: str) -> str:
    """A committed step as stored: one line, trimmed, at most STEP_MAX_CHARS characters."""
    return " ".join(text.split())[:STEP_MAX_CHARS]


def after_submit(values: list[str] | None) -> str:
    """The first step after submitting: the values exercise while values were never asked, else the reflection."""
    return VALUES if values is None else REFLECTION


def is_complete(answers: Answers) -> bool:
    return first_open_step(answers) == SUMMARY
