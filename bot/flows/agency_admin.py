"""/beheer (/admin): an agency administrator manages the agency from the chat — the coaches (with their number of
clients, active or not), deactivating a coach (after a confirmation; their access ends at once), moving one client
or a whole caseload to another coach (the client is told who their new coach is), the clients whose coach was
deactivated ("zonder coach"), and removing employer contacts. Every id from a button goes through
`access.manageable`; every action goes into the audit trail. Others get the usual unknown-command answer."""

from __future__ import annotations

from bot.core import access, audit, dialogs
from bot.core.context import Person, Work
from bot.core.replies import Button, Reply
from bot.outgoing import outbox
from bot.outgoing.outbox import Message
from bot.rules.buttons import number_in
from storage import admin_queries
from storage.models import Coach, Dialog, Employee, EmployerContact

FLOW = "agency_admin"
COMMANDS = {"beheer": "coach", "admin": "coach"}
PER_PAGE = 15  # names (buttons) to a page
MAX_PAGE = 10_000
BACK = {"coach": "coaches", "deactivate": "coach", "orphans": "coaches", "contacts": "coaches", "remove": "contacts"}


def is_admin(person: Person) -> bool:
    coach = person.coach
    return coach is not None and coach.is_admin and coach.deactivated_at is None


async def start(work: Work, person: Person) -> list[Reply]:
    if not is_admin(person):
        return [Reply("help_coach", person.lang, {"unknown_command": True})]
    dialog = await dialogs.move(work, person.user_id, FLOW, "coaches", page=0, coach=None, client=None,
                                contact=None, source=None)  # fmt: skip
    return [await question(work, person, dialog)]


async def ask_again(work: Work, person: Person, dialog: Dialog, problem: dict | None) -> list[Reply]:
    return [await question(work, person, dialog, problem=problem)]


async def on_text(work: Work, person: Person, dialog: Dialog, text: str) -> list[Reply]:
    return [await question(work, person, dialog, problem={"reason": "use_buttons"})]


async def on_button(work: Work, person: Person, dialog: Dialog, action: str, value: str) -> list[Reply]:
    """Each press names at most one record; it is used only when `access.manageable` gives it back."""
    step, data = dialog.step, dialog.data
    if not is_admin(person):
        return [Reply("help_coach", person.lang, {"unknown_command": True})]
    if action == "page" and number_in(value, 0, MAX_PAGE) is not None:
        return await _move(work, person, step, page=int(value))
    if action == "back" and step in BACK:
        return await _move(work, person, BACK[step], page=0)
    if action == "back" and step == "target":
        return await _move(work, person, "coach" if data.get("origin") == "coach" else "orphans", page=0)
    if step == "coaches" and action in ("orphans", "contacts"):
        return await _move(work, person, action, page=0)
    if step == "coaches" and action == "coach":
        coach = await access.manageable(work, person, Coach, value)
        if coach is not None:
            return await _move(work, person, "coach", coach=coach.id, page=0)
    if step in ("coach", "orphans") and action == "client":
        client = await access.manageable(work, person, Employee, value)
        if client is not None:
            return await _move(work, person, "target", client=client.id, source=None, origin=step, page=0)
    if step == "coach" and action in ("deactivate", "caseload"):
        coach = await access.manageable(work, person, Coach, data.get("coach"))
        if coach is not None and action == "caseload":
            return await _move(work, person, "target", source=coach.id, client=None, origin=step, page=0)
        if coach is not None and may_deactivate(person, coach):
            return await _move(work, person, "deactivate")
    if step == "deactivate" and action == "no":
        return await _move(work, person, "coach")
    if step == "deactivate" and action == "yes":
        return await _deactivate(work, person, dialog)
    if step == "target" and action == "to":
        return await _move_to(work, person, dialog, value)
    if step == "contacts" and action == "contact":
        contact = await access.manageable(work, person, EmployerContact, value)
        if contact is not None:
            return await _move(work, person, "remove", contact=contact.id)
    if step == "remove" and action == "no":
        return await _move(work, person, "contacts")
    if step == "remove" and action == "yes":
        return await _remove(work, person, dialog)
    return await _stale(work, person, dialog)


async def _stale(work: Work, person: Person, dialog: Dialog) -> list[Reply]:
    reply = await question(work, person, dialog, problem={"reason": "stale"})
    reply.toast = "stale_button"
    return [reply]


async def _move(work: Work, person: Person, step: str, *, done: dict | None = None, **changes) -> list[Reply]:
    dialog = await dialogs.move(work, person.user_id, FLOW, step, **changes)
    return [await question(work, person, dialog, edit=True, done=done)]


async def _deactivate(work: Work, person: Person, dialog: Dialog) -> list[Reply]:
    coach = await access.manageable(work, person, Coach, dialog.data.get("coach"))
    if coach is None or not await deactivate_coach(work, person, coach):
        return await _stale(work, person, dialog)
    return await _move(work, person, "coach", page=0, done={"what": "deactivated", "name": coach.name})


async def _move_to(work: Work, person: Person, dialog: Dialog, value: str) -> list[Reply]:
    """Move the dialog's client, or the whole caseload of its source coach, to the coach in the press."""
    target = await access.manageable(work, person, Coach, value)
    client = await access.manageable(work, person, Employee, dialog.data.get("client"))
    source = await access.manageable(work, person, Coach, dialog.data.get("source"))
    if target is None or (client is None and source is None):
        return await _stale(work, person, dialog)
    if client is not None:
        if not await move_client(work, person, client, target):
            return await _stale(work, person, dialog)
        done = {"what": "client_moved", "name": client.name, "coach": target.name}
        return await _move(work, person, "coaches", page=0, client=None, done=done)
    moved = await move_caseload(work, person, source, target)
    if moved is None:
        return await _stale(work, person, dialog)
    done = {"what": "caseload_moved", "count": moved, "name": source.name, "coach": target.name}
    return await _move(work, person, "coaches", page=0, source=None, done=done)


# --- the actions, shared by the chat's /beheer and the dashboard's admin page ---------------------------------
# Each takes records the caller got from `access.manageable` and refuses (False / None, nothing changed) what the
# chat would answer as a stale button.


def may_deactivate(person: Person, coach: Coach) -> bool:
    """An active coach other than the administrator themself."""
    return coach.deactivated_at is None and coach.id != person.coach.id


async def deactivate_coach(work: Work, person: Person, coach: Coach) -> bool:
    """End `coach`'s access at once (audited); False when `may_deactivate` says no."""
    if not is_admin(person) or not may_deactivate(person, coach):
        return False
    await admin_queries.deactivate(work.session, coach, work.clock.now())
    await audit.read(work, person, "coach_deactivated", None, coach_id=coach.id)
    return True


async def move_client(work: Work, person: Person, client: Employee, target: Coach) -> bool:
    """Move one client to another active coach; the client is told (audited). False when target is their coach
    already or deactivated."""
    if not is_admin(person) or target.deactivated_at is not None or client.coach_id == target.id:
        return False
    await admin_queries.move_clients(work.session, [client], target.id)
    await _tell_client(work, client, target)
    await audit.read(work, person, "client_moved", client.id, coach_id=target.id)
    return True


async def move_caseload(work: Work, person: Person, source: Coach, target: Coach) -> int | None:
    """Move every client of `source` (closed trajectories too) to another active coach; each running client is
    told (each move audited). How many moved, or None when target is the source or deactivated."""
    if not is_admin(person) or target.deactivated_at is not None or source.id == target.id:
        return None
    clients = await admin_queries.clients_of_coaches(work.session, [source.id], open_only=False)
    await admin_queries.move_clients(work.session, clients, target.id)
    for client in clients:
        await _tell_client(work, client, target)
        await audit.read(work, person, "caseload_moved", client.id, coach_id=source.id)
    return len(clients)


async def _tell_client(work: Work, client: Employee, coach: Coach) -> None:
    """An outbox message to a client in a running trajectory: who their new coach is."""
    if client.telegram_user_id is None or client.status != "active":
        return
    notice = Reply("admin_client_moved", client.language, {"name": client.name, "coach": coach.name})
    key = f"coach_changed:{client.id}:{coach.id}:{work.clock.now():%Y%m%dT%H%M%S%f}"
    message = Message(key, "coach_changed", client.telegram_user_id, notice, client.timezone, employee_id=client.id)
    await outbox.enqueue(work, [message])


async def _remove(work: Work, person: Person, dialog: Dialog) -> list[Reply]:
    contact = await access.manageable(work, person, EmployerContact, dialog.data.get("contact"))
    if contact is None:
        return await _stale(work, person, dialog)
    name = contact.name
    await admin_queries.remove_contact(work.session, contact)
    await audit.read(work, person, "contact_removed", None)
    return await _move(work, person, "contacts", page=0, contact=None, done={"what": "contact_removed", "name": name})


class Agency:
    """The administrator's agency as the screens show it: its coaches and their open clients."""

    def __init__(self, coaches: list[Coach], clients: list[Employee]) -> None:
        self.coaches = coaches
        self.clients = clients
        self.by_id = {coach.id: coach for coach in coaches}

    def clients_of(self, coach_id: int) -> list[Employee]:
        return [client for client in self.clients if client.coach_id == coach_id]

    def without_coach(self) -> list[Employee]:
        return [c for c in self.clients if self.by_id[c.coach_id].deactivated_at is not None]

    def active_coaches(self) -> list[Coach]:
        return [coach for coach in self.coaches if coach.deactivated_at is None]


async def agency_of(work: Work, person: Person) -> Agency:
    """The administrator's agency: its coaches (by name) and their open clients (two queries)."""
    coaches = await admin_queries.agency_coaches(work.session, person.coach.agency)
    clients = await admin_queries.clients_of_coaches(work.session, [coach.id for coach in coaches])
    return Agency(coaches, clients)


def state_of(coach: Coach) -> str:
    if coach.deactivated_at is not None:
        return "deactivated"
    return "unregistered" if coach.telegram_user_id is None else "active"


def _page(items: list, page: int) -> tuple[list, int, int]:
    """The items on `page` (from 0, clamped), the page shown and the number of pages."""
    pages = max(1, -(-len(items) // PER_PAGE))
    page = min(max(page, 0), pages - 1)
    return items[page * PER_PAGE : (page + 1) * PER_PAGE], page, pages


class _Screen:
    """What every screen needs: the dialog (for its buttons), the page, the agency and the message's context."""

    def __init__(self, person: Person, dialog: Dialog, agency: Agency, ctx: dict, edit: bool) -> None:
        self.person, self.dialog, self.agency, self.ctx, self.edit = person, dialog, agency, ctx, edit

    def button(self, action: str, value: object = "", *, label: str = "", text: str | None = None) -> Button:
        return Button(label, data=dialogs.button_data(self.dialog, action, value), text=text)

    def named(self, action: str, record_id: int, text: str) -> list[Button]:
        return [self.button(action, record_id, text=text[:60])]

    def paged(self, items: list) -> tuple[list, list[list[Button]]]:
        """The items of the dialog's page, and the row of buttons to the pages before and after it."""
        shown, page, pages = _page(items, int(self.dialog.data.get("page") or 0))
        self.ctx.update(page=page + 1, pages=pages)
        nav = [self.button("page", page - 1, label="caseload_previous")] if page > 0 else []
        nav += [self.button("page", page + 1, label="caseload_next")] if page < pages - 1 else []
        return shown, [nav] if nav else []

    def back(self) -> list[list[Button]]:
        return [[self.button("back", label="admin_back")]]

    def reply(self, template: str, buttons: list[list[Button]], **ctx: object) -> Reply:
        return Reply(template, self.person.lang, {**self.ctx, **ctx}, buttons, edit=self.edit)


async def question(
    work: Work, person: Person, dialog: Dialog, *, edit: bool = False, problem: dict | None = None,
    done: dict | None = None,
) -> Reply:  # fmt: skip
    """The message for the dialog's current step, with its buttons. A step whose record is out of reach now (moved
    to another agency, removed) falls back to the list of coaches."""
    ctx = {"step": dialog.step, "problem": problem, "done": done, "agency": person.coach.agency}
    screen = _Screen(person, dialog, await agency_of(work, person), ctx, edit and problem is None)
    data, step = dialog.data, dialog.step
    if step in ("coach", "deactivate"):
        coach = await access.manageable(work, person, Coach, data.get("coach"))
        if coach is not None:
            return _coach(screen, coach) if step == "coach" else _deactivate_question(screen, coach)
    elif step == "target":
        client = await access.manageable(work, person, Employee, data.get("client"))
        source = await access.manageable(work, person, Coach, data.get("source"))
        if client is not None or source is not None:
            return _target(screen, client, source)
    elif step == "remove":
        contact = await access.manageable(work, person, EmployerContact, data.get("contact"))
        if contact is not None:
            return await _remove_question(work, screen, contact)
    elif step == "orphans":
        return _orphans(screen)
    elif step == "contacts":
        return await _contacts(work, screen)
    elif step == "coaches":
        return _coaches(screen)
    dialog = await dialogs.move(work, person.user_id, FLOW, "coaches", page=0)
    return await question(work, person, dialog, problem=problem, done=done)


def _coaches(screen: _Screen) -> Reply:
    agency, me = screen.agency, screen.person.coach.id
    shown, nav = screen.paged(agency.coaches)
    listed = [
        {"name": c.name, "state": state_of(c), "admin": c.is_admin, "me": c.id == me,
         "clients": len(agency.clients_of(c.id))}
        for c in shown
    ]  # fmt: skip
    orphans = len(agency.without_coach())
    buttons = [screen.named("coach", c.id, f"👤 {c.name}") for c in shown] + nav
    if orphans:
        buttons.append([screen.button("orphans", label="admin_orphans")])
    buttons.append([screen.button("contacts", label="admin_contacts")])
    return screen.reply("admin_coaches", buttons, coaches=listed, orphans=orphans)


def _coach(screen: _Screen, coach: Coach) -> Reply:
    clients = screen.agency.clients_of(coach.id)
    shown, nav = screen.paged(clients)
    buttons = [screen.named("client", c.id, f"↪️ {c.name}") for c in shown] + nav
    if clients:
        buttons.append([screen.button("caseload", label="admin_move_caseload")])
    if may_deactivate(screen.person, coach):
        buttons.append([screen.button("deactivate", label="admin_deactivate")])
    return screen.reply("admin_coach", buttons + screen.back(), name=coach.name, state=state_of(coach),
                        clients=[c.name for c in shown], count=len(clients))  # fmt: skip


def _deactivate_question(screen: _Screen, coach: Coach) -> Reply:
    buttons = [[screen.button("yes", label="admin_deactivate_yes")], [screen.button("no", label="admin_no")]]
    return screen.reply("admin_deactivate", buttons, name=coach.name, count=len(screen.agency.clients_of(coach.id)))


def _orphans(screen: _Screen) -> Reply:
    agency = screen.agency
    shown, nav = screen.paged(agency.without_coach())
    listed = [{"name": c.name, "coach": agency.by_id[c.coach_id].name} for c in shown]
    buttons = [screen.named("client", c.id, f"↪️ {c.name}") for c in shown]
    return screen.reply("admin_orphans", buttons + nav + screen.back(), clients=listed)


def _target(screen: _Screen, client: Employee | None, source: Coach | None) -> Reply:
    """Which coach the client (or the source coach's whole caseload) goes to: the agency's other active coaches."""
    agency = screen.agency
    current = agency.by_id[client.coach_id] if client is not None else source
    candidates = [c for c in agency.active_coaches() if c.id != current.id]
    shown, nav = screen.paged(candidates)
    buttons = [screen.named("to", c.id, f"👤 {c.name}") for c in shown]
    count = 1 if client is not None else len(agency.clients_of(current.id))
    return screen.reply("admin_target", buttons + nav + screen.back(), client=client.name if client else None,
                        name=current.name, count=count, candidates=len(candidates))  # fmt: skip


async def _contacts(work: Work, screen: _Screen) -> Reply:
    contacts = await admin_queries.contacts_of_coaches(work.session, list(screen.agency.by_id))
    shown, nav = screen.paged(contacts)
    listed = [
        {"name": c.name, "company": company, "registered": c.telegram_user_id is not None} for c, company in shown
    ]
    buttons = [screen.named("contact", c.id, f"🗑️ {c.name} · {company}") for c, company in shown]
    return screen.reply("admin_contacts", buttons + nav + screen.back(), contacts=listed)


async def _remove_question(work: Work, screen: _Screen, contact: EmployerContact) -> Reply:
    companies = {
        c.id: company for c, company in await admin_queries.contacts_of_coaches(work.session, list(screen.agency.by_id))
    }
    buttons = [[screen.button("yes", label="admin_remove_yes")], [screen.button("no", label="admin_no")]]
    return screen.reply("admin_remove", buttons, name=contact.name, company=companies.get(contact.id, ""))
