"""The dashboard's pages for an agency administrator: the agency's coaches (clients, active or deactivated), one
coach's clients, deactivating a coach (after a confirmation), moving one client or a whole caseload to another
coach. The domain is the chat's /beheer (`bot.flows.agency_admin`): the same checks, the same audit entries and
the same notice to each client who moves. Every id from a URL or form goes through `access.manageable`.

Each function gives None for anyone who is not an active administrator, and for an id out of their reach (another
agency's coach or client, or a move the chat would refuse as a stale button): the page answers 404 and nothing
changed. Like /beheer, the lists show names and counts only, so nothing of a client's data is read (no audit of
reads; the actions are audited)."""

from __future__ import annotations

from bot.core import access
from bot.core.context import Person, Work
from bot.flows import agency_admin
from storage.models import Coach, Employee

DONE = ("deactivated", "client_moved", "caseload_moved")  # the notices a page shows after a form (`?done=`)


def _coach_line(agency: agency_admin.Agency, person: Person, coach: Coach) -> dict:
    return {
        "id": coach.id,
        "name": coach.name,
        "state": agency_admin.state_of(coach),
        "admin": coach.is_admin,
        "me": coach.id == person.coach.id,
        "clients": len(agency.clients_of(coach.id)),
        "may_deactivate": agency_admin.may_deactivate(person, coach),
    }


def _targets(agency: agency_admin.Agency, but: int | None) -> list[dict]:
    """The coaches a client can move to: the agency's active ones, other than `but`."""
    return [{"id": c.id, "name": c.name} for c in agency.active_coaches() if c.id != but]


def done_of(raw: str | None) -> str | None:
    return raw if raw in DONE else None


async def overview(work: Work, viewer: Person) -> dict | None:
    """The coaches of the agency and the clients whose coach was deactivated (each with where it can move to)."""
    if not agency_admin.is_admin(viewer):
        return None
    agency = await agency_admin.agency_of(work, viewer)
    orphans = [
        {"id": c.id, "name": c.name, "coach": agency.by_id[c.coach_id].name, "targets": _targets(agency, c.coach_id)}
        for c in agency.without_coach()
    ]
    return {
        "agency": viewer.coach.agency,
        "coaches": [_coach_line(agency, viewer, coach) for coach in agency.coaches],
        "orphans": orphans,
    }


async def coach_page(work: Work, viewer: Person, raw_coach_id: str) -> dict | None:
    """One coach of the agency: their open clients (each movable), the caseload move, and whether they can be
    deactivated."""
    coach = await access.manageable(work, viewer, Coach, raw_coach_id)
    if coach is None:
        return None
    agency = await agency_admin.agency_of(work, viewer)
    return {
        "coach": _coach_line(agency, viewer, coach),
        "clients": [{"id": c.id, "name": c.name} for c in agency.clients_of(coach.id)],
        "targets": _targets(agency, coach.id),
    }


async def deactivate(work: Work, viewer: Person, raw_coach_id: str) -> Coach | None:
    """Deactivate the coach (their access ends at once); None when out of reach or not allowed."""
    coach = await access.manageable(work, viewer, Coach, raw_coach_id)
    if coach is None or not await agency_admin.deactivate_coach(work, viewer, coach):
        return None
    return coach


async def move_client(work: Work, viewer: Person, raw_client_id: str, raw_target_id: str | None) -> Coach | None:
    """Move one client to the target coach; the coach they came from, or None when nothing moved."""
    client = await access.manageable(work, viewer, Employee, raw_client_id)
    target = await access.manageable(work, viewer, Coach, raw_target_id)
    if client is None or target is None:
        return None
    source = await access.manageable(work, viewer, Coach, client.coach_id)
    if source is None or not await agency_admin.move_client(work, viewer, client, target):
        return None
    return source


async def move_caseload(work: Work, viewer: Person, raw_source_id: str, raw_target_id: str | None) -> int | None:
    """Move every client of the source coach to the target coach; how many, or None when nothing moved."""
    source = await access.manageable(work, viewer, Coach, raw_source_id)
    target = await access.manageable(work, viewer, Coach, raw_target_id)
    if source is None or target is None:
        return None
    return await agency_admin.move_caseload(work, viewer, source, target)
