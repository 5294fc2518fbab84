"""Everything an employer contact is shown, built only from what `bot.rules.privacy` lets an employer see.

Every message to an employer chat gets its template context from this module, and this module reads the
stored records only through `privacy.view(EMPLOYER, ...)`. So a field the policy keeps from employers (energy,
notes, the committed step, values, reflections, coach notes, why a week was paused) cannot reach an employer
template, whatever a template asks for. What is left: names, phase, dates, milestones and activity counts, and
of the trajectory plan (through `privacy.plan_view(EMPLOYER, ...)`) the search directions and the agreed
activities that run, never the profile, work capacity, reasons, results or evaluations.
"""

from __future__ import annotations

from datetime import date, timedelta

from bot.core.replies import Reply
from bot.rules import privacy, timeline
from bot.rules.privacy import EMPLOYER
from bot.rules.schedule import Week
from bot.rules.weeks import sickness_week

STATUS_WEEKS = 4  # /status counts activities over the last 4 ISO weeks, this one included
PER_MESSAGE = 12  # employees per message: a long list is split, far below Telegram's 4096 characters


def _employee(employee: object) -> dict:
    return privacy.view(EMPLOYER, "employee", employee)


def _checkins(checkins: list) -> list[dict]:
    return [privacy.view(EMPLOYER, "checkin", checkin) for checkin in checkins]


def milestone_ctx(item: timeline.Milestone | None) -> dict | None:
    if item is None:
        return None
    return {"key": item.key, "week": item.week, "due": item.due, "number": item.number}


def track2_warning(employee: object) -> dict | None:
    """{start, deadline} when Track 2 started after its deadline (6 weeks after the first-year evaluation)."""
    seen = _employee(employee)
    return timeline.track2_warning(seen["first_sick_day"], seen["track2_start"])


def weeks_back(today: date, count: int) -> list[Week]:
    """The last `count` ISO weeks up to and including the week of `today`, oldest first."""
    current = Week.of(today)
    weeks = [current]
    for _ in range(count - 1):
        weeks.insert(0, weeks[0].previous())
    return weeks


def weeks_of_month(first_of_month: date) -> list[Week]:
    """The ISO weeks that belong to a month: those whose Thursday falls in it (each week counted once)."""
    day = first_of_month + timedelta(days=(3 - first_of_month.weekday()) % 7)  # the month's first Thursday
    weeks = []
    while day.month == first_of_month.month:
        weeks.append(Week.of(day))
        day += timedelta(days=7)
    return weeks


def counts(checkins: list[dict], weeks: list[Week]) -> dict:
    """Activity counts over `weeks` from check-in views: what was done, and how many weeks were filled in,
    missed or paused. Those are the `due_weeks`: a week without any of the three began before the employee
    joined, or is still open, and is no week they left empty."""
    wanted = {(week.year, week.week) for week in weeks}
    rows = [c for c in checkins if (c["iso_year"], c["iso_week"]) in wanted]
    done = [c for c in rows if c["submitted_at"] is not None]
    missed = sum(1 for c in rows if c["submitted_at"] is None and c["missed_at"] is not None)
    paused = sum(1 for c in rows if c["submitted_at"] is None and c["missed_at"] is None and c["paused"])
    return {
        "applications": sum(c["applications"] or 0 for c in done),
        "interviews": sum(c["interviews"] or 0 for c in done),
        "networking": sum(c["networking"] or 0 for c in done),
        "activities": sum(len(c["activities"] or []) for c in done),
        "work_trial_weeks": sum(1 for c in done if "work_trial" in (c["activities"] or [])),
        "checkins": len(done),
        "missed": missed,
        "paused": paused,
        "weeks": len(weeks),
        "due_weeks": len(done) + missed + paused,
        "first_week": weeks[0].week if weeks else None,
        "last_week": weeks[-1].week if weeks else None,
    }


def plan_status(version: object | None) -> dict | None:
    """The plan as /status shows it: each direction's occupation, region and hours, and the running
    activities' kind and provider. None without a plan."""
    if version is None:
        return None
    seen = privacy.plan_view(EMPLOYER, version)
    return {
        "directions": [
            {"occupation": d["occupation"], "region": d["region"], "hours": d["hours"]} for d in seen["directions"]
        ],
        "running": [
            {"kind": a["kind"], "provider": a["provider"]} for a in seen["activities"] if a["status"] == "running"
        ],
    }


def employee_status(employee: object, checkins: list, today: date, plan: object | None = None) -> dict:
    """One employee as the employer's /status shows them (`plan`: the current plan version, if any)."""
    seen = _employee(employee)
    first, start = seen["first_sick_day"], seen["track2_start"]
    return {
        "name": seen["name"],
        "phase": seen["phase"],
        "status": seen["status"],
        "track2_start": start,
        "sickness_week": sickness_week(first, today),
        "next": milestone_ctx(timeline.next_milestone(first, today, start)),
        "counts": counts(_checkins(checkins), weeks_back(today, STATUS_WEEKS)),
        "track2_late": track2_warning(employee),
        "plan": plan_status(plan),
    }


def status_replies(
    lang: str, company: str, rows: list[tuple[object, list]], today: date, plans: dict | None = None
) -> list[Reply]:
    """/status: every employee of the contact's company (rows of employee and their recent check-ins; `plans`:
    the current plan version per employee id), split over several messages when the list is long. Closed
    trajectories are left out."""
    plans = plans or {}
    items = [employee_status(e, c, today, plans.get(_employee(e)["id"])) for e, c in rows]
    items = [item for item in items if item["status"] != "closed"]
    parts = [items[i : i + PER_MESSAGE] for i in range(0, len(items), PER_MESSAGE)] or [[]]
    return [
        Reply("employer_status", lang, {"company": company, "employees": part, "today": today, "part": number})
        for number, part in enumerate(parts, start=1)
    ]


def started(lang: str, employee: object, today: date) -> Reply:
    seen = _employee(employee)
    first, start = seen["first_sick_day"], seen["track2_start"]
    ctx = {
        "name": seen["name"],
        "track2_start": start,
        "sickness_week": sickness_week(first, today),
        "next": milestone_ctx(timeline.next_milestone(first, today, start)),
        "track2_late": track2_warning(employee),
    }
    return Reply("employer_started", lang, ctx)


def phase_changed(lang: str, employee: object, change: object) -> Reply:
    seen = privacy.view(EMPLOYER, "phase_change", change)
    return Reply("employer_phase", lang, {"name": _employee(employee)["name"], "phase": seen["phase"]})


def work_trial(lang: str, employee: object, checkin: object) -> Reply:
    seen = privacy.view(EMPLOYER, "checkin", checkin)
    return Reply("employer_work_trial", lang, {"name": _employee(employee)["name"], "week": seen["iso_week"]})


def monthly(lang: str, company: str, month: date, rows: list[tuple[object, list]]) -> list[Reply]:
    """The monthly summary (counts only) of the ISO weeks of `month`, split like /status."""
    weeks = weeks_of_month(month)
    items = [
        {"name": seen["name"], "phase": seen["phase"], "counts": counts(_checkins(checkins), weeks)}
        for seen, checkins in ((_employee(e), c) for e, c in rows)
    ]
    parts = [items[i : i + PER_MESSAGE] for i in range(0, len(items), PER_MESSAGE)]
    return [
        Reply("employer_monthly", lang, {"company": company, "month": month, "employees": part, "part": number})
        for number, part in enumerate(parts, start=1)
    ]


def deadline(lang: str, employee: object, item: timeline.Milestone, stage: str) -> Reply:
    """A reminder of one of the employer's own obligations: `stage` is "soon" (2 weeks ahead) or "due"."""
    seen = _employee(employee)
    ctx = {"name": seen["name"], "milestone": milestone_ctx(item), "stage": stage}
    return Reply("employer_deadline", lang, ctx)
