"""The rules of the Track 2 file: poortwachter steps against their legal dates, the BSN elfproef, the monthly
period and when the employee's own view is asked (pure, no database)."""

from datetime import date, timedelta

import pytest

from bot.rules import report, timeline

SICK = date(2025, 10, 6)  # a Monday


def test_a_step_is_done_on_its_recorded_day_else_open_until_its_legal_date_then_overdue():
    due = timeline.milestone(SICK, "action_plan").due
    assert due == date(2025, 11, 30)  # end of sickness week 8
    (_, plan, *_) = report.step_states(SICK, {}, due)
    assert (plan.step, plan.state, plan.done_on) == ("action_plan", report.NOT_YET, None)
    (_, plan, *_) = report.step_states(SICK, {}, date(2025, 12, 1))
    assert plan.state == report.OVERDUE
    (_, plan, *_) = report.step_states(SICK, {"action_plan": date(2025, 12, 3)}, date(2026, 1, 1))
    assert (plan.state, plan.done_on, plan.late) == (report.DONE, date(2025, 12, 3), True)
    (_, plan, *_) = report.step_states(SICK, {"action_plan": date(2025, 11, 20)}, date(2026, 1, 1))
    assert not plan.late


def test_the_five_steps_in_legal_order_the_labour_expert_before_the_first_year_evaluation():
    states = report.step_states(SICK, {}, SICK)
    assert [s.step for s in states] == [
        "problem_analysis", "action_plan", "labour_expert", "first_year_evaluation", "final_evaluation",
    ]  # fmt: skip
    assert [s.due for s in states] == sorted(s.due for s in states)
    assert states[2].due == states[3].due == timeline.milestone(SICK, "first_year_evaluation").due


@pytest.mark.parametrize("text", ["111222333", "123456782", "1112 22 333", "111.222.333", "12345672"])
def test_the_elfproef_accepts_valid_numbers(text):
    assert report.valid_bsn(text) is not None and len(report.valid_bsn(text)) == 9


@pytest.mark.parametrize(
    "text", ["123456789", "111222334", "000000000", "12345", "1234567890", "²23456782", "abcdefghi", "", "-11222333"]
)
def test_the_elfproef_refuses_everything_else(text):
    assert report.valid_bsn(text) is None


def test_an_eight_digit_bsn_gets_its_leading_zero_and_a_chat_shows_only_the_last_three():
    assert report.valid_bsn("12345672") == "012345672"
    assert report.masked_bsn("111222333") == "······333"


def test_months():
    assert report.month_period("2026-11") == (date(2026, 11, 1), date(2026, 11, 30))
    assert report.month_period("2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
    for bad in ("2026-13", "2026-1", "nov", "2026-11-01"):
        with pytest.raises(ValueError):
            report.month_period(bad)
    assert report.previous_month(date(2027, 1, 4)) == (date(2026, 12, 1), date(2026, 12, 31))


def test_the_first_working_day_of_a_month():
    assert report.first_working_day(2026, 11) == date(2026, 11, 2)  # 1 November is a Sunday
    assert report.first_working_day(2026, 12) == date(2026, 12, 1)
    assert report.first_working_day(2027, 1) == date(2027, 1, 4)  # New Year's Day a Friday, then the weekend
    assert report.first_working_day(2026, 8) == date(2026, 8, 3)


def test_the_own_view_is_asked_from_sickness_week_87():
    start_87 = timeline.week_start(SICK, 87)
    assert not report.own_view_due(SICK, start_87 - timedelta(days=1))
    assert report.own_view_due(SICK, start_87)
