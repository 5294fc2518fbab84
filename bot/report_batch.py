"""`spoorzoeker report --all --month 2026-11 --out DIR`: the progress report of one calendar month for every
active client, each written into DIR under the name `bot.views.report.filename` gives it.

One client's failure (a report that cannot be made, a file that cannot be written) is recorded with the
client's name and the batch goes on with the next; the caller reports the failures and the summary line.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as time_of_day
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.core import audit
from bot.core.clock import ManualClock
from bot.core.context import Work
from bot.rules.report import PROGRESS
from bot.views import report
from storage import coach_queries, queries
from storage.db import Database
from storage.models import Coach, Employee

Progress = Callable[[int, int], None]  # (clients done, clients in all)


@dataclass(frozen=True)
class Failure:
    employee_id: int
    name: str
    reason: str


@dataclass
class Batch:
    """What a batch did: the files written, the clients that failed, and how long it took."""

    folder: Path
    written: list[Path] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def per_second(self) -> float:
        return len(self.written) / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        """e.g. "40 reports written to out in 12.3 s (3.3 clients/s); 0 failed"."""
        count = len(self.written)
        reports = "report" if count == 1 else "reports"
        return (
            f"{count} {reports} written to {self.folder} in {self.seconds:.1f} s "
            f"({self.per_second:.1f} clients/s); {len(self.failed)} failed"
        )


async def write_month(
    database_url: str,
    folder: Path,
    *,
    first: date,
    last: date,
    variant: str,
    fmt: str,
    lang: str,
    today: date,
    progress: Progress | None = None,
    bot_username: str = "",
) -> Batch:
    """Write the progress report from `first` to `last` (a calendar month) of every active client into `folder`
    (which must exist) as `fmt` (pdf | csv). Clients are done one after the other, each in a session of its own."""
    started = time.perf_counter()
    batch = Batch(folder)
    period = report.Period(first, last)
    make = report.pdf if fmt == "pdf" else report.csv_bytes
    db = Database(database_url)
    try:
        async with db.session() as session:
            clients = [(employee.id, employee.name) for employee in await coach_queries.active_clients(session)]
        if progress:
            progress(0, len(clients))
        names: set[str] = set()
        for done, (employee_id, name) in enumerate(clients, start=1):
            try:
                data, file_name = await _one(db, employee_id, period, variant, fmt, lang, today, make, bot_username)
                if file_name in names:  # two clients with the same name: the second file also gets the id
                    stem, _, ext = file_name.rpartition(".")
                    file_name = f"{stem}-{employee_id}.{ext}"
                path = folder / file_name
                path.write_bytes(data)
                names.add(file_name)
                batch.written.append(path)
            except OSError as error:
                batch.failed.append(Failure(employee_id, name, f"cannot write the file: {error.strerror or error}"))
            except Exception as error:  # noqa: BLE001 - one client's report must not stop the others
                batch.failed.append(Failure(employee_id, name, f"{type(error).__name__}: {error}"))
            if progress:
                progress(done, len(clients))
    finally:
        await db.dispose()
    batch.seconds = time.perf_counter() - started
    return batch


async def _one(
    db: Database,
    employee_id: int,
    period: report.Period,
    variant: str,
    fmt: str,
    lang: str,
    today: date,
    make,
    bot_username: str,
) -> tuple[bytes, str]:
    async with db.session() as session:
        employee = await queries.get(session, Employee, employee_id)
        coach = await queries.get(session, Coach, employee.coach_id)
        zone = ZoneInfo(coach.timezone if coach else employee.timezone)
        work = Work(session, ManualClock(datetime.combine(today, time_of_day(12), zone)), bot_username, zone.key)
        data = await make(work, employee, period, variant, lang, kind=PROGRESS)
        await audit.by_operator(work, "report", employee_id)
        return data, report.filename(employee, variant, period, fmt, kind=PROGRESS)
