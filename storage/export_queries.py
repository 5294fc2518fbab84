"""The SQL of the right of access (AVG art. 15): every row about one employee, from every table, and only theirs.

`rows_about` returns the rows table by table. Tables that hold nothing about one person (the anonymous retention
count, the facts kept after an erasure, suppressed chats) are named in `NOT_ABOUT_ONE_PERSON`; a test checks that
every table is in one of the two lists, so a new table cannot be forgotten by the export.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import (
    ApplicationProof,
    AuditEntry,
    CheckIn,
    Coach,
    CoachNote,
    Dialog,
    Employee,
    Employer,
    EmployerContact,
    Invite,
    JobApplication,
    Outbox,
    OwnView,
    Pause,
    PhaseChange,
    PlanEvaluation,
    PlanVersion,
    PoortwachterStep,
    ReportDraft,
    SafetyAlert,
)

# Tables the export reads (by the employee's id, their applications or their Telegram user id).
ABOUT_ONE_PERSON = (
    "employee", "invite", "checkin", "pause", "outbox", "dialog", "coachnote", "phasechange", "jobapplication",
    "applicationproof", "safetyalert", "planversion", "planevaluation", "poortwachterstep", "ownview",
    "reportdraft", "auditentry",
)  # fmt: skip
# Tables that are not about one employee: their own coach's and employer's names are taken from the first two.
NOT_ABOUT_ONE_PERSON = (
    "coach", "employer", "employercontact", "keptreportfact", "retentioncount", "suppressedchat", "keycheck",
    "alembic_version", "sweeplease", "sendershare",
    "dashboardlink", "dashboardsession",  # a coach's sign-ins to the dashboard: hashes and times, about no client
    "chatturn",  # technical: the newest update id of a chat, no content (erased with the chat)
)  # fmt: skip


@dataclass
class Rows:
    """Everything stored about one employee, oldest first within each table."""

    employee: Employee
    coach: Coach | None
    employer: Employer | None
    invites: list[Invite] = field(default_factory=list)
    checkins: list[CheckIn] = field(default_factory=list)
    pauses: list[Pause] = field(default_factory=list)
    applications: list[JobApplication] = field(default_factory=list)
    proofs: list[ApplicationProof] = field(default_factory=list)
    plan_versions: list[PlanVersion] = field(default_factory=list)
    evaluations: list[PlanEvaluation] = field(default_factory=list)
    steps: list[PoortwachterStep] = field(default_factory=list)
    own_view: OwnView | None = None
    notes: list[CoachNote] = field(default_factory=list)
    phases: list[PhaseChange] = field(default_factory=list)
    alerts: list[SafetyAlert] = field(default_factory=list)
    drafts: list[ReportDraft] = field(default_factory=list)
    messages: list[Outbox] = field(default_factory=list)
    dialog: Dialog | None = None
    audit: list[AuditEntry] = field(default_factory=list)
    coach_names: dict[int, str] = field(default_factory=dict)  # every coach who acted on the file
    contact_names: dict[int, str] = field(default_factory=dict)  # every employer contact who looked


async def _all(session: AsyncSession, model: type, *where, order=None) -> list:
    query = select(model).where(*where)
    return list((await session.exec(query.order_by(*(order or (model.id,))))).all())


async def rows_about(session: AsyncSession, employee_id: int) -> Rows | None:
    """Every row about this employee; None when there is no such employee."""
    employee = await session.get(Employee, employee_id)
    if employee is None:
        return None
    found = Rows(
        employee, await session.get(Coach, employee.coach_id), await session.get(Employer, employee.employer_id)
    )
    found.invites = await _all(session, Invite, Invite.employee_id == employee_id)
    found.checkins = await _all(session, CheckIn, CheckIn.employee_id == employee_id,
                                order=(CheckIn.iso_year, CheckIn.iso_week))  # fmt: skip
    found.pauses = await _all(session, Pause, Pause.employee_id == employee_id)
    found.applications = await _all(session, JobApplication, JobApplication.employee_id == employee_id)
    application_ids = [application.id for application in found.applications]
    found.proofs = await _all(session, ApplicationProof, ApplicationProof.application_id.in_(application_ids))
    found.plan_versions = await _all(session, PlanVersion, PlanVersion.employee_id == employee_id,
                                     order=(PlanVersion.number,))  # fmt: skip
    found.evaluations = await _all(session, PlanEvaluation, PlanEvaluation.employee_id == employee_id)
    found.steps = await _all(session, PoortwachterStep, PoortwachterStep.employee_id == employee_id)
    found.own_view = await session.get(OwnView, employee_id)
    found.notes = await _all(session, CoachNote, CoachNote.employee_id == employee_id)
    found.phases = await _all(session, PhaseChange, PhaseChange.employee_id == employee_id)
    found.alerts = await _all(session, SafetyAlert, SafetyAlert.employee_id == employee_id)
    found.drafts = await _all(session, ReportDraft, ReportDraft.employee_id == employee_id)
    found.messages = await _all(session, Outbox, Outbox.employee_id == employee_id)
    if employee.telegram_user_id is not None:
        found.dialog = await session.get(Dialog, employee.telegram_user_id)
    found.audit = await _all(session, AuditEntry, AuditEntry.employee_id == employee_id,
                             order=(AuditEntry.at, AuditEntry.id))  # fmt: skip
    await _names(session, found)
    return found


async def _names(session: AsyncSession, found: Rows) -> None:
    """The names (only the names) of the coaches and employer contacts who wrote in or looked at the file."""
    coach_ids = {found.employee.coach_id}
    coach_ids |= {note.coach_id for note in found.notes} | {change.coach_id for change in found.phases}
    coach_ids |= {version.author_coach_id for version in found.plan_versions}
    coach_ids |= {evaluation.coach_id for evaluation in found.evaluations} | {s.coach_id for s in found.steps}
    coach_ids |= {draft.decided_by for draft in found.drafts}
    coach_ids |= {entry.actor_id for entry in found.audit if entry.actor_kind in ("coach", "admin")}
    coach_ids |= {entry.coach_id for entry in found.audit}
    contact_ids = {entry.actor_id for entry in found.audit if entry.actor_kind == "employer"}
    coach_ids.discard(None)
    contact_ids.discard(None)
    if coach_ids:
        coaches = await session.exec(select(Coach.id, Coach.name).where(Coach.id.in_(coach_ids)))
        found.coach_names = dict(coaches.all())
    if contact_ids:
        contacts = await session.exec(
            select(EmployerContact.id, EmployerContact.name).where(EmployerContact.id.in_(contact_ids))
        )
        found.contact_names = dict(contacts.all())


async def names(
    session: AsyncSession, coach_ids: set[int], contact_ids: set[int], employee_ids: set[int]
) -> tuple[dict[int, str], dict[int, str], dict[int, str]]:
    """The names of these coaches, employer contacts and employees (for `spoorzoeker audit`'s table)."""
    found = []
    for model, ids in ((Coach, coach_ids), (EmployerContact, contact_ids), (Employee, employee_ids)):
        ids = {i for i in ids if i is not None}
        rows = (await session.exec(select(model.id, model.name).where(model.id.in_(ids)))).all() if ids else []
        found.append(dict(rows))
    return found[0], found[1], found[2]
