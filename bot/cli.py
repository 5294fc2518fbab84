"""The `spoorzoeker` command: run the bot, migrate the database, add coaches, try it offline.

Every failure the operator can do something about ends in one line on stderr and a non-zero exit: 2 when the
command line or a setting is wrong, 1 when something outside is (Telegram, the database, the disk, a send).
`main` is the one place that turns the known failure kinds into that line; the commands raise `Refused`.
"""

from __future__ import annotations

import argparse
import asyncio
import calendar
import logging
import re
import sys
import warnings
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.config import ConfigError, Settings, load_settings

USAGE, FAILED = 2, 1  # exit codes: the command line or a setting is wrong / something outside went wrong
FUTURE_ALLOWANCE = timedelta(minutes=1)  # `run-due --at` this little ahead of the clock still counts as now
REPORT_FORMATS = {".pdf": "pdf", ".csv": "csv"}
OUR_LOGGERS = ("bot", "handlers", "storage", "content")


EXIT_CODES = (
    "A problem ends in one line on stderr and exit status 1 (Telegram, the database, the disk or a send failed) or "
    "2 (the command line or a setting is wrong); --verbose adds the details."
)


class Refused(Exception):
    """A command stops with one line for the operator (without the "spoorzoeker: " prefix) and an exit code."""

    def __init__(self, line: str, code: int = USAGE) -> None:
        super().__init__(line)
        self.code = code


NO_TOKEN_HELP = """\
No TELEGRAM_BOT_TOKEN is set, so Spoorzoeker cannot talk to Telegram yet.

To get a token: open Telegram, talk to @BotFather, send /newbot and follow the steps. Then put the token in
the environment or in a .env file in this folder:

    TELEGRAM_BOT_TOKEN=123456789:AA...

Meanwhile, here is the offline demo: the real bot against a built-in fake Telegram on 127.0.0.1
(the same as `spoorzoeker demo --out {out}`; `spoorzoeker chat` lets you type as an employee yourself).
"""


def settings_or_refuse() -> Settings:
    """The settings, or `Refused` with the one line that says what is wrong (also for the CLI's other modules).
    Installs the key ring of ENCRYPTION_KEY for this process; a command that opens the database without one stops
    at the key check (`storage.migrate`)."""
    from storage import crypto

    try:
        settings = load_settings()
    except ConfigError as exc:
        raise Refused(f"configuration error: {exc}") from None
    if settings.encryption_key:
        crypto.install(crypto.KeyRing.from_setting(settings.encryption_key))
    return settings


def parse_at(value: str | None, timezone: str) -> datetime | None:
    """An `--at` option: an ISO date-time, in `timezone` when it has no offset; None when not given."""
    if not value:
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise Refused(f"--at {value!r} is not an ISO date-time (e.g. 2026-11-20T10:00)") from None
    return at if at.tzinfo is not None else at.replace(tzinfo=ZoneInfo(timezone))


def _require_token(settings: Settings) -> None:
    if not settings.telegram_bot_token:
        raise Refused("TELEGRAM_BOT_TOKEN is not set (get one from @BotFather)")


def cmd_run(args: argparse.Namespace) -> int:
    settings = settings_or_refuse()
    if args.webhook:
        _require_token(settings)
        if not settings.webhook_url or not settings.webhook_secret:
            raise Refused(
                "--webhook needs WEBHOOK_URL (the public https URL Telegram posts to) and WEBHOOK_SECRET "
                "(16-256 characters of A-Z, a-z, 0-9, _ and -)"
            )
    if not settings.telegram_bot_token:
        out = Path(args.demo_out)
        print(NO_TOKEN_HELP.format(out=out))
        return _play_demo(out, serve=sys.stdout.isatty(), port=0, written="The transcript is also in")
    from bot.app import CannotTakeUpdates, serve_forever
    from bot.web import ListenProblem

    try:
        asyncio.run(serve_forever(settings, webhook=args.webhook))
    except (CannotTakeUpdates, ListenProblem) as exc:
        raise Refused(str(exc), FAILED) from None
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from storage.migrate import upgrade

    settings = settings_or_refuse()
    upgrade(settings.database_url, args.revision)
    print(f"database at revision {args.revision}")
    return 0


def cmd_coach_add(args: argparse.Namespace) -> int:
    from bot.admin import add_coach_with_link

    if args.name and args.name_option and " ".join(args.name.split()) != " ".join(args.name_option.split()):
        raise Refused(f"two names given ({args.name!r} and --name {args.name_option!r}): give one")
    name = args.name or args.name_option
    if not name:
        raise Refused('give the coach\'s name: spoorzoeker coach add "Sanne de Vries" [--agency "Bureau X"]')
    settings = settings_or_refuse()
    _require_token(settings)
    try:
        added = asyncio.run(add_coach_with_link(settings, name, agency=args.agency))
    except ValueError as exc:
        raise Refused(str(exc)) from None
    agency = f" of {' '.join(args.agency.split())!r}" if args.agency and args.agency.strip() else ""
    print(f"Coach {name!r} (id {added.id}){agency} added. Send them this link (single use, valid 14 days):")
    print(added.url)
    return 0


def cmd_coach_agency(args: argparse.Namespace) -> int:
    """Name the reintegration agency a coach works for (reports name it); an empty name stops naming one."""
    from bot.admin import set_agency

    settings = settings_or_refuse()
    try:
        coach = asyncio.run(set_agency(settings.database_url, args.coach, args.agency))
    except (LookupError, ValueError) as exc:
        raise Refused(str(exc).strip("'\"")) from None
    if coach.agency is None:
        print(f"Coach {coach.name!r} (id {coach.id}): no agency named in reports any more")
    else:
        print(f"Coach {coach.name!r} (id {coach.id}): reports name the agency {coach.agency!r}")
    return 0


def cmd_coach_list(args: argparse.Namespace) -> int:
    from bot.admin import coaches

    settings = settings_or_refuse()
    found = asyncio.run(coaches(settings.database_url))
    if not found:
        print("no coaches yet: add one with `spoorzoeker coach add NAME`")
    for coach in found:
        registered = "registered" if coach.telegram_user_id is not None else "not registered yet"
        agency = coach.agency or "no agency named"
        print(f"{coach.id}\t{coach.name}\t{registered}\t{agency}")
    return 0


def cmd_run_due(args: argparse.Namespace) -> int:
    import json

    from bot.jobs import run_due, simulate_due

    settings = settings_or_refuse()
    at = parse_at(args.at, settings.default_timezone)
    if args.simulate:
        done = asyncio.run(simulate_due(settings, at))
        print(json.dumps(done.summary()))
        return 0
    if at is not None and at > datetime.now(UTC) + FUTURE_ALLOWANCE:
        raise Refused(
            f"--at {at.isoformat(timespec='minutes')} is in the future: run-due would send what is due then and "
            "store the weeks before it as missed; add --simulate to see what it would do without storing or sending"
        )
    _require_token(settings)
    done = asyncio.run(run_due(settings, at))
    print(json.dumps(done.summary()))
    for failure in done.failures:
        then = f"tried again from {failure.retry_from.isoformat()}" if failure.retry_from else "given up"
        print(
            f"spoorzoeker: not sent: {failure.kind} to chat {failure.chat_id} (outbox row {failure.row_id}, "
            f"{failure.attempts} attempts, {then}): {failure.reason}",
            file=sys.stderr,
        )
    return FAILED if done.failures else 0


def cmd_demo(args: argparse.Namespace) -> int:
    serve = sys.stdout.isatty() if args.serve is None else args.serve
    return _play_demo(Path(args.out), serve=serve, port=args.port, written="Written to")


def _play_demo(out: Path, *, serve: bool, port: int, written: str) -> int:
    """The offline demo; with `serve` (a terminal, or --serve) it keeps the offline bot and the dashboard running
    after the last scene, with the coach's dashboard link printed, until Ctrl-C."""
    from bot.sandbox.demo import dashboard_link, final_reports, run_demo, serving

    try:
        transcript = asyncio.run(run_demo(out, dashboard_port=port, while_running=serving() if serve else None))
    except KeyboardInterrupt:
        print("\nThe offline bot and its dashboard stopped.")
        transcript = None
    if transcript is not None and not serve:
        print(transcript)
        link = dashboard_link(transcript)
        if link:
            print(f"Sanne's dashboard link: {link}")
            print("It worked while the demo ran; `spoorzoeker demo --serve` keeps the bot running to open it.")
    print(f"\n{written} {out / 'transcript.txt'}.")
    for path in final_reports(out):
        print(f"The final report of Ahmed, who was placed: {path}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from bot.views.report import export
    from storage.migrate import require_current

    settings = settings_or_refuse()
    if args.all:
        return _report_all(args, settings)
    if args.employee is None:
        raise Refused("say whose report: --employee ID, or --all --month YYYY-MM for every active client")
    if args.month:
        raise Refused("--month goes with --all; one client's report takes --from and --to")
    try:
        first, last = (date.fromisoformat(value) if value else None for value in (args.first, args.last))
        today = _report_today(args, settings)
    except ValueError as exc:
        raise Refused(f"{exc} (dates are YYYY-MM-DD)") from None
    out = Path(args.out)
    kind = _report_format(out, args.format)
    if out.is_dir():
        raise Refused(f"--out {out} is a folder: give the name of the file to write")
    if not out.absolute().parent.is_dir():
        raise Refused(f"the folder {out.absolute().parent} for --out does not exist: create it, or write elsewhere")
    options = {"variant": args.variant, "kind": kind, "lang": args.language, "today": today}
    asyncio.run(require_current(settings.database_url))  # before anything opens it: no empty file left behind
    try:
        data, name = asyncio.run(
            export(settings.database_url, args.employee, first=first, last=last, report_kind=args.kind, **options)
        )
    except (LookupError, ValueError) as exc:
        raise Refused(str(exc).strip("'\"")) from None
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise Refused(f"cannot write {out.absolute()}: {exc.strerror}", FAILED) from None
    print(f"{args.variant} {args.kind} report ({kind}) written to {out} ({name})")
    return 0


def _report_today(args: argparse.Namespace, settings: Settings) -> date:
    if args.today:
        return date.fromisoformat(args.today)
    return datetime.now(ZoneInfo(settings.default_timezone)).date()


def _report_all(args: argparse.Namespace, settings: Settings) -> int:
    """`report --all`: the progress report of one calendar month for every active client, into a folder."""
    from bot.report_batch import write_month
    from bot.rules.report import FINAL, month_period, previous_month
    from storage.migrate import require_current

    if args.employee is not None:
        raise Refused("--employee and --all do not go together: one client's report, or every active client's")
    if args.first or args.last:
        raise Refused("--all makes the report of one calendar month: give --month YYYY-MM instead of --from/--to")
    if args.kind == FINAL:
        raise Refused("--all makes the monthly progress reports; a final report is made per client (--employee)")
    try:
        today = _report_today(args, settings)
    except ValueError as exc:
        raise Refused(f"{exc} (dates are YYYY-MM-DD)") from None
    if args.month:
        try:
            first, last = month_period(args.month)
        except ValueError:
            raise Refused(f"--month {args.month!r} is not a calendar month written YYYY-MM, e.g. 2026-11") from None
    else:
        first, last = previous_month(today)
    if first > today:
        raise Refused(f"--month {first:%Y-%m} has not begun yet (today is {today}): give a month that has")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise Refused(f"--out {out} is a file: with --all give the folder to write the reports into")
    asyncio.run(require_current(settings.database_url))  # before the folder is made: nothing left behind
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise Refused(f"cannot make the folder {out.absolute()}: {exc.strerror}", FAILED) from None
    options = {"variant": args.variant, "fmt": args.format or "pdf", "lang": args.language, "today": today}
    batch = asyncio.run(
        write_month(settings.database_url, out, first=first, last=last, progress=_progress_bar, **options)
    )
    for failure in batch.failed:
        print(
            f"spoorzoeker: not written: the report of {failure.name} (employee {failure.employee_id}): "
            f"{failure.reason}",
            file=sys.stderr,
        )
    print(batch.summary())
    return FAILED if batch.failed else 0


def _progress_bar(done: int, total: int, width: int = 20) -> None:
    """`[########------------] 16/40` on stderr, redrawn in place; a new line once the last one is done."""
    filled = width * done // total if total else width
    end = "\n" if done >= total else ""
    print(f"\r[{'#' * filled}{'-' * (width - filled)}] {done}/{total}", end=end, file=sys.stderr, flush=True)


def _report_format(out: Path, chosen: str | None) -> str:
    """The format of the report: --format, else the suffix of --out, else PDF; a clash is refused."""
    by_suffix = REPORT_FORMATS.get(out.suffix.lower())
    if chosen and by_suffix and chosen != by_suffix:
        raise Refused(
            f"--format {chosen} does not fit --out {out.name}: name the file .{chosen}, or leave --format out "
            "(the suffix picks the format)"
        )
    return chosen or by_suffix or "pdf"


def cmd_plan_export(args: argparse.Namespace) -> int:
    """The employee's newest plan version as YAML (bot/plan_file.py); evaluations are not in it."""
    from bot.plan_file import export_plan
    from storage.migrate import require_current

    settings = settings_or_refuse()
    out = Path(args.out)
    if out.is_dir():
        raise Refused(f"--out {out} is a folder: give the name of the file to write")
    if not out.absolute().parent.is_dir():
        raise Refused(f"the folder {out.absolute().parent} for --out does not exist: create it, or write elsewhere")
    asyncio.run(require_current(settings.database_url))
    try:
        exported = asyncio.run(export_plan(settings.database_url, args.employee, settings.default_timezone))
    except LookupError as exc:
        raise Refused(str(exc).strip("'\"")) from None
    try:
        out.write_text(exported.text, encoding="utf-8")
    except OSError as exc:
        raise Refused(f"cannot write {out.absolute()}: {exc.strerror}", FAILED) from None
    print(f"plan version {exported.number} of {exported.employee} written to {out}")
    return 0


def cmd_plan_import(args: argparse.Namespace) -> int:
    """A plan YAML file as the employee's next version (change "imported"); a bad file changes nothing."""
    from bot.plan_file import PlanFileError, import_plan
    from storage.migrate import require_current

    settings = settings_or_refuse()
    source = Path(args.file)
    try:
        text = source.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise Refused(f"{source.name} is not a UTF-8 text file") from None
    except OSError as exc:
        raise Refused(f"cannot read {source.absolute()}: {exc.strerror}") from None
    asyncio.run(require_current(settings.database_url))
    now = datetime.now(ZoneInfo(settings.default_timezone))
    try:
        done = asyncio.run(import_plan(settings.database_url, args.employee, text, source.name, now))
    except LookupError as exc:
        raise Refused(str(exc).strip("'\"")) from None
    except PlanFileError as exc:
        raise Refused(str(exc)) from None
    if not done.new:
        print(f"{source.name} is the same as plan version {done.number} of {done.employee}: nothing written")
    else:
        print(f"{source.name} imported as plan version {done.number} of {done.employee}")
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    from bot.sandbox.chat import run_chat

    asyncio.run(run_chat(language=args.language))
    return 0


def cmd_timeline(args: argparse.Namespace) -> int:
    """The poortwachter timeline of one first day of sickness, as a table (content/messages/timeline.j2) or JSON."""
    import json

    from bot.flows.invite import OLDEST_SICKNESS
    from bot.rules import timeline
    from bot.sandbox.fake_telegram import strip_html
    from content.texts import texts

    today = _day("--today", args.today) if args.today else date.today()
    first = _day("--first-sick-day", args.first_sick_day)
    start = _day("--track2-start", args.track2_start) if args.track2_start else None
    if first > today:
        raise Refused(f"--first-sick-day {first} is in the future (today is {today}): give the day sickness began")
    if first < today - OLDEST_SICKNESS:
        raise Refused(
            f"--first-sick-day {first} is more than {OLDEST_SICKNESS.days // 7} weeks ago (before "
            f"{today - OLDEST_SICKNESS}): wage continuation and any wage sanction are over by now; check the year"
        )
    if start is not None and start < first:
        raise Refused("Track 2 cannot start before the first day of sickness")
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


_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def _day(option: str, value: str) -> date:
    """A YYYY-MM-DD date; a date in that form that does not exist (2025-02-30) is told apart from a typo."""
    match = _ISO_DAY.match(value.strip())
    if not match:
        raise Refused(f"{option} {value!r} is not written YYYY-MM-DD, e.g. 2026-03-15")
    year, month, day = (int(part) for part in match.groups())
    if not 1 <= month <= 12:
        raise Refused(f"{option} {value} does not exist: there is no month {month}")
    try:
        return date(year, month, day)
    except ValueError:
        days = calendar.monthrange(year, month)[1]
        raise Refused(f"{option} {value} does not exist: {calendar.month_name[month]} {year} has {days} days") from None


def parser() -> argparse.ArgumentParser:
    verbose = "log everything, libraries included, and the traceback of a failure"
    root = argparse.ArgumentParser(prog="spoorzoeker", description=__doc__.splitlines()[0], epilog=EXIT_CODES)
    root.add_argument("-v", "--verbose", action="store_true", help=verbose)
    common = argparse.ArgumentParser(add_help=False)  # so that `spoorzoeker run --verbose` works too
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help=verbose)
    commands = root.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run the bot (offline demo when no token is set)", parents=[common])
    run.add_argument("--demo-out", default="spoorzoeker-demo", help="where the offline demo writes its files")
    run.add_argument(
        "--webhook", action="store_true",
        help="take updates from Telegram's POSTs to WEBHOOK_URL instead of long polling (for several instances)",
    )  # fmt: skip
    run.set_defaults(func=cmd_run)

    db = commands.add_parser("db", help="database maintenance").add_subparsers(dest="db_command", required=True)
    upgrade = db.add_parser("upgrade", help="apply the migrations", parents=[common])
    upgrade.add_argument("revision", nargs="?", default="head")
    upgrade.set_defaults(func=cmd_db_upgrade)

    coach = commands.add_parser("coach", help="manage coaches").add_subparsers(dest="coach_command", required=True)
    add = coach.add_parser("add", help="add a coach and print their registration link", parents=[common])
    add.add_argument("name", nargs="?", help='the coach\'s name, e.g. "Sanne de Vries"')
    add.add_argument("--name", dest="name_option", help="the same, as an option")
    add.add_argument("--agency", help="the reintegration agency they work for (named in reports)")
    add.set_defaults(func=cmd_coach_add)
    agency = coach.add_parser(
        "agency", help="name the reintegration agency a coach works for (reports name it)", parents=[common]
    )
    agency.add_argument("coach", type=int, help="the coach's id (`spoorzoeker coach list`)")
    agency.add_argument("agency", help='e.g. "Bureau Werkfit"; "" stops naming one')
    agency.set_defaults(func=cmd_coach_agency)
    listing = coach.add_parser("list", help="every coach: id, name, registered, agency", parents=[common])
    listing.set_defaults(func=cmd_coach_list)

    due = commands.add_parser(
        "run-due", help="run the sweeps once (as if at --at) and send what is due", parents=[common]
    )
    due.add_argument("--at", help="ISO date-time; without an offset it is in DEFAULT_TIMEZONE (default: now)")
    due.add_argument(
        "--simulate",
        action="store_true",
        help="show what it would do (a future --at is allowed): in a transaction that is rolled back, sends nothing",
    )
    due.set_defaults(func=cmd_run_due)

    demo = commands.add_parser("demo", help="scripted offline demo against a fake Telegram", parents=[common])
    demo.add_argument("--out", required=True, help="folder for the transcript")
    demo.add_argument(
        "--serve", action=argparse.BooleanOptionalAction, default=None,
        help="keep the offline bot and its dashboard running after the demo until Ctrl-C (default: in a terminal)",
    )  # fmt: skip
    demo.add_argument("--port", type=int, default=0, help="the dashboard's port on 127.0.0.1 (default: a free one)")
    demo.set_defaults(func=cmd_demo)

    line = commands.add_parser(
        "timeline", help="print the poortwachter timeline of a first day of sickness", parents=[common]
    )
    line.add_argument("--first-sick-day", required=True, help="YYYY-MM-DD")
    line.add_argument("--track2-start", help="YYYY-MM-DD: when Track 2 started (warns when it is late)")
    line.add_argument("--json", action="store_true", help="a JSON list of {key, week, due, title}")
    line.add_argument("--language", choices=("nl", "en"), default="nl")
    line.add_argument("--today", help="YYYY-MM-DD: check the first day of sickness as if on this day")
    line.set_defaults(func=cmd_timeline)

    report = commands.add_parser(
        "report", help="the progress or final report of one employee, or of every active client, as PDF or CSV",
        parents=[common],
    )  # fmt: skip
    report.add_argument("--employee", type=int, help="the employee's id")
    report.add_argument(
        "--all", action="store_true", help="every active client: the progress report of --month, into the folder --out"
    )
    report.add_argument("--month", help="with --all: the calendar month YYYY-MM (default: last month)")
    report.add_argument(
        "--kind", choices=("progress", "final"), default="progress",
        help="progress (voortgangsrapportage) or final (eindrapportage spoor 2; default period: the whole trajectory)",
    )  # fmt: skip
    report.add_argument("--from", dest="first", help="first day YYYY-MM-DD (default: Track 2 start, or 13 weeks ago)")
    report.add_argument("--to", dest="last", help="last day YYYY-MM-DD (default: today)")
    report.add_argument("--variant", choices=("dossier", "coach"), default="dossier")
    report.add_argument("--format", choices=("pdf", "csv"), help="default: from the suffix of --out, else pdf")
    report.add_argument("--language", choices=("nl", "en"), default="nl")
    report.add_argument("--today", help="make the report as if on this day, YYYY-MM-DD (default: today)")
    report.add_argument("--out", required=True, help="the file to write (with --all: the folder, made if missing)")
    report.set_defaults(func=cmd_report)

    plans = commands.add_parser("plan", help="an employee's trajectory plan as a YAML file").add_subparsers(
        dest="plan_command", required=True
    )
    plan_export = plans.add_parser("export", help="write the newest plan version as YAML", parents=[common])
    plan_export.add_argument("--employee", type=int, required=True, help="the employee's id")
    plan_export.add_argument("--out", required=True, help="the file to write, e.g. plan.yaml")
    plan_export.set_defaults(func=cmd_plan_export)
    plan_import = plans.add_parser(
        "import", help="store a plan YAML file as the next version (checked first)", parents=[common]
    )
    plan_import.add_argument("--employee", type=int, required=True, help="the employee's id")
    plan_import.add_argument("file", help="the plan YAML file (as `plan export` writes it)")
    plan_import.set_defaults(func=cmd_plan_import)

    chat = commands.add_parser("chat", help="type as an employee in this terminal (offline)", parents=[common])
    chat.add_argument("--language", choices=("nl", "en"), default="nl")
    chat.set_defaults(func=cmd_chat)

    # these modules use `Refused` and `settings_or_refuse`
    from bot import cli_admin, cli_export, cli_keys, cli_retention, cli_statement

    privacy = commands.add_parser("privacy", help="the AVG: purge, erase, export, encryption keys")
    privacy_commands = privacy.add_subparsers(dest="privacy_command", required=True)
    cli_retention.register(privacy_commands, common)  # privacy purge, privacy erase
    cli_export.register(privacy_commands, common)  # privacy export
    cli_keys.register(privacy_commands, common)  # privacy new-key, privacy rotate-key
    cli_statement.register(privacy_commands, common)  # privacy statement
    cli_export.register_audit(commands, common)  # audit --employee / --actor
    cli_admin.register(commands, common)  # admin add / list
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    _configure_logging(args.verbose, args.command)
    try:
        return args.func(args)
    except Refused as refused:
        print(f"spoorzoeker: {refused}", file=sys.stderr)
        return refused.code
    except Exception as error:
        from storage.crypto import key_problem

        if (wrong_key := key_problem(error)) is not None:  # a setting: exit 2
            print(f"spoorzoeker: {wrong_key}", file=sys.stderr)
            return USAGE
        line = _known_failure(error)
        if line is None:
            raise
        if args.verbose:
            logging.getLogger(__name__).error("the failure in full", exc_info=error)
        print(f"spoorzoeker: {line}", file=sys.stderr)
        return FAILED


def _known_failure(error: BaseException) -> str | None:
    """One line for a failure of Telegram or of the database, or None for anything else (a bug: traceback)."""
    from telegram.error import InvalidToken, NetworkError, TimedOut

    from storage.db_problems import problem

    try:
        settings = load_settings()
    except ConfigError:  # pragma: no cover - the command already stopped on it
        return None
    base = settings.telegram_base_url.removesuffix("/bot")
    if isinstance(error, InvalidToken):
        return (
            f"Telegram ({base}) does not accept TELEGRAM_BOT_TOKEN: copy the token again from @BotFather "
            "(/mybots, API Token), or check TELEGRAM_BASE_URL"
        )
    if isinstance(error, TimedOut):
        return f"Telegram ({base}) did not answer in time: check the internet connection and try again"
    if isinstance(error, NetworkError):
        return (
            f"cannot reach Telegram at {base} ({error.message}): check the internet connection, a proxy or "
            "firewall, and TELEGRAM_BASE_URL"
        )
    return problem(error, settings.database_url)


def _log_format() -> str:
    """LOG_FORMAT from the settings; "text" while they cannot be read (the command then says why, in text)."""
    try:
        return load_settings().log_format
    except ConfigError:
        return "text"


class _WithoutHarfbuzzNotice(logging.Filter):
    """WeasyPrint warns for every font of every PDF when libharfbuzz-subset0 is missing; the PDF is fine."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "HarfBuzz-Subset" not in str(record.msg)


def _configure_logging(verbose: bool, command: str) -> None:
    """Our own loggers at INFO for `run` (WARNING otherwise), every library at WARNING; all at INFO when verbose.
    Plain text lines, or one JSON object per line with LOG_FORMAT=json (`bot.core.logs`)."""
    from bot.core.logs import formatter

    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(formatter(_log_format()))
        root.addHandler(handler)
    root.setLevel(logging.INFO if verbose else logging.WARNING)
    ours = logging.INFO if verbose or command == "run" else logging.WARNING
    for name in OUR_LOGGERS:
        logging.getLogger(name).setLevel(ours)
    weasyprint = logging.getLogger("weasyprint")
    if not any(isinstance(f, _WithoutHarfbuzzNotice) for f in weasyprint.filters):
        weasyprint.addFilter(_WithoutHarfbuzzNotice())
    warnings.filterwarnings("ignore", message="HarfBuzz-Subset will be required", category=DeprecationWarning)
