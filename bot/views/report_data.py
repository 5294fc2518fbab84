"""The Track 2 file parts of a report, gathered for one audience: the plan as of the report's last day (person
profile, work capacity, search directions, interventions), how the plan changed, the applications per search
direction with their proof, the evaluations, the poortwachter steps as they happened, the balance of Track 1 and
Track 2, the employee's own view and the trajectory's outcome.

Every record goes through `bot.rules.privacy` (`view`, `plan_view`, `own_view`) before anything is taken from
it. The only other thing read from a plan version is its `change` key (a fixed word of `bot.rules.plan.CHANGES`,
never typed text). `bot.views.report` renders what this module returns.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.context import Work
from bot.rules import privacy, timeline
from bot.rules.report import FINAL, step_states
from bot.rules.weeks import local_date
from storage import plan_queries, report_queries
from storage.models import Employee

# The legal deadlines the report still lists next to the steps (the steps themselves carry their own dates).
DEADLINES = ("uwv_sick_report", "track2_start_deadline", "wia_letter", "wia_application_deadline",
             "wage_continuation_end")  # fmt: skip
QUARTERS_FROM = 26  # weeks: a longer report shows the balance of Track 1 and 2 per quarter, not per month
DIRECTION_FIELDS = ("occupation", "sector", "region", "hours", "level")  # what makes a direction "changed"


def end_of(day: date, zone: ZoneInfo) -> datetime:
    """The last moment of a local day, in UTC (plan versions made that day count)."""
    return datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(UTC) - timedelta(microseconds=1)


async def file_parts(
    work: Work,
    employee: Employee,
    first: date,
    last: date,
    audience: str,
    kind: str,
    report_day: date,
    zone: ZoneInfo,
    rows: list[dict],
) -> dict:
    """The file's sections for `audience`: keys plan, profile, capacity, directions, versions, interventions,
    evaluations, poortwachter (the steps), deadlines, balance, own_view."""
    session = work.session
    versions = [
        version
        for version in await plan_queries.plan_versions(session, employee.id)
        if _utc(version.created_at) <= end_of(last, zone)  # as plan_queries.plan_on: the plan on the last day
    ]
    seen_versions = [privacy.plan_view(audience, version) for version in versions]
    current = seen_versions[-1] if seen_versions else None
    history = _history(versions, seen_versions, zone)
    evaluations = [
        privacy.view(audience, "evaluation", evaluation)
        for evaluation in await plan_queries.evaluations_of(session, [employee.id])
        if evaluation.held_on <= last and (kind == FINAL or evaluation.held_on >= first)
    ]
    done = {
        step: day for step, day in (await report_queries.steps_done(session, employee.id)).items() if day <= report_day
    }
    steps = [
        {"step": s.step, "due": s.due, "done_on": s.done_on, "state": s.state, "late": s.late}
        for s in step_states(employee.first_sick_day, done, report_day)
    ]
    deadlines = [
        {"key": m.key, "week": m.week, "due": m.due, "passed": m.due < report_day}
        for m in timeline.milestones(employee.first_sick_day)
        if m.key in DEADLINES
    ]
    own = privacy.own_view(audience, await report_queries.own_view(session, employee.id))
    return {
        "plan": current,
        "profile": (current or {}).get("profile"),
        "capacity": (current or {}).get("capacity"),
        "directions": (current or {}).get("directions", []),
        "interventions": (current or {}).get("activities", []),
        "versions": history,
        "evaluations": evaluations,
        "poortwachter": steps,
        "deadlines": deadlines,
        "balance": _balance(history, rows),
        "own_view": {**own, "state": _own_view_state(own), "on": _local(own.get("answered_at"), zone)},
        "known_directions": _known_directions(seen_versions),
    }


def _utc(moment: datetime) -> datetime:
    """SQLite gives moments back without a zone: they are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _local(moment: datetime | None, zone: ZoneInfo) -> date | None:
    return None if moment is None else local_date(_utc(moment), zone.key)


def _history(versions: list, seen: list[dict], zone: ZoneInfo) -> list[dict]:
    """Per plan version: its number, day, what changed (the change key) and, compared with the version before,
    which directions were added, changed or removed, which interventions were added or changed status, and
    whether Track 1 started or stopped."""
    history = []
    before: dict | None = None
    for version, shown in zip(versions, seen, strict=True):
        old_directions = {d["id"]: d for d in (before or {}).get("directions", [])}
        new_directions = {d["id"]: d for d in shown["directions"]}
        old_activities = {a["id"]: a for a in (before or {}).get("activities", [])}
        history.append(
            {
                "number": shown["number"],
                "on": _local(shown["created_at"], zone),
                "change": version.change,
                "answer": shown.get("employee_answer"),
                "track1": bool(shown.get("track1")),
                "added": [d["occupation"] for key, d in new_directions.items() if key not in old_directions],
                "removed": [d["occupation"] for key, d in old_directions.items() if key not in new_directions],
                "changed": [
                    d["occupation"]
                    for key, d in new_directions.items()
                    if key in old_directions and any(d.get(f) != old_directions[key].get(f) for f in DIRECTION_FIELDS)
                ],
                "activities_added": [a for a in shown["activities"] if a["id"] not in old_activities],
                "activities_status": [
                    a
                    for a in shown["activities"]
                    if a["id"] in old_activities and a["status"] != old_activities[a["id"]]["status"]
                ],
                "track1_changed": before is not None and bool(before.get("track1")) != bool(shown.get("track1")),
            }
        )
        before = shown
    return history


def _known_directions(seen: list[dict]) -> dict[str, str]:
    """Every direction id any version had → its occupation (the newest name), for applications in a direction
    that was removed later."""
    names: dict[str, str] = {}
    for shown in seen:
        for direction in shown["directions"]:
            names[direction["id"]] = direction["occupation"]
    return names


def application_groups(applications: list[dict], directions: list[dict], known: dict[str, str]) -> list[dict]:
    """The applications per search direction: every current direction (also without applications), then
    directions no longer in the plan that still have applications, then those outside any direction."""
    by_direction: dict[str | None, list[dict]] = {}
    for application in applications:
        by_direction.setdefault(application.get("direction"), []).append(application)
    groups = [
        {"id": d["id"], "occupation": d["occupation"], "current": True, "items": by_direction.pop(d["id"], [])}
        for d in directions
    ]
    outside = by_direction.pop(None, [])
    for key, items in by_direction.items():
        groups.append({"id": key, "occupation": known.get(key), "current": False, "items": items})
    if outside:
        groups.append({"id": None, "occupation": None, "current": False, "items": outside})
    for group in groups:
        group["proof"] = sum(1 for item in group["items"] if item["proof"])
        group["status"] = dict(Counter(item["status"] for item in group["items"]))
    return groups


def _balance(history: list[dict], rows: list[dict]) -> dict:
    """Track 1 next to Track 2 per calendar month (per quarter over more than half a year: a short table for the
    whole trajectory): hours at the own employer (from the check-ins) next to the Track 2 activity; `ran` is
    False when no plan version had Track 1 and no hours were recorded."""
    counted = [row for row in rows if row["status"] not in ("future", "before")]
    quarters = len(counted) > QUARTERS_FROM
    hours_recorded = any(row["track1_hours"] is not None for row in counted)
    ran = hours_recorded or any(version["track1"] for version in history)
    months: dict[date, dict] = {}
    for row in counted:
        monday = row["monday"]
        start = monday.replace(month=(monday.month - 1) // 3 * 3 + 1, day=1) if quarters else monday.replace(day=1)
        month = months.setdefault(
            start,
            {"month": start, "weeks": 0, "track1_weeks": 0, "hours": 0,
             "applications": 0, "interviews": 0, "networking": 0, "activities": 0},
        )  # fmt: skip
        month["weeks"] += 1
        if row["track1_hours"] is not None:
            month["track1_weeks"] += 1
            month["hours"] += row["track1_hours"]
        for key in ("applications", "interviews", "networking"):
            month[key] += row[key] or 0
        month["activities"] += len(row["activities"])
    for month in months.values():
        month["average"] = month["hours"] / month["track1_weeks"] if month["track1_weeks"] else None
    switches = [
        {"on": version["on"], "track1": version["track1"]}
        for i, version in enumerate(history)
        if i == 0 or version["track1_changed"]
    ]
    return {
        "ran": ran,
        "months": list(months.values()) if ran else [],
        "switches": switches if ran else [],
        "quarters": quarters,
        "hours": hours_recorded,
    }


def _own_view_state(own: dict) -> str:
    """given (consented; the text is there where the audience may read it) | declined | open (not asked or no
    answer yet)."""
    if own.get("consent") is True:
        return "given"
    if own.get("consent") is False:
        return "declined"
    return "open"
