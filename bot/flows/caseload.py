"""/caseload (/clienten): the coach's clients, ten to a page, flagged first; tap one for the detail and its
actions: add a note (for the file or not), set the phase, pause or resume, the progress or final report as a PDF,
and the client's plan and dossier."""

from __future__ import annotations

from datetime import timedelta

from bot.core import access, audit, dialogs, phases
from bot.core.context import Person, Work
from bot.core.replies import Button, Reply, rows
from bot.flows import dossier as dossier_flow
from bot.flows import pause as pause_flow
from bot.flows import plan as plan_flow
from bot.outgoing import outbox, retention_notice
from bot.outgoing.outbox import Message
from bot.rules import report as report_rules
from bot.rules.buttons import number_in
from bot.rules.weeks import local_date
from bot.views import caseload, report
from storage import coach_queries, queries
from storage.models import CoachNote, Dialog, Employee

FLOW = "caseload"
COMMANDS = {"caseload": "coach", "clienten": "coach"}
NOTE_MAX_CHARS = 2000
MESSAGE_LIMIT = 4000  # Telegram allows 4096 characters
PAUSE_WEEKS = pause_flow.WEEK_CHOICES
MAX_PAGE = 10_000


async def start(work: Work, person: Person, *, page: int = 0) -> list[Reply]:
    dialog = await dialogs.move(work, person.user_id, FLOW, "list", page=page, client=None)
    return [await question(work, person, dialog)]


async def ask_again(work: Work, person: Person, dialog: Dialog, problem: dict | None) -> list[Reply]:
    return [await question(work, person, dialog, problem=problem)]


async def on_text(work: Work, person: Person, dialog: Dialog, text: str) -> list[Reply]:
    if dialog.step != "note":
        return [await question(work, person, dialog, problem={"reason": "use_buttons"})]
    note = note_text(text)
    if not note:
        return [await question(work, person, dialog, problem={"reason": "empty"})]
    dialog = await dialogs.move(work, person.user_id, FLOW, "note_file", note=note)  # kept until it is filed
    return [await question(work, person, dialog)]


async def on_button(work: Work, person: Person, dialog: Dialog, action: str, value: str) -> list[Reply]:
    step = dialog.step
    if step == "list" and action == "page" and number_in(value, 0, MAX_PAGE) is not None:
        return await _move(work, person, "list", page=int(value))
    if step == "list" and action == "open":
        client = await _own_client(work, person, value)
        if client is None:
            return await _move(work, person, "list")
        return await _move(work, person, "client", client=client.id)
    employee = await _own_client(work, person, dialog.data.get("client"))
    if employee is None:  # not (or no longer) this coach's client
        return await _move(work, person, "list")
    if action == "back" and step == "client":
        return await _move(work, person, "list")
    if action == "back":
        return await _move(work, person, "client", note=None, reason=None)
    if step == "client" and action in ("note", "phase", "report", "pause"):
        target = {"note": "note", "phase": "phase", "report": "report", "pause": "pause_reason"}[action]
        return await _move(work, person, target, kind=report_rules.PROGRESS)
    if step == "client" and action == "resume":
        return await _resume(work, person, employee)
    if step == "client" and action == "plan":  # into the plan flow, at this client's plan menu
        return await plan_flow.open_menu(work, person, employee.id)
    if step == "client" and action == "dossier":  # into the dossier flow, at this client's dossier menu
        return await dossier_flow.open_menu(work, person, employee.id)
    if step == "note_file" and action == "file" and value in ("yes", "no"):
        await add_note(work, person, employee, dialog.data["note"], value == "yes")
        return await _move(work, person, "client", note=None, intro="note_saved")
    if step == "phase" and action == "phase" and value in phases.PHASES:
        change = await phases.set_phase(work, employee, value, person.coach)
        if value == "closed":  # the employee hears the day their data will be deleted
            await retention_notice.tell_deletion_date(work, employee, change)
        return await _move(work, person, "client", intro="phase_set")
    if step == "pause_reason" and action == "reason" and value in pause_flow.REASONS:
        return await _move(work, person, "pause_weeks", reason=value)
    if step == "pause_weeks" and action == "weeks" and number_in(value, 1, 52) in PAUSE_WEEKS:
        return await _pause(work, person, employee, dialog.data["reason"], int(value))
    if step == "report" and action == "kind" and value in report_rules.KINDS:
        return await _move(work, person, "report", kind=value)
    if step == "report" and action == "report" and value in report.VARIANTS:
        return await _report(work, person, employee, dialog.data.get("kind") or report_rules.PROGRESS, value)
    return [await question(work, person, dialog, problem={"reason": "use_buttons"})]


def note_text(text: str) -> str:
    """A coach note as it is stored: trimmed and at most NOTE_MAX_CHARS long ('' when nothing was written)."""
    return text.strip()[:NOTE_MAX_CHARS]


async def add_note(work: Work, person: Person, employee: Employee, text: str, for_file: bool) -> CoachNote:
    """The coach's note on a client (`for_file`: marked for the file, so the dossier report shows it)."""
    return await coach_queries.add_note(work.session, employee.id, person.coach.id, text, for_file, work.clock.now())


async def _move(work: Work, person: Person, step: str, *, intro: str | None = None, **changes) -> list[Reply]:
    dialog = await dialogs.move(work, person.user_id, FLOW, step, **changes)
    return [await question(work, person, dialog, edit=True, intro=intro)]


async def _own_client(work: Work, person: Person, employee_id: str | int | None) -> Employee | None:
    return await access.reach(work, person, Employee, employee_id)


async def _pause(work: Work, person: Person, employee: Employee, reason: str, weeks: int) -> list[Reply]:
    today = local_date(work.clock.now(), employee.timezone)
    current = await queries.current_pause(work.session, employee.id, today)
    if current is None:
        pause = await pause_flow.begin(work, employee, reason, today + timedelta(weeks=weeks, days=-1))
        await _tell_employee(work, employee, "pause_by_coach", f"pause_by_coach:{pause.id}", pause.until)
    return await _move(work, person, "client", reason=None, intro="paused")


async def _resume(work: Work, person: Person, employee: Employee) -> list[Reply]:
    today = local_date(work.clock.now(), employee.timezone)
    current = await queries.current_pause(work.session, employee.id, today)
    if current is not None:
        await pause_flow.end(work, employee, current)
        await _tell_employee(work, employee, "pause_ended_by_coach", f"pause_ended_by_coach:{current.id}", None)
    return await _move(work, person, "client", intro="resumed")


async def _tell_employee(work: Work, employee: Employee, template: str, key: str, until) -> None:
    """The employee hears that their coach paused or resumed their reminders (through the outbox)."""
    if employee.telegram_user_id is None or employee.status != "active":
        return
    notice = Reply(template, employee.language, {"until": until})
    message = Message(key, template, employee.telegram_user_id, notice, employee.timezone, employee_id=employee.id)
    await outbox.enqueue(work, [message])


async def report_file(
    work: Work, person: Person, employee: Employee, kind: str, variant: str
) -> tuple[bytes, str, report.Period]:
    """A client's progress report (Track 2 so far) or final report (the whole trajectory) as a PDF for this coach,
    in their language, with its file name and period; logged as a report read. The chat's report button and the
    dashboard's download both make it here."""
    today = local_date(work.clock.now(), person.coach.timezone)
    final = kind == report_rules.FINAL
    period = report.final_period(employee, today) if final else report.default_period(employee, today)
    data = await report.pdf(work, employee, period, variant, person.lang, kind=kind)
    await audit.read(work, person, "report", employee.id)
    return data, report.filename(employee, variant, period, "pdf", kind=kind), period


async def _report(work: Work, person: Person, employee: Employee, kind: str, variant: str) -> list[Reply]:
    """The progress report (Track 2 so far) or the final report (the whole trajectory) as a PDF document, then
    the client's detail again."""
    data, name, period = await report_file(work, person, employee, kind, variant)
    document = Reply(
        "caseload_report_sent",
        person.lang,
        {"name": employee.name, "kind": kind, "variant": variant, "first": period.first, "last": period.last},
        document=data,
        document_name=name,
    )
    dialog = await dialogs.move(work, person.user_id, FLOW, "client")
    return [document, await question(work, person, dialog)]


async def question(
    work: Work,
    person: Person,
    dialog: Dialog,
    *,
    edit: bool = False,
    problem: dict | None = None,
    intro: str | None = None,
) -> Reply:
    """The message for the dialog's step: the list, one client, or one of the client's actions."""
    if problem is not None:
        edit = False
    ctx: dict = {"step": dialog.step, "problem": problem, "intro": intro}

    def data(action: str, value: object = "") -> str:
        return dialogs.button_data(dialog, action, value)

    back = [Button("caseload_back", data=data("back"))]
    employee = None if dialog.step == "list" else await _own_client(work, person, dialog.data.get("client"))
    if employee is None:  # the list (also when the client is no longer this coach's)
        load = await caseload.load(work, person.coach)
        shown, number, pages = caseload.page(load.clients, int(dialog.data.get("page") or 0))
        ctx.update(
            lines=[caseload.summary_line(client) for client in shown],
            page=number + 1,
            pages=pages,
            total=len(load.open_clients),
            flagged=len(load.flagged),
            first=number * caseload.PAGE_SIZE + 1,
        )
        buttons = rows([Button(text=c.name, data=data("open", c.id)) for c in shown], 2)
        navigation = []
        if number > 0:
            navigation.append(Button("caseload_previous", data=data("page", number - 1)))
        if number < pages - 1:
            navigation.append(Button("caseload_next", data=data("page", number + 1)))
        if navigation:
            buttons.append(navigation)
        return Reply("caseload", person.lang, ctx, buttons, edit=edit)

    ctx["name"] = employee.name
    if dialog.step == "client":
        found = await caseload.detail(work, person.coach, employee)
        await audit.read(work, person, "caseload_detail", employee.id)
        await audit.read(work, person, "checkins", employee.id)  # the detail shows the weeks and reflections
        ctx = fit(work, person.lang, {**ctx, **detail_context(found)})
        paused = found.client.paused_until is not None
        buttons = [
            [Button("caseload_note", data=data("note")), Button("caseload_phase", data=data("phase"))],
            [Button("caseload_report", data=data("report")), Button("plan_open", data=data("plan"))],
            [Button("dossier_open", data=data("dossier"))],
        ]
        if employee.status == "active":
            pause = (
                Button("caseload_resume", data=data("resume"))
                if paused
                else Button("caseload_pause", data=data("pause"))
            )
            buttons[1].insert(0, pause)
        buttons.append([Button("caseload_to_list", data=data("back"))])
        return Reply("caseload_client", person.lang, ctx, buttons, edit=edit)
    if dialog.step == "note":
        return Reply("caseload_note", person.lang, ctx, [back], edit=edit)
    if dialog.step == "note_file":
        ctx["note"] = dialog.data.get("note", "")
        choice = [
            Button("caseload_file_yes", data=data("file", "yes")),
            Button("caseload_file_no", data=data("file", "no")),
        ]
        return Reply("caseload_note_file", person.lang, ctx, [choice, back], edit=edit)
    if dialog.step == "phase":
        ctx["phase"] = employee.phase
        choices = [
            Button(f"phase_{phase}", data=data("phase", phase), checked=phase == employee.phase)
            for phase in phases.PHASES
        ]
        return Reply("caseload_phase", person.lang, ctx, [*rows(choices, 2), back], edit=edit)
    if dialog.step == "pause_reason":
        reasons = [[Button(f"pause_reason_{reason}", data=data("reason", reason))] for reason in pause_flow.REASONS]
        return Reply("caseload_pause_reason", person.lang, ctx, [*reasons, back], edit=edit)
    if dialog.step == "pause_weeks":
        choices = [Button("pause_weeks", data=data("weeks", n), params={"n": n}) for n in PAUSE_WEEKS]
        return Reply("caseload_pause_until", person.lang, ctx, [*rows(choices, 2), back], edit=edit)
    ctx["kind"] = dialog.data.get("kind") or report_rules.PROGRESS  # the report step: first the kind, then for whom
    kinds = [
        Button(f"caseload_report_kind_{kind}", data=data("kind", kind), checked=kind == ctx["kind"])
        for kind in report_rules.KINDS
    ]
    variants = [Button(f"caseload_report_{variant}", data=data("report", variant)) for variant in report.VARIANTS]
    return Reply("caseload_report", person.lang, ctx, [kinds, variants, back], edit=edit)


def fit(work: Work, lang: str, ctx: dict) -> dict:
    """Leave out the oldest applications, notes and reflections until the detail fits in one message (the
    report has everything)."""
    while len(work.texts.render(lang, "caseload_client", **ctx)) > MESSAGE_LIMIT:
        longest = max(("applications", "notes", "reflections", "client_notes"), key=lambda key: len(ctx[key]))
        if not ctx[longest]:
            break
        more = {"applications": "more_applications", "notes": "more_notes"}.get(longest)
        ctx = {**ctx, longest: ctx[longest][:-1] if longest == "applications" else ctx[longest][1:]}
        if more:
            ctx[more] += 1
    return ctx


def detail_context(found: caseload.Detail) -> dict:
    """The template context of a client's detail."""
    return {
        "client": caseload.summary_line(found.client),
        "employer": found.client.employer,
        "flags": [{"key": flag.key, **flag.detail} for flag in found.client.flags],
        "weeks": found.weeks,
        "steps": found.steps,
        "reflections": found.reflections,
        "client_notes": found.client_notes,
        "shares_reflections": found.client.employee.share_reflections,
        "notes": found.notes,
        "more_notes": found.more_notes,
        "applications": [
            {"company": a.company, "role": a.role, "applied_on": a.applied_on, "channel": a.channel, "status": a.status}
            for a in found.applications
        ],
        "more_applications": found.more_applications,
        "by_status": found.by_status,
        "plan": found.plan,
    }
