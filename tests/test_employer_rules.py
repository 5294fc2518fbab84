"""Pure rules of the employer features: when a deadline reminder is due, which month a summary covers, work
trial runs, the ISO weeks of a month, and the timeline helpers the employer and the coach's digest share.
Dates worked out by hand on a calendar."""

from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from bot.outgoing.employer_notices import monthly_due, reminder_stage, work_trial_starts
from bot.rules import privacy, timeline
from bot.rules.schedule import Week
from bot.views.employer_view import counts, weeks_of_month

AMS = "Europe/Amsterdam"


def at(moment: str) -> datetime:
    return datetime.fromisoformat(moment).replace(tzinfo=ZoneInfo(AMS))


def test_a_deadline_is_reminded_two_weeks_before_and_on_the_day_at_nine():
    due = date(2026, 12, 21)  # a Monday; two weeks before is Monday 7 December
    assert reminder_stage(due, at("2026-12-07 08:59"), AMS) is None
    assert reminder_stage(due, at("2026-12-07 09:00"), AMS) == "soon"
    assert reminder_stage(due, at("2026-12-21 08:59"), AMS) == "soon"
    assert reminder_stage(due, at("2026-12-21 09:00"), AMS) == "due"
    assert reminder_stage(due, at("2026-12-21 23:59"), AMS) == "due"
    assert reminder_stage(due, at("2026-12-22 00:00"), AMS) is None  # a date that passed gets nothing


def test_a_reminder_day_on_a_weekend_moves_to_the_friday_before():
    due = date(2027, 1, 3)  # a Sunday; two weeks before is Sunday 20 December
    assert reminder_stage(due, at("2026-12-18 08:59"), AMS) is None
    assert reminder_stage(due, at("2026-12-18 09:00"), AMS) == "soon"  # Friday 18 December
    assert reminder_stage(due, at("2027-01-01 09:00"), AMS) == "due"  # Friday 1 January
    assert reminder_stage(due, at("2027-01-03 20:00"), AMS) == "due"


def test_the_monthly_summary_is_due_on_the_first_working_day_for_a_week():
    assert monthly_due(at("2026-12-01 08:59"), AMS) is None  # Tuesday 1 December is a working day
    assert monthly_due(at("2026-12-01 09:00"), AMS) == date(2026, 11, 1)
    assert monthly_due(at("2026-12-08 08:59"), AMS) == date(2026, 11, 1)
    assert monthly_due(at("2026-12-08 09:00"), AMS) is None
    assert monthly_due(at("2026-08-01 10:00"), AMS) is None  # 1 August 2026 is a Saturday
    assert monthly_due(at("2026-08-03 09:00"), AMS) == date(2026, 7, 1)  # Monday 3 August
    assert monthly_due(at("2027-01-01 09:00"), AMS) == date(2026, 12, 1)  # across the year end


def test_the_weeks_of_a_month_are_those_whose_thursday_falls_in_it():
    november = [(w.year, w.week) for w in weeks_of_month(date(2026, 11, 1))]
    assert november == [(2026, 45), (2026, 46), (2026, 47), (2026, 48)]
    # December 2026: Thursdays 3, 10, 17, 24 and 31 December -> weeks 49 to 53 (2026 has 53 ISO weeks)
    assert [w.week for w in weeks_of_month(date(2026, 12, 1))] == [49, 50, 51, 52, 53]
    assert [(w.year, w.week) for w in weeks_of_month(date(2027, 1, 1))][0] == (2027, 1)  # Thursday 7 January


def _checkin(year, week, activities, submitted=True, paused_reason=None):
    return SimpleNamespace(
        id=week, iso_year=year, iso_week=week, activities=activities, applications=1, interviews=0, networking=2,
        submitted_at=datetime(2026, 1, 1) if submitted else None, missed_at=None, paused_reason=paused_reason,
        energy=3, note="x",
    )  # fmt: skip


def test_a_work_trial_is_news_in_the_first_week_of_each_run_even_across_a_year_end():
    rows = [
        _checkin(2026, 52, ["work_trial"]),
        _checkin(2026, 53, ["work_trial", "course"]),
        _checkin(2027, 1, ["work_trial"]),
        _checkin(2027, 2, []),
        _checkin(2027, 3, ["work_trial"]),
        _checkin(2027, 4, ["work_trial"], submitted=False),
    ]
    assert [(c.iso_year, c.iso_week) for c in work_trial_starts(rows, Week(2026, 51))] == [(2026, 52), (2027, 3)]
    # the oldest week read is context only: a run going on since then did not start in the week after it
    assert [(c.iso_year, c.iso_week) for c in work_trial_starts(rows, Week(2026, 52))] == [(2027, 3)]


def test_counts_come_from_the_employer_view_and_say_that_a_week_was_paused_never_why():
    rows = [
        _checkin(2026, 45, ["course", "work_trial"]),
        _checkin(2026, 46, None, submitted=False, paused_reason="treatment"),
        _checkin(2026, 47, ["workshop"]),
    ]
    views = [privacy.view(privacy.EMPLOYER, "checkin", row) for row in rows]
    assert all("energy" not in v and "note" not in v and "paused_reason" not in v for v in views)
    weeks = [Week(2026, 44), Week(2026, 45), Week(2026, 46), Week(2026, 47), Week(2026, 48)]
    found = counts(views, weeks)
    assert found["applications"] == 2 and found["networking"] == 4 and found["activities"] == 3
    assert (found["checkins"], found["paused"], found["weeks"], found["work_trial_weeks"]) == (2, 1, 5, 1)
    # "x of y weeks": not weeks 44 and 48, without a check-in, a miss or a pause (before joining, or still open)
    assert found["due_weeks"] == 3


def test_timeline_helpers_for_the_employer_and_the_digest():
    first = date(2025, 1, 6)  # Monday: Track 2 deadline Sunday 15 February 2026
    assert timeline.track2_warning(first, date(2026, 2, 15)) is None
    late = {"start": date(2026, 2, 16), "deadline": date(2026, 2, 15)}
    assert timeline.track2_warning(first, date(2026, 2, 16)) == late
    # once Track 2 has started, its start deadline is no longer an open obligation
    assert timeline.next_milestone(first, date(2026, 2, 9), date(2026, 3, 1)).key == "track2_start_deadline"
    assert timeline.next_milestone(first, date(2026, 2, 9), date(2026, 2, 1)).key == "evaluation"
    keys = [m.key for m in timeline.employer_deadlines(first, None, date(2025, 10, 1))]
    assert keys == list(timeline.EMPLOYER_REMINDED)
    start = [m for m in timeline.schedule(first, date(2026, 1, 12)) if m.key == "track2_start"]
    assert [(m.week, m.due) for m in start] == [(54, date(2026, 1, 12))]  # day 372 of sickness: week 54
