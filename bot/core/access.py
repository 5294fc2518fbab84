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

*What* of a reachable record someone sees is decided by `bot.rules.privacy`; this module decides *which* records.
"""

from __future__ import annotations

from typing import TypeVar

from bot.core.context import Person, Work
from bot.rules import buttons
from storage import employer_queries, queries
from storage.models import (
    ApplicationProof,
    CheckIn,
    CoachNote,
    Employee,
    Employer,
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


async def reach(work: Work, person: Person, model: type[Record], raw_id: str | int | None) -> Record | None:
    """The `model` record with this id if `person` may see it, else None (also for a malformed id)."""
    record_id = buttons.record_id(raw_id) if isinstance(raw_id, str) else raw_id
    if record_id is None or isinstance(record_id, bool) or not 1 <= record_id <= buttons.MAX_ID:
        return None
    record = await queries.get(work.session, model, record_id)
    return record if record is not None and await may_see(work, person, record) else None


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
