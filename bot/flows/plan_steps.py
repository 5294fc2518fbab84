"""The input steps of the coach's /plan flow as a table: each step names the field of the working draft it fills,
the kind of input it takes and the step that follows. `bot.flows.plan` runs the table; a step whose `next` is
a finisher name ("save_profile"...) ends a change there."""

from __future__ import annotations

from dataclasses import dataclass

from bot.rules import plan as rules

# input kinds
TEXT = "text"  # one line, required
LONG = "long"  # free text, required
OPTIONAL = "optional"  # one line or Overslaan
OPTIONAL_LONG = "optional_long"  # free text or Overslaan
LIST = "list"  # comma separated texts or Overslaan
NUMBER = "number"  # a whole number within bounds, quick buttons or typed
DATE = "date"  # Vandaag or typed dd-mm-jjjj
OPTIONAL_DATE = "optional_date"  # typed or Overslaan
CHOICE = "choice"  # one button of `choices`
TOGGLES = "toggles"  # several buttons of `choices`, then Klaar

BUTTONS_ONLY = (CHOICE, TOGGLES)
SKIPPABLE = (OPTIONAL, OPTIONAL_LONG, LIST, OPTIONAL_DATE)
MAX_JOBS = 6  # earlier jobs in the person profile
PARTICIPANTS = ("employee", "coach", "employer", "physician", "expert", "other")
# steps of the person profile that offer "Zo laten" when the current plan already has a value
KEEPABLE = ("own_role", "job_role", "education", "skills", "hours", "region", "travel", "work_kind", "ambitions")


@dataclass(frozen=True)
class Step:
    field: str
    kind: str
    next: str
    bounds: tuple[int, int] = (0, 0)
    quick: tuple[int, ...] = ()
    choices: tuple[str, ...] = ()
    no_future: bool = False  # a date that cannot lie ahead (the FML, an evaluation)


STEPS: dict[str, Step] = {
    # person profile (change "profile")
    "own_role": Step("own_role", TEXT, "job_role"),
    "job_role": Step("job_role", TEXT, "job_years"),
    "job_years": Step("job_years", NUMBER, "job_sector", rules.YEARS, (1, 2, 5, 10, 20)),
    "job_sector": Step("job_sector", OPTIONAL, "job_more"),
    "job_more": Step("job_more", CHOICE, "education", choices=("yes", "no")),
    "education": Step("education", LIST, "skills"),
    "skills": Step("skills", LIST, "hours"),
    "hours": Step("hours", NUMBER, "region", rules.HOURS, (8, 16, 24, 32, 36, 40)),
    "region": Step("region", TEXT, "travel"),
    "travel": Step("travel_minutes", NUMBER, "work_kind", rules.TRAVEL_MINUTES, (15, 30, 45, 60, 90)),
    "work_kind": Step("work_kind", OPTIONAL, "ambitions"),
    "ambitions": Step("ambitions", OPTIONAL_LONG, "save_profile"),
    # work capacity (change "capacity")
    "fml_date": Step("fml_date", DATE, "fml_text", no_future=True),
    "fml_text": Step("text", LONG, "save_capacity"),
    # a new search direction (change "direction_added")
    "d_occupation": Step("occupation", TEXT, "d_sector"),
    "d_sector": Step("sector", OPTIONAL, "d_region"),
    "d_region": Step("region", TEXT, "d_hours"),
    "d_hours": Step("hours", NUMBER, "d_level", rules.HOURS, (16, 24, 32, 36, 40)),
    "d_level": Step("level", CHOICE, "d_reason", choices=rules.LEVELS),
    "d_reason": Step("reason", LONG, "save_direction"),
    # a new activity (change "activity_added"), an activity's result (change "activity_changed")
    "a_kind": Step("kind", CHOICE, "a_provider", choices=rules.KINDS),
    "a_provider": Step("provider", OPTIONAL, "a_start"),
    "a_start": Step("start", DATE, "a_end"),
    "a_end": Step("end", OPTIONAL_DATE, "a_status"),
    "a_status": Step("status", CHOICE, "save_activity", choices=rules.STATUSES),
    "a_result": Step("result", LONG, "save_result"),
    # an evaluation (a PlanEvaluation row, no version)
    "e_date": Step("held_on", DATE, "e_who", no_future=True),
    "e_who": Step("participants", TOGGLES, "e_conclusion", choices=PARTICIPANTS),
    "e_conclusion": Step("conclusion", LONG, "e_changes"),
    "e_changes": Step("changes", OPTIONAL_LONG, "e_reviewed"),
    "e_reviewed": Step("directions_reviewed", CHOICE, "save_evaluation", choices=("yes", "no")),
}
FIRST = {"profile": "own_role", "capacity": "fml_date", "direction": "d_occupation", "activity": "a_kind"}
FIRST["evaluation"] = "e_date"
