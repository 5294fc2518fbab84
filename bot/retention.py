"""Retention and erasure: the purge of everything about trajectories closed two years ago and of invites never
accepted in 90 days (the daily sweep, and `spoorzoeker privacy purge`), and an operator's erasure of one
employee (`spoorzoeker privacy erase`). Both delete the same way (`storage.erasure_queries`); the purge keeps only
an anonymous count, an erasure keeps only the facts of reports sent to the employer (never their content).
"""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from bot.config import Settings
from bot.core.clock import Clock, ManualClock, SystemClock
from bot.core.context import Work
from bot.rules import retention as rules
from bot.rules.weeks import local_date
from storage import erasure_queries
from storage.db import Database
from storage.erasure_queries import Kept
from storage.migrate import require_current
from storage.models import Employee

NEVER_JOINED = "never_joined"  # the outcome counted for an invite that was never accepted


@dataclass
class Purged:
    """What a purge deleted (or, a dry run, would delete): employees by id only, rows per table."""

    at: datetime
    closed: list[int] = field(default_factory=list)  # trajectories closed two years ago
    never_joined: list[int] = field(default_factory=list)  # invited 90 days ago, never joined
    rows: Counter[str] = field(default_factory=Counter)
    dry_run: bool = False

    @property
    def employees(self) -> list[int]:
        return sorted(self.closed + self.never_joined)


@dataclass
class Erased:
    """What an erasure deleted, and what it kept by law under `reference`."""

    employee_id: int
    name: str
    reference: str
    rows: Counter[str]
    kept: list[Kept]


async def due(work: Work) -> tuple[list[Employee], list[Employee]]:
    """(closed two years ago, never joined in 90 days) at the clock's time; cheap when nothing is due."""
    now = work.clock.now()
    closed = [
        employee
        for employee in await erasure_queries.closed_before(work.session, rules.closed_by(now))
        if rules.closed_due(employee.closed_at, employee.timezone, now)
    ]
    taken = {employee.id for employee in closed}
    unjoined = [
        employee
        for employee, invited_at in await erasure_queries.never_joined(work.session, rules.invited_by(now))
        if employee.id not in taken and rules.never_joined_due(invited_at, employee.registered_at, now)
    ]
    return closed, unjoined


async def purge(work: Work, *, dry_run: bool = False) -> Purged:
    """Delete everything about every employee who is due (a dry run counts it and changes nothing)."""
    now = work.clock.now()
    closed, unjoined = await due(work)
    done = Purged(now, [e.id for e in closed], [e.id for e in unjoined], dry_run=dry_run)
    everyone = closed + unjoined
    if not everyone:
        return done
    if dry_run:
        done.rows = await erasure_queries.count_about(work.session, everyone)
        return done
    counted: Counter[tuple[int, str]] = Counter()
    for employee in closed:
        counted[(local_date(employee.closed_at, employee.timezone).year, employee.outcome or "none")] += 1
    for employee in unjoined:
        counted[(local_date(employee.created_at, employee.timezone).year, NEVER_JOINED)] += 1
    for (year, outcome), how_many in sorted(counted.items()):
        await erasure_queries.count_purged(work.session, year, outcome, how_many)
    done.rows["outbox_old"] += await erasure_queries.prune_settled_outbox(work.session, rules.closed_by(now))
    done.rows += await erasure_queries.delete_about(work.session, everyone, now)
    return done


async def sweep(work: Work) -> Purged:
    """The daily retention sweep (run with the others): purge whoever is due now."""
    return await purge(work)


async def preview(work: Work, employee_id: int) -> tuple[Employee, Counter[str], list]:
    """Before an erasure: the employee, the rows it would delete per table, and the reports sent to the employer
    (whose facts would be kept). LookupError for an unknown id."""
    employee = await erasure_queries.employee(work.session, employee_id)
    if employee is None:
        raise LookupError(f"no employee with id {employee_id}")
    rows = await erasure_queries.count_about(work.session, [employee])
    return employee, rows, await erasure_queries.sent_reports(work.session, employee.id)


async def erase(work: Work, employee_id: int) -> Erased:
    """Erase the employee now: keep the facts of reports sent to the employer under a new reference, then delete
    everything about them; no message reaches their chat again. LookupError for an unknown id."""
    employee = await erasure_queries.employee(work.session, employee_id)
    if employee is None:
        raise LookupError(f"no employee with id {employee_id}")
    now, reference, name = work.clock.now(), secrets.token_hex(8), employee.name
    kept = await erasure_queries.keep_report_facts(work.session, employee, reference, now)
    rows = await erasure_queries.delete_about(work.session, [employee], now)
    return Erased(employee_id, name, reference, rows, kept)


# --- for the command line ----------------------------------------------------------------------------------


async def _in_database(settings: Settings, at: datetime | None, action):
    clock: Clock = ManualClock(at) if at is not None else SystemClock()
    await require_current(settings.database_url)
    db = Database(settings.database_url)
    try:
        async with db.session() as session:
            return await action(Work(session, clock, "", settings.default_timezone))
    finally:
        await db.dispose()


async def purge_database(settings: Settings, at: datetime | None = None, *, dry_run: bool = False) -> Purged:
    """`spoorzoeker privacy purge`: as of `at` (default now)."""
    return await _in_database(settings, at, lambda work: purge(work, dry_run=dry_run))


async def preview_database(settings: Settings, employee_id: int):
    return await _in_database(settings, None, lambda work: preview(work, employee_id))


async def erase_database(settings: Settings, employee_id: int) -> Erased:
    return await _in_database(settings, None, lambda work: erase(work, employee_id))
