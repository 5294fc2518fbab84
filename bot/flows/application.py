"""/sollicitatie (/application): the employee logs a job application in a few taps (company, role, date, how,
the plan's search direction when there is a plan, then an optional proof: a vacancy link, photo or document),
and later updates its status or adds a proof from a list of their applications. The weekly check-in offers the
week's logged count as the answer to "applications sent"; the coach sees the list in the client's detail."""

from __future__ import annotations

from datetime import date, timedelta

from bot.core import access, dialogs
from bot.core.context import Attachment, Person, Work
from bot.core.replies import Button, Reply, rows
from bot.rules import proof as proof_rules
from bot.rules.parsing import Invalid, parse_date
from bot.rules.schedule import Week
from bot.rules.weeks import local_date
from storage import coach_queries, plan_queries, queries
from storage.models import ApplicationProof, Dialog, JobApplication

FLOW = "application"
COMMANDS = {"sollicitatie": "employee", "application": "employee"}
CHANNELS = ("website", "email", "letter", "network", "agency", "other")
STATUSES = ("applied", "interview", "offer", "rejected", "no_answer", "withdrawn")
TEXT_LENGTH = (1, 160)
OLDEST = timedelta(days=366)
LISTED = 8  # applications offered for a status update, newest first


async def start(work: Work, person: Person) -> list[Reply]:
    logged = await coach_queries.applications_of(work.session, [person.employee.id])
    step = "menu" if logged else "company"
    dialog = await dialogs.move(
        work,
        person.user_id,
        FLOW,
        step,
        company=None,
        role=None,
        applied_on=None,
        channel=None,
        application=None,
        later=None,
    )
    return [await question(work, person, dialog)]


async def ask_again(work: Work, person: Person, dialog: Dialog, problem: dict | None) -> list[Reply]:
    return [await question(work, person, dialog, problem=problem)]


def _clean(text: str) -> str:
    cleaned = " ".join(text.split())
    low, high = TEXT_LENGTH
    if not low <= len(cleaned) <= high:
        raise Invalid("name_length", low=low, high=high)
    return cleaned


async def on_text(work: Work, person: Person, dialog: Dialog, text: str) -> list[Reply]:
    today = local_date(work.clock.now(), person.employee.timezone)
    try:
        if dialog.step == "company":
            dialog = await dialogs.move(work, person.user_id, FLOW, "role", company=_clean(text))
        elif dialog.step == "role":
            dialog = await dialogs.move(work, person.user_id, FLOW, "date", role=_clean(text))
        elif dialog.step == "date":
            applied_on = parse_date(text)
            if applied_on > today:
                raise Invalid("application_in_future")
            if applied_on < today - OLDEST:
                raise Invalid("application_too_old")
            dialog = await dialogs.move(work, person.user_id, FLOW, "channel", applied_on=applied_on.isoformat())
        elif dialog.step == "proof":
            return await _link(work, person, dialog, text)
        else:
            raise Invalid("use_buttons")
    except Invalid as problem:
        return [await question(work, person, dialog, problem={"reason": problem.reason, **problem.details})]
    return [await question(work, person, dialog)]


async def on_button(work: Work, person: Person, dialog: Dialog, action: str, value: str) -> list[Reply]:
    today = local_date(work.clock.now(), person.employee.timezone)
    step = dialog.step
    if step == "menu" and action == "new":
        return await _move(work, person, "company")
    if step == "menu" and action == "list":
        return await _move(work, person, "pick")
    if step == "date" and action == "day" and value in ("0", "1"):
        applied_on = today - timedelta(days=int(value))
        return await _move(work, person, "channel", applied_on=applied_on.isoformat())
    if step == "channel" and action == "how" and value in CHANNELS:
        directions = await _directions(work, person)
        if directions:
            return await _move(work, person, "direction", channel=value)
        return await _create(work, person, dialog, value, None)
    if step == "direction" and action == "dir":
        known = {d["id"] for d in await _directions(work, person)}
        if value == "none" or value in known:
            return await _create(work, person, dialog, dialog.data["channel"], None if value == "none" else value)
    if step == "proof" and action == "noproof":
        return await _done(work, person, dialog, None)
    if step == "status" and action == "proof":
        application = await _own(work, person, dialog.data.get("application"))
        if application is not None:
            return await _move(work, person, "proof", application=application.id, later=True)
    if step == "pick" and action == "pick":
        application = await _own(work, person, value)
        if application is not None:
            return await _move(work, person, "status", application=application.id)
    if step == "status" and action == "status" and value in STATUSES:
        application = await _own(work, person, dialog.data.get("application"))
        if application is not None:
            application.status = value
            application.updated_at = work.clock.now()
            await queries.add(work.session, application)
            await dialogs.finish(work, person.user_id)
            ctx = {"company": application.company, "role": application.role, "status": value}
            return [Reply("application_status_saved", person.lang, ctx, edit=True)]
    if step == "status" and action == "back":
        return await _move(work, person, "pick")
    return [await question(work, person, dialog, problem={"reason": "use_buttons"})]


async def _move(work: Work, person: Person, step: str, **changes: object) -> list[Reply]:
    dialog = await dialogs.move(work, person.user_id, FLOW, step, **changes)
    return [await question(work, person, dialog, edit=True)]


async def _own(work: Work, person: Person, application_id: str | int | None) -> JobApplication | None:
    return await access.reach(work, person, JobApplication, application_id)


async def _directions(work: Work, person: Person) -> list[dict]:
    """The search directions of the employee's current plan (none without a plan)."""
    plan = await plan_queries.latest_plan(work.session, person.employee.id)
    return list((plan.content or {}).get("directions") or []) if plan is not None else []


async def _create(work: Work, person: Person, dialog: Dialog, channel: str, direction: str | None) -> list[Reply]:
    """Store the application now (leaving at the proof question loses nothing), then ask for a proof."""
    applied_on = date.fromisoformat(dialog.data["applied_on"])
    application = await coach_queries.add_application(
        work.session,
        person.employee.id,
        dialog.data["company"],
        dialog.data["role"],
        applied_on,
        channel,
        work.clock.now(),
        direction=direction,
    )
    return await _move(work, person, "proof", application=application.id, later=False)


async def _link(work: Work, person: Person, dialog: Dialog, text: str) -> list[Reply]:
    link = proof_rules.find_link(text)
    if link is None:
        return [await question(work, person, dialog, problem={"reason": "proof_no_link"})]
    return await _done(
        work, person, dialog, ApplicationProof(application_id=0, kind="link", url=link, created_at=work.clock.now())
    )


async def on_file(work: Work, person: Person, dialog: Dialog, attachment: Attachment) -> list[Reply]:
    """A photo or document: checked (type, stated size, real size) before anything is stored."""
    if dialog.step != "proof":
        return [await question(work, person, dialog, problem={"reason": "not_text", "kind": attachment.kind})]
    problem = {"reason": "proof_refused", "accepted": proof_rules.ACCEPTED, "mb": proof_rules.MAX_MB}
    mime = proof_rules.accepted_type(attachment.mime_type, attachment.file_name)
    if mime is None or proof_rules.too_large(attachment.size):
        return [await question(work, person, dialog, problem=problem)]
    data = await attachment.fetch()
    if proof_rules.too_large(len(data)):
        return [await question(work, person, dialog, problem=problem)]
    name = (attachment.file_name or "")[:120] or None
    proof = ApplicationProof(
        application_id=0,
        kind=attachment.kind,
        data=data,
        size=len(data),
        mime_type=mime,
        file_name=name,
        created_at=work.clock.now(),
    )
    return await _done(work, person, dialog, proof)


async def _done(work: Work, person: Person, dialog: Dialog, proof: ApplicationProof | None) -> list[Reply]:
    """Attach the proof (if any) to the application of this dialog and say it is saved."""
    application = await _own(work, person, dialog.data.get("application"))
    later = bool(dialog.data.get("later"))
    await dialogs.finish(work, person.user_id)  # (this also empties dialog.data)
    if application is None:
        return [Reply("application_proof_saved", person.lang, {"gone": True})]
    if proof is not None:
        proof.application_id = application.id
        await plan_queries.add_proof(work.session, proof)
    ctx: dict = {"company": application.company, "role": application.role, "proof": proof.kind if proof else None}
    if later:
        return [Reply("application_proof_saved", person.lang, ctx)]
    week = Week.of(application.applied_on)
    ctx["count"] = await coach_queries.applications_logged(
        work.session, person.employee.id, week.monday(), week.monday() + timedelta(days=6)
    )
    ctx["week"] = week.week
    return [Reply("application_saved", person.lang, ctx, edit=proof is None)]


async def question(
    work: Work, person: Person, dialog: Dialog, *, edit: bool = False, problem: dict | None = None
) -> Reply:
    """The message for the dialog's current step, with its buttons."""
    if problem is not None:
        edit = False
    ctx: dict = {"step": dialog.step, "problem": problem, "company": dialog.data.get("company")}

    def data(action: str, value: object = "") -> str:
        return dialogs.button_data(dialog, action, value)

    if dialog.step == "menu":
        buttons = [[Button("application_new", data=data("new"))], [Button("application_update", data=data("list"))]]
        return Reply("application_menu", person.lang, ctx, buttons, edit=edit)
    if dialog.step in ("company", "role"):
        return Reply(f"application_{dialog.step}", person.lang, ctx, edit=edit)
    if dialog.step == "date":
        days = [Button("application_today", data=data("day", 0)), Button("application_yesterday", data=data("day", 1))]
        return Reply("application_date", person.lang, ctx, [days], edit=edit)
    if dialog.step == "channel":
        channels = [Button(f"application_channel_{c}", data=data("how", c)) for c in CHANNELS]
        return Reply("application_channel", person.lang, ctx, rows(channels, 2), edit=edit)
    if dialog.step == "direction":
        directions = [
            [Button(text=str(d.get("occupation") or d["id"])[:60], data=data("dir", d["id"]))]
            for d in await _directions(work, person)
        ]
        unsure = [Button("application_direction_none", data=data("dir", "none"))]
        return Reply("application_direction", person.lang, ctx, [*directions, unsure], edit=edit)
    if dialog.step == "proof":
        application = await _own(work, person, dialog.data.get("application"))
        ctx.update(company=application.company if application else None, later=bool(dialog.data.get("later")))
        none = [Button("application_no_proof", data=data("noproof"))]
        return Reply("application_proof", person.lang, ctx, [none], edit=edit)
    if dialog.step == "pick":
        listed = (await coach_queries.applications_of(work.session, [person.employee.id]))[:LISTED]
        ctx["applications"] = [
            {"company": a.company, "role": a.role, "applied_on": a.applied_on, "status": a.status} for a in listed
        ]
        buttons = [[Button(text=f"{a.company} – {a.role}"[:60], data=data("pick", a.id))] for a in listed]
        return Reply("application_pick", person.lang, ctx, buttons, edit=edit)
    application = await _own(work, person, dialog.data.get("application"))
    ctx.update(company=application.company, role=application.role, status=application.status)
    choices = [
        Button(f"application_status_{s}", data=data("status", s), checked=s == application.status) for s in STATUSES
    ]
    add_proof = [Button("application_add_proof", data=data("proof"))]
    back = [Button("back", data=data("back"))]
    return Reply("application_status", person.lang, ctx, [*rows(choices, 2), add_proof, back], edit=edit)
