"""The coach's weekly digest: caseload totals of last week, flagged clients first, deadlines of the next
4 weeks, report drafts waiting for a week or more, and a chart of the caseload's weekly activity (the finished
weeks since the first client joined). Sent by the digest sweep at the coach's chosen weekday
and time (default Monday 08:00, the coach's time zone) through the outbox, and on demand with /digest.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

from bot.core.context import Work
from bot.core.dialogs import button_data
from bot.core.replies import Button, Reply
from bot.outgoing import outbox
from bot.outgoing.outbox import Message
from bot.rules.flags import upcoming_deadlines
from bot.rules.schedule import Week, prompt_at
from bot.rules.weeks import MISSED, NONE, OPEN, SUBMITTED, local_date
from bot.views import caseload as caseloads
from bot.views import charts
from bot.views.caseload import Caseload
from storage import coach_queries, report_queries
from storage.models import Coach

MOST_FLAGGED_SHOWN = 15
PLAN_FLAGS = ("evaluation_due", "narrow_profile", "no_plan")  # also listed by name under the trajectory plan
MESSAGE_LIMIT = 4000  # Telegram allows 4096 characters
CATCH_UP = timedelta(hours=24)  # a digest that could not go out within a day of its time is skipped
DRAFT_WAITS = timedelta(days=7)  # a report draft still undecided this long after it was made is mentioned


@dataclass
class Digest:
    text: Reply
    chart: Reply


def summary(caseload: Caseload) -> dict:
    """The digest's figures: last week's totals, the flagged clients, the deadlines ahead."""
    last_week = caseload.weeks[-2]
    open_clients = caseload.open_clients
    joined = [c for c in open_clients if c.facts.joined_on is not None]
    facts = [c.facts.weeks.get(last_week) for c in joined]
    # a check-in was due from everyone who had joined by then, except those on a pause that week
    expected = [c for c in joined if c.statuses[last_week] in (SUBMITTED, MISSED, OPEN, NONE)]
    totals = {
        "clients": len(open_clients),
        "joined": len(joined),
        "invited": len(open_clients) - len(joined),
        "paused": sum(1 for c in open_clients if c.paused_until is not None),
        "flagged": len(caseload.flagged),
        "expected": len(expected),
        "checkins": sum(1 for week in facts if week and week.submitted),
        "applications": sum(week.applications for week in facts if week),
        "interviews": sum(week.interviews for week in facts if week),
        "networking": sum(week.networking for week in facts if week),
    }
    flagged = [
        {
            "name": c.name,
            "sickness_week": c.sickness_week,
            "phase": c.employee.phase,
            "flags": [{"key": f.key, **f.detail} for f in c.flags],
        }
        for c in caseload.flagged
    ]
    deadlines = [
        {"name": c.name, "milestone": m.key, "due": m.due, "week": m.week}
        for c in open_clients
        for m in upcoming_deadlines(c.employee.first_sick_day, c.employee.track2_start, caseload.today)
    ]
    deadlines.sort(key=lambda item: (item["due"], item["name"]))
    paused = [{"name": c.name, "until": c.paused_until} for c in open_clients if c.paused_until is not None]
    missed = [c.name for c, week in zip(joined, facts, strict=True) if week is not None and week.missed]
    unreachable = [c.name for c in open_clients if c.facts.unreachable]
    flagged_with = {key: [c.name for c in open_clients if any(f.key == key for f in c.flags)] for key in PLAN_FLAGS}
    return {
        "coach": caseload.coach.name,
        "week": last_week.week,
        "totals": totals,
        "flagged": flagged[:MOST_FLAGGED_SHOWN],
        "more_flagged": max(0, len(flagged) - MOST_FLAGGED_SHOWN),
        "deadlines": deadlines,
        "more_deadlines": 0,
        "paused": paused,
        "missed": missed,
        "unreachable": unreachable,
        "evaluations_due": flagged_with["evaluation_due"],
        "narrow": flagged_with["narrow_profile"],
        "no_plan": flagged_with["no_plan"],
        "fine": len(open_clients) - len(caseload.flagged),
        "weekday": caseload.coach.digest_weekday,
        "time": caseload.coach.digest_time.strftime("%H:%M"),
    }


def chart_weeks(caseload: Caseload) -> list[Week]:
    """The finished weeks of the window from the first week anyone in the caseload had joined (the current week
    is still under way and left out). With nobody joined before this week: last week alone, empty."""
    finished = caseload.weeks[:-1]
    joined = [c.facts.joined_on for c in caseload.open_clients if c.facts.joined_on is not None]
    if not joined:
        return finished[-1:]
    first = Week.of(min(joined)).monday()
    return [week for week in finished if week.monday() >= first] or finished[-1:]


def chart(work: Work, caseload: Caseload) -> bytes:
    """Stacked weekly applications, interviews and networking of the whole caseload, with check-ins as a line."""
    lang = caseload.coach.language
    label = work.texts.label
    weeks = chart_weeks(caseload)
    totals = {key: [0] * len(weeks) for key in ("applications", "interviews", "networking", "checkins")}
    for client in caseload.open_clients:
        for n, week in enumerate(weeks):
            facts = client.facts.weeks.get(week)
            if facts is None:
                continue
            totals["applications"][n] += facts.applications
            totals["interviews"][n] += facts.interviews
            totals["networking"][n] += facts.networking
            totals["checkins"][n] += facts.submitted
    return charts.weekly_activity(
        [label(lang, "digest_week_tick", n=week.week) for week in weeks],
        {label(lang, f"field_{key}"): totals[key] for key in ("applications", "interviews", "networking")},
        title=label(lang, "digest_chart_title", n=len(weeks)),
        line=(label(lang, "digest_chart_checkins"), totals["checkins"]),
        fixed_layout=True,
    )


async def build(work: Work, coach: Coach, *, scheduled: bool = False) -> Digest:
    """The digest as two messages: the text (with a button to the caseload) and the chart."""
    caseload = await caseloads.load(work, coach)
    shown = chart_weeks(caseload)
    waiting = await waiting_drafts(work, caseload)
    ctx = {**summary(caseload), "scheduled": scheduled, "drafts_waiting": waiting}
    ctx = fit(work, coach.language, {**ctx, "chart_first": shown[0].week, "chart_last": shown[-1].week})
    png = await asyncio.to_thread(chart, work, caseload)
    buttons = [[Button("digest_open_caseload", data=button_data(None, "go", "caseload"))]]
    text = Reply("digest", coach.language, ctx, buttons)
    picture = Reply("digest_chart", coach.language, ctx, photo=png, photo_name="caseload.png")
    return Digest(text, picture)


async def waiting_drafts(work: Work, caseload: Caseload) -> list[str]:
    """The names of the clients whose report draft has waited for the coach's decision for a week or more."""
    names = {c.id: c.name for c in caseload.clients}
    drafts = await report_queries.open_drafts(work.session, list(names), work.clock.now() - DRAFT_WAITS)
    return [names[draft.employee_id] for draft in drafts]


def fit(work: Work, lang: str, ctx: dict) -> dict:
    """Show fewer flagged clients and deadlines until the text fits in one Telegram message (the rest are
    counted, and /caseload has them all)."""
    while len(work.texts.render(lang, "digest", **ctx)) > MESSAGE_LIMIT and (ctx["flagged"] or ctx["deadlines"]):
        if len(ctx["deadlines"]) > len(ctx["flagged"]):
            ctx = {**ctx, "deadlines": ctx["deadlines"][:-1], "more_deadlines": ctx["more_deadlines"] + 1}
        else:
            ctx = {**ctx, "flagged": ctx["flagged"][:-1], "more_flagged": ctx["more_flagged"] + 1}
    return ctx


def due_week(coach: Coach, now) -> Week | None:
    """The ISO week whose digest is due for `coach` at `now` (None: nothing due)."""
    week = Week.of(local_date(now, coach.timezone))
    at = prompt_at(week, coach.digest_weekday, coach.digest_time, coach.timezone)
    if coach.registered_at is None or coach.deactivated_at is not None:  # not (or no longer) a coach here
        return None
    if at < coach.registered_at or not at <= now < at + CATCH_UP:
        return None
    return week


async def sweep(work: Work) -> int:
    """Queue the digests that are due now (once per coach and week: key digest:<coach>:<2026-W48>), for coaches
    with at least one open trajectory."""
    now = work.clock.now()
    coaches = await coach_queries.registered_coaches(work.session)
    due = [(coach, week) for coach in coaches if (week := due_week(coach, now)) is not None]
    keys = {f"digest:{coach.id}:{week}": (coach, week) for coach, week in due}
    done = await coach_queries.existing_outbox_keys(work.session, list(keys))
    messages = []
    for key, (coach, week) in keys.items():
        if key in done or not any(c.status != "closed" for c in await coach_queries.clients_of(work.session, coach.id)):
            continue  # queued already, or nothing to report on (a coach without open trajectories)
        digest = await build(work, coach, scheduled=True)
        messages += [
            Message(key, "digest", coach.telegram_user_id, digest.text, coach.timezone, iso_year=week.year,
                    iso_week=week.week),
            Message(f"{key}:chart", "digest_chart", coach.telegram_user_id, digest.chart, coach.timezone,
                    iso_year=week.year, iso_week=week.week),
        ]  # fmt: skip
    return await outbox.enqueue(work, messages)
