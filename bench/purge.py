"""Purge benchmark: the retention sweep deleting N closed trajectories at once.

Run from the project folder::

    python bench/purge.py [--trajectories 10000] [--runs 3]

Each run makes a temporary SQLite database (migrated, encrypted with a key of its own) holding N employees whose
trajectory closed on 10 January 2024, each with 8 check-ins (energy, note, reflection), a pause, 2 phase changes,
a coach note, an invite, an audit entry, a dialog, 6 messages sent to them, 2 messages to their coach that name
them, and 2 applications with a proof (28 rows each). It then measures, on 12 January 2026 (two years and two days
later), `dry_run_s` (`bot.retention.purge(dry_run=True)`: finding what is due and counting its rows), `purge_s`
(the real purge: every row about them deleted, the coach's messages naming them emptied, the anonymous count kept)
and `idle_ms` (the sweep again, now with nothing due). The last line is one JSON object: the medians over the
runs, rows deleted, and the machine's load average.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot import retention
from bot.core.clock import ManualClock
from bot.core.context import Work
from storage import crypto
from storage.db import Database
from storage.migrate import upgrade_async
from storage.models import (
    ApplicationProof,
    AuditEntry,
    CheckIn,
    Coach,
    CoachNote,
    Dialog,
    Employee,
    Employer,
    Invite,
    JobApplication,
    Outbox,
    Pause,
    PhaseChange,
)

CLOSED = datetime(2024, 1, 10, 12, tzinfo=UTC)
NOW = datetime(2026, 1, 12, 12, tzinfo=UTC)  # two years and two days after the close: all due
COACHES, BATCH = 50, 1000


def _rows_about(employee: Employee, coach_chat: int) -> list[object]:
    later = CLOSED + timedelta(days=400)
    rows: list[object] = [
        CheckIn(employee_id=employee.id, iso_year=2023, iso_week=week, energy=5, note="moe", reflection="iets",
                created_at=CLOSED, updated_at=CLOSED)
        for week in range(1, 9)
    ]  # fmt: skip
    rows.append(Pause(employee_id=employee.id, start=date(2023, 5, 1), until=date(2023, 5, 7), reason="holiday",
                      created_at=CLOSED))  # fmt: skip
    rows += [PhaseChange(employee_id=employee.id, phase=p, changed_at=CLOSED) for p in ("active_search", "closed")]
    rows.append(CoachNote(employee_id=employee.id, coach_id=employee.coach_id, text="notitie", created_at=CLOSED))
    rows.append(Invite(token_hash=f"h{employee.id}", kind="employee", employee_id=employee.id, created_at=CLOSED,
                       expires_at=CLOSED))  # fmt: skip
    rows.append(AuditEntry(at=CLOSED, actor_kind="coach", actor_id=employee.coach_id, what="caseload_detail",
                           employee_id=employee.id))  # fmt: skip
    rows.append(Dialog(telegram_user_id=employee.telegram_user_id, flow="checkin", step="energy", data={},
                       updated_at=CLOSED))  # fmt: skip
    rows += [
        Outbox(dedupe_key=f"r{employee.id}:{k}", kind="prompt", chat_id=employee.telegram_user_id,
               employee_id=employee.id, text="Hoi", status="sent", not_before=CLOSED, created_at=later)
        for k in range(6)
    ]  # fmt: skip
    rows += [
        Outbox(dedupe_key=f"c{employee.id}:{k}", kind="coach_joined", chat_id=coach_chat,
               text=f"{employee.name} heeft iets gedaan", status="sent", not_before=CLOSED, created_at=later)
        for k in range(2)
    ]  # fmt: skip
    return rows


async def _fill(db: Database, trajectories: int) -> None:
    async with db.session() as session:
        coaches = [Coach(name=f"Coach {i}", telegram_user_id=10_000_000 + i, created_at=CLOSED) for i in range(COACHES)]
        employer = Employer(name="Bakkerij", created_at=CLOSED)
        session.add_all([*coaches, employer])
        await session.flush()
        for start in range(0, trajectories, BATCH):
            employees = [
                Employee(name=f"Persoon Nummer{i:05d}", coach_id=coaches[i % COACHES].id, employer_id=employer.id,
                         telegram_user_id=20_000_000 + i, first_sick_day=date(2022, 1, 3),
                         track2_start=date(2023, 1, 2),
                         status="closed", phase="closed", created_at=CLOSED - timedelta(days=300), closed_at=CLOSED)
                for i in range(start, min(trajectories, start + BATCH))
            ]  # fmt: skip
            session.add_all(employees)
            await session.flush()
            rows = [row for e in employees for row in _rows_about(e, 10_000_000 + (e.coach_id - coaches[0].id))]
            applications = [
                JobApplication(employee_id=e.id, company="X", role="Y", applied_on=date(2023, 3, 1), channel="website",
                               created_at=CLOSED, updated_at=CLOSED)
                for e in employees for _ in range(2)
            ]  # fmt: skip
            session.add_all([*rows, *applications])
            await session.flush()
            session.add_all([ApplicationProof(application_id=a.id, kind="link", url="https://example.org/vacature",
                                              created_at=CLOSED) for a in applications])  # fmt: skip
            await session.flush()


async def one_run(trajectories: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'purge.db'}"
        await upgrade_async(url)
        db = Database(url)
        try:
            await _fill(db, trajectories)
            timings = {}
            for name, dry_run in (("dry_run_s", True), ("purge_s", False), ("idle_s", False)):
                started = time.perf_counter()
                async with db.session() as session:
                    result = await retention.purge(Work(session, ManualClock(NOW), ""), dry_run=dry_run)
                timings[name] = time.perf_counter() - started
                if name == "purge_s":
                    purged, rows = len(result.employees), sum(result.rows.values())
            return {**timings, "purged": purged, "rows": rows}
        finally:
            await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trajectories", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    crypto.install(crypto.KeyRing.generated())  # a throwaway database: its own key (ENCRYPTION_KEY is not needed)
    runs = []
    for number in range(args.runs):
        runs.append(asyncio.run(one_run(args.trajectories)))
        print(f"run {number + 1}: " + ", ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}"
                                                 for k, v in runs[-1].items()))  # fmt: skip
    result = {
        "trajectories": args.trajectories,
        "rows_deleted": runs[-1]["rows"],
        "purged": runs[-1]["purged"],
        "dry_run_s": round(statistics.median(r["dry_run_s"] for r in runs), 2),
        "purge_s": round(statistics.median(r["purge_s"] for r in runs), 2),
        "idle_ms": round(statistics.median(r["idle_s"] for r in runs) * 1000, 1),
        "runs": args.runs,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
