"""The reports of one client's Track 2 for the reintegration file: the progress report (voortgangsrapportage,
any period) and the final report (eindrapportage spoor 2, the whole trajectory, ending with its outcome), each as
PDF (a Jinja2 HTML template rendered by WeasyPrint, with matplotlib charts) and CSV. Words and look live in
content/report/ and content/labels/report.yaml; the file's parts (plan, directions, evaluations, steps, own
view) are gathered in `bot.views.report_data`.

Two variants, and what they may hold is decided by `bot.rules.privacy` alone: every record goes through
`privacy.view(audience, ...)` (`plan_view`, `own_view`) and coach notes through `privacy.coach_notes(audience,
...)` before anything is computed from it, so neither the template nor the CSV can show what the audience may not
see.
- dossier: for the reintegration file, the employer and the UWV (audience DOSSIER): the facts, the plan (person
  profile, work capacity, search directions and their history, interventions), activities week by week,
  applications per direction, evaluations, the poortwachter steps, the balance of Track 1 and 2, the employee's
  own view (only with their consent), missed and paused weeks (paused without the reason: the policy classes it
  as health data), step follow-through (never the step's text), coach notes marked for the file. No health data.
- coach: the coach's own (audience COACH): the same, plus a clearly marked confidential part with energy, pause
  reasons, the chosen steps' text and, with the employee's consent, their reflections; all coach notes.
"""

from __future__ import annotations

import asyncio
import base64
import csv
import io
import re
import threading
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from babel.dates import format_date

from bot.core import audit
from bot.core.context import Work
from bot.rules import act, privacy, timeline
from bot.rules.checkin import ACTIVITIES
from bot.rules.report import FINAL, KINDS, PROGRESS
from bot.rules.schedule import Week
from bot.rules.weeks import local_date, period_open, sickness_week, week_status
from bot.views import charts, report_data
from content.catalog import CONTENT_DIR
from storage import coach_queries, plan_queries, queries
from storage.models import Coach, Employee, Employer

DOSSIER, COACH = "dossier", "coach"
VARIANTS = (DOSSIER, COACH)
AUDIENCE = {DOSSIER: privacy.DOSSIER, COACH: privacy.COACH}
TEMPLATE = "report/report.html.j2"
STYLESHEET = CONTENT_DIR / "report" / "report.css"
DEFAULT_WEEKS = 13  # the default period when Track 2 has not started yet
COUNTED = ("submitted", "missed", "paused", "none", "open")  # weeks the employee was enrolled in
CSV_KINDS = ("week", "application", "phase", "note", "direction", "plan_version", "intervention", "evaluation",
             "step", "own_view", "outcome")  # fmt: skip
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # a CSV cell starting with one of these is a formula in Excel


@dataclass(frozen=True)
class Period:
    """From `first` to `last`, both included (local dates). The report shows the ISO weeks they touch."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.first > self.last:
            raise ValueError(f"the period starts ({self.first}) after it ends ({self.last})")

    def weeks(self) -> list[Week]:
        first, last = Week.of(self.first), Week.of(self.last)
        count = (last.monday() - first.monday()).days // 7 + 1
        return [Week.of(first.monday() + timedelta(weeks=n)) for n in range(count)]


def default_period(employee: Employee, today: date) -> Period:
    """Track 2 so far (from its start up to today); when Track 2 starts later, the last 13 weeks."""
    if employee.track2_start <= today:
        return Period(employee.track2_start, today)
    return Period(today - timedelta(weeks=DEFAULT_WEEKS), today)


def final_period(employee: Employee, today: date) -> Period:
    """The whole trajectory: from the start of Track 2 up to today, or up to its outcome when it ended."""
    last = employee.outcome_on or today
    return Period(min(employee.track2_start, last), last)


FILE_PREFIX = {PROGRESS: "voortgangsrapportage", FINAL: "eindrapportage-spoor-2"}


def filename(employee: Employee, variant: str, period: Period, ext: str, kind: str = PROGRESS) -> str:
    """e.g. voortgangsrapportage-ahmed-yilmaz-dossier-2026-11-01-2026-11-30.pdf (client, kind and period; the
    name in plain ASCII: "Öztürk" becomes "ozturk")."""
    if kind not in KINDS:
        raise ValueError(f"unknown report kind {kind!r}")
    plain = unicodedata.normalize("NFKD", employee.name).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", plain).strip("-") or "client"
    return f"{FILE_PREFIX[kind]}-{slug}-{variant}-{period.first.isoformat()}-{period.last.isoformat()}.{ext}"


async def gather(work: Work, employee: Employee, period: Period, variant: str, lang: str, kind: str = PROGRESS) -> dict:
    """Everything the report shows, already filtered for the variant's audience."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown report variant {variant!r}")
    if kind not in KINDS:
        raise ValueError(f"unknown report kind {kind!r}")
    audience = AUDIENCE[variant]
    shared = employee.share_reflections

    def seen(kind: str, record: object) -> dict:
        return privacy.view(audience, kind, record, reflections_shared=shared)

    session = work.session
    coach = await queries.get(session, Coach, employee.coach_id)
    employer = await queries.get(session, Employer, employee.employer_id)
    zone = ZoneInfo(coach.timezone if coach else employee.timezone)
    today = local_date(work.clock.now(), zone.key)
    weeks = period.weeks()
    checkins = {
        Week(c.iso_year, c.iso_week): seen("checkin", c)
        for c in await coach_queries.checkins_between(
            session, employee.id, (weeks[0].year, weeks[0].week), (weeks[-1].year, weeks[-1].week)
        )
    }
    logged_rows = list(reversed(await coach_queries.applications_of(session, [employee.id], period.first, period.last)))
    proved = await plan_queries.applications_with_proof(session, [application.id for application in logged_rows])
    applications = [
        {**seen("application", application), "proof": application.id in proved} for application in logged_rows
    ]
    logged = Counter(Week.of(application["applied_on"]) for application in applications)
    client = seen("employee", employee)
    sick_day, track2_start = client["first_sick_day"], client["track2_start"]
    if client.get("values"):  # free text: present in the coach variant only
        client["values"] = [act.value_text(value, lang) for value in client["values"]]
    joined = local_date(client["registered_at"], employee.timezone) if client["registered_at"] else None

    now = work.clock.now()
    rows = [
        _week_row(
            week, checkins.get(week), logged[week], sick_day, joined, today,
            period_open(week, employee.checkin_weekday, employee.checkin_time, employee.timezone,
                        client["registered_at"], now),
        )
        for week in weeks
    ]  # fmt: skip
    end = datetime.combine(period.last + timedelta(days=1), time(0), zone).astimezone(UTC)
    start = datetime.combine(period.first, time(0), zone).astimezone(UTC)
    notes = await coach_queries.notes_of(session, employee.id, start, end)
    pauses = [seen("pause", pause) for pause in await coach_queries.pauses_of(session, [employee.id], period.first)]
    history = [seen("phase_change", change) for change in await coach_queries.phase_changes_of(session, [employee.id])]
    history = [{**change, "on": local_date(change["changed_at"], zone.key)} for change in history]
    history = [change for change in history if change["on"] <= period.last]
    counted = [row for row in rows if row["status"] in COUNTED]
    milestones = [
        {"key": m.key, "week": m.week, "due": m.due, "number": m.number}
        | {"in_period": period.first <= m.due <= period.last}
        for m in timeline.milestones(sick_day)
    ]
    report_day = min(period.last, today)
    parts = await report_data.file_parts(
        work, employee, period.first, period.last, audience, kind, report_day, zone, rows
    )
    ctx = {
        "kind": kind,
        "variant": variant,
        "lang": lang,
        "period": period,
        "made_on": today,
        "client": client,
        "joined": joined,  # the local day of registered_at (a UTC moment)
        "employer": employer.name if employer else "",
        "coach": coach.name if coach else "",
        "agency": coach.agency if coach else None,
        "report_day": report_day,
        "track2_late": timeline.track2_late(sick_day, track2_start),
        "phase": history[-1]["phase"] if history else client["phase"],
        "sickness_week": sickness_week(sick_day, min(period.last, today)),
        "track2_warning": timeline.track2_warning(sick_day, track2_start),
        "milestones": milestones,
        "weeks": rows,
        "applications": applications,
        "phases": history,
        "pauses": [pause for pause in pauses if pause["start"] <= period.last],
        "notes": [{**note, "on": local_date(note["created_at"], zone.key)} for note in _notes(audience, notes)],
        "steps": (steps := _steps(rows)),
        "step_texts": {(step["year"], step["week"]): step for step in steps if step["text"]},
        "totals": _totals(counted, applications),
        "show_energy": privacy.can_see(audience, privacy.HEALTH),
        "reflections": [
            {"week": row["week"], "year": row["year"], "text": row["seen"]["reflection"]}
            for row in rows
            if row["seen"].get("reflection")
        ],
        "reflections_shared": shared,
        "activity_keys": ACTIVITIES,
        **parts,
        "application_groups": report_data.application_groups(
            applications, parts["directions"], parts["known_directions"]
        ),
        "outcome": {key: client.get(key) for key in ("outcome", "outcome_text", "outcome_on")},
        "track1_column": parts["balance"]["hours"],  # a column only when the employee gave hours
    }
    ctx["gaps"] = [row for row in counted if row["status"] in ("missed", "paused", "none")]
    return ctx


def _week_row(
    week: Week, checkin: dict | None, logged: int, first_sick_day: date, joined, today: date, still_open: bool
) -> dict:
    monday, sunday = week.monday(), week.monday() + timedelta(days=6)
    checkin = checkin or {}
    submitted = checkin.get("submitted_at") is not None
    status = week_status(
        monday, today, joined, submitted=submitted, paused=bool(checkin.get("paused")),
        missed=checkin.get("missed_at") is not None, period_open=still_open,
    )  # fmt: skip
    checked_in = checkin.get("applications") if submitted else None
    return {
        "week": week.week,
        "year": week.year,
        "monday": monday,
        "sunday": sunday,
        "sickness_week": sickness_week(first_sick_day, monday),
        "status": status,
        "reason": checkin.get("paused_reason"),  # present only where the audience may see it
        # the larger of the check-in's count and the applications logged with /sollicitatie that week
        "applications": max(checked_in or 0, logged) if (submitted or logged) else None,
        "logged": logged,
        "interviews": checkin.get("interviews") if submitted else None,
        "networking": checkin.get("networking") if submitted else None,
        "activities": [a for a in checkin.get("activities") or [] if a in ACTIVITIES] if submitted else [],
        "step_result": checkin.get("step_result"),
        "energy": checkin.get("energy") if submitted else None,
        "track1_hours": checkin.get("track1_hours") if submitted else None,
        "seen": checkin,
    }


def _steps(rows: list[dict]) -> list[dict]:
    """Committed steps and their follow-through: a step chosen in one week is reviewed in the next check-in."""
    steps = []
    for row, following in zip(rows, [*rows[1:], None], strict=True):
        text = row["seen"].get("next_step")  # free text: present in the coach variant only
        result = following["step_result"] if following else None
        if text or result:
            steps.append({"week": row["week"], "year": row["year"], "text": text, "result": result})
    return steps


def _notes(audience: str, notes: list) -> list[dict]:
    visible = privacy.coach_notes(audience, notes)
    if audience != privacy.COACH:
        return [{**shown, "for_file": True} for shown in visible]
    # The coach sees every note, in the same order; mark the ones that also go into the dossier.
    return [{**shown, "for_file": note.for_file} for shown, note in zip(visible, notes, strict=True)]


def _totals(rows: list[dict], applications: list) -> dict:
    activities = Counter(item for row in rows for item in row["activities"])
    steps = Counter(row["step_result"] for row in rows if row["step_result"])
    energies = [row["energy"] for row in rows if row["energy"] is not None]
    return {
        "weeks": len(rows),
        "submitted": sum(1 for row in rows if row["status"] == "submitted"),
        "missed": sum(1 for row in rows if row["status"] == "missed"),
        "paused": sum(1 for row in rows if row["status"] == "paused"),
        "none": sum(1 for row in rows if row["status"] == "none"),
        "applications": sum(row["applications"] or 0 for row in rows),
        "logged": len(applications),
        "interviews": sum(row["interviews"] or 0 for row in rows),
        "networking": sum(row["networking"] or 0 for row in rows),
        "activities": {key: activities[key] for key in ACTIVITIES if activities[key]},
        "other_activities": sum(activities.values()),
        "steps": {key: steps[key] for key in ("done", "partly", "not")},
        "application_status": dict(Counter(application["status"] for application in applications)),
        "energy_average": round(sum(energies) / len(energies), 1) if energies else None,
    }


def charts_for(work: Work, ctx: dict) -> dict[str, str]:
    """The report's charts as data: URIs (PNG). The energy chart only where energy may be shown."""
    lang = ctx["lang"]
    label = work.texts.label
    rows = [row for row in ctx["weeks"] if row["status"] != "future"]
    if not rows:
        return {}
    ticks = [str(row["week"]) for row in rows]
    found = {
        "activity": charts.weekly_activity(
            ticks,
            {
                label(lang, f"field_{key}"): [row[key] or 0 for row in rows]
                for key in ("applications", "interviews", "networking")
            },
            title=label(lang, "report_chart_activity"),
            size=(7.2, 2.5),
            dpi=150,
            fixed_layout=True,  # fixed margins: the same picture at this size, 40% less CPU
        )
    }
    if ctx["show_energy"] and any(row["energy"] is not None for row in rows):
        found["energy"] = charts.energy_line(
            ticks, [row["energy"] for row in rows], title=label(lang, "report_chart_energy"), size=(7.2, 1.9), dpi=150
        )
    return {name: "data:image/png;base64," + base64.b64encode(png).decode() for name, png in found.items()}


def _words(work: Work, lang: str) -> dict:
    """Helpers the template and the CSV use: labels, a label for a stored value, dates in the language."""
    label = work.texts.label
    keys = work.texts.label_keys()
    date_format = label(lang, "report_date_format")

    def named(prefix: str, value: object) -> str:
        key = f"{prefix}_{value}"
        return label(lang, key) if key in keys else str(value)

    def day(value: date | datetime | str | None) -> str:
        """A day as the language writes it; plan dates are ISO strings."""
        if isinstance(value, str):
            value = date.fromisoformat(value)
        return value.strftime(date_format) if value else ""

    def month(value: date) -> str:
        return format_date(value, "LLL yyyy", locale=lang)

    def quarter(value: date) -> str:
        return format_date(value, "QQQ yyyy", locale=lang)

    return {"label": lambda key, **kw: label(lang, key, **kw), "named": named, "day": day, "month": month,
            "quarter": quarter}  # fmt: skip


def render_html(work: Work, ctx: dict) -> str:
    template = work.texts.template(ctx["lang"], TEMPLATE)
    return template.render(**_words(work, ctx["lang"]), **ctx)


@cache
def _weasyprint():
    """The stylesheet and one font configuration, made once per process and shared by every report (a new
    FontConfiguration per PDF costs about 0.08 s on the 104-week report)."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    return CSS(filename=str(STYLESHEET), font_config=fonts), fonts


_RENDERING = threading.Lock()  # the shared font configuration (Pango) is not made for two threads at once


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML  # heavy import, only where a PDF is made

    stylesheet, fonts = _weasyprint()
    with _RENDERING:
        return HTML(string=html, base_url=str(STYLESHEET.parent)).write_pdf(stylesheets=[stylesheet], font_config=fonts)


def _pdf_now(work: Work, ctx: dict) -> bytes:
    return render_pdf(render_html(work, {**ctx, "charts": charts_for(work, ctx)}))


async def pdf(work: Work, employee: Employee, period: Period, variant: str, lang: str, kind: str = PROGRESS) -> bytes:
    """The report as PDF bytes (charts and layout are made in a worker thread)."""
    ctx = await gather(work, employee, period, variant, lang, kind)
    return await asyncio.to_thread(_pdf_now, work, ctx)


def csv_text(work: Work, ctx: dict) -> str:
    """The same report and variant as CSV (semicolons, as Dutch spreadsheets expect): one row per week, then one
    per logged application, phase change, coach note the variant may show, search direction, plan version,
    intervention, evaluation, poortwachter step, the employee's own view and (final report) the outcome. Column
    names from labels_report."""
    lang = ctx["lang"]
    words = _words(work, lang)
    named, day, say = words["named"], words["day"], words["label"]
    coach = ctx["variant"] == COACH
    columns = ["kind", "year", "week", "date", "sickness_week", "status", "reason", "applications", "interviews",
               "networking", "activities", "step_result", "track1_hours"]  # fmt: skip
    if not coach:
        columns.remove("reason")  # why a week was paused is health data (bot.rules.privacy)
    if coach:
        columns += ["step", "energy", "reflection"]
    columns += ["company", "role", "channel", "application_status", "direction", "proof", "subject", "provider",
                "until", "due", "text"]  # fmt: skip
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns, delimiter=";", lineterminator="\r\n", extrasaction="ignore")
    writer.writerow({column: say(f"report_csv_{column}") for column in columns})

    def write(row: dict) -> None:
        writer.writerow({key: _cell(value) for key, value in row.items()})

    kind = {key: say(f"report_csv_kind_{key}") for key in CSV_KINDS}
    yes_no = {True: say("report_yes"), False: say("report_no")}
    steps = {(step["year"], step["week"]): step["text"] for step in ctx["steps"]}
    for row in ctx["weeks"]:
        if row["status"] == "future":
            continue
        write(
            {
                **{key: row[key] for key in ("year", "week", "sickness_week", "applications", "interviews")},
                "networking": row["networking"],
                "kind": kind["week"],
                "date": day(row["monday"]),
                "status": named("report_status", row["status"]),
                "reason": named("report_pause", row["reason"]) if row["reason"] else "",
                "activities": ", ".join(named("activity", item) for item in row["activities"]),
                "step_result": named("report_step", row["step_result"]) if row["step_result"] else "",
                "track1_hours": "" if row["track1_hours"] is None else row["track1_hours"],
                "step": steps.get((row["year"], row["week"])) or "",
                "energy": "" if row["energy"] is None else row["energy"],
                "reflection": row["seen"].get("reflection") or "",
            }
        )
    for group in ctx["application_groups"]:
        direction = group["occupation"] or group["id"] or say("report_outside_direction")
        for application in group["items"]:
            write(
                {
                    "kind": kind["application"],
                    "date": day(application["applied_on"]),
                    "company": application["company"],
                    "role": application["role"],
                    "channel": named("report_channel", application["channel"]),
                    "application_status": named("report_application", application["status"]),
                    "direction": direction,
                    "proof": yes_no[application["proof"]],
                }
            )
    for change in ctx["phases"]:
        phase = named("report_phase", change["phase"])
        write({"kind": kind["phase"], "date": day(change["on"]), "text": phase})
    for note in ctx["notes"]:
        write({"kind": kind["note"], "date": day(note["on"]), "text": note["text"]})
    for d in ctx["directions"]:
        details = [d.get("sector"), d.get("region"), say("report_hours", n=d["hours"]) if d.get("hours") else None,
                   named("plan_level", d["level"]) if d.get("level") else None, d.get("reason")]  # fmt: skip
        write({"kind": kind["direction"], "date": day(d.get("added_on")), "subject": d["occupation"],
               "until": day(d.get("reviewed_on")), "text": " · ".join(part for part in details if part)})  # fmt: skip
    for version in ctx["versions"]:
        changed = [*version["added"], *version["changed"], *version["removed"]]
        write({"kind": kind["plan_version"], "date": day(version["on"]), "subject": version["number"],
               "status": named("report_change", version["change"]), "text": ", ".join(changed)})  # fmt: skip
    for a in ctx["interventions"]:
        write({"kind": kind["intervention"], "date": day(a.get("start")), "until": day(a.get("end")),
               "subject": named("plan_kind", a["kind"]), "provider": a.get("provider") or "",
               "status": named("plan_status", a["status"]), "text": a.get("result") or ""})  # fmt: skip
    for e in ctx["evaluations"]:
        who = ", ".join(named("plan_who", person) for person in e.get("participants") or [])
        text = " · ".join(part for part in (e.get("conclusion"), e.get("changes")) if part)
        write({"kind": kind["evaluation"], "date": day(e["held_on"]), "subject": who,
               "status": yes_no[bool(e["directions_reviewed"])], "text": text})  # fmt: skip
    for step in ctx["poortwachter"]:
        state = named("report_pw_state", step["state"]) + (f" ({say('report_pw_late')})" if step["late"] else "")
        write({"kind": kind["step"], "date": day(step["done_on"]), "due": day(step["due"]),
               "subject": named("report_pw", step["step"]), "status": state})  # fmt: skip
    own = ctx["own_view"]
    write({"kind": kind["own_view"], "date": day(own["on"]), "status": named("report_own_view", own["state"]),
           "text": own.get("text") or ""})  # fmt: skip  # the text only where privacy.own_view allowed it
    if ctx["kind"] == FINAL:
        outcome = ctx["outcome"]
        write({"kind": kind["outcome"], "date": day(outcome["outcome_on"]),
               "status": named("report_outcome", outcome["outcome"] or "open"),
               "text": outcome.get("outcome_text") or ""})  # fmt: skip
    return buffer.getvalue()


def _cell(value: object) -> object:
    """Text typed by people (company, role, notes, steps) must never run as a spreadsheet formula."""
    if isinstance(value, str) and value[:1] in FORMULA_START:
        return "'" + value
    return value


async def csv_bytes(
    work: Work, employee: Employee, period: Period, variant: str, lang: str, kind: str = PROGRESS
) -> bytes:
    """The CSV as bytes, UTF-8 with a byte-order mark so Excel opens it with the right characters."""
    ctx = await gather(work, employee, period, variant, lang, kind)
    return csv_text(work, ctx).encode("utf-8-sig")


async def export(
    database_url: str,
    employee_id: int,
    *,
    first: date | None,
    last: date | None,
    variant: str,
    kind: str,
    lang: str,
    today: date,
    bot_username: str = "",
    report_kind: str = PROGRESS,
) -> tuple[bytes, str]:
    """For `spoorzoeker report`: the report of one employee as PDF or CSV bytes (`kind`), and its file name. The
    period defaults to `default_period` (a progress report) or `final_period` (a final report); a missing end is
    the default's end. Raises LookupError for an unknown employee."""
    from bot.core.clock import ManualClock
    from storage.db import Database

    db = Database(database_url)
    try:
        async with db.session() as session:
            employee = await queries.get(session, Employee, employee_id)
            if employee is None:
                raise LookupError(f"no employee with id {employee_id}")
            coach = await queries.get(session, Coach, employee.coach_id)
            zone = ZoneInfo(coach.timezone if coach else employee.timezone)
            noon = datetime.combine(today, time(12), zone)
            work = Work(session, ManualClock(noon), bot_username, zone.key)
            default = (final_period if report_kind == FINAL else default_period)(employee, today)
            period = Period(first or default.first, last or default.last)
            make = pdf if kind == "pdf" else csv_bytes
            data = await make(work, employee, period, variant, lang, report_kind)
            await audit.by_operator(work, "report", employee_id)  # `spoorzoeker report`: an operator's read
            return data, filename(employee, variant, period, kind, report_kind)
    finally:
        await db.dispose()
