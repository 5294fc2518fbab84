"""The one entry point for everything a user sends: decides by role and conversation position what happens.

Handlers call these functions with a parsed `Incoming`; they get back the replies to render. Unknown users
only ever get onboarding guidance; every message from a known user gets an answer.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from types import ModuleType

from bot.core import dialogs, logs
from bot.core.context import Incoming, Person, Work
from bot.core.context import identify as identify_sender
from bot.core.replies import Reply
from bot.flows import agency_admin as agency_admin_flow
from bot.flows import application as application_flow
from bot.flows import caseload as caseload_flow
from bot.flows import checkin as checkin_flow
from bot.flows import dashboard_chat, onboarding, report_review, safety_alert
from bot.flows import digest as digest_flow
from bot.flows import dossier as dossier_flow
from bot.flows import employer as employer_flow
from bot.flows import employer_invite as employer_invite_flow
from bot.flows import invite as invite_flow
from bot.flows import mydata as mydata_flow
from bot.flows import myplan as myplan_flow
from bot.flows import own_view as own_view_flow
from bot.flows import pause as pause_flow
from bot.flows import pin as pin_flow
from bot.flows import plan as plan_flow
from bot.flows import privacy as privacy_flow
from bot.flows import setup as setup_flow
from bot.flows import values as values_flow
from bot.rules import buttons

# Every multi-step flow. Each module has FLOW (its name), COMMANDS ({command: role or roles}: the commands that
# start it, Dutch first, English aliases after), start(work, person), on_text, on_button and ask_again; a flow that
# takes files (a proof of an application) also has on_file(work, person, dialog, attachment).
FLOW_MODULES: tuple[ModuleType, ...] = (
    checkin_flow, setup_flow, pause_flow, invite_flow, employer_invite_flow, employer_flow,
    caseload_flow, digest_flow, application_flow, privacy_flow, pin_flow, values_flow, plan_flow, myplan_flow,
    own_view_flow, dossier_flow, agency_admin_flow, mydata_flow,
)  # fmt: skip
FLOWS: dict[str, ModuleType] = {module.FLOW: module for module in FLOW_MODULES}
COMMANDS: dict[tuple[str, str], ModuleType] = {
    (command, role): module
    for module in FLOW_MODULES
    for command, roles in module.COMMANDS.items()
    for role in ((roles,) if isinstance(roles, str) else roles)
}
# One-step commands, no dialog: `/dashboard` and `/uitloggen` (`/logout`); everyone known gets an answer (only
# coaches a link), so they are routed before the flows (`dashboard_chat.on_command`).
SINGLE_COMMANDS: dict[str, ModuleType] = {command: dashboard_chat for command in dashboard_chat.COMMANDS}
COMMANDS |= {(command, "coach"): module for command, module in SINGLE_COMMANDS.items()}
HELP = ("help", "hulp")
# A closed trajectory's data is kept two more years: its rights stay usable (see, export, delete own texts).
OPEN_WHEN_CLOSED = {*mydata_flow.COMMANDS, *privacy_flow.COMMANDS}
Handler = Callable[..., Awaitable[list[Reply]]]
# The flows the bot opens with a button outside any dialog: the reminder's "check in now", the digest's "open
# your caseload", "look at your plan" when the coach asks for the employee's agreement, "tell me more" when the
# employee is asked for their own view. Like a command, such a button may be pressed long after it was sent.
ENTRY_BUTTONS = ("checkin", "caseload", "myplan", "ownview")
CRISIS = {"reason": "crisis"}  # the problem shown when a screened text was not taken as the answer
CANCEL = ("annuleren", "cancel", "stop")

# The command menu Telegram shows, per role: (Dutch command, English command) pairs; Dutch users see the first,
# everyone else the second (descriptions: label keys command_<Dutch command>).
MENUS = {
    "employee": (
        ("checkin", "checkin"), ("sollicitatie", "application"), ("mijnplan", "myplan"), ("pauze", "pause"),
        ("instellingen", "settings"), ("waarden", "values"), ("privacy", "privacy"), ("help", "help"),
        ("mijngegevens", "mydata"), ("annuleren", "cancel"),
    ),
    "coach": (
        ("caseload", "caseload"), ("plan", "plan"), ("dossier", "dossier"), ("digest", "digest"),
        ("invite", "invite"), ("werkgever", "employer"), ("oefening", "exercise"), ("dashboard", "dashboard"),
        ("uitloggen", "logout"), ("help", "help"), ("annuleren", "cancel"),
    ),
    "employer": (("status", "status"), ("help", "help")),
}  # fmt: skip


async def identify(work: Work, incoming: Incoming) -> Person:
    """The sender; their role (never their name) also goes into this update's log lines."""
    person = await identify_sender(work, incoming)
    logs.role.set(person.role or "unknown")
    return person


def _records_offered(handle: Handler) -> Handler:
    """After every update: record which buttons the open question now shows; only those are accepted next."""

    @functools.wraps(handle)
    async def run(work: Work, incoming: Incoming, *args: object) -> list[Reply]:
        replies = await handle(work, incoming, *args)
        await dialogs.remember_offered(work, incoming.user_id, replies)
        return replies

    return run


@_records_offered
async def on_command(work: Work, incoming: Incoming, command: str, args: list[str]) -> list[Reply]:
    person = await identify(work, incoming)
    command = command.lower()
    if command == "start":
        if args:
            return await onboarding.redeem(work, person, args[0], incoming.first_name)
        return [_greeting(person)]
    if person.role is None:
        return [Reply("unknown_user", person.lang)]
    dialog = await dialogs.current(work, person.user_id)
    alert = await safety_alert.screen(work, person, dialog, " ".join(args))  # "/checkin <words>" is read too
    if alert is not None:
        return [alert]
    if _closed(person) and command not in OPEN_WHEN_CLOSED:
        return [Reply("trajectory_closed", person.lang)]
    if command in CANCEL:
        return await onboarding.cancel(work, person)
    single = SINGLE_COMMANDS.get(command)
    if single is not None:
        return await single.on_command(work, person, command)
    flow = COMMANDS.get((command, person.role))
    if flow is not None:
        return await flow.start(work, person)
    return [Reply(f"help_{person.role}", person.lang, {"unknown_command": command not in HELP})]


@_records_offered
async def on_text(work: Work, incoming: Incoming) -> list[Reply]:
    person = await identify(work, incoming)
    if person.role is None:
        return [Reply("unknown_user", person.lang)]
    dialog = await dialogs.current(work, person.user_id)
    text = incoming.text or ""
    alert = await safety_alert.screen(work, person, dialog, text)  # crisis language: help first, always
    if alert is not None:  # the words are kept nowhere; the open question comes again after the yes or no
        return [alert]
    consent = await safety_alert.typed(work, person, text)  # "ja" or "liever niet" to that yes/no
    if consent is not None:
        return await _consent(work, person, dialog, *consent)
    if dialog is None:
        return [Reply(f"help_{person.role}", person.lang, {"not_understood": True})]
    return await FLOWS[dialog.flow].on_text(work, person, dialog, text)


@_records_offered
async def on_button(work: Work, incoming: Incoming) -> list[Reply]:
    """A tap on an inline button. The data is parsed in one place (`bot.rules.buttons`) and accepted only when
    the current question offers exactly this button; anything else (old, forged, malformed) is a stale button
    that changes nothing."""
    person = await identify(work, incoming)
    if person.role is None:
        return [Reply("unknown_user", person.lang, toast="unknown_user")]
    press = buttons.parse(incoming.data)
    dialog = await dialogs.current(work, person.user_id)
    if press is not None and press.version is None:
        replies = await _outside_dialog(work, person, press)
        if replies is not None:
            return replies
    elif press is not None and dialog is not None and _offered_now(dialog, press, incoming.data):
        replies = await FLOWS[dialog.flow].on_button(work, person, dialog, press.action, press.value)
        return replies
    return await _reask(work, person, dialog, "stale", toast="stale_button")


def _offered_now(dialog, press: buttons.ButtonPress, data: str) -> bool:
    return press.version == dialog.data.get("v") and dialogs.offered(dialog, data)


async def _outside_dialog(work: Work, person: Person, press: buttons.ButtonPress) -> list[Reply] | None:
    """Buttons that belong to no dialog: the safety question, "start the check-in", "open the caseload"."""
    if press.action == safety_alert.ACTION:
        consent = await safety_alert.pressed(work, person, press.value)
        if consent is None:
            return [safety_alert.stale(person)]
        return await _consent(work, person, await dialogs.current(work, person.user_id), *consent)
    if press.action in report_review.ACTIONS:  # the coach's decision on a report draft (None: stale)
        return await report_review.on_press(work, person, press.action, press.value)
    if press.action != "go" or press.value not in ENTRY_BUTTONS:
        return None
    if person.role not in FLOWS[press.value].COMMANDS.values():
        return None
    if _closed(person):
        return [Reply("trajectory_closed", person.lang)]
    if press.value == checkin_flow.FLOW:
        return await checkin_flow.start(work, person, edit=True)
    return await FLOWS[press.value].start(work, person)


async def _consent(work: Work, person: Person, dialog, alert, allowed: bool) -> list[Reply]:
    """The yes or no about telling the coach; then the question the employee was at, gently, once more."""
    replies = [await safety_alert.answer(work, person, alert, allowed)]
    if dialog is not None:
        replies += await FLOWS[dialog.flow].ask_again(work, person, dialog, CRISIS)
    return replies


@_records_offered
async def on_other(work: Work, incoming: Incoming, kind: str) -> list[Reply]:
    """A sticker, photo, voice message, document...: a photo or document goes to a flow that takes files (a
    proof); anything else is something we cannot read. A caption is screened for safety first."""
    person = await identify(work, incoming)
    if person.role is None:
        return [Reply("unknown_user", person.lang)]
    dialog = await dialogs.current(work, person.user_id)
    alert = await safety_alert.screen(work, person, dialog, incoming.text or "")
    takes_files = dialog is not None and hasattr(FLOWS[dialog.flow], "on_file")
    if alert is None and takes_files and incoming.attachment is not None:
        return await FLOWS[dialog.flow].on_file(work, person, dialog, incoming.attachment)
    replies = await _reask(work, person, dialog, "not_text", kind=kind)
    return [alert, *replies] if alert else replies


@_records_offered
async def on_edited(work: Work, incoming: Incoming) -> list[Reply]:
    """An edited earlier message: answers are not changed that way; say how to change them."""
    person = await identify(work, incoming)
    if person.role is None:
        return [Reply("unknown_user", person.lang)]
    dialog = await dialogs.current(work, person.user_id)
    alert = await safety_alert.screen(work, person, dialog, incoming.text or "")
    replies = await _reask(work, person, dialog, "edited")
    return [alert, *replies] if alert else replies


async def _reask(
    work: Work, person: Person, dialog, reason: str, *, toast: str | None = None, **details: object
) -> list[Reply]:
    problem = {"reason": reason, "flow": dialog.flow if dialog is not None else None, **details}
    if dialog is None:
        replies = [Reply(f"help_{person.role}", person.lang, {"problem": problem})]
    else:
        replies = await FLOWS[dialog.flow].ask_again(work, person, dialog, problem)
    if toast is not None:
        replies[0].toast = toast
    return replies


def _closed(person: Person) -> bool:
    return person.employee is not None and person.employee.status == "closed"


def _greeting(person: Person) -> Reply:
    if person.role is None:
        return Reply("unknown_user", person.lang)
    return Reply("welcome_back", person.lang, {"role": person.role, "name": person.name})
