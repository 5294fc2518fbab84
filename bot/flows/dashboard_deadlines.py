"""The dashboard's deadlines page: every running client's poortwachter dates and due plan evaluations of the next
8 weeks (this week and the 7 after it), as a list by week, with what is overdue in a group of its own on top.

The same rules as the chat and the file: the legal dates come from `bot.rules.timeline`; the poortwachter steps
the coach records (problem analysis, plan of action, labour-expert assessment, first-year and final evaluation)
are overdue, or done, as the report says (`bot.rules.report.step_states`, the dates recorded in /dossier); the
other milestones (the sick report to UWV, the Track 2 start deadline while Track 2 has not started, the WIA
letter and application, the 6-weekly evaluations of the plan of action, the end of wage continuation) are listed
when they fall in the window; a trajectory plan's evaluation is due by `bot.rules.plan.evaluation_date` and
overdue when the caseload's `evaluation_due` flag says so. Closed trajectories have no deadlines.

One `bot.views.caseload` load and one query for the recorded steps, for the whole caseload.
"""

from __future__ import annotations

from datetime import date, timedelta

from bot.core.context import Person, Work
from bot.rules import plan as plan_rules
from bot.rules import privacy, timeline
from bot.rules import report as report_rules
from bot.rules.schedule import Week
from bot.views import caseload
from storage import report_queries

WEEKS_AHEAD = 8
RECORDED = set(report_rules.STEPS.values())  # milestones whose step the coach records: listed as steps


def client_items(client: caseload.Client, done: dict[str, date], today: date, last_day: date) -> list[dict]:
    """One client's dated items up to `last_day`: what is due from today on, and what is overdue."""
    seen = privacy.view(privacy.COACH, "employee", client.employee)
    first_sick_day, track2_start = seen["first_sick_day"], seen["track2_start"]
    base = {"client_id": seen["id"], "name": seen["name"]}
    items = []
    for state in report_rules.step_states(first_sick_day, done, today):
        if state.state == report_rules.OVERDUE or (state.state == report_rules.NOT_YET and state.due <= last_day):
            items.append({**base, "kind": "step", "key": state.step, "number": None, "due": state.due,
                          "overdue": state.state == report_rules.OVERDUE})  # fmt: skip
    for milestone in timeline.milestones(first_sick_day):  # not the start of Track 2 itself: no deadline
        if milestone.key in RECORDED or not today <= milestone.due <= last_day:
            continue
        if not timeline.still_open(milestone, track2_start, today):
            continue
        items.append({**base, "kind": "milestone", "key": milestone.key, "number": milestone.number,
                      "due": milestone.due, "overdue": False, "week": milestone.week})  # fmt: skip
    plan = client.facts.plan
    if plan is not None and seen["status"] == "active":
        due = plan_rules.evaluation_date(
            plan_since=plan.since, last_evaluation=plan.last_evaluation, last_phase_change=plan.last_phase_change
        )
        overdue = any(flag.key == "evaluation_due" for flag in client.flags)
        if due is not None and (overdue or today <= due <= last_day):
            items.append({**base, "kind": "plan_evaluation", "key": "plan_evaluation", "number": None, "due": due,
                          "overdue": overdue, "last": plan.last_evaluation})  # fmt: skip
    for item in items:
        item.setdefault("week", (item["due"] - first_sick_day).days // 7 + 1)  # the week of sickness it falls in
    return items


def by_week(items: list[dict], today: date) -> tuple[list[dict], list[dict]]:
    """The overdue items (oldest first), and the WEEKS_AHEAD calendar weeks from this one, each with its items
    by date and name (a week without items is listed too, so the page reads as a calendar)."""
    overdue = sorted((i for i in items if i["overdue"]), key=lambda i: (i["due"], i["name"].casefold()))
    current = Week.of(today)
    weeks = []
    for n in range(WEEKS_AHEAD):
        week = Week.of(current.monday() + timedelta(weeks=n))
        first, last = week.monday(), week.monday() + timedelta(days=6)
        inside = [i for i in items if not i["overdue"] and first <= i["due"] <= last]
        inside.sort(key=lambda i: (i["due"], i["name"].casefold(), i["key"]))
        weeks.append({"year": week.year, "week": week.week, "first": first, "last": last, "entries": inside})
    return overdue, weeks


async def deadlines(work: Work, viewer: Person) -> dict:
    """The page's context: the overdue items and the weeks with theirs."""
    load = await caseload.load(work, viewer.coach)
    today = load.today
    last_day = Week.of(today).monday() + timedelta(weeks=WEEKS_AHEAD, days=-1)
    running = load.open_clients
    done = await report_queries.steps_done_of(work.session, [client.id for client in running])
    items = [item for c in running for item in client_items(c, done.get(c.id, {}), today, last_day)]
    overdue, weeks = by_week(items, today)
    return {"overdue": overdue, "weeks": weeks, "today": today, "last_day": last_day, "clients": len(running)}
