"""The Track 2 trajectory plan as data, and the rules the UWV reads it by (pure: no Telegram, no database).

A plan version's `content` is a plain dict (JSON in `PlanVersion.content`, YAML in `spoorzoeker plan export`):

    profile:     own_role, experience [{role, sector, years}], education [..], skills [..],
                 hours (per week), region, travel_minutes, work_kind, ambitions
    capacity:    fml_date (the occupational physician's FML), text (work capacity in functional terms only)
    directions:  1-5 of {id, occupation, sector, region, hours, level, reason, added_on, reviewed_on}
    activities:  {id, kind, provider, start, end, status, result}
    track1:      whether Track 1 (own employer) still runs in parallel

`normalise` checks a content dict and returns it cleaned (the one validation, used by the chat, the import and
the tests); `breadth_warnings` and `evaluation_due` are the checks the coach sees in the chat and the digest.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

MAX_DIRECTIONS = 5
KINDS = (
    "orientation", "cv_linkedin", "application_training", "course", "work_trial", "job_coaching",
    "job_mediation", "networking", "other",
)  # fmt: skip
STATUSES = ("planned", "running", "done", "stopped")
LEVELS = ("vmbo", "mbo", "hbo", "wo", "none")  # the working and thinking level a direction asks
CHANGES = (
    "created", "profile", "capacity", "direction_added", "direction_changed", "direction_removed",
    "directions_reviewed", "activity_added", "activity_changed", "track1", "imported",
)  # fmt: skip
# A check-in's "other activities" answers count towards the running interventions of that kind.
CHECKIN_KINDS = {
    "course": "course", "workshop": "application_training", "work_trial": "work_trial",
    "coaching": "job_coaching", "cv_linkedin": "cv_linkedin", "volunteering": "other",
}  # fmt: skip
NETWORKING_KIND = "networking"  # a week with networking contacts counts towards a running networking activity

TEXT = 160  # longest short text (a role, a provider, a region)
LONG_TEXT = 1000  # longest free text (ambitions, the FML's functional terms, a reason, a result)
HOURS = (0, 60)
YEARS = (0, 60)
TRAVEL_MINUTES = (0, 240)
EVALUATION_EVERY = timedelta(weeks=6)
SEARCH_WITHOUT_APPLICATION = timedelta(weeks=6)
REVIEW_MONTHS = 3


class PlanError(ValueError):
    """A plan that cannot be stored: `path` says where ("directions[1].hours"), `reason` is a catalog key."""

    def __init__(self, path: str, reason: str, **details: object) -> None:
        super().__init__(f"{path}: {reason}")
        self.path, self.reason, self.details = path, reason, details


def empty() -> dict:
    """A new plan: nothing filled in yet, Track 1 not running."""
    return {
        "profile": {
            "own_role": None, "experience": [], "education": [], "skills": [], "hours": None, "region": None,
            "travel_minutes": None, "work_kind": None, "ambitions": None,
        },
        "capacity": {"fml_date": None, "text": None},
        "directions": [],
        "activities": [],
        "track1": False,
    }  # fmt: skip


# -- validation -------------------------------------------------------------------------------------------------


def clean_text(value: object, path: str, longest: int = TEXT, *, required: bool = False) -> str | None:
    """One line of text, spaces collapsed; None when empty and not required."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise PlanError(path, "plan_required")
        return None
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise PlanError(path, "plan_not_text")
    text = " ".join(str(value).split())
    if len(text) > longest:
        raise PlanError(path, "plan_too_long", longest=longest)
    return text


def clean_number(value: object, path: str, bounds: tuple[int, int], *, required: bool = False) -> int | None:
    """A whole number within `bounds`; ASCII digits only (a typed "²" is not a number)."""
    if value is None or value == "":
        if required:
            raise PlanError(path, "plan_required")
        return None
    if isinstance(value, bool):
        raise PlanError(path, "plan_not_number")
    if isinstance(value, str):
        if not re.fullmatch(r"[0-9]{1,4}", value.strip()):
            raise PlanError(path, "plan_not_number")
        value = int(value.strip())
    if not isinstance(value, int):
        raise PlanError(path, "plan_not_number")
    low, high = bounds
    if not low <= value <= high:
        raise PlanError(path, "plan_out_of_range", low=low, high=high)
    return value


def clean_date(value: object, path: str, *, required: bool = False) -> str | None:
    """An ISO date (a `date` or "YYYY-MM-DD"), kept as its ISO string."""
    if value is None or value == "":
        if required:
            raise PlanError(path, "plan_required")
        return None
    if isinstance(value, date) and not isinstance(value, datetime):  # a moment is not a day
        return value.isoformat()
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value.strip()):
        try:
            return date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    raise PlanError(path, "plan_not_date")


def _choice(value: object, path: str, choices: tuple[str, ...], *, required: bool = True) -> str | None:
    if value is None and not required:
        return None
    if value not in choices:
        raise PlanError(path, "plan_not_a_choice", choices=", ".join(choices))
    return value


def _texts(value: object, path: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise PlanError(path, "plan_not_list")
    return [clean_text(item, f"{path}[{i}]", required=True) for i, item in enumerate(value)]


def _mapping(value: object, path: str, known: set[str]) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise PlanError(path, "plan_not_mapping")
    unknown = sorted(str(key) for key in set(value) - known)  # a YAML file may have a number as a key
    if unknown:
        raise PlanError(f"{path}.{unknown[0]}" if path else unknown[0], "plan_unknown_field")
    return value


def _ids(items: list[dict], prefix: str, path: str) -> None:
    """Give every item without one the next free id ("d1", "d2"... / "a1"...); refuse a duplicate."""
    used: set[str] = set()
    for i, item in enumerate(items):
        if item.get("id") is not None:
            if not isinstance(item["id"], str) or not re.fullmatch(rf"{prefix}[0-9]{{1,4}}", item["id"]):
                raise PlanError(f"{path}[{i}].id", "plan_bad_id")
            if item["id"] in used:
                raise PlanError(f"{path}[{i}].id", "plan_duplicate_id")
            used.add(item["id"])
    for item in items:
        if item.get("id") is None:
            item["id"] = next_id(items, prefix)


def next_id(items: list[dict], prefix: str) -> str:
    numbers = [int(item["id"][1:]) for item in items if isinstance(item.get("id"), str) and item["id"][1:].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1}"


PROFILE_FIELDS = {
    "own_role",
    "experience",
    "education",
    "skills",
    "hours",
    "region",
    "travel_minutes",
    "work_kind",
    "ambitions",
}
DIRECTION_FIELDS = {"id", "occupation", "sector", "region", "hours", "level", "reason", "added_on", "reviewed_on"}
ACTIVITY_FIELDS = {"id", "kind", "provider", "start", "end", "status", "result"}


def normalise(content: object, today: date) -> dict:
    """The plan `content`, checked and cleaned; raises PlanError (with the path) for anything wrong.
    Missing parts get their empty value; directions and activities without an id get the next free one."""
    top = _mapping(content, "", {"profile", "capacity", "directions", "activities", "track1"})
    raw = _mapping(top.get("profile"), "profile", PROFILE_FIELDS)
    experience = raw.get("experience") or []
    if not isinstance(experience, list):
        raise PlanError("profile.experience", "plan_not_list")
    jobs = []
    for i, job in enumerate(experience):
        path = f"profile.experience[{i}]"
        job = _mapping(job, path, {"role", "sector", "years"})
        jobs.append(
            {
                "role": clean_text(job.get("role"), f"{path}.role", required=True),
                "sector": clean_text(job.get("sector"), f"{path}.sector"),
                "years": clean_number(job.get("years"), f"{path}.years", YEARS),
            }
        )
    profile = {
        "own_role": clean_text(raw.get("own_role"), "profile.own_role"),
        "experience": jobs,
        "education": _texts(raw.get("education"), "profile.education"),
        "skills": _texts(raw.get("skills"), "profile.skills"),
        "hours": clean_number(raw.get("hours"), "profile.hours", HOURS),
        "region": clean_text(raw.get("region"), "profile.region"),
        "travel_minutes": clean_number(raw.get("travel_minutes"), "profile.travel_minutes", TRAVEL_MINUTES),
        "work_kind": clean_text(raw.get("work_kind"), "profile.work_kind"),
        "ambitions": clean_text(raw.get("ambitions"), "profile.ambitions", LONG_TEXT),
    }
    raw = _mapping(top.get("capacity"), "capacity", {"fml_date", "text"})
    capacity = {
        "fml_date": clean_date(raw.get("fml_date"), "capacity.fml_date"),
        "text": clean_text(raw.get("text"), "capacity.text", LONG_TEXT),
    }
    if capacity["fml_date"] is not None and date.fromisoformat(capacity["fml_date"]) > today:
        raise PlanError("capacity.fml_date", "plan_date_in_future")
    directions = _list(top.get("directions"), "directions", DIRECTION_FIELDS)
    if len(directions) > MAX_DIRECTIONS:
        raise PlanError("directions", "plan_too_many_directions", most=MAX_DIRECTIONS)
    cleaned = []
    for i, item in enumerate(directions):
        path = f"directions[{i}]"
        added = clean_date(item.get("added_on"), f"{path}.added_on") or today.isoformat()
        cleaned.append(
            {
                "id": item.get("id"),
                "occupation": clean_text(item.get("occupation"), f"{path}.occupation", required=True),
                "sector": clean_text(item.get("sector"), f"{path}.sector"),
                "region": clean_text(item.get("region"), f"{path}.region"),
                "hours": clean_number(item.get("hours"), f"{path}.hours", HOURS),
                "level": _choice(item.get("level"), f"{path}.level", LEVELS, required=False),
                "reason": clean_text(item.get("reason"), f"{path}.reason", LONG_TEXT),
                "added_on": added,
                "reviewed_on": clean_date(item.get("reviewed_on"), f"{path}.reviewed_on") or added,
            }
        )
    _ids(cleaned, "d", "directions")
    activities = []
    for i, item in enumerate(_list(top.get("activities"), "activities", ACTIVITY_FIELDS)):
        path = f"activities[{i}]"
        start = clean_date(item.get("start"), f"{path}.start")
        end = clean_date(item.get("end"), f"{path}.end")
        if start is not None and end is not None and end < start:
            raise PlanError(f"{path}.end", "plan_end_before_start")
        activities.append(
            {
                "id": item.get("id"),
                "kind": _choice(item.get("kind"), f"{path}.kind", KINDS),
                "provider": clean_text(item.get("provider"), f"{path}.provider"),
                "start": start,
                "end": end,
                "status": _choice(item.get("status", "planned"), f"{path}.status", STATUSES),
                "result": clean_text(item.get("result"), f"{path}.result", LONG_TEXT),
            }
        )
    _ids(activities, "a", "activities")
    track1 = top.get("track1", False)
    if not isinstance(track1, bool):
        raise PlanError("track1", "plan_not_yes_no")
    return {"profile": profile, "capacity": capacity, "directions": cleaned, "activities": activities, "track1": track1}


def _list(value: object, path: str, known: set[str]) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise PlanError(path, "plan_not_list")
    return [dict(_mapping(item, f"{path}[{i}]", known)) for i, item in enumerate(value)]


# -- what the UWV reads: breadth of the search profile, evaluations ------------------------------------------------


def _same(a: str | None, b: str | None) -> bool:
    def key(text: str | None) -> str:
        return " ".join((text or "").casefold().split())

    return bool(key(a)) and key(a) == key(b)


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (the last day of that month when it is shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class BreadthWarning:
    """One breadth warning: `reason` is a catalog key (the text says why the UWV cares); `direction` names the
    direction it is about, where there is one."""

    reason: str
    direction: str | None = None


def last_review(content: dict, evaluations: list[tuple[date, bool]]) -> date | None:
    """The newest day the search directions were looked at: a direction added or reviewed, or an evaluation
    (held_on, directions_reviewed) that reviewed them."""
    days = [date.fromisoformat(d["reviewed_on"]) for d in content["directions"] if d.get("reviewed_on")]
    days += [held_on for held_on, reviewed in evaluations if reviewed]
    return max(days, default=None)


def searching_since(phase: str, recorded: date | None, track2_start: date) -> date | None:
    """The day active search began, for the six-weeks-without-application check: the recorded phase change,
    or the start of Track 2 when no change into active search was recorded; None outside active search."""
    if phase != "active_search":
        return None
    return recorded or track2_start


def breadth_warnings(
    content: dict,
    today: date,
    *,
    evaluations: list[tuple[date, bool]] = (),
    active_search_since: date | None = None,
    applications: list[tuple[str | None, date]] = (),
) -> list[BreadthWarning]:
    """Why the search profile may be too narrow for the UWV, in the order the coach should look at them.

    - only one direction (or none) while a plan exists;
    - every direction is the old occupation (the role at the own employer);
    - no direction reviewed for more than three months (`evaluations`: (held_on, directions_reviewed));
    - per direction: no application in it for six weeks of active search (`active_search_since`: the day the
      trajectory entered active search, None when it is not there; `applications`: (direction id, applied_on)).
    """
    directions = content["directions"]
    warnings: list[BreadthWarning] = []
    if len(directions) <= 1:
        warnings.append(BreadthWarning("one_direction" if directions else "no_direction"))
    own = content["profile"].get("own_role")
    if directions and own and all(_same(d["occupation"], own) for d in directions):
        warnings.append(BreadthWarning("old_occupation"))
    reviewed = last_review(content, list(evaluations))
    if reviewed is not None and reviewed < months_before(today, REVIEW_MONTHS):
        warnings.append(BreadthWarning("not_reviewed"))
    if active_search_since is not None:
        for direction in directions:
            since = max(active_search_since, date.fromisoformat(direction["added_on"]))
            if today - since < SEARCH_WITHOUT_APPLICATION:
                continue  # not yet six weeks of active search in this direction
            recent = [
                day for d, day in applications if d == direction["id"] and day > today - SEARCH_WITHOUT_APPLICATION
            ]
            if not recent:
                warnings.append(BreadthWarning("no_applications", direction["occupation"]))
    return warnings


def evaluation_due(
    today: date, *, plan_since: date | None, last_evaluation: date | None, last_phase_change: date | None
) -> bool:
    """An evaluation is due when more than six weeks passed since the last one (or, before the first, since the
    plan was made), or when the phase changed after it. No plan: nothing to evaluate (that is its own flag)."""
    if plan_since is None:
        return False
    since = last_evaluation or plan_since
    if today - since > EVALUATION_EVERY:
        return True
    return last_phase_change is not None and last_phase_change > since


def evaluation_date(
    *, plan_since: date | None, last_evaluation: date | None, last_phase_change: date | None
) -> date | None:
    """The day the next evaluation is due by the rule of `evaluation_due`: six weeks after the last one (or, before
    the first, after the plan was made), or the day of a phase change after it. None without a plan."""
    if plan_since is None:
        return None
    since = last_evaluation or plan_since
    if last_phase_change is not None and last_phase_change > since:
        return min(last_phase_change, since + EVALUATION_EVERY)
    return since + EVALUATION_EVERY


def running(content: dict, kind: str | None = None) -> list[dict]:
    """The activities with status running (of `kind`, when given)."""
    return [a for a in content["activities"] if a["status"] == "running" and (kind is None or a["kind"] == kind)]


def weeks_worked_on(activity: dict, weeks: list[tuple[date, list[str], int]], today: date) -> int:
    """How many submitted check-in weeks (monday, activities answered, networking count) between the
    activity's start and its end (or today) name an activity that counts towards its kind."""
    # from the monday of the start's week (any time without a start) to the end, or today
    first = date.fromisoformat(activity["start"]) - timedelta(days=6) if activity.get("start") else date.min
    end = date.fromisoformat(activity["end"]) if activity.get("end") else today
    count = 0
    for monday, answered, networking in weeks:
        if not first <= monday <= end:
            continue
        kinds = {CHECKIN_KINDS[a] for a in answered if a in CHECKIN_KINDS}
        if networking:
            kinds.add(NETWORKING_KIND)
        count += activity["kind"] in kinds
    return count


def occupations(content: dict) -> list[str]:
    """The person's previous occupations (own role first), each once: the quick picks for a new direction."""
    seen: list[str] = []
    for role in [content["profile"].get("own_role"), *(job["role"] for job in content["profile"]["experience"])]:
        if role and not any(_same(role, s) for s in seen):
            seen.append(role)
    return seen


def direction(content: dict, direction_id: str | None) -> dict | None:
    return next((d for d in content["directions"] if d["id"] == direction_id), None)


def activity(content: dict, activity_id: str | None) -> dict | None:
    return next((a for a in content["activities"] if a["id"] == activity_id), None)
