"""`spoorzoeker privacy export` and `spoorzoeker audit`: an employee's data for an operator (the right of access,
the same two files as /mijngegevens), and the audit trail listed about one employee or by one actor (when, who,
what, about whom; never content)."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from zoneinfo import ZoneInfo

ACTOR_FORMAT = "coach:ID, employer:ID, admin:ID or operator"


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `privacy export`."""
    export = commands.add_parser(
        "export", help="everything stored about one employee, as a PDF and a JSON file (right of access)",
        parents=[common],
    )  # fmt: skip
    export.add_argument("--employee", type=int, required=True, help="the employee's id")
    export.add_argument("--out", required=True, help="the folder to write both files into (made when missing)")
    export.add_argument("--language", choices=("nl", "en"), help="the PDF's language (default: the employee's)")
    export.set_defaults(func=cmd_export)


def register_audit(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `spoorzoeker audit --employee ID | --actor KIND:ID`."""
    audit = commands.add_parser("audit", help="who looked at whose data, and when (the audit trail)", parents=[common])
    which = audit.add_mutually_exclusive_group(required=True)
    which.add_argument("--employee", type=int, help="every entry about this employee")
    which.add_argument("--actor", help=f"every entry of one actor: {ACTOR_FORMAT}")
    audit.set_defaults(func=cmd_audit)


def cmd_export(args: argparse.Namespace) -> int:
    from bot.cli import FAILED, Refused, settings_or_refuse
    from bot.views.export import export
    from storage.migrate import require_current

    settings = settings_or_refuse()
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise Refused(f"--out {out} is a file: give the folder to write both files into")
    asyncio.run(require_current(settings.database_url))
    try:
        pdf_path, json_path = asyncio.run(export(settings.database_url, args.employee, out, args.language))
    except LookupError as exc:
        raise Refused(str(exc).strip("'\"")) from None
    except OSError as exc:
        raise Refused(f"cannot write into {out.absolute()}: {exc.strerror}", FAILED) from None
    print(f"everything about employee {args.employee} written to {pdf_path} and {json_path}")
    return 0


def parse_actor(value: str) -> tuple[str, int | None]:
    """`coach:3` → ("coach", 3); `operator` → ("operator", None); ValueError otherwise."""
    from bot.core.audit import ACTORS

    kind, _, number = value.strip().partition(":")
    if kind == "operator" and not number:
        return kind, None
    if kind in ACTORS and kind != "operator" and number.isascii() and number.isdigit():
        return kind, int(number)
    raise ValueError(f"--actor {value!r} is not one of {ACTOR_FORMAT}")


def cmd_audit(args: argparse.Namespace) -> int:
    from bot.cli import Refused, settings_or_refuse
    from storage.migrate import require_current

    settings = settings_or_refuse()
    actor = None
    if args.actor is not None:
        try:
            actor = parse_actor(args.actor)
        except ValueError as exc:
            raise Refused(str(exc)) from None
    asyncio.run(require_current(settings.database_url))
    lines = asyncio.run(_audit_lines(settings.database_url, args.employee, actor, settings.default_timezone))
    if len(lines) == 1:
        about = f"about employee {args.employee}" if actor is None else f"by {args.actor}"
        print(f"no audit entries {about}")
        return 0
    print("\n".join(lines))
    return 0


async def _audit_lines(url: str, employee_id: int | None, actor: tuple[str, int | None] | None, zone: str) -> list[str]:
    """The table: a header and one line per entry, oldest first."""
    from storage import audit_queries, export_queries
    from storage.db import Database

    db = Database(url)
    try:
        async with db.session() as session:
            if actor is None:
                entries = await audit_queries.about_employee(session, employee_id)
            else:
                entries = await audit_queries.by_actor(session, *actor)
            coach_ids = {e.actor_id for e in entries if e.actor_kind in ("coach", "admin")} | {
                e.coach_id for e in entries
            }
            contact_ids = {e.actor_id for e in entries if e.actor_kind == "employer"}
            coaches, contacts, employees = await export_queries.names(
                session, coach_ids, contact_ids, {e.employee_id for e in entries}
            )
    finally:
        await db.dispose()
    rows = [("when", "who", "what", "about whom")]
    for entry in entries:
        names = contacts if entry.actor_kind == "employer" else coaches
        who = (
            "operator"
            if entry.actor_kind == "operator"
            else f"{entry.actor_kind}:{entry.actor_id} {names.get(entry.actor_id, '?')}"
        )
        about = (
            [f"employee:{entry.employee_id} {employees.get(entry.employee_id, '(erased)')}"]
            if entry.employee_id
            else []
        )
        if entry.coach_id is not None:
            about.append(f"coach:{entry.coach_id} {coaches.get(entry.coach_id, '?')}")
        when = entry.at.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")
        rows.append((when, who, entry.what, ", ".join(about) or "—"))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return [f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:<{widths[2]}}  {row[3]}".rstrip() for row in rows]
