"""The `spoorzoeker` command: run the bot, migrate the database, add coaches, try it offline."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.config import ConfigError, Settings, load_settings

NO_TOKEN_HELP = """\
No TELEGRAM_BOT_TOKEN is set, so Spoorzoeker cannot talk to Telegram yet.

To get a token: open Telegram, talk to @BotFather, send /newbot and follow the steps. Then put the token in
the environment or in a .env file in this folder:

    TELEGRAM_BOT_TOKEN=123456789:AA...

Meanwhile, here is the offline demo: the real bot against a built-in fake Telegram on 127.0.0.1
(the same as `spoorzoeker demo --out {out}`; `spoorzoeker chat` lets you type as an employee yourself).
"""


def _settings() -> Settings:
    try:
        return load_settings()
    except ConfigError as exc:
        print(f"spoorzoeker: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _require_token(settings: Settings) -> None:
    if not settings.telegram_bot_token:
        print("spoorzoeker: TELEGRAM_BOT_TOKEN is not set (get one from @BotFather)", file=sys.stderr)
        raise SystemExit(2)


def cmd_run(args: argparse.Namespace) -> int:
    settings = _settings()
    if not settings.telegram_bot_token:
        from bot.sandbox.demo import run_demo

        out = Path(args.demo_out)
        print(NO_TOKEN_HELP.format(out=out))
        print(asyncio.run(run_demo(out)))
        print(f"\nThe transcript is also in {out / 'transcript.txt'}.")
        return 0
    from bot.app import serve_forever

    asyncio.run(serve_forever(settings))
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from storage.migrate import upgrade

    settings = _settings()
    upgrade(settings.database_url, args.revision)
    print(f"database at revision {args.revision}")
    return 0


def cmd_coach_add(args: argparse.Namespace) -> int:
    from bot.admin import add_coach_with_link

    settings = _settings()
    _require_token(settings)
    try:
        link = asyncio.run(add_coach_with_link(settings, args.name))
    except ValueError as exc:
        print(f"spoorzoeker: {exc}", file=sys.stderr)
        return 2
    print(f"Coach {args.name!r} added. Send them this link (single use, valid 14 days):\n{link}")
    return 0


def cmd_run_due(args: argparse.Namespace) -> int:
    import json

    from bot.jobs import run_due

    settings = _settings()
    _require_token(settings)
    at = None
    if args.at:
        try:
            at = datetime.fromisoformat(args.at)
        except ValueError:
            print(f"spoorzoeker: --at {args.at!r} is not an ISO date-time (e.g. 2026-11-20T10:00)", file=sys.stderr)
            return 2
        if at.tzinfo is None:
            at = at.replace(tzinfo=ZoneInfo(settings.default_timezone))
    print(json.dumps(asyncio.run(run_due(settings, at))))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from bot.sandbox.demo import run_demo

    print(asyncio.run(run_demo(Path(args.out))))
    print(f"\nWritten to {Path(args.out) / 'transcript.txt'}.")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from datetime import date

    from bot.views.report import export

    settings = _settings()
    try:
        first, last = (date.fromisoformat(value) if value else None for value in (args.first, args.last))
        now = datetime.now(ZoneInfo(settings.default_timezone))
        today = date.fromisoformat(args.today) if args.today else now.date()
    except ValueError as exc:
        print(f"spoorzoeker: {exc} (dates are YYYY-MM-DD)", file=sys.stderr)
        return 2
    options = {"variant": args.variant, "kind": args.format, "lang": args.language, "today": today}
    try:
        data, name = asyncio.run(export(settings.database_url, args.employee, first=first, last=last, **options))
    except (LookupError, ValueError) as exc:
        print(f"spoorzoeker: {exc}", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.write_bytes(data)
    print(f"{args.variant} report ({args.format}) written to {out} ({name})")
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    from bot.sandbox.chat import run_chat

    asyncio.run(run_chat(language=args.language))
    return 0


def cmd_timeline(args: argparse.Namespace) -> int:
    """The poortwachter timeline of one first day of sickness, as a table (content/messages/timeline.j2) or JSON."""
    import json
    from datetime import date

    from bot.rules import timeline
    from bot.sandbox.fake_telegram import strip_html
    from content.texts import texts

    try:
        first = date.fromisoformat(args.first_sick_day)
        start = date.fromisoformat(args.track2_start) if args.track2_start else None
    except ValueError:
        print("spoorzoeker: dates are written YYYY-MM-DD, e.g. 2026-03-15", file=sys.stderr)
        return 2
    if start is not None and start < first:
        print("spoorzoeker: Track 2 cannot start before the first day of sickness", file=sys.stderr)
        return 2
    items = timeline.schedule(first, start)
    late = timeline.track2_warning(first, start) if start is not None else None
    if args.json:
        label = texts().label
        print(json.dumps([m.as_json(label(args.language, f"timeline_{m.key}", n=m.number)) for m in items], indent=2))
        if late is not None:
            print(strip_html(texts().render(args.language, "_employer_late", late=late)), file=sys.stderr)
        return 0
    ctx = {"items": items, "first_sick_day": first, "track2_late": late}
    print(strip_html(texts().render(args.language, "timeline", **ctx)))
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="spoorzoeker", description=__doc__)
    root.add_argument("-v", "--verbose", action="store_true", help="log more")
    commands = root.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run the bot (offline demo when no token is set)")
    run.add_argument("--demo-out", default="spoorzoeker-demo", help="where the offline demo writes its files")
    run.set_defaults(func=cmd_run)

    db = commands.add_parser("db", help="database maintenance").add_subparsers(dest="db_command", required=True)
    upgrade = db.add_parser("upgrade", help="apply the migrations")
    upgrade.add_argument("revision", nargs="?", default="head")
    upgrade.set_defaults(func=cmd_db_upgrade)

    coach = commands.add_parser("coach", help="manage coaches").add_subparsers(dest="coach_command", required=True)
    add = coach.add_parser("add", help="add a coach and print their registration link")
    add.add_argument("--name", required=True)
    add.set_defaults(func=cmd_coach_add)

    due = commands.add_parser("run-due", help="run the sweeps once (as if at --at) and send what is due")
    due.add_argument("--at", help="ISO date-time; without an offset it is in DEFAULT_TIMEZONE (default: now)")
    due.set_defaults(func=cmd_run_due)

    demo = commands.add_parser("demo", help="scripted offline demo against a fake Telegram")
    demo.add_argument("--out", required=True, help="folder for the transcript")
    demo.set_defaults(func=cmd_demo)

    line = commands.add_parser("timeline", help="print the poortwachter timeline of a first day of sickness")
    line.add_argument("--first-sick-day", required=True, help="YYYY-MM-DD")
    line.add_argument("--track2-start", help="YYYY-MM-DD: when Track 2 started (warns when it is late)")
    line.add_argument("--json", action="store_true", help="a JSON list of {key, week, due, title}")
    line.add_argument("--language", choices=("nl", "en"), default="nl")
    line.set_defaults(func=cmd_timeline)

    report = commands.add_parser("report", help="the progress report of one employee as PDF or CSV")
    report.add_argument("--employee", type=int, required=True, help="the employee's id")
    report.add_argument("--from", dest="first", help="first day YYYY-MM-DD (default: Track 2 start, or 13 weeks ago)")
    report.add_argument("--to", dest="last", help="last day YYYY-MM-DD (default: today)")
    report.add_argument("--variant", choices=("dossier", "coach"), default="dossier")
    report.add_argument("--format", choices=("pdf", "csv"), default="pdf")
    report.add_argument("--language", choices=("nl", "en"), default="nl")
    report.add_argument("--today", help="make the report as if on this day, YYYY-MM-DD (default: today)")
    report.add_argument("--out", required=True, help="the file to write")
    report.set_defaults(func=cmd_report)

    chat = commands.add_parser("chat", help="type as an employee in this terminal (offline)")
    chat.add_argument("--language", choices=("nl", "en"), default="nl")
    chat.set_defaults(func=cmd_chat)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose or args.command == "run" else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return args.func(args)
