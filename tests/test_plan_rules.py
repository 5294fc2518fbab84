"""The plan rules of `bot/rules/plan.py` on their own (pure: no chat, no database): `normalise` and its error
paths, the breadth warnings and the evaluation check at their boundaries, the weeks worked on an activity and
the quick picks of occupations."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from bot.rules import plan
from bot.rules.plan import BreadthWarning, PlanError

TODAY = date(2026, 11, 20)


def direction(occupation: str, added_on: str = "2026-10-01", **fields) -> dict:
    return {"occupation": occupation, "added_on": added_on, **fields}


def content(*directions: dict, own_role: str | None = "Verkoopmedewerker", **top) -> dict:
    return plan.normalise({"profile": {"own_role": own_role}, "directions": list(directions), **top}, TODAY)


def reasons(warnings: list[BreadthWarning]) -> list[str]:
    return [w.reason for w in warnings]


# -- normalise ----------------------------------------------------------------------------------------------------


def test_an_empty_plan_gets_every_part():
    assert plan.normalise({}, TODAY) == plan.empty()
    assert plan.normalise(None, TODAY) == plan.empty()


def test_normalise_cleans_text_and_gives_ids():
    cleaned = plan.normalise(
        {
            "profile": {"own_role": "  Verkoop\tmedewerker  ", "skills": [" kassa ", 12], "hours": " 24 ",
                        "experience": [{"role": "Kassière", "years": "3"}], "region": "   "},
            "capacity": {"fml_date": date(2026, 9, 14), "text": "Niet\n tillen"},
            "directions": [{"occupation": "Receptionist", "id": "d3"}, {"occupation": "Klantenservice"},
                           {"occupation": "Magazijn", "added_on": "2026-10-01"}],
            "activities": [{"kind": "course", "start": "2026-10-01"}, {"kind": "other", "id": "a7"}],
            "track1": True,
        },
        TODAY,
    )  # fmt: skip
    profile = cleaned["profile"]
    assert profile["own_role"] == "Verkoop medewerker" and profile["region"] is None
    assert profile["skills"] == ["kassa", "12"] and profile["hours"] == 24
    assert profile["experience"] == [{"role": "Kassière", "sector": None, "years": 3}]
    assert cleaned["capacity"] == {"fml_date": "2026-09-14", "text": "Niet tillen"}
    assert [d["id"] for d in cleaned["directions"]] == ["d3", "d4", "d5"]  # after the highest id given
    first = cleaned["directions"][0]
    assert first["added_on"] == first["reviewed_on"] == TODAY.isoformat()  # no date: today, reviewed when added
    assert cleaned["directions"][2]["reviewed_on"] == "2026-10-01"
    assert [(a["id"], a["status"]) for a in cleaned["activities"]] == [("a8", "planned"), ("a7", "planned")]
    assert cleaned["track1"] is True
    assert plan.normalise(cleaned, TODAY) == cleaned  # cleaning a clean plan changes nothing


def test_next_id():
    assert plan.next_id([], "d") == "d1"
    assert plan.next_id([{"id": "d2"}, {"id": "d9"}, {"id": None}], "d") == "d10"


ERRORS = [
    # (content, path, reason)
    ([], "", "plan_not_mapping"),
    ({"plan": {}}, "plan", "plan_unknown_field"),
    ({"profile": {"own_role": "x", "colour": "blue"}}, "profile.colour", "plan_unknown_field"),
    ({"profile": {1: "x"}}, "profile.1", "plan_unknown_field"),  # a YAML number as a key: no crash
    ({"profile": "Verkoper"}, "profile", "plan_not_mapping"),
    ({"profile": {"own_role": ["a"]}}, "profile.own_role", "plan_not_text"),
    ({"profile": {"own_role": True}}, "profile.own_role", "plan_not_text"),
    ({"profile": {"own_role": "x" * 161}}, "profile.own_role", "plan_too_long"),
    ({"profile": {"ambitions": "x" * 1001}}, "profile.ambitions", "plan_too_long"),
    ({"profile": {"experience": "Verkoper"}}, "profile.experience", "plan_not_list"),
    ({"profile": {"experience": [{"years": 2}]}}, "profile.experience[0].role", "plan_required"),
    ({"profile": {"experience": [{"role": "x", "years": 61}]}}, "profile.experience[0].years", "plan_out_of_range"),
    ({"profile": {"experience": [{"role": "x", "since": 1}]}}, "profile.experience[0].since", "plan_unknown_field"),
    ({"profile": {"skills": "kassa"}}, "profile.skills", "plan_not_list"),
    ({"profile": {"skills": ["kassa", " "]}}, "profile.skills[1]", "plan_required"),
    ({"profile": {"education": [None]}}, "profile.education[0]", "plan_required"),
    ({"profile": {"hours": "veertig"}}, "profile.hours", "plan_not_number"),
    ({"profile": {"hours": "2²"}}, "profile.hours", "plan_not_number"),
    ({"profile": {"hours": 24.5}}, "profile.hours", "plan_not_number"),
    ({"profile": {"hours": True}}, "profile.hours", "plan_not_number"),
    ({"profile": {"hours": 61}}, "profile.hours", "plan_out_of_range"),
    ({"profile": {"hours": -1}}, "profile.hours", "plan_out_of_range"),
    ({"profile": {"travel_minutes": 241}}, "profile.travel_minutes", "plan_out_of_range"),
    ({"capacity": {"fml_date": "14-09-2026"}}, "capacity.fml_date", "plan_not_date"),
    ({"capacity": {"fml_date": "2026-02-30"}}, "capacity.fml_date", "plan_not_date"),
    ({"capacity": {"fml_date": datetime(2026, 9, 14, 10, 0)}}, "capacity.fml_date", "plan_not_date"),
    ({"capacity": {"fml_date": "2026-11-21"}}, "capacity.fml_date", "plan_date_in_future"),
    ({"capacity": {"note": "x"}}, "capacity.note", "plan_unknown_field"),
    ({"directions": {"occupation": "x"}}, "directions", "plan_not_list"),
    ({"directions": ["Receptionist"]}, "directions[0]", "plan_not_mapping"),
    ({"directions": [{"sector": "Zorg"}]}, "directions[0].occupation", "plan_required"),
    ({"directions": [{"occupation": "x", "hours": 70}]}, "directions[0].hours", "plan_out_of_range"),
    ({"directions": [{"occupation": "x", "level": "master"}]}, "directions[0].level", "plan_not_a_choice"),
    ({"directions": [{"occupation": "x", "added_on": "gisteren"}]}, "directions[0].added_on", "plan_not_date"),
    ({"directions": [{"occupation": "x", "reviewed_on": 20261001}]}, "directions[0].reviewed_on", "plan_not_date"),
    ({"directions": [{"occupation": "x", "id": "a1"}]}, "directions[0].id", "plan_bad_id"),
    ({"directions": [{"occupation": "x", "id": 1}]}, "directions[0].id", "plan_bad_id"),
    ({"directions": [{"occupation": "x", "id": "d1"}, {"occupation": "y", "id": "d1"}]}, "directions[1].id",
     "plan_duplicate_id"),
    ({"directions": [{"occupation": f"x{n}"} for n in range(6)]}, "directions", "plan_too_many_directions"),
    ({"activities": [{"provider": "x"}]}, "activities[0].kind", "plan_not_a_choice"),
    ({"activities": [{"kind": "course", "status": "busy"}]}, "activities[0].status", "plan_not_a_choice"),
    ({"activities": [{"kind": "course", "start": "2026-10-02", "end": "2026-10-01"}]}, "activities[0].end",
     "plan_end_before_start"),
    ({"activities": [{"kind": "course", "id": "d1"}]}, "activities[0].id", "plan_bad_id"),
    ({"activities": [{"kind": "course", "where": "x"}]}, "activities[0].where", "plan_unknown_field"),
    ({"track1": "ja"}, "track1", "plan_not_yes_no"),
    ({"track1": None}, "track1", "plan_not_yes_no"),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "path", "reason"), ERRORS, ids=[f"{e[1] or 'top'}-{e[2]}" for e in ERRORS])
def test_every_error_says_where_and_why(raw, path, reason):
    with pytest.raises(PlanError) as caught:
        plan.normalise(raw, TODAY)
    assert (caught.value.path, caught.value.reason) == (path, reason)


def test_the_limits_themselves_are_allowed():
    cleaned = content(
        *(direction(f"Beroep {n}", hours=60 if n else 0) for n in range(plan.MAX_DIRECTIONS)),
        capacity={"fml_date": TODAY.isoformat()},
        activities=[{"kind": "course", "start": "2026-10-01", "end": "2026-10-01"}],
    )
    assert len(cleaned["directions"]) == 5 and cleaned["directions"][0]["hours"] == 0
    assert (
        plan.normalise({"profile": {"own_role": "x" * 160, "travel_minutes": "240"}}, TODAY)["profile"][
            "travel_minutes"
        ]
        == 240
    )


def test_the_details_of_an_error_name_the_limits():
    with pytest.raises(PlanError) as caught:
        plan.normalise({"directions": [{"occupation": "x", "hours": 70}]}, TODAY)
    assert caught.value.details == {"low": 0, "high": 60}
    assert str(caught.value) == "directions[0].hours: plan_out_of_range"


# -- breadth ------------------------------------------------------------------------------------------------------


def test_no_and_one_direction_are_too_narrow_two_are_not():
    assert reasons(plan.breadth_warnings(content(), TODAY)) == ["no_direction"]
    assert reasons(plan.breadth_warnings(content(direction("Receptionist")), TODAY)) == ["one_direction"]
    assert plan.breadth_warnings(content(direction("Receptionist"), direction("Klantenservice")), TODAY) == []


def test_only_the_old_occupation_is_warned_case_and_spaces_do_not_matter():
    old = content(direction("verkoop   MEDEWERKER"), direction(" Verkoop Medewerker "), own_role="Verkoop medewerker")
    assert reasons(plan.breadth_warnings(old, TODAY)) == ["old_occupation"]
    mixed = content(direction("Verkoopmedewerker"), direction("Receptionist"))
    assert plan.breadth_warnings(mixed, TODAY) == []
    no_role = content(direction("Verkoopmedewerker"), direction("Verkoopmedewerker"), own_role=None)
    assert plan.breadth_warnings(no_role, TODAY) == []  # no own role known: nothing to compare with
    one_old = content(direction("VERKOOPMEDEWERKER"))
    assert reasons(plan.breadth_warnings(one_old, TODAY)) == ["one_direction", "old_occupation"]


@pytest.mark.parametrize(
    ("today", "reviewed_on", "warned"),
    [
        (date(2026, 11, 20), "2026-08-20", False),  # exactly three calendar months
        (date(2026, 11, 20), "2026-08-19", True),  # one day more
        (date(2026, 5, 31), "2026-02-28", False),  # 31 May: three months back is the last day of February
        (date(2026, 5, 31), "2026-02-27", True),
        (date(2028, 5, 31), "2028-02-29", False),  # a leap year
        (date(2028, 5, 31), "2028-02-28", True),
        (date(2027, 1, 15), "2026-10-15", False),  # across a year end
        (date(2027, 1, 15), "2026-10-14", True),
    ],
)
def test_not_reviewed_for_more_than_three_months(today, reviewed_on, warned):
    both = [direction("Receptionist", "2026-01-01", reviewed_on=reviewed_on), direction("Klantenservice", "2026-01-01",
            reviewed_on=reviewed_on)]  # fmt: skip
    cleaned = plan.normalise({"directions": both}, today)
    assert ("not_reviewed" in reasons(plan.breadth_warnings(cleaned, today))) is warned


def test_an_evaluation_that_reviewed_the_directions_counts_one_that_did_not_does_not():
    cleaned = content(direction("Receptionist", reviewed_on="2026-06-01"), direction("Klantenservice",
                      reviewed_on="2026-06-01"))  # fmt: skip
    assert reasons(plan.breadth_warnings(cleaned, TODAY)) == ["not_reviewed"]
    assert reasons(plan.breadth_warnings(cleaned, TODAY, evaluations=[(date(2026, 10, 1), False)])) == ["not_reviewed"]
    assert plan.breadth_warnings(cleaned, TODAY, evaluations=[(date(2026, 10, 1), True)]) == []
    assert plan.last_review(cleaned, [(date(2026, 10, 1), True), (date(2026, 11, 1), False)]) == date(2026, 10, 1)
    assert plan.last_review(plan.empty(), []) is None


@pytest.mark.parametrize(
    ("months", "day", "expected"),
    [
        (3, date(2026, 5, 31), date(2026, 2, 28)),
        (3, date(2028, 5, 31), date(2028, 2, 29)),
        (1, date(2026, 3, 31), date(2026, 2, 28)),
        (3, date(2026, 1, 31), date(2025, 10, 31)),
        (12, date(2028, 2, 29), date(2027, 2, 28)),
        (0, date(2026, 7, 15), date(2026, 7, 15)),
    ],
)
def test_months_before(months, day, expected):
    assert plan.months_before(day, months) == expected


def searching(today: date, since: date, applications=(), added_on: str = "2026-01-01") -> list[BreadthWarning]:
    both = plan.normalise(
        {"directions": [direction("Receptionist", added_on, id="d1", reviewed_on=today.isoformat()),
                        direction("Klantenservice", added_on, id="d2", reviewed_on=today.isoformat())]},
        today,
    )  # fmt: skip
    return plan.breadth_warnings(both, today, active_search_since=since, applications=list(applications))


def test_six_weeks_of_active_search_without_an_application():
    since = date(2026, 10, 1)
    assert searching(since + timedelta(days=41), since) == []
    assert searching(since + timedelta(days=42), since) == [
        BreadthWarning("no_applications", "Receptionist"), BreadthWarning("no_applications", "Klantenservice")
    ]  # fmt: skip
    assert searching(since + timedelta(days=42), None) == []  # not in active search: no such warning


def test_an_application_in_the_last_six_weeks_counts_for_its_own_direction_only():
    today = date(2026, 11, 20)
    since = date(2026, 9, 1)
    recent = [("d1", today - timedelta(days=41))]
    assert searching(today, since, recent) == [BreadthWarning("no_applications", "Klantenservice")]
    too_old = [("d1", today - timedelta(days=42)), ("d2", today - timedelta(days=42))]
    assert len(searching(today, since, too_old)) == 2
    without_direction = [(None, today)]
    assert len(searching(today, since, without_direction)) == 2


def test_a_direction_added_later_counts_from_the_day_it_was_added():
    since = date(2026, 9, 1)
    added = date(2026, 10, 10)
    assert searching(added + timedelta(days=41), since, added_on=added.isoformat()) == []
    assert len(searching(added + timedelta(days=42), since, added_on=added.isoformat())) == 2


# -- evaluations --------------------------------------------------------------------------------------------------


def due(today: date, plan_since=date(2026, 10, 1), last_evaluation=None, last_phase_change=None) -> bool:
    return plan.evaluation_due(
        today, plan_since=plan_since, last_evaluation=last_evaluation, last_phase_change=last_phase_change
    )


def test_an_evaluation_is_due_after_more_than_six_weeks():
    made = date(2026, 10, 1)
    assert not due(made + timedelta(days=42))  # before the first evaluation: counted from the plan
    assert due(made + timedelta(days=43))
    held = date(2026, 11, 1)
    assert not due(held + timedelta(days=42), last_evaluation=held)
    assert due(held + timedelta(days=43), last_evaluation=held)


def test_a_phase_change_after_the_last_evaluation_makes_one_due():
    held = date(2026, 11, 1)
    assert due(date(2026, 11, 5), last_evaluation=held, last_phase_change=date(2026, 11, 2))
    assert not due(date(2026, 11, 5), last_evaluation=held, last_phase_change=held)  # the same day: not due
    assert not due(date(2026, 11, 5), last_evaluation=held, last_phase_change=date(2026, 10, 1))
    assert due(date(2026, 10, 5), last_phase_change=date(2026, 10, 2))  # no evaluation yet: after the plan


def test_without_a_plan_no_evaluation_is_due():
    assert not due(date(2027, 6, 1), plan_since=None, last_phase_change=date(2027, 5, 1))


# -- activities, occupations --------------------------------------------------------------------------------------


def test_weeks_worked_on_counts_the_weeks_of_its_kind_within_its_dates():
    course = {"kind": "course", "start": "2026-10-07", "end": "2026-10-28", "status": "running"}
    weeks = [
        (date(2026, 9, 28), ["course"], 0),  # the week before the start week: too early
        (date(2026, 10, 5), ["course"], 0),  # the week of the start (Wednesday 7 October)
        (date(2026, 10, 12), ["workshop"], 0),  # another kind
        (date(2026, 10, 19), ["course", "workshop"], 3),
        (date(2026, 10, 26), ["course"], 0),  # the week of the end
        (date(2026, 11, 2), ["course"], 0),  # after the end
    ]
    assert plan.weeks_worked_on(course, weeks, TODAY) == 3
    training = {**course, "kind": "application_training"}
    assert plan.weeks_worked_on(training, weeks, TODAY) == 2  # a workshop counts as application training
    networking = {"kind": "networking", "start": None, "end": None, "status": "running"}
    assert plan.weeks_worked_on(networking, weeks, TODAY) == 1  # a week with contacts, without dates: any time
    assert plan.weeks_worked_on({**networking, "start": "2026-11-01"}, weeks, date(2026, 10, 1)) == 0
    unknown = [(date(2026, 10, 19), ["knitting"], 0)]
    assert plan.weeks_worked_on({**course, "kind": "other"}, unknown, TODAY) == 0


def test_running_activities():
    cleaned = content(activities=[{"kind": "course", "status": "running"}, {"kind": "course", "status": "done"},
                                  {"kind": "networking", "status": "running"}])  # fmt: skip
    assert [a["id"] for a in plan.running(cleaned)] == ["a1", "a3"]
    assert [a["id"] for a in plan.running(cleaned, "course")] == ["a1"]
    assert plan.activity(cleaned, "a2")["status"] == "done" and plan.activity(cleaned, "a9") is None


def test_occupations_are_the_own_role_first_each_once():
    cleaned = plan.normalise(
        {"profile": {"own_role": "Verkoopmedewerker", "experience": [
            {"role": "verkoopmedewerker "}, {"role": "Kassière"}, {"role": "KASSIÈRE"}, {"role": "Magazijn"}]}},
        TODAY,
    )  # fmt: skip
    assert plan.occupations(cleaned) == ["Verkoopmedewerker", "Kassière", "Magazijn"]
    assert plan.occupations(plan.empty()) == []
    only_experience = plan.normalise({"profile": {"experience": [{"role": "Chauffeur"}]}}, TODAY)
    assert plan.occupations(only_experience) == ["Chauffeur"]
    assert plan.direction(content(direction("Receptionist")), "d1")["occupation"] == "Receptionist"
    assert plan.direction(plan.empty(), None) is None


def test_active_search_counts_from_the_recorded_change_or_else_from_the_start_of_track_2():
    recorded, start = date(2026, 10, 1), date(2026, 3, 2)
    assert plan.searching_since("active_search", recorded, start) == recorded
    assert plan.searching_since("active_search", None, start) == start
    assert plan.searching_since("orientation", recorded, start) is None
