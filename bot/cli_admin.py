"""`spoorzoeker admin add` and `admin list`: agency administrators, who manage their agency's coaches, clients
and employer contacts from the chat (/beheer). An agency is the coaches with the same `coach agency` name."""

from __future__ import annotations

import argparse
import asyncio


def cmd_admin_add(args: argparse.Namespace) -> int:
    from bot.admin import add_coach_with_link, make_admin
    from bot.cli import Refused, settings_or_refuse

    if args.name and args.coach is not None:
        raise Refused("give a name (a new coach) or --coach ID (an existing coach), not both")
    if args.coach is not None and args.agency is not None:
        raise Refused("--agency is for a new coach; name an existing coach's agency with `spoorzoeker coach agency`")
    settings = settings_or_refuse()
    if args.coach is not None:
        try:
            coach = asyncio.run(make_admin(settings.database_url, args.coach))
        except (LookupError, ValueError) as exc:
            raise Refused(str(exc).strip("'\"")) from None
        print(f"Coach {coach.name!r} (id {coach.id}) is now an administrator of {_agency(coach.agency)}")
        return 0
    if not args.name:
        raise Refused('give the administrator\'s name: spoorzoeker admin add "Nora Bakker" [--agency "Bureau X"], '
                      "or make a coach one: spoorzoeker admin add --coach ID")  # fmt: skip
    if not settings.telegram_bot_token:
        raise Refused("TELEGRAM_BOT_TOKEN is not set (get one from @BotFather)")
    try:
        added = asyncio.run(add_coach_with_link(settings, args.name, agency=args.agency, admin=True))
    except ValueError as exc:
        raise Refused(str(exc)) from None
    agency = " ".join(args.agency.split()) if args.agency and args.agency.strip() else None
    name = " ".join(args.name.split())
    print(f"Administrator {name!r} (id {added.id}) of {_agency(agency)} added. Send them this link "
          "(single use, valid 14 days):")  # fmt: skip
    print(added.url)
    return 0


def cmd_admin_list(args: argparse.Namespace) -> int:
    from bot.admin import administrators
    from bot.cli import settings_or_refuse

    found = asyncio.run(administrators(settings_or_refuse().database_url))
    if not found:
        print("no administrators yet: add one with `spoorzoeker admin add NAME` or `admin add --coach ID`")
    for coach in found:
        if coach.deactivated_at is not None:
            state = "deactivated"
        else:
            state = "registered" if coach.telegram_user_id is not None else "not registered yet"
        print(f"{coach.id}\t{coach.name}\t{state}\t{coach.agency or 'no agency named'}")
    return 0


def _agency(agency: str | None) -> str:
    return repr(agency) if agency else "the coaches without an agency name"


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """`spoorzoeker admin add` and `spoorzoeker admin list`."""
    admin = commands.add_parser("admin", help="agency administrators (they manage coaches from the chat: /beheer)")
    group = admin.add_subparsers(dest="admin_command", required=True)
    add = group.add_parser(
        "add", help="add an administrator (a new coach, with a registration link) or make a coach one", parents=[common]
    )
    add.add_argument("name", nargs="?", help='a new administrator\'s name, e.g. "Nora Bakker"')
    add.add_argument("--agency", help="the agency of the new administrator (the coaches with that agency name)")
    add.add_argument("--coach", type=int, help="make this existing coach an administrator (`spoorzoeker coach list`)")
    add.set_defaults(func=cmd_admin_add)
    listing = group.add_parser("list", help="every administrator: id, name, registered, agency", parents=[common])
    listing.set_defaults(func=cmd_admin_list)
