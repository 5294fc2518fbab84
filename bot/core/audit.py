"""The audit trail: every read of one person's data by someone other than that person, and every action an agency
administrator takes, is appended here — who, when, what, about whom; never any content.

Call `read(work, person, what, employee_id)` where a coach, an administrator or an employer contact is shown (or
sent) something about one employee; `by_operator(...)` for the command line. A person reading their own data is
not logged. `WHAT` is the closed list of what can be logged (the export and `spoorzoeker audit` name them).
"""

from __future__ import annotations

from bot.core.context import Person, Work
from storage import audit_queries
from storage.models import AuditEntry

WHAT = (
    "caseload_detail",  # a coach opened a client's detail
    "dashboard_client",  # a coach opened a client's page in the dashboard
    "checkins",  # a coach looked at a client's check-in weeks / reflections
    "report",  # a progress or final report was made for or sent to someone other than the employee
    "export",  # an operator exported everything about the employee (right of access)
    "plan",  # the trajectory plan was shown to a coach or an employer contact
    "proof",  # a proof of an application (link, document, photo) was opened
    "dossier",  # the coach's Track 2 file screen (steps, BSN, outcome, own view)
    "employer_view",  # an employer contact looked at what they may see of the employee
    "safety_alert",  # a coach was told of a safety alert
    "coach_deactivated",  # admin: a coach's access ended (coach_id)
    "client_moved",  # admin: the employee moved to another coach (coach_id: the new coach)
    "caseload_moved",  # admin: a whole caseload moved (coach_id: the coach it came from)
    "contact_removed",  # admin: an employer contact was removed (actor's action; employee_id None)
    "erased",  # an operator erased the employee (kept: this entry's facts only in the operator's output)
)
ADMIN_ACTIONS = ("coach_deactivated", "client_moved", "caseload_moved", "contact_removed")
ACTORS = ("coach", "admin", "employer", "operator")


def _checked(what: str) -> str:
    if what not in WHAT:
        raise ValueError(f"unknown audit kind {what!r}")
    return what


async def read(work: Work, person: Person, what: str, employee_id: int | None, coach_id: int | None = None) -> None:
    """Log that `person` saw (or did) `what` about `employee_id`; nothing when it is the employee themself."""
    _checked(what)
    if person.employee is not None and person.employee.id == employee_id:
        return
    if person.coach is not None:
        kind, actor = ("admin" if what in ADMIN_ACTIONS else "coach"), person.coach.id
    elif person.employer_contact is not None:
        kind, actor = "employer", person.employer_contact.id
    else:
        return
    entry = AuditEntry(at=work.clock.now(), actor_kind=kind, actor_id=actor, what=what, employee_id=employee_id,
                       coach_id=coach_id)  # fmt: skip
    await audit_queries.append(work.session, entry)


async def by_operator(work: Work, what: str, employee_id: int | None, coach_id: int | None = None) -> None:
    """Log an operator's read or action at the command line (no actor id: the machine's operator)."""
    entry = AuditEntry(at=work.clock.now(), actor_kind="operator", actor_id=None, what=_checked(what),
                       employee_id=employee_id, coach_id=coach_id)  # fmt: skip
    await audit_queries.append(work.session, entry)
