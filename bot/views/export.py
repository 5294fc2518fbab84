"""The right of access and portability (AVG art. 15 and 20): everything stored about one employee as one JSON
document (the format is `content/export/schema.json`, JSON Schema 2020-12) and as a readable PDF (the Jinja2
template `content/export/export.html.j2`, rendered by WeasyPrint like the reports).

What goes in is every row of `storage.export_queries.rows_about`, including everything the coach wrote about the
employee: notes for the file *and* the coach's private notes. The AVG gives a right of access to all personal
data; an assessor's comments on a person are that person's personal data (CJEU C-434/16 Nowak), and no exception
of UAVG art. 41 applies by default, so private notes are included (the document says so itself). Of other people
only the names of the coach and employer contacts who wrote in or looked at the file are included; who looked
comes from the audit trail (who: role and name; when; what — never content).
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.core.context import Work
from bot.rules.weeks import local_date
from bot.views.report import render_pdf
from content.catalog import CONTENT_DIR
from storage import export_queries
from storage.export_queries import Rows
from storage.models import Employee

SCHEMA_VERSION = 1
SCHEMA_PATH = CONTENT_DIR / "export" / "schema.json"
TEMPLATE = "export/export.html.j2"
TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Documents:
    """The two files of one export, with their names."""

    pdf: bytes
    json: bytes
    pdf_name: str
    json_name: str


def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _clock(value: time | None) -> str | None:
    return value.strftime("%H:%M") if value is not None else None


async def gather(work: Work, employee_id: int, lang: str) -> dict | None:
    """The JSON document about this employee (see the schema); None for an unknown employee."""
    rows = await export_queries.rows_about(work.session, employee_id)
    if rows is None:
        return None
    label = work.texts.label
    return {
        "schema_version": SCHEMA_VERSION,
        "made_at": _moment(work.clock.now()),
        "language": lang,
        "about": {
            "contents": label(lang, "export_about_contents"),
            "coach_notes": label(lang, "export_about_coach_notes"),
            "file_views": label(lang, "export_about_file_views"),
        },
        "person": _person(rows.employee),
        "coach": {"name": rows.coach.name} if rows.coach is not None else None,
        "employer": {"name": rows.employer.name} if rows.employer is not None else None,
        "invites": [
            {
                "kind": i.kind,
                "created_at": _moment(i.created_at),
                "expires_at": _moment(i.expires_at),
                "used_at": _moment(i.used_at),
            }
            for i in rows.invites
        ],  # fmt: skip
        "checkins": [_checkin(checkin) for checkin in rows.checkins],
        "pauses": [
            {
                "start": _day(p.start),
                "until": _day(p.until),
                "reason": p.reason,
                "created_at": _moment(p.created_at),
                "ended_at": _moment(p.ended_at),
            }
            for p in rows.pauses
        ],  # fmt: skip
        "applications": _applications(rows),
        "plan_versions": [
            {
                "number": v.number,
                "change": v.change,
                "content": v.content,
                "author": _coach(rows, v.author_coach_id),
                "created_at": _moment(v.created_at),
                "employee_answer": v.employee_answer,
                "answered_at": _moment(v.answered_at),
            }
            for v in rows.plan_versions
        ],  # fmt: skip
        "plan_evaluations": [
            {
                "held_on": _day(e.held_on),
                "coach": _coach(rows, e.coach_id),
                "participants": list(e.participants),
                "conclusion": e.conclusion,
                "changes": e.changes,
                "directions_reviewed": e.directions_reviewed,
                "created_at": _moment(e.created_at),
            }
            for e in rows.evaluations
        ],  # fmt: skip
        "poortwachter_steps": [
            {
                "step": s.step,
                "done_on": _day(s.done_on),
                "coach": _coach(rows, s.coach_id),
                "recorded_at": _moment(s.recorded_at),
            }
            for s in rows.steps
        ],  # fmt: skip
        "own_view": _own_view(rows),
        "coach_notes": [
            {
                "written_at": _moment(n.created_at),
                "coach": _coach(rows, n.coach_id),
                "for_file": n.for_file,
                "text": n.text,
            }
            for n in rows.notes
        ],  # fmt: skip
        "phase_changes": [
            {"phase": c.phase, "changed_at": _moment(c.changed_at), "coach": _coach(rows, c.coach_id)}
            for c in rows.phases
        ],  # fmt: skip
        "safety_alerts": [
            {
                "source": a.source,
                "created_at": _moment(a.created_at),
                "coach_allowed": a.coach_allowed,
                "coach_told_at": _moment(a.coach_told_at),
            }
            for a in rows.alerts
        ],  # fmt: skip
        "reports": [
            {
                "kind": d.kind,
                "period_first": _day(d.period_first),
                "period_last": _day(d.period_last),
                "status": d.status,
                "created_at": _moment(d.created_at),
                "decided_at": _moment(d.decided_at),
                "decided_by": _coach(rows, d.decided_by),
            }
            for d in rows.drafts
        ],  # fmt: skip
        "messages": [_message(rows, m) for m in rows.messages],
        "open_conversation": _conversation(rows),
        "file_views": [_view(rows, entry) for entry in rows.audit],
    }


def _person(e: Employee) -> dict:
    return {
        "id": e.id, "name": e.name, "telegram_user_id": e.telegram_user_id, "language": e.language,
        "timezone": e.timezone, "checkin_weekday": e.checkin_weekday, "checkin_time": _clock(e.checkin_time),
        "first_sick_day": _day(e.first_sick_day), "track2_start": _day(e.track2_start), "phase": e.phase,
        "status": e.status, "created_at": _moment(e.created_at), "registered_at": _moment(e.registered_at),
        "unreachable_at": _moment(e.unreachable_at), "closed_at": _moment(e.closed_at),
        "values": list(e.values or []), "share_reflections": e.share_reflections, "pinned_process": e.pinned_process,
        "bsn": e.bsn, "track2_late_reason": e.track2_late_reason, "outcome": e.outcome,
        "outcome_text": e.outcome_text, "outcome_on": _day(e.outcome_on),
    }  # fmt: skip


def _checkin(c) -> dict:
    return {
        "iso_year": c.iso_year, "iso_week": c.iso_week, "applications": c.applications, "interviews": c.interviews,
        "networking": c.networking, "activities": list(c.activities or []), "energy": c.energy, "note": c.note,
        "created_at": _moment(c.created_at), "updated_at": _moment(c.updated_at),
        "submitted_at": _moment(c.submitted_at), "missed_at": _moment(c.missed_at), "paused_reason": c.paused_reason,
        "act_prompt_id": c.act_prompt_id, "act_process": c.act_process, "reflection": c.reflection,
        "reflection_skipped": c.reflection_skipped, "next_step": c.next_step, "step_result": c.step_result,
        "track1_hours": c.track1_hours,
    }  # fmt: skip


def _applications(rows: Rows) -> list[dict]:
    proofs: dict[int, list[dict]] = {}
    for p in rows.proofs:
        proofs.setdefault(p.application_id, []).append(
            {"kind": p.kind, "url": p.url, "file_name": p.file_name, "mime_type": p.mime_type, "size": p.size,
             "created_at": _moment(p.created_at),
             "data_base64": base64.b64encode(p.data).decode("ascii") if p.data is not None else None}
        )  # fmt: skip
    return [
        {"company": a.company, "role": a.role, "applied_on": _day(a.applied_on), "channel": a.channel,
         "direction": a.direction, "status": a.status, "created_at": _moment(a.created_at),
         "updated_at": _moment(a.updated_at), "proofs": proofs.get(a.id, [])}
        for a in rows.applications
    ]  # fmt: skip


def _own_view(rows: Rows) -> dict | None:
    view = rows.own_view
    if view is None:
        return None
    return {"consent": view.consent, "text": view.text, "asked_at": _moment(view.asked_at),
            "answered_at": _moment(view.answered_at), "locked_at": _moment(view.locked_at)}  # fmt: skip


def _recipient(rows: Rows, chat_id: int) -> str:
    if chat_id == rows.employee.telegram_user_id:
        return "employee"
    if rows.coach is not None and chat_id == rows.coach.telegram_user_id:
        return "coach"
    return "other"


def _message(rows: Rows, m) -> dict:
    return {"kind": m.kind, "to": _recipient(rows, m.chat_id), "text": m.text, "file_name": m.attachment_name,
            "status": m.status, "created_at": _moment(m.created_at), "sent_at": _moment(m.sent_at)}  # fmt: skip


def _conversation(rows: Rows) -> dict | None:
    dialog = rows.dialog
    if dialog is None or not dialog.flow:
        return None
    return {
        "flow": dialog.flow,
        "step": dialog.step,
        "data": dict(dialog.data),
        "updated_at": _moment(dialog.updated_at),
    }


def _coach(rows: Rows, coach_id: int | None) -> str | None:
    return rows.coach_names.get(coach_id) if coach_id is not None else None


def _view(rows: Rows, entry) -> dict:
    if entry.actor_kind == "employer":
        name = rows.contact_names.get(entry.actor_id)
    elif entry.actor_kind == "operator":
        name = None
    else:
        name = rows.coach_names.get(entry.actor_id)
    return {"at": _moment(entry.at), "who_role": entry.actor_kind, "who_name": name, "what": entry.what}


# --- the files ---------------------------------------------------------------------------------------------------


def to_json(document: dict) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def render_html(work: Work, document: dict, zone: str) -> str:
    """The PDF's HTML: the document in its language, moments in the employee's time zone."""
    lang = document["language"]
    label = work.texts.label
    keys = work.texts.label_keys()
    date_format = label(lang, "report_date_format")

    def named(prefix: str, value: object) -> str:
        key = f"{prefix}_{value}"
        return label(lang, key) if key in keys else str(value)

    def day(value: str | None) -> str:
        return date.fromisoformat(value).strftime(date_format) if value else "—"

    def moment(value: str | None) -> str:
        if not value:
            return "—"
        local = datetime.fromisoformat(value).astimezone(ZoneInfo(zone))
        return f"{local.strftime(date_format)} {local.strftime('%H:%M')}"

    def plain(text: str | None) -> str:
        return TAG.sub("", text or "").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")

    template = work.texts.template(lang, TEMPLATE)
    words = {"label": lambda key, **kw: label(lang, key, **kw), "named": named, "day": day, "moment": moment,
             "plain": plain, "as_json": lambda value: json.dumps(value, ensure_ascii=False, indent=1)}  # fmt: skip
    return template.render(doc=document, lang=lang, **words)


async def documents(work: Work, employee_id: int, lang: str) -> Documents | None:
    """The PDF and the JSON about this employee (the PDF is rendered in a worker thread); None when unknown."""
    document = await gather(work, employee_id, lang)
    if document is None:
        return None
    zone = document["person"]["timezone"] or work.timezone
    html = render_html(work, document, zone)
    pdf = await asyncio.to_thread(render_pdf, html)
    made_on = local_date(work.clock.now(), zone)
    stem = f"{'mijn-gegevens' if lang == 'nl' else 'my-data'}-{employee_id}-{made_on.isoformat()}"
    return Documents(pdf, to_json(document), f"{stem}.pdf", f"{stem}.json")


async def export(database_url: str, employee_id: int, out_dir: Path, lang: str | None = None) -> tuple[Path, Path]:
    """For `spoorzoeker privacy export`: write both files into `out_dir`, log the operator's export in the audit
    trail, return the two paths. Raises LookupError for an unknown employee."""
    from bot.core import audit
    from bot.core.clock import SystemClock
    from storage.db import Database

    db = Database(database_url)
    try:
        async with db.session() as session:
            employee = await session.get(Employee, employee_id)
            if employee is None:
                raise LookupError(f"no employee with id {employee_id}")
            work = Work(session, SystemClock(), "", employee.timezone)
            found = await documents(work, employee_id, lang or employee.language)
            await audit.by_operator(work, "export", employee_id)
        out_dir.mkdir(parents=True, exist_ok=True)
        pdf_path, json_path = out_dir / found.pdf_name, out_dir / found.json_name
        pdf_path.write_bytes(found.pdf)
        json_path.write_bytes(found.json)
        return pdf_path, json_path
    finally:
        await db.dispose()
