"""The weekly check-in as a pure step machine: which question comes next, and what an answer means.

Steps, in order: applications, interviews, networking, activities (multi-select), energy, then the
summary where the employee submits, adds a note for the coach, or changes an answer. Storage and Telegram
live elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.parsing import parse_count, parse_score

COUNT_STEPS = ("applications", "interviews", "networking")
STEPS = (*COUNT_STEPS, "activities", "energy")
SUMMARY = "summary"
NOTE = "note"
EDIT_MENU = "edit_menu"

# Upper bounds for a single week; above these a typed number is taken to be a typo.
MAXIMUM = {"applications": 60, "interviews": 20, "networking": 60}
ENERGY_RANGE = (1, 10)
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
    note: str | None = None
    extra: dict = field(default_factory=dict)

    def get(self, step: str) -> object:
        return getattr(self, step)


def first_open_step(answers: Answers) -> str:
    """Where to continue: the first unanswered question, else the summary."""
    for step in STEPS:
        if answers.get(step) is None:
            return step
    return SUMMARY


def step_after(step: str, answers: Answers, *, editing: bool) -> str:
    """The step after answering `step`; when changing one answer, straight back to the summary."""
    if editing:
        return first_open_step(answers)
    index = STEPS.index(step)
    for later in STEPS[index + 1 :]:
        if answers.get(later) is None:
            return later
    return SUMMARY


def parse_answer(step: str, text: str) -> int:
    """Interpret typed text for a count or energy step; raises parsing.Invalid."""
    if step in COUNT_STEPS:
        return parse_count(text, MAXIMUM[step])
    if step == "energy":
        return parse_score(text, *ENERGY_RANGE)
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


def is_complete(answers: Answers) -> bool:
    return first_open_step(answers) == SUMMARY
