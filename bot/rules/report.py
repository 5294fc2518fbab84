"""Rules of the Track 2 file the UWV reads (re-integratieverslag): the report kinds, the poortwachter steps as
they actually happened against their legal dates, the trajectory's outcome, the BSN check (elfproef), the
monthly report's period and when the employee is asked for their own view. Pure functions: no database, no clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from bot.rules import timeline

PROGRESS, FINAL = "progress", "final"
KINDS = (PROGRESS, FINAL)

# The poortwachter steps the coach records the actual date of, each with the milestone that sets its legal
# date. The labour-expert assessment (arbeidsdeskundig onderzoek) has no date of its own in the law; it must be
# ready for the first-year evaluation, so that is its latest date here.
STEPS: dict[str, str] = {
    "problem_analysis": "problem_analysis",
    "action_plan": "action_plan",
    "labour_expert": "first_year_evaluation",
    "first_year_evaluation": "first_year_evaluation",
    "final_evaluation": "final_evaluation",
}
DONE, NOT_YET, OVERDUE = "done", "not_yet", "overdue"

PLACED, TOO_FEW = "placed", "too_few_possibilities"
OUTCOMES = (PLACED, TOO_FEW)

OWN_VIEW_WEEKS_BEFORE_FINAL = 4  # the employee is asked for their own view from this many weeks before week 91
BSN_LENGTH = 9
MONTH = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True)
class StepState:
    """One poortwachter step in the report: its legal latest date, the day it took place (if recorded) and
    whether it is done, not yet due, or overdue on the report day."""

    step: str
    due: date
    done_on: date | None
    state: str

    @property
    def late(self) -> bool:
        """Done, but after its legal date."""
        return self.done_on is not None and self.done_on > self.due


def step_states(first_sick_day: date, done: dict[str, date], today: date) -> list[StepState]:
    """Every poortwachter step in legal order: done on its recorded day, else overdue once its legal date passed."""
    states = []
    for step, milestone in STEPS.items():
        due = timeline.milestone(first_sick_day, milestone).due
        done_on = done.get(step)
        state = DONE if done_on is not None else (OVERDUE if today > due else NOT_YET)
        states.append(StepState(step, due, done_on, state))
    return states


def valid_bsn(text: str) -> str | None:
    """The BSN as 9 digits when `text` passes the elfproef (spaces and dots allowed), else None.

    The elfproef: 9·d1 + 8·d2 + … + 2·d8 − 1·d9 must be divisible by 11 (and not all zeros). An 8-digit number
    gets a leading zero, as the BSN rules allow."""
    digits = re.sub(r"[\s.]", "", text)
    if not digits.isascii() or not digits.isdigit() or len(digits) not in (8, BSN_LENGTH):
        return None
    digits = digits.zfill(BSN_LENGTH)
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - int(digits[8])
    if total % 11 or int(digits) == 0:
        return None
    return digits


def masked_bsn(bsn: str) -> str:
    """For a chat confirmation: only the last three digits (the full number is printed in report headers only)."""
    return "······" + bsn[-3:]


def month_period(text: str) -> tuple[date, date]:
    """'2026-11' → (1 November 2026, 30 November 2026); ValueError for anything else."""
    found = MONTH.fullmatch(text.strip())
    if not found:
        raise ValueError(f"{text!r} is not a month like 2026-11")
    year, month = int(found[1]), int(found[2])
    first = date(year, month, 1)  # raises ValueError for month 13
    return first, _next_month(first) - timedelta(days=1)


def previous_month(today: date) -> tuple[date, date]:
    """The whole calendar month before the one `today` is in."""
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def first_working_day(year: int, month: int) -> date:
    """The first Monday to Friday of the month (public holidays are not skipped; 1 January is the exception the
    law knows, so a monthly report never waits for it)."""
    day = date(year, month, 1)
    if (day.month, day.day) == (1, 1):
        day += timedelta(days=1)
    return timeline.next_working_day(day)


def own_view_due(first_sick_day: date, today: date) -> bool:
    """From sickness week 87, four weeks before the final evaluation (week 91), the bot asks for the employee's own
    view of the trajectory."""
    week = timeline.FINAL_EVALUATION_WEEK - OWN_VIEW_WEEKS_BEFORE_FINAL
    return today >= timeline.week_start(first_sick_day, week)


def _next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)
