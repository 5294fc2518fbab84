"""Which records a user may reach by id: the one access check, for the chat and (later) the web alike.

Every id that arrives from outside (a button, a command argument, a form field, a URL) goes through `reach`,
which reads it as a database id (`bot.rules.buttons.record_id`: ASCII digits within the integer range) and
returns the record only when this person may see it; anything else is None, which the caller answers as a
stale button. Deny by default:

| record | coach | employee | employer contact |
| client (Employee) | own clients | themself | employees of their company |
| employer | employers of own clients | their own | their company |
| check-in, application, pause, phase change, plan version | of own clients | their own | never (`view(...)`s) |
| proof of an application | of own clients | their own | never |
| coach note, plan evaluation, report draft | of own clients | never | never |
| safety alert | never | their own | never |

An agency administrator (a coach with `is_admin`) reaches nothing more through `reach`. The records they manage
from /beheer go through `manageable` instead, which gives no access to a record's content:

| record | administrator |
| coach | the coaches of their own agency (`Coach.agency`; coaches without one form one agency) |
| client (Employee) | the clients of those coaches (to move them to another coach) |
| employer contact | the contacts of the employers of those clients (to remove them) |

*What* of a reachable record someone sees is decided by `bot.rules.privacy`; this module decides *which* records.
"""

from __future__ import annotations

from typing import TypeVar

from bot.core.context import Person, Work
from bot.rules import buttons
from storage import admin_queries, employer_queries, queries
from storage.models import (
    ApplicationProof,
    CheckIn,
    Coach,
    CoachNote,
    Employee,
    Employer,
    EmployerContact,
    JobApplication,
    Pause,
    PhaseChange,
    PlanEvaluation,
    PlanVersion,
    ReportDraft,
    SafetyAlert,
)

Record = TypeVar("Record")
OF_A_CLIENT = (CheckIn, JobApplication, Pause, PhaseChange, PlanVersion)  # records that belong to one employee
COACH_ONLY = (CoachNote, PlanEvaluation, ReportDraft)
MANAGED = (Coach, Employee, EmployerContact)  # what an administrator manages (`manageable`)


async def reach(work: Work, person: Person, model: type[Record], raw_id: str | int | None) -> Record | None:
    """The `model` record with this id if `person` may see it, else None (also for a malformed id)."""
    record = await _by_id(work, model, raw_id)
    return record if record is not None and await may_see(work, person, record) else None


async def manageable(work: Work, person: Person, model: type[Record], raw_id: str | int | None) -> Record | None:
    """The Coach, Employee or EmployerContact with this id if `person` is an active administrator of its agency,
    else None (also for a malformed id, another model, or anyone who is not an administrator)."""
    admin = person.coach
    if admin is None or not admin.is_admin or admin.deactivated_at is not None or model not in MANAGED:
        return None
    record = await _by_id(work, model, raw_id)
    if record is None:
        return None
    agency = {coach.id for coach in await admin_queries.agency_coaches(work.session, admin.agency)}
    if isinstance(record, Coach):
        return record if record.id in agency else None
    if isinstance(record, Employee):
        return record if record.coach_id in agency else None
    contacts = await admin_queries.contacts_of_coaches(work.session, agency)
    return record if any(contact.id == record.id for contact, _ in contacts) else None


async def _by_id(work: Work, model: type[Record], raw_id: str | int | None) -> Record | None:
    record_id = buttons.record_id(raw_id) if isinstance(raw_id, str) else raw_id
    if record_id is None or isinstance(record_id, bool) or not 1 <= record_id <= buttons.MAX_ID:
        return None
    return await queries.get(work.session, model, record_id)


async def may_see(work: Work, person: Person, record: object) -> bool:
    coach, employee, contact = person.coach, person.employee, person.employer_contact
    if isinstance(record, Employee):
        if coach is not None:
            return record.coach_id == coach.id
        if employee is not None:
            return record.id == employee.id
        return contact is not None and record.employer_id == contact.employer_id
    if isinstance(record, Employer):
        if coach is not None:
            return await employer_queries.employer_of_coach(work.session, coach.id, record.id) is not None
        if employee is not None:
            return record.id == employee.employer_id
        return contact is not None and record.id == contact.employer_id
    if isinstance(record, SafetyAlert):
        return employee is not None and record.employee_id == employee.id
    if isinstance(record, ApplicationProof):
        application = await queries.get(work.session, JobApplication, record.application_id)
        return application is not None and await may_see(work, person, application)
    if isinstance(record, OF_A_CLIENT + COACH_ONLY):
        if isinstance(record, COACH_ONLY) and coach is None:
            return False
        if employee is not None:
            return record.employee_id == employee.id
        if coach is not None:
            owner = await queries.get(work.session, Employee, record.employee_id)
            return owner is not None and owner.coach_id == coach.id
    return False
