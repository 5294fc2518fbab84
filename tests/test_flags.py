"""The flag rules one by one, at their boundaries (pure: no database, no Telegram)."""

from datetime import date, timedelta

from bot.rules import flags, plan, timeline
from bot.rules.flags import ClientFacts, PlanFacts, WeekFacts
from bot.rules.schedule import Week

TODAY = date(2026, 11, 20)  # a Friday in ISO week 47
THIS_WEEK = Week.of(TODAY)
SICK = date(2025, 10, 6)  # week 59 today: no poortwachter deadline in the next 4 weeks


def week(ago: int) -> Week:
    return Week.of(THIS_WEEK.monday() - timedelta(weeks=ago))


def a_plan(**values) -> PlanFacts:
    """A plan in good order: two directions looked at a week ago, made two weeks ago."""
    content = plan.normalise(
        {"directions": [{"occupation": "Planner"}, {"occupation": "Inkoper"}]}, TODAY - timedelta(days=7)
    )
    return PlanFacts(**{"content": content, "since": TODAY - timedelta(days=14), **values})


def facts(*weeks: WeekFacts, **values) -> ClientFacts:
    base = {
        "plan": a_plan(),
        "status": "active",
        "phase": "orientation",
        "first_sick_day": SICK,
        "track2_start": date(2026, 6, 1),
        "joined_on": date(2026, 6, 1),
        "last_checkin_on": TODAY,
        "weeks": {w.week: w for w in weeks},
    }
    return ClientFacts(**{**base, **values})


def keys(client: ClientFacts) -> list[str]:
    return [flag.key for flag in flags.flags(client, TODAY)]


def scored(ago: int, energy: int, **values) -> WeekFacts:
    return WeekFacts(week(ago), submitted=True, energy=energy, **values)


def test_a_client_doing_fine_has_no_flags():
    assert keys(facts(scored(0, 6, applications=2), scored(1, 6))) == []


# --- no check-in for 2 weeks ------------------------------------------------------------------------------


def test_no_checkin_from_14_days():
    assert keys(facts(last_checkin_on=TODAY - timedelta(days=13))) == []
    found = flags.no_checkin(facts(last_checkin_on=TODAY - timedelta(days=14)), TODAY)
    assert found.key == "no_checkin" and found.detail["days"] == 14


def test_no_checkin_counts_from_joining_and_from_the_end_of_a_pause():
    never = {"last_checkin_on": None}
    assert keys(facts(joined_on=TODAY - timedelta(days=13), **never)) == []
    assert keys(facts(joined_on=TODAY - timedelta(days=14), **never)) == ["no_checkin"]
    long_ago = {"last_checkin_on": TODAY - timedelta(days=40)}
    assert keys(facts(last_pause_end=TODAY - timedelta(days=13), **long_ago)) == []
    assert keys(facts(last_pause_end=TODAY - timedelta(days=14), **long_ago)) == ["no_checkin"]


def test_no_checkin_is_not_raised_while_paused_or_before_joining():
    assert keys(facts(last_checkin_on=TODAY - timedelta(days=30), paused_now=True)) == []
    assert keys(facts(status="invited", joined_on=None, last_checkin_on=None)) == []


# --- energy -----------------------------------------------------------------------------------------------


def test_energy_3_or_lower():
    assert keys(facts(scored(0, 4))) == []
    found = flags.energy(facts(scored(0, 3)), TODAY)
    assert found.key == "energy" and found.detail == {"energy": 3, "average": None}


def test_energy_3_points_below_its_4_week_average():
    assert keys(facts(scored(2, 7), scored(1, 7), scored(0, 4))) == ["energy"]  # 3.0 below
    assert keys(facts(scored(2, 7), scored(1, 6), scored(0, 4))) == []  # 2.5 below
    assert flags.energy(facts(scored(2, 7), scored(1, 7), scored(0, 4)), TODAY).detail["average"] == 7.0


def test_energy_average_uses_only_the_4_weeks_before_and_needs_two_scores():
    assert keys(facts(scored(1, 8), scored(0, 5))) == []  # one earlier score is not an average
    # week 5 ago is outside the 4 weeks before the latest score: the average is (6 + 6) / 2
    assert keys(facts(scored(5, 10), scored(4, 6), scored(1, 6), scored(0, 4))) == []  # with it: 7.3
    assert keys(facts(scored(4, 8), scored(1, 8), scored(0, 5))) == ["energy"]


def test_an_old_energy_score_says_nothing_about_now():
    assert keys(facts(scored(2, 2))) == ["energy"]  # from the week before last: still fresh
    assert keys(facts(scored(3, 2))) == []


# --- no applications for 3 weeks in active search ---------------------------------------------------------


def quiet_weeks(applications_ago: int | None = None) -> list[WeekFacts]:
    return [WeekFacts(week(n), submitted=True, applications=1 if n == applications_ago else 0) for n in range(4)]


def test_no_applications_for_3_weeks_in_active_search():
    assert keys(facts(*quiet_weeks(), phase="active_search")) == ["no_applications"]
    assert keys(facts(*quiet_weeks(applications_ago=3), phase="active_search")) == []  # one 3 weeks ago
    assert keys(facts(*quiet_weeks(applications_ago=0), phase="active_search")) == []  # one this week
    assert keys(facts(*quiet_weeks(), phase="orientation")) == []


def test_no_applications_only_counts_weeks_in_active_search_and_without_a_pause():
    monday_three_weeks_ago = week(3).monday()
    active = {"phase": "active_search"}
    assert keys(facts(*quiet_weeks(), active_search_since=monday_three_weeks_ago, **active)) == ["no_applications"]
    assert keys(facts(*quiet_weeks(), active_search_since=monday_three_weeks_ago + timedelta(days=1), **active)) == []
    paused = [*quiet_weeks()[:3], WeekFacts(week(3), paused_reason="holiday")]
    assert keys(facts(*paused, **active)) == []
    assert keys(facts(*quiet_weeks(), joined_on=monday_three_weeks_ago + timedelta(days=1), **active)) == []


def test_logged_applications_count_even_without_a_check_in():
    logged = [WeekFacts(week(1), applications=2)]  # from /sollicitatie, no check-in that week
    assert keys(facts(*logged, phase="active_search")) == []


# --- committed step not done 3 weeks running --------------------------------------------------------------


def steps(*results: tuple[int, str]) -> list[WeekFacts]:
    return [WeekFacts(week(ago), submitted=True, step_result=result) for ago, result in results]


def test_step_not_done_three_weeks_running():
    assert keys(facts(*steps((2, "not"), (1, "not"), (0, "not")))) == ["step_not_done"]
    assert keys(facts(*steps((3, "not"), (2, "not"), (1, "not")))) == ["step_not_done"]  # last week counts
    assert keys(facts(*steps((1, "not"), (0, "not")))) == []


def test_step_not_done_must_be_consecutive_recent_and_all_not_done():
    assert keys(facts(*steps((2, "not"), (1, "partly"), (0, "not")))) == []
    assert keys(facts(*steps((4, "not"), (3, "not"), (2, "not")))) == []  # ended two weeks ago
    assert keys(facts(*steps((4, "not"), (2, "not"), (1, "not")))) == []  # a week between
    assert keys(facts(*steps((3, "not"), (2, "not"), (1, "not"), (0, "done")))) == []


# --- unreachable, safety ----------------------------------------------------------------------------------


def test_unreachable():
    assert keys(facts(unreachable=True)) == ["unreachable"]
    assert keys(facts(unreachable=False)) == []


def test_a_safety_alert_the_client_allowed():
    assert keys(facts(safety_alerts=0)) == []
    assert flags.safety(facts(safety_alerts=2)).detail == {"count": 2}


# --- poortwachter deadlines -------------------------------------------------------------------------------


def sick_day_with(key: str, due_in_days: int) -> date:
    """A first day of sickness that puts milestone `key` `due_in_days` days after TODAY."""
    offset = timeline.milestone(SICK, key).due - SICK
    return TODAY + timedelta(days=due_in_days) - offset


def test_a_deadline_within_4_weeks():
    sick = sick_day_with("first_year_evaluation", 28)
    found = flags.deadline(facts(first_sick_day=sick, track2_start=TODAY + timedelta(days=60)), TODAY)
    assert found.detail == {"milestone": "first_year_evaluation", "due": TODAY + timedelta(days=28), "week": 52}
    sick = sick_day_with("first_year_evaluation", 29)
    assert flags.deadline(facts(first_sick_day=sick, track2_start=TODAY + timedelta(days=60)), TODAY) is None


def test_deadlines_skip_evaluations_and_the_track2_deadline_once_track2_started():
    sick = sick_day_with("track2_start_deadline", 10)
    assert keys(facts(first_sick_day=sick, track2_start=TODAY + timedelta(days=5))) == ["deadline"]
    assert keys(facts(first_sick_day=sick, track2_start=TODAY)) == []
    evaluation = next(m for m in timeline.milestones(SICK) if m.key == "evaluation")
    sick = TODAY + timedelta(days=3) - (evaluation.due - SICK)
    assert [m.key for m in timeline.due_within(sick, TODAY, 28)] == ["evaluation"]
    assert keys(facts(first_sick_day=sick, track2_start=TODAY)) == []


def test_a_client_who_has_not_joined_can_only_have_a_deadline():
    sick = sick_day_with("first_year_evaluation", 7)
    invited = facts(status="invited", joined_on=None, last_checkin_on=None, unreachable=True, first_sick_day=sick)
    assert keys(invited) == ["deadline"]


# --- all together -----------------------------------------------------------------------------------------


def test_a_closed_trajectory_has_no_flags():
    assert keys(facts(scored(0, 1), status="closed", unreachable=True, safety_alerts=1)) == []


def test_flags_come_most_urgent_first():
    sick = sick_day_with("first_year_evaluation", 7)
    client = facts(
        *steps((2, "not"), (1, "not")),
        WeekFacts(week(0), submitted=True, energy=2, step_result="not"),
        first_sick_day=sick,
        track2_start=TODAY + timedelta(days=60),
        unreachable=True,
        safety_alerts=1,
        last_checkin_on=TODAY - timedelta(days=20),
    )
    assert keys(client) == ["safety", "unreachable", "energy", "no_checkin", "step_not_done", "deadline"]


def test_no_plan_four_weeks_after_the_start_of_track2():
    assert flags.no_plan(facts(plan=None, track2_start=TODAY - timedelta(days=28)), TODAY) is None
    assert flags.no_plan(facts(plan=None, track2_start=TODAY - timedelta(days=29)), TODAY).detail == {"days": 29}
    assert flags.no_plan(facts(track2_start=TODAY - timedelta(days=90)), TODAY) is None


def test_evaluation_due_six_weeks_after_the_plan_or_the_last_evaluation():
    made = TODAY - timedelta(weeks=6)
    assert flags.evaluation_due(facts(plan=a_plan(since=made)), TODAY) is None
    assert flags.evaluation_due(facts(plan=a_plan(since=made - timedelta(days=1))), TODAY).key == "evaluation_due"
    evaluated = a_plan(since=made - timedelta(days=1), evaluations=((TODAY - timedelta(days=3), False),))
    assert flags.evaluation_due(facts(plan=evaluated), TODAY) is None
    changed = a_plan(since=TODAY - timedelta(days=10), last_phase_change=TODAY - timedelta(days=2))
    assert flags.evaluation_due(facts(plan=changed), TODAY).detail == {"last": None}


def test_narrow_profile_names_the_breadth_warnings():
    one = plan.normalise({"directions": [{"occupation": "Planner"}]}, TODAY)
    found = flags.narrow_profile(facts(plan=a_plan(content=one)), TODAY)
    assert found.detail == {"reasons": ["one_direction"]}
    assert flags.narrow_profile(facts(), TODAY) is None
    assert keys(facts(plan=a_plan(content=one))) == ["narrow_profile"]
