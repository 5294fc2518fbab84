"""Unit tests of the reminder schedule: local prompt times across daylight saving, stages, quiet hours."""

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.rules.schedule import (
    FIRST_NUDGE,
    MISSED,
    PROMPT,
    SECOND_NUDGE,
    Week,
    in_quiet_hours,
    open_week,
    prompt_at,
    quiet_hours_end,
    stage_at,
)

AMS = "Europe/Amsterdam"


def test_prompt_is_at_local_time_in_winter_and_in_summer():
    assert prompt_at(Week(2026, 48), 4, time(10), AMS) == datetime(2026, 11, 27, 9, 0, tzinfo=UTC)  # CET
    assert prompt_at(Week(2027, 22), 4, time(10), AMS) == datetime(2027, 6, 4, 8, 0, tzinfo=UTC)  # CEST


def test_prompt_keeps_its_wall_clock_time_across_the_change_to_summer_time():
    before = prompt_at(Week(2027, 12), 4, time(10), AMS)  # Friday 26 March 2027, CET
    after = prompt_at(Week(2027, 13), 4, time(10), AMS)  # Friday 2 April 2027, CEST (changed on 28 March)
    assert after - before == timedelta(days=7, hours=-1)


def test_prompt_in_another_time_zone():
    assert prompt_at(Week(2026, 48), 0, time(9), "America/Curacao") == datetime(2026, 11, 23, 13, 0, tzinfo=UTC)


def test_stages_follow_the_prompt():
    opened = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    assert stage_at(opened - timedelta(seconds=1), opened) is None
    assert stage_at(opened, opened) == PROMPT
    assert stage_at(opened + timedelta(hours=23, minutes=59), opened) == PROMPT
    assert stage_at(opened + timedelta(hours=24), opened) == FIRST_NUDGE
    assert stage_at(opened + timedelta(hours=72), opened) == SECOND_NUDGE
    assert stage_at(opened + timedelta(days=7), opened) == MISSED


def test_quiet_hours_are_local():
    assert in_quiet_hours(datetime(2026, 11, 27, 20, 0, tzinfo=UTC), AMS)  # 21:00 in Amsterdam
    assert not in_quiet_hours(datetime(2026, 11, 27, 19, 59, tzinfo=UTC), AMS)
    assert in_quiet_hours(datetime(2026, 11, 28, 6, 59, tzinfo=UTC), AMS)  # 07:59
    assert not in_quiet_hours(datetime(2026, 11, 28, 7, 0, tzinfo=UTC), AMS)  # 08:00


def test_quiet_hours_end_is_the_next_eight_oclock():
    evening = datetime(2026, 11, 27, 21, 30, tzinfo=UTC)  # 22:30 local
    assert quiet_hours_end(evening, AMS) == datetime(2026, 11, 28, 7, 0, tzinfo=UTC)
    night = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)  # 03:00 local
    assert quiet_hours_end(night, AMS) == datetime(2026, 11, 28, 7, 0, tzinfo=UTC)
    day = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    assert quiet_hours_end(day, AMS) == day


@given(st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31)))
def test_quiet_hours_end_is_never_in_quiet_hours_and_never_early(naive):
    moment = naive.replace(tzinfo=UTC)
    end = quiet_hours_end(moment, AMS)
    assert end >= moment and not in_quiet_hours(end, AMS)
    assert end - moment <= timedelta(hours=11)


def test_week_arithmetic_across_year_end():
    assert Week.of(date(2027, 1, 1)) == Week(2026, 53)
    assert Week(2027, 1).previous() == Week(2026, 53)
    assert str(Week(2026, 5)) == "2026-W05"


def test_open_week_is_last_week_until_this_weeks_prompt():
    registered = datetime(2026, 11, 1, tzinfo=UTC)
    monday = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # Monday of week 49; the Friday prompt of 48 is still open
    assert open_week(monday, 4, time(10), AMS, registered, lambda week: False) == Week(2026, 48)
    assert open_week(monday, 4, time(10), AMS, registered, lambda week: True) == Week(2026, 49)
    friday = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)  # week 49's prompt: week 48 is over
    assert open_week(friday, 4, time(10), AMS, registered, lambda week: False) == Week(2026, 49)
    late_joiner = datetime(2026, 11, 29, tzinfo=UTC)  # joined after week 48's prompt
    assert open_week(monday, 4, time(10), AMS, late_joiner, lambda week: False) == Week(2026, 49)
