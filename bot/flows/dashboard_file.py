"""The client's file on the dashboard (the client page's lower half, `content/dashboard/_client_file.html.j2`):
applications per search direction with their proofs, the coach's notes, the poortwachter steps with the days
they took place, the reports to download and the monthly drafts to approve or skip.

`file_sections(work, viewer, employee)` is what the page shows (the client page includes it; the coach has
reached the employee already). Every action takes the raw ids of the URL or form and goes through
`access.reach` (a client of this coach, and a record of that client), or answers None: the route's 404. The
actions are the chat's own functions (`bot.flows.caseload` for notes and reports, `bot.flows.dossier` for the
steps, `bot.flows.report_review` for the drafts), so the chat and the page cannot differ. Every value shown
passes `bot.rules.privacy` for the coach; opening a proof is logged like the chat's (`proof`), the file's steps
like the chat's dossier screen (`dossier`), a report like the chat's (`report`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from bot.core import access, audit
from bot.core.context import Person, Work
from bot.flows import caseload as caseload_flow
from bot.flows import dossier, report_review
from bot.flows.dossier_screens import steps_of, today
from bot.outgoing import report_drafts
from bot.rules import privacy
from bot.rules import proof as proof_rules
from bot.rules import report as report_rules
from bot.rules.parsing import Invalid
from bot.rules.weeks import local_date
from bot.views import report
from bot.views.report_data import application_groups
from storage import coach_queries, plan_queries, queries, report_queries
from storage.models import ApplicationProof, CoachNote, Employee, JobApplication

NOTE_MAX_CHARS = caseload_flow.NOTE_MAX_CHARS
INLINE = ("application/pdf", "image/jpeg", "image/png", "image/webp")  # opened in the browser; others downloaded
DECISIONS = {"send": report_drafts.SEND, "skip": report_drafts.SKIP}  # the form's value → the chat's action
REPORT_KINDS = report_rules.KINDS
REPORT_VARIANTS = report.VARIANTS


@dataclass(frozen=True)
class Document:
    """A file to hand to the browser: bytes, type, a safe ASCII file name, and whether it opens inline."""

    data: bytes
    media_type: str
    file_name: str
    inline: bool = False


@dataclass(frozen=True)
class Link:
    """A proof that is a link to the vacancy."""

    url: str


@dataclass
class Outcome:
    """What a form did: the client (for the redirect back to their page at `anchor`), or, when the input was
    refused, the file again with the reason (`page`: shown at once, nothing was stored)."""

    employee_id: int
    anchor: str
    page: dict | None = field(default=None)


# -- what the page shows --------------------------------------------------------------------------------------


async def file_sections(work: Work, viewer: Person, employee: Employee, *, problem: dict | None = None) -> dict:
    """The file of a client this coach has reached: `applications` (groups per direction, each application with
    its proofs), `notes`, `steps`, `reports`, `drafts`; `problem` is a refused form's reason and input."""
    coach = viewer.coach
    zone = coach.timezone
    session = work.session
    await audit.read(work, viewer, "dossier", employee.id)  # the steps, as the chat's dossier screen
    day = today(work, viewer)
    notes = await coach_queries.notes_of(session, employee.id)
    shown_notes = [
        {**shown, "id": note.id, "for_file": note.for_file, "created_on": local_date(note.created_at, zone)}
        for note in notes
        for shown in privacy.coach_notes(privacy.COACH, [note])  # nothing for a note the coach may not see
    ]
    steps = []
    for state in await steps_of(work, viewer, employee):
        seen = privacy.view(privacy.COACH, "poortwachter_step", {"step": state.step, "done_on": state.done_on})
        steps.append({**seen, "due": state.due, "state": state.state, "late": state.late})
    return {
        "employee_id": employee.id,
        "today": day,
        "first_sick_day": employee.first_sick_day,
        "applications": await _applications(work, employee),
        "notes": list(reversed(shown_notes)),  # newest first
        "note_max": NOTE_MAX_CHARS,
        "steps": steps,
        "reports": _reports(employee, day),
        "drafts": await _drafts(work, viewer, employee),
        "problem": problem,
    }


async def _applications(work: Work, employee: Employee) -> list[dict]:
    """Per search direction (current ones first, then removed ones, then none): the applications, newest first,
    with their proofs (without their bytes)."""
    session = work.session
    versions = await plan_queries.plan_versions(session, employee.id)
    seen_versions = [privacy.plan_view(privacy.COACH, version) for version in versions]
    directions = seen_versions[-1]["directions"] if seen_versions else []
    known = {d["id"]: d["occupation"] for seen in seen_versions for d in seen["directions"]}
    logged = await coach_queries.applications_of(session, [employee.id])
    proofs = await plan_queries.proof_lines(session, [a.id for a in logged])
    items = [
        {
            **privacy.view(privacy.COACH, "application", application),
            "id": application.id,
            "proof": bool(proofs.get(application.id)),
            "proofs": [_proof_line(line) for line in proofs.get(application.id, [])],
        }
        for application in logged
    ]
    return application_groups(items, directions, known)


def _proof_line(line: plan_queries.ProofLine) -> dict:
    """A proof as the page lists it; a link shows the site it goes to (it opens through our proof route, so
    the opening is audited like a document's)."""
    link = line.url if line.kind == "link" and proof_rules.find_link(line.url or "") == line.url else None
    site = urlsplit(link).hostname if link else None
    return {"id": line.id, "kind": line.kind, "site": site, "name": line.file_name, "size": line.size}


def _reports(employee: Employee, day: date) -> list[dict]:
    progress = report.default_period(employee, day)
    final = report.final_period(employee, day)
    return [
        {"kind": report_rules.PROGRESS, "first": progress.first, "last": progress.last},
        {"kind": report_rules.FINAL, "first": final.first, "last": final.last},
    ]


async def _drafts(work: Work, viewer: Person, employee: Employee) -> list[dict]:
    """The report drafts, open ones first (newest first), with to whom an approved one goes."""
    drafts = await report_queries.drafts_of(work.session, employee.id)
    if not drafts:
        return []
    contacts: list[str] = []
    employer_name = ""
    if any(d.status == report_review.OPEN for d in drafts):
        employer, registered = await report_drafts.recipients(work, employee)
        contacts, employer_name = [c.name for c in registered], employer.name if employer else ""
    zone = viewer.coach.timezone
    shown = [
        {
            "id": d.id,
            "kind": d.kind,
            "first": d.period_first,
            "last": d.period_last,
            "status": d.status,
            "open": d.status == report_review.OPEN,
            "decided_on": local_date(d.decided_at, zone) if d.decided_at else None,
            "employer": employer_name,
            "contacts": contacts,
            "employee_copy": report_drafts.reachable(employee),
        }
        for d in reversed(drafts)
    ]
    return sorted(shown, key=lambda d: not d["open"])


async def client(work: Work, viewer: Person, raw_id: str) -> Employee | None:
    """The client with this id when this coach may see them (`access.reach`), else None."""
    return await access.reach(work, viewer, Employee, raw_id)


async def file_page(work: Work, viewer: Person, raw_client: str) -> dict | None:
    """The file as a page of its own (`/dashboard/client/<id>/file`): the client's name and the sections."""
    employee = await client(work, viewer, raw_client)
    return None if employee is None else await _page(work, viewer, employee)


async def _page(work: Work, viewer: Person, employee: Employee, problem: dict | None = None) -> dict:
    name = privacy.view(privacy.COACH, "employee", employee)["name"]
    return {"client_name": name, "file": await file_sections(work, viewer, employee, problem=problem)}


# -- proofs ---------------------------------------------------------------------------------------------------


async def open_proof(work: Work, viewer: Person, raw_client: str, raw_proof: str) -> Document | Link | None:
    """A proof of one of this client's applications, logged as the chat logs an opened proof; None when the
    proof is not this coach's client's, or not this client's."""
    employee = await client(work, viewer, raw_client)
    found = None if employee is None else await access.reach(work, viewer, ApplicationProof, raw_proof)
    application = None if found is None else await queries.get(work.session, JobApplication, found.application_id)
    if application is None or application.employee_id != employee.id:
        return None
    await audit.read(work, viewer, "proof", employee.id)
    if found.kind == "link":
        url = proof_rules.find_link(found.url or "")
        return Link(url) if url is not None and url == found.url else None
    if found.data is None:
        return None
    media_type = found.mime_type if found.mime_type in proof_rules.TYPES else "application/octet-stream"
    return Document(found.data, media_type, _safe_name(found, application), media_type in INLINE)


def _safe_name(found: ApplicationProof, application: JobApplication) -> str:
    """e.g. bewijs-12-bakkerij-van-dam.pdf: ASCII letters, digits and dashes, and the extension of its type."""
    extension = proof_rules.TYPES.get(found.mime_type or "", "bin")
    plain = unicodedata.normalize("NFKD", application.company).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:40].strip("-")
    return f"bewijs-{found.id}{'-' + slug if slug else ''}.{extension}"


# -- notes ----------------------------------------------------------------------------------------------------


async def add_note(work: Work, viewer: Person, raw_client: str, text: str, for_file: bool) -> Outcome | None:
    """A new note on the client (as the chat's note: trimmed, at most NOTE_MAX_CHARS); an empty one is refused."""
    employee = await client(work, viewer, raw_client)
    if employee is None:
        return None
    note = caseload_flow.note_text(text)
    if not note:
        problem = {"form": "note", "reason": "note_empty"}
        return Outcome(employee.id, "notes", await _page(work, viewer, employee, problem))
    await caseload_flow.add_note(work, viewer, employee, note, for_file)
    return Outcome(employee.id, "notes")


async def mark_note(work: Work, viewer: Person, raw_client: str, raw_note: str, for_file: bool) -> Outcome | None:
    """Mark a note of this client for the file (the dossier report shows it), or take the mark off."""
    employee = await client(work, viewer, raw_client)
    note = None if employee is None else await access.reach(work, viewer, CoachNote, raw_note)
    if note is None or note.employee_id != employee.id:
        return None
    if note.for_file != for_file:
        note.for_file = for_file
        await queries.add(work.session, note)
    return Outcome(employee.id, "notes")


# -- poortwachter steps ---------------------------------------------------------------------------------------


async def set_step(work: Work, viewer: Person, raw_client: str, step: str, typed: str, remove: bool) -> Outcome | None:
    """Record or correct the day a poortwachter step took place (the chat's checks: a date, not before the first
    sick day, not after today), or remove it (`remove`: it did not happen). A refused date stores nothing."""
    employee = await client(work, viewer, raw_client)
    if employee is None or step not in report_rules.STEPS:
        return None
    if remove:
        await dossier.record_step(work, viewer, employee, step, None)
        return Outcome(employee.id, "steps")
    try:
        day = dossier.step_day(work, viewer, employee, typed)
    except Invalid as refused:
        problem = {"form": "step", "step": step, "typed": typed[:20], "reason": refused.reason, **refused.details}
        return Outcome(employee.id, "steps", await _page(work, viewer, employee, problem))
    await dossier.record_step(work, viewer, employee, step, day)
    return Outcome(employee.id, "steps")


# -- reports and drafts ---------------------------------------------------------------------------------------


async def report_pdf(work: Work, viewer: Person, raw_client: str, kind: str, variant: str) -> Document | None:
    """The progress or final report as a PDF, for the file (`dossier`) or for the coach (`coach`), made and
    logged as the chat's report button makes it."""
    employee = await client(work, viewer, raw_client)
    if employee is None or kind not in REPORT_KINDS or variant not in REPORT_VARIANTS:
        return None
    data, name, _ = await caseload_flow.report_file(work, viewer, employee, kind, variant)
    return Document(data, "application/pdf", name)


async def draft_pdf(work: Work, viewer: Person, raw_client: str, raw_draft: str) -> Document | None:
    """A draft's PDF as the employer would get it now (the dossier variant), logged as a report read."""
    found = await _draft(work, viewer, raw_client, raw_draft)
    if found is None:
        return None
    draft, employee = found
    data = await report_drafts.render(work, employee, draft.kind, draft.period_first, draft.period_last, viewer.lang)
    await audit.read(work, viewer, "report", employee.id)
    period = report.Period(draft.period_first, draft.period_last)
    return Document(data, "application/pdf", report.filename(employee, report.DOSSIER, period, "pdf", draft.kind))


async def decide_draft(work: Work, viewer: Person, raw_client: str, raw_draft: str, decision: str) -> Outcome | None:
    """Approve (send to the employer's contacts and a copy to the employee) or skip an open draft, as the chat's
    tap does; a draft decided already changes nothing and sends nothing again."""
    found = await _draft(work, viewer, raw_client, raw_draft)
    if found is None or decision not in DECISIONS:
        return None
    draft, employee = found
    await report_review.decide(work, viewer, draft, employee, DECISIONS[decision])
    return Outcome(employee.id, "drafts")


async def _draft(work: Work, viewer: Person, raw_client: str, raw_draft: str):
    employee = await client(work, viewer, raw_client)
    found = None if employee is None else await report_review.reachable_draft(work, viewer, raw_draft)
    if found is None or found[1].id != employee.id:
        return None
    return found
