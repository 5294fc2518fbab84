"""The poortwachter timeline, checked against dates worked out by hand on a calendar."""

from datetime import date

from bot.rules.timeline import due_within, milestone, milestones, next_milestone, track2_late


def _due(first, key):
    return milestone(first, key).due


def test_a_monday_first_day():
    first = date(2025, 1, 6)  # Monday; week 1 = 6-12 January 2025
    assert _due(first, "problem_analysis") == date(2025, 2, 16)  # end of week 6 (Sunday)
    assert _due(first, "action_plan") == date(2025, 3, 2)  # end of week 8
    assert _due(first, "uwv_sick_report") == date(2025, 10, 27)  # week 42 ends Sun 26 Oct -> Monday 27 Oct
    assert _due(first, "first_year_evaluation") == date(2026, 1, 4)  # end of week 52
    assert _due(first, "track2_start_deadline") == date(2026, 2, 15)  # 6 weeks later
    assert _due(first, "wia_letter") == date(2026, 9, 7)  # start of week 88
    assert _due(first, "final_evaluation") == date(2026, 10, 4)  # end of week 91
    assert _due(first, "wia_application_deadline") == date(2026, 10, 18)  # end of week 93
    assert _due(first, "wage_continuation_end") == date(2027, 1, 3)  # end of week 104


def test_a_first_day_on_a_saturday():
    first = date(2025, 3, 15)  # Saturday; every week runs Saturday to Friday
    assert _due(first, "problem_analysis") == date(2025, 4, 25)  # Friday
    # week 42 ends Friday 2 January 2026; the next day is a Saturday, so the sick report is due Monday 5 January
    assert _due(first, "uwv_sick_report") == date(2026, 1, 5)
    assert _due(first, "first_year_evaluation") == date(2026, 3, 13)
    assert _due(first, "wage_continuation_end") == date(2027, 3, 12)


def test_across_a_year_end():
    first = date(2025, 12, 29)  # Monday in ISO week 1 of 2026
    assert _due(first, "problem_analysis") == date(2026, 2, 8)
    assert _due(first, "action_plan") == date(2026, 2, 22)
    assert _due(first, "uwv_sick_report") == date(2026, 10, 19)  # week 42 ends Sun 18 Oct
    assert _due(first, "first_year_evaluation") == date(2026, 12, 27)
    assert _due(first, "wia_application_deadline") == date(2027, 10, 10)


def test_evaluations_every_six_weeks_after_the_plan_of_action():
    first = date(2025, 1, 6)
    weeks = [m.week for m in milestones(first) if m.key == "evaluation"]
    assert weeks == [14, 20, 26, 32, 38, 44, 50, 56, 62, 68, 74, 80, 86]
    dues = [m.due for m in milestones(first)]
    assert dues == sorted(dues)


def test_track2_started_late_is_flagged():
    first = date(2025, 1, 6)
    assert not track2_late(first, date(2026, 2, 15))
    assert track2_late(first, date(2026, 2, 16))


def test_next_and_upcoming():
    first = date(2025, 1, 6)
    assert next_milestone(first, date(2025, 10, 20)).key == "uwv_sick_report"
    assert [m.key for m in due_within(first, date(2025, 12, 20), 28)] == ["evaluation", "first_year_evaluation"]
    assert next_milestone(first, date(2027, 1, 4)) is None
