"""The poortwachter timeline (Wet verbetering poortwachter), counted from the first day of sickness.

Day 1 of sickness starts week 1, so week N runs from day 7(N-1)+1 to day 7N. A milestone "in week N" is due by
the end of that week, with two exceptions that follow the rules: the sick report to UWV is due on the first
working day (Monday to Friday) after week 42, and the UWV's WIA letter is sent at the start of week 88.
Evaluations of the plan of action follow every 6 weeks after it, up to the final evaluation.
Public holidays are not skipped, so a date shown here is never later than the legal one.
Pure functions: no database, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

EVALUATION_EVERY = 6
FINAL_EVALUATION_WEEK = 91

# key, week, who acts (employer obligations are the ones employers get reminders for)
MILESTONES = (
    ("problem_analysis", 6, "physician"),
    ("action_plan", 8, "employer"),
    ("uwv_sick_report", 42, "employer"),
    ("first_year_evaluation", 52, "employer"),
    ("track2_start_deadline", 58, "employer"),
    ("wia_letter", 88, "uwv"),
    ("final_evaluation", FINAL_EVALUATION_WEEK, "employer"),
    ("wia_application_deadline", 93, "employee"),
    ("wage_continuation_end", 104, "uwv"),
)
EMPLOYER_REMINDED = (
    "uwv_sick_report",
    "first_year_evaluation",
    "track2_start_deadline",
    "final_evaluation",
    "wia_application_deadline",
    "wage_continuation_end",
)


@dataclass(frozen=True)
class Milestone:
    key: str
    week: int
    due: date
    actor: str
    number: int | None = None  # for the numbered evaluations

    def as_json(self, title: str) -> dict:
        return {"key": self.key, "week": self.week, "due": self.due.isoformat(), "title": title}


def week_start(first_sick_day: date, week: int) -> date:
    return first_sick_day + timedelta(days=7 * (week - 1))


def week_end(first_sick_day: date, week: int) -> date:
    return first_sick_day + timedelta(days=7 * week - 1)


def next_working_day(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def milestones(first_sick_day: date) -> list[Milestone]:
    """Every milestone, in date order."""
    return list(_milestones(first_sick_day))


@lru_cache(maxsize=4096)  # the sweeps ask for the same first days of sickness every minute
def _milestones(first_sick_day: date) -> tuple[Milestone, ...]:
    found = []
    for key, week, actor in MILESTONES:
        if key == "uwv_sick_report":
            due = next_working_day(week_end(first_sick_day, week) + timedelta(days=1))
        elif key == "wia_letter":
            due = week_start(first_sick_day, week)
        else:
            due = week_end(first_sick_day, week)
        found.append(Milestone(key, week, due, actor))
    for number, week in enumerate(range(8 + EVALUATION_EVERY, FINAL_EVALUATION_WEEK, EVALUATION_EVERY), start=1):
        found.append(Milestone("evaluation", week, week_end(first_sick_day, week), "employer", number))
    return tuple(sorted(found, key=lambda milestone: (milestone.due, milestone.week)))


def milestone(first_sick_day: date, key: str) -> Milestone:
    return next(m for m in _milestones(first_sick_day) if m.key == key)


def track2_late(first_sick_day: date, track2_start: date) -> bool:
    """True when Track 2 started after its deadline (6 weeks after the first-year evaluation)."""
    return track2_start > milestone(first_sick_day, "track2_start_deadline").due


def track2_warning(first_sick_day: date, track2_start: date) -> dict | None:
    """{start, deadline} when Track 2 started (or is planned to start) after its deadline, else None."""
    if not track2_late(first_sick_day, track2_start):
        return None
    return {"start": track2_start, "deadline": milestone(first_sick_day, "track2_start_deadline").due}


def still_open(item: Milestone, track2_start: date | None, today: date) -> bool:
    """False for the Track 2 start deadline once Track 2 has started: that obligation is met (or missed)."""
    return not (item.key == "track2_start_deadline" and track2_start is not None and track2_start <= today)


def next_milestone(first_sick_day: date, today: date, track2_start: date | None = None) -> Milestone | None:
    """The first milestone due today or later (skipping the Track 2 start deadline once Track 2 started)."""
    return next((m for m in _milestones(first_sick_day) if m.due >= today and still_open(m, track2_start, today)), None)


def due_within(first_sick_day: date, today: date, days: int) -> list[Milestone]:
    """Milestones due from today up to `days` days ahead."""
    return [m for m in _milestones(first_sick_day) if today <= m.due <= today + timedelta(days=days)]


def employer_deadlines(first_sick_day: date, track2_start: date | None, today: date) -> list[Milestone]:
    """The employer's own obligations (EMPLOYER_REMINDED) that are still open, due today or later."""
    return [
        m
        for m in _milestones(first_sick_day)
        if m.key in EMPLOYER_REMINDED and m.due >= today and still_open(m, track2_start, today)
    ]


def schedule(first_sick_day: date, track2_start: date | None = None) -> list[Milestone]:
    """Every milestone plus, when known, the actual start of Track 2 (key "track2_start"), in date order."""
    found = list(_milestones(first_sick_day))
    if track2_start is not None:
        week = (track2_start - first_sick_day).days // 7 + 1
        found.append(Milestone("track2_start", week, track2_start, "employer"))
    return sorted(found, key=lambda milestone: (milestone.due, milestone.week))
