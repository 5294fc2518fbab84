"""Flags: which clients need the coach's attention, and why. Pure functions of a client's facts and a date.

| flag | raised when |
| --- | --- |
| safety | the client allowed the coach to hear about a safety alert from the last 4 weeks |
| unreachable | Telegram said the client blocked the bot (or was deactivated) |
| energy | the latest energy score (of a check-in from the last 3 weeks) is 3 or lower, or 3+ points below the |
|        | average of the 4 weeks before it (at least 2 scores there) |
| no_checkin | no check-in for 14 days or more (counted from joining or from the end of a pause; not while paused) |
| step_not_done | the committed step was "not done" in 3 consecutive weeks, the last of them this week or last week |
| no_applications | in active search, no application in the last 3 full weeks and this week so far (checked-in counts |
|                 | and logged applications); only weeks in active search and without a pause count |
| no_plan | an active client whose Track 2 started more than 4 weeks ago has no trajectory plan yet (four weeks: |
|         | time for an intake and a first talk; the UWV expects a plan soon after the start) |
| evaluation_due | the plan's evaluation is due (`bot.rules.plan.evaluation_due`: 6 weeks since the last one, or a |
|                | phase change after it) |
| narrow_profile | the plan's search profile may be too narrow (any `bot.rules.plan.breadth_warnings`) |
| deadline | a poortwachter deadline falls in the next 4 weeks (not the recurring 6-weekly evaluations, and not |
|          | the Track 2 start deadline once Track 2 has started) |

A closed trajectory has no flags; a client who has not joined yet can only have deadline flags.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from bot.rules import plan, timeline
from bot.rules.schedule import Week

SAFETY_DAYS = 28
NO_CHECKIN_DAYS = 14
LOW_ENERGY = 3
ENERGY_DROP = 3
ENERGY_AVERAGE_WEEKS = 4
ENERGY_FRESH_WEEKS = 3
STEP_WEEKS = 3
NO_APPLICATION_WEEKS = 3
DEADLINE_DAYS = 28
NOT_A_DEADLINE = ("evaluation",)
NO_PLAN_DAYS = 28

# The order flags are shown in: the most urgent first.
ORDER = (
    "safety", "unreachable", "energy", "no_checkin", "step_not_done", "no_applications", "no_plan",
    "evaluation_due", "narrow_profile", "deadline",
)  # fmt: skip


@dataclass(frozen=True)
class WeekFacts:
    """What is known of one ISO week of a client."""

    week: Week
    submitted: bool = False
    applications: int = 0  # the larger of the checked-in count and the applications logged that week
    interviews: int = 0
    networking: int = 0
    energy: int | None = None  # only from a submitted check-in
    step_result: str | None = None  # done | partly | not
    missed: bool = False
    paused_reason: str | None = None


@dataclass(frozen=True)
class ClientFacts:
    """Everything the flag rules look at for one client."""

    status: str  # invited | active | closed
    phase: str
    first_sick_day: date
    track2_start: date
    joined_on: date | None = None
    unreachable: bool = False
    weeks: dict[Week, WeekFacts] = field(default_factory=dict)
    last_checkin_on: date | None = None
    paused_now: bool = False
    last_pause_end: date | None = None
    active_search_since: date | None = None  # None: no recorded start (counts as "for as long as we know")
    safety_alerts: int = 0
    plan: PlanFacts | None = None  # None: no trajectory plan yet


@dataclass(frozen=True)
class PlanFacts:
    """What the plan flags look at: the current plan's content and the day it was first made, the evaluations
    ((held_on, directions_reviewed), oldest first), the applications ((direction id, applied_on)) of the last
    weeks, and the day of the latest phase change."""

    content: dict
    since: date
    evaluations: tuple[tuple[date, bool], ...] = ()
    applications: tuple[tuple[str | None, date], ...] = ()
    last_phase_change: date | None = None

    @property
    def last_evaluation(self) -> date | None:
        return self.evaluations[-1][0] if self.evaluations else None


@dataclass(frozen=True)
class Flag:
    key: str
    detail: dict = field(default_factory=dict)


def flags(facts: ClientFacts, today: date) -> list[Flag]:
    """Every flag that applies, most urgent first."""
    if facts.status == "closed":
        return []
    found = [deadline(facts, today)]
    if facts.status == "active":
        found += [
            safety(facts),
            unreachable(facts),
            energy(facts, today),
            no_checkin(facts, today),
            step_not_done(facts, today),
            no_applications(facts, today),
            no_plan(facts, today),
            evaluation_due(facts, today),
            narrow_profile(facts, today),
        ]
    return sorted((flag for flag in found if flag is not None), key=lambda flag: ORDER.index(flag.key))


def safety(facts: ClientFacts) -> Flag | None:
    return Flag("safety", {"count": facts.safety_alerts}) if facts.safety_alerts > 0 else None


def unreachable(facts: ClientFacts) -> Flag | None:
    return Flag("unreachable") if facts.unreachable else None


def latest_energy(facts: ClientFacts) -> tuple[WeekFacts | None, list[int]]:
    """The week of the latest energy score, and the scores of the 4 weeks before it (also the caseload's trend)."""
    scored = sorted((w for w in facts.weeks.values() if w.energy is not None), key=lambda w: w.week.monday())
    if not scored:
        return None, []
    latest = scored[-1]
    earliest = latest.week.monday() - timedelta(weeks=ENERGY_AVERAGE_WEEKS)
    return latest, [w.energy for w in scored[:-1] if w.week.monday() >= earliest]


def energy(facts: ClientFacts, today: date) -> Flag | None:
    latest, before = latest_energy(facts)
    if latest is None:
        return None
    if latest.week.monday() < Week.of(today).monday() - timedelta(weeks=ENERGY_FRESH_WEEKS - 1):
        return None  # too old to say anything about now; "no check-in" covers it
    average = sum(before) / len(before) if len(before) >= 2 else None
    if latest.energy <= LOW_ENERGY or (average is not None and average - latest.energy >= ENERGY_DROP):
        return Flag("energy", {"energy": latest.energy, "average": None if average is None else round(average, 1)})
    return None


def no_checkin(facts: ClientFacts, today: date) -> Flag | None:
    if facts.paused_now or facts.joined_on is None:
        return None
    since = max(day for day in (facts.joined_on, facts.last_checkin_on, facts.last_pause_end) if day is not None)
    days = (today - since).days
    if days < NO_CHECKIN_DAYS:
        return None
    return Flag("no_checkin", {"days": days, "last": facts.last_checkin_on})


def step_not_done(facts: ClientFacts, today: date) -> Flag | None:
    reported = sorted((w for w in facts.weeks.values() if w.step_result), key=lambda w: w.week.monday())
    last = reported[-STEP_WEEKS:]
    if len(last) < STEP_WEEKS or any(w.step_result != "not" for w in last):
        return None
    mondays = [w.week.monday() for w in last]
    pairs = zip(mondays, mondays[1:], strict=False)
    consecutive = all(later - earlier == timedelta(weeks=1) for earlier, later in pairs)
    recent = mondays[-1] >= Week.of(today).monday() - timedelta(weeks=1)
    return Flag("step_not_done", {"weeks": STEP_WEEKS}) if consecutive and recent else None


def no_applications(facts: ClientFacts, today: date) -> Flag | None:
    if facts.phase != "active_search":
        return None
    this_week = Week.of(today)
    first = this_week.monday() - timedelta(weeks=NO_APPLICATION_WEEKS)
    if facts.joined_on is None or facts.joined_on > first:
        return None
    if facts.active_search_since is not None and facts.active_search_since > first:
        return None
    weeks = [Week.of(first + timedelta(weeks=n)) for n in range(NO_APPLICATION_WEEKS + 1)]
    known = [facts.weeks.get(week, WeekFacts(week)) for week in weeks]
    if any(w.paused_reason for w in known) or any(w.applications for w in known):
        return None
    return Flag("no_applications", {"weeks": NO_APPLICATION_WEEKS})


def upcoming_deadlines(first_sick_day: date, track2_start: date | None, today: date) -> list[timeline.Milestone]:
    """The poortwachter deadlines of the next 4 weeks that still matter (no recurring evaluations, no Track 2
    start deadline once Track 2 has started): the deadline flag and the digest's list."""
    return [
        milestone
        for milestone in timeline.due_within(first_sick_day, today, DEADLINE_DAYS)
        if milestone.key not in NOT_A_DEADLINE and timeline.still_open(milestone, track2_start, today)
    ]


def deadline(facts: ClientFacts, today: date) -> Flag | None:
    upcoming = upcoming_deadlines(facts.first_sick_day, facts.track2_start, today)
    if not upcoming:
        return None
    first = upcoming[0]
    return Flag("deadline", {"milestone": first.key, "due": first.due, "week": first.week})


def no_plan(facts: ClientFacts, today: date) -> Flag | None:
    if facts.plan is not None or today - facts.track2_start <= timedelta(days=NO_PLAN_DAYS):
        return None
    return Flag("no_plan", {"days": (today - facts.track2_start).days})


def evaluation_due(facts: ClientFacts, today: date) -> Flag | None:
    if facts.plan is None:
        return None
    due = plan.evaluation_due(
        today,
        plan_since=facts.plan.since,
        last_evaluation=facts.plan.last_evaluation,
        last_phase_change=facts.plan.last_phase_change,
    )
    return Flag("evaluation_due", {"last": facts.plan.last_evaluation}) if due else None


def breadth(facts: ClientFacts, today: date) -> list[plan.BreadthWarning]:
    """The plan's breadth warnings (none without a plan): the narrow_profile flag and the coach's detail."""
    if facts.plan is None:
        return []
    return plan.breadth_warnings(
        facts.plan.content,
        today,
        evaluations=list(facts.plan.evaluations),
        active_search_since=plan.searching_since(facts.phase, facts.active_search_since, facts.track2_start),
        applications=list(facts.plan.applications),
    )


def narrow_profile(facts: ClientFacts, today: date) -> Flag | None:
    warnings = breadth(facts, today)
    return Flag("narrow_profile", {"reasons": [w.reason for w in warnings]}) if warnings else None
