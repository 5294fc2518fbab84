"""`spoorzoeker privacy purge and privacy erase`: retention and erasure at the command line (bot.retention)."""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

FUTURE_ALLOWANCE = timedelta(minutes=1)  # `purge --at` this little ahead of the clock still counts as now


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `privacy purge` and `privacy erase`."""
    purge = commands.add_parser(
        "purge", help="delete everything about trajectories closed two years ago and invites never accepted in 90 days",
        parents=[common],
    )  # fmt: skip
    purge.add_argument("--dry-run", action="store_true", help="only show what would be deleted (changes nothing)")
    purge.add_argument("--at", help="ISO date-time: as if then (a future one only with --dry-run; default: now)")
    purge.set_defaults(func=cmd_purge)
    erase = commands.add_parser(
        "erase", help="erase one employee now (asks to confirm; keeps only the facts of reports sent)",
        parents=[common],
    )  # fmt: skip
    erase.add_argument("--employee", type=int, required=True, help="the employee's id")
    erase.add_argument("--yes", action="store_true", help="do not ask to confirm")
    erase.set_defaults(func=cmd_erase)


def _rows(rows: Counter[str]) -> str:
    return ", ".join(f"{table} {count}" for table, count in sorted(rows.items())) or "no rows"


def cmd_purge(args: argparse.Namespace) -> int:
    from bot.cli import Refused, parse_at, settings_or_refuse
    from bot.retention import purge_database

    settings = settings_or_refuse()
    at = parse_at(args.at, settings.default_timezone)
    if at is not None and at > datetime.now(UTC) + FUTURE_ALLOWANCE and not args.dry_run:
        raise Refused(
            f"--at {at.isoformat(timespec='minutes')} is in the future: the purge would delete data that is not "
            "due yet; add --dry-run to see what would go then"
        )
    done = asyncio.run(purge_database(settings, at, dry_run=args.dry_run))
    moment = done.at.astimezone(ZoneInfo(settings.default_timezone)).isoformat(timespec="minutes")
    verb = "would go" if done.dry_run else "deleted"
    if not done.employees:
        print(f"purge as of {moment}: nothing is due, nothing {verb}")
        return 0
    print(
        f"purge as of {moment}: {len(done.employees)} employee(s) {verb} (closed two years ago: {len(done.closed)}, "
        f"never joined in 90 days: {len(done.never_joined)})"
    )
    print(f"employees: {', '.join(str(number) for number in done.employees)}")
    print(f"rows: {_rows(done.rows)}")
    if not done.dry_run:
        print("kept: only the anonymous count per year closed and outcome")
    return 0


def cmd_erase(args: argparse.Namespace) -> int:
    from bot.cli import Refused, settings_or_refuse
    from bot.retention import erase_database, preview_database

    settings = settings_or_refuse()
    zone = ZoneInfo(settings.default_timezone)
    try:
        employee, rows, reports = asyncio.run(preview_database(settings, args.employee))
    except LookupError as exc:
        raise Refused(str(exc).strip("'\"")) from None
    if not args.yes:
        print(f"Erase employee {employee.id}: {employee.name} (status {employee.status})")
        print(f"This deletes everything about them: {_rows(rows)}")
        print(_kept_line([(r.kind, r.decided_at or r.created_at) for r in reports], zone, None))
        try:
            answer = input(f"Type the employee's id ({employee.id}) to erase, anything else to stop: ")
        except EOFError:
            answer = ""
        if answer.strip() != str(employee.id):
            raise Refused(f"not confirmed: employee {employee.id} was not erased")
    done = asyncio.run(erase_database(settings, args.employee))
    print(f"Employee {done.employee_id} erased (erasure reference {done.reference}): {_rows(done.rows)}")
    print(_kept_line([(fact.kind, fact.sent_at) for fact in done.kept], zone, done.reference))
    print("No message will be sent to their chat again (unless they accept a new invite).")
    return 0


def _kept_line(reports: list[tuple[str, datetime]], zone: ZoneInfo, reference: str | None) -> str:
    """What is kept by law: nothing, or that a report was sent to the employer on a date (never its content)."""
    if not reports:
        return "Kept by law: nothing."
    sent = "; ".join(f"{kind} report sent to the employer on {at.astimezone(zone).date()}" for kind, at in reports)
    under = f" under the erasure reference {reference}" if reference else " (under the erasure reference)"
    return f"Kept by law{under}, without content or name: {sent}."
