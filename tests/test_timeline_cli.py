"""`spoorzoeker timeline`: the poortwachter timeline in the terminal, as a table or as JSON.

The dates are worked out by hand for a first day of sickness on a Sunday just before a year end
(Sunday 28 December 2025: every week of sickness runs Sunday to Saturday).
"""

import json
import subprocess
import sys

import pytest

from bot import cli

FIRST = "2025-12-28"
TODAY = "2026-06-01"  # the first day of sickness is checked against "today": a fixed one keeps the tests true


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(["timeline", "--first-sick-day", FIRST, "--today", TODAY, *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_lists_every_milestone_with_hand_checked_dates(capsys):
    code, out, err = _run(capsys, "--json")
    assert code == 0 and err == ""
    items = json.loads(out)
    assert all(set(item) == {"key", "week", "due", "title"} for item in items)
    by_key = {item["key"]: item for item in items if item["key"] != "evaluation"}
    assert by_key["problem_analysis"] == {
        "key": "problem_analysis", "week": 6, "due": "2026-02-07", "title": "Probleemanalyse door de bedrijfsarts",
    }  # fmt: skip
    assert by_key["action_plan"]["due"] == "2026-02-21"  # Saturday, end of week 8
    # week 42 ends Saturday 17 October 2026; the first working day after it is Monday 19 October
    assert (by_key["uwv_sick_report"]["week"], by_key["uwv_sick_report"]["due"]) == (42, "2026-10-19")
    assert by_key["first_year_evaluation"]["due"] == "2026-12-26"
    assert by_key["track2_start_deadline"]["due"] == "2027-02-06"
    assert by_key["wia_letter"]["due"] == "2027-08-29"  # the Sunday that starts week 88
    assert by_key["final_evaluation"]["due"] == "2027-09-25"
    assert by_key["wia_application_deadline"]["due"] == "2027-10-09"
    assert (by_key["wage_continuation_end"]["week"], by_key["wage_continuation_end"]["due"]) == (104, "2027-12-25")
    evaluations = [item for item in items if item["key"] == "evaluation"]
    assert [e["week"] for e in evaluations][:3] == [14, 20, 26]
    assert evaluations[0]["title"] == "Evaluatie 1 van het plan van aanpak"
    assert [item["due"] for item in items] == sorted(item["due"] for item in items)


def test_the_table_is_dutch_by_default_and_english_on_request(capsys):
    code, out, _ = _run(capsys)
    assert code == 0
    assert "Poortwachter-tijdlijn vanaf de eerste ziektedag 28-12-2025" in out
    assert "  42  19-10-2026  Ziekmelding bij UWV (42e-weeksmelding)" in out
    assert "<b>" not in out and "Let op" not in out
    code, out, _ = _run(capsys, "--language", "en")
    assert "  52  26-12-2026  First-year evaluation" in out


def test_a_track2_start_after_its_deadline_prints_a_plain_warning(capsys):
    code, out, _ = _run(capsys, "--track2-start", "2027-02-06")  # on the deadline itself: in time
    assert code == 0 and "Let op" not in out
    assert "  58  06-02-2027  Start van spoor 2" in out
    code, out, _ = _run(capsys, "--track2-start", "2027-02-07")
    assert "  59  07-02-2027  Start van spoor 2 ⚠️" in out
    assert "spoor 2 is gestart op 07-02-2027, na de uiterste datum 06-02-2027" in out
    code, out, err = _run(capsys, "--track2-start", "2027-02-07", "--json")
    assert {"key": "track2_start", "week": 59, "due": "2027-02-07", "title": "Start van spoor 2"} in json.loads(out)
    assert "na de uiterste datum 06-02-2027" in err  # the warning stays out of the JSON


def test_bad_dates_are_refused(capsys):
    code, _, err = _run(capsys, "--track2-start", "2025-12-01")
    assert code == 2 and "before the first day" in err
    assert cli.main(["timeline", "--first-sick-day", "28-12-2025"]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("first_sick_day", "said"),
    [
        ("2025-02-30", "--first-sick-day 2025-02-30 does not exist: February 2025 has 28 days"),
        ("2024-02-30", "--first-sick-day 2024-02-30 does not exist: February 2024 has 29 days"),
        ("2025-13-01", "--first-sick-day 2025-13-01 does not exist: there is no month 13"),
        ("28-12-2025", "--first-sick-day '28-12-2025' is not written YYYY-MM-DD, e.g. 2026-03-15"),
        ("2026-06-02", "--first-sick-day 2026-06-02 is in the future (today is 2026-06-01)"),
        ("1996-06-01", "--first-sick-day 1996-06-01 is more than 156 weeks ago (before 2023-06-05)"),
    ],
)
def test_a_first_day_that_does_not_exist_or_cannot_be_right_gets_one_clear_line(capsys, first_sick_day, said):
    assert cli.main(["timeline", "--first-sick-day", first_sick_day, "--today", TODAY]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and err.startswith(f"spoorzoeker: {said}")


def test_the_oldest_and_the_newest_first_day_still_work(capsys):
    for first_sick_day in ("2023-06-05", TODAY):
        assert cli.main(["timeline", "--first-sick-day", first_sick_day, "--today", TODAY, "--json"]) == 0
    assert capsys.readouterr().err == ""


def test_the_installed_command_prints_json():
    done = subprocess.run(
        [sys.executable, "-m", "bot", "timeline", "--first-sick-day", FIRST, "--today", TODAY, "--json", "--language",
         "en"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert json.loads(done.stdout)[0] == {
        "key": "problem_analysis", "week": 6, "due": "2026-02-07",
        "title": "Problem analysis by the occupational physician",
    }  # fmt: skip
