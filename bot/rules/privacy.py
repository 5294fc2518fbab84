"""Who may see what: the one place that decides it (AVG; AP policy rules "De zieke werknemer").

Every field the bot stores belongs to one data class. An audience sees a field only if its class is allowed
for that audience; a field this module does not know is never shown (deny by default). Everything that leaves
the bot for an employer chat or the dossier report is built from `view(...)`, never from the records themselves.

| data class | employee | coach | employer | dossier (reintegration file) |
| activity: counts, applications, phase, dates, milestones, missed or paused weeks | yes | yes | yes | yes |
| health: energy; why a week was paused (one reason is "treatment") | yes | yes | never | never |
| free text: check-in note, committed-step text, values | yes | yes | never | never |
| reflection: ACT reflections | yes | with consent | never | never |
| coach note | no | yes | never | only notes marked for the file |
| plan: person profile, a direction's reason, an activity's result | yes | yes | never | yes |
| capacity: work capacity as the FML states it (functional terms), its date | yes | yes | never | yes |
| evaluation: who took part, the conclusion, what changes | no | yes | never | yes |
| identifier: the BSN (only ever printed in a report's header, never in a chat) | yes | yes | never | yes |
| own view: the employee's own view of the trajectory | yes | yes | never | only with their consent |

Search directions (occupation, sector, region, hours, level) and agreed activities (kind, provider, dates,
status) are activity: the employer may see them.
"""

from __future__ import annotations

EMPLOYEE, COACH, EMPLOYER, DOSSIER = "employee", "coach", "employer", "dossier"
AUDIENCES = (EMPLOYEE, COACH, EMPLOYER, DOSSIER)

ACTIVITY, HEALTH, FREE_TEXT, REFLECTION, COACH_NOTE, FILE_NOTE, PLAN, CAPACITY, EVALUATION = (
    "activity", "health", "free_text", "reflection", "coach_note", "file_note", "plan", "capacity", "evaluation",
)  # fmt: skip
IDENTIFIER, OWN_VIEW = "identifier", "own_view"

ALLOWED: dict[str, frozenset[str]] = {
    EMPLOYEE: frozenset({ACTIVITY, HEALTH, FREE_TEXT, REFLECTION, PLAN, CAPACITY, IDENTIFIER, OWN_VIEW}),
    COACH: frozenset(
        {
            ACTIVITY,
            HEALTH,
            FREE_TEXT,
            REFLECTION,
            COACH_NOTE,
            FILE_NOTE,
            PLAN,
            CAPACITY,
            EVALUATION,
            IDENTIFIER,
            OWN_VIEW,
        }
    ),  # fmt: skip
    EMPLOYER: frozenset({ACTIVITY}),
    DOSSIER: frozenset({ACTIVITY, FILE_NOTE, PLAN, CAPACITY, EVALUATION, IDENTIFIER, OWN_VIEW}),
}

# The data class of every field, per kind of record.
FIELDS: dict[str, dict[str, str]] = {
    "employee": {
        "id": ACTIVITY, "name": ACTIVITY, "phase": ACTIVITY, "status": ACTIVITY, "first_sick_day": ACTIVITY,
        "track2_start": ACTIVITY, "registered_at": ACTIVITY, "unreachable_at": ACTIVITY,
        "values": FREE_TEXT, "bsn": IDENTIFIER, "track2_late_reason": PLAN, "outcome": ACTIVITY,
        "outcome_on": ACTIVITY, "outcome_text": PLAN,
    },
    "checkin": {
        "iso_year": ACTIVITY, "iso_week": ACTIVITY, "applications": ACTIVITY, "interviews": ACTIVITY,
        "networking": ACTIVITY, "activities": ACTIVITY, "submitted_at": ACTIVITY, "missed_at": ACTIVITY,
        "paused": ACTIVITY, "step_result": ACTIVITY, "track1_hours": ACTIVITY,
        "energy": HEALTH, "paused_reason": HEALTH,
        "note": FREE_TEXT, "next_step": FREE_TEXT,
        "reflection": REFLECTION, "act_process": REFLECTION, "act_prompt_id": REFLECTION,
        "reflection_skipped": REFLECTION,
    },
    "application": {
        "company": ACTIVITY, "role": ACTIVITY, "applied_on": ACTIVITY, "channel": ACTIVITY, "status": ACTIVITY,
        "updated_at": ACTIVITY, "direction": ACTIVITY,
    },
    "plan": {"number": ACTIVITY, "created_at": ACTIVITY, "track1": ACTIVITY, "employee_answer": ACTIVITY,
             "answered_at": ACTIVITY, "profile": PLAN, "capacity": CAPACITY},
    "profile": {
        "own_role": PLAN, "experience": PLAN, "education": PLAN, "skills": PLAN, "hours": PLAN, "region": PLAN,
        "travel_minutes": PLAN, "work_kind": PLAN, "ambitions": PLAN,
    },
    "capacity": {"fml_date": CAPACITY, "text": CAPACITY},
    "direction": {
        "id": ACTIVITY, "occupation": ACTIVITY, "sector": ACTIVITY, "region": ACTIVITY, "hours": ACTIVITY,
        "level": ACTIVITY, "added_on": ACTIVITY, "reviewed_on": ACTIVITY, "reason": PLAN,
    },
    "activity": {
        "id": ACTIVITY, "kind": ACTIVITY, "provider": ACTIVITY, "start": ACTIVITY, "end": ACTIVITY,
        "status": ACTIVITY, "result": PLAN,
    },
    "evaluation": {
        "held_on": ACTIVITY, "directions_reviewed": ACTIVITY,
        "participants": EVALUATION, "conclusion": EVALUATION, "changes": EVALUATION,
    },
    "pause": {"start": ACTIVITY, "until": ACTIVITY, "reason": HEALTH},
    "poortwachter_step": {"step": ACTIVITY, "done_on": ACTIVITY},
    "own_view": {"consent": ACTIVITY, "answered_at": ACTIVITY, "text": OWN_VIEW},
    "phase_change": {"phase": ACTIVITY, "changed_at": ACTIVITY},
}  # fmt: skip

# Fields computed from a record: an employer may know THAT a week was paused, never why.
DERIVED: dict[str, dict[str, object]] = {
    "checkin": {"paused": lambda get: get("paused_reason") is not None},
}


def can_see(audience: str, data_class: str, *, reflections_shared: bool = False, view_consented: bool = False) -> bool:
    if audience not in ALLOWED:
        raise ValueError(f"unknown audience {audience!r}")
    if data_class == REFLECTION and audience == COACH and not reflections_shared:
        return False
    if data_class == OWN_VIEW and audience == DOSSIER and not view_consented:
        return False
    return data_class in ALLOWED[audience]


def view(audience: str, kind: str, record: object, *, reflections_shared: bool = False) -> dict:
    """The fields of `record` (a model or a dict) that `audience` may see, as a plain dict."""
    fields = FIELDS[kind]
    get = record.get if isinstance(record, dict) else lambda name: getattr(record, name, None)
    derived = DERIVED.get(kind, {})
    return {
        name: derived[name](get) if name in derived else get(name)
        for name, data_class in fields.items()
        if can_see(audience, data_class, reflections_shared=reflections_shared)
    }


def own_view(audience: str, record: object | None) -> dict:
    """The employee's own view as `audience` may see it: whether they answered and chose to add it; its text in
    the dossier only with their explicit consent (`consent` True). No record: not asked or not answered yet."""
    if record is None:
        return {"consent": None, "answered_at": None}
    consented = getattr(record, "consent", None) is True
    return {
        name: getattr(record, name, None)
        for name, data_class in FIELDS["own_view"].items()
        if can_see(audience, data_class, view_consented=consented)
    }


def note_class(for_file: bool) -> str:
    return FILE_NOTE if for_file else COACH_NOTE


def coach_notes(audience: str, notes: list) -> list[dict]:
    """Coach notes an audience may see: the coach all, the dossier only those marked for the file."""
    return [
        {"text": note.text, "created_at": note.created_at}
        for note in notes
        if can_see(audience, note_class(note.for_file))
    ]


def plan_view(audience: str, version: object) -> dict:
    """A plan version as `audience` may see it: the version's own fields, its profile and capacity when
    allowed, and its directions and activities field by field (a direction's reason, an activity's result and
    the whole person profile and work capacity never reach an employer)."""
    content = version.content if hasattr(version, "content") else version["content"]
    record = {
        "number": getattr(version, "number", None), "created_at": getattr(version, "created_at", None),
        "employee_answer": getattr(version, "employee_answer", None),
        "answered_at": getattr(version, "answered_at", None),
        "track1": content.get("track1"), "profile": content.get("profile"), "capacity": content.get("capacity"),
    }  # fmt: skip
    seen = view(audience, "plan", record)
    if "profile" in seen:
        seen["profile"] = view(audience, "profile", content.get("profile") or {})
    if "capacity" in seen:
        seen["capacity"] = view(audience, "capacity", content.get("capacity") or {})
    seen["directions"] = [view(audience, "direction", d) for d in content.get("directions", [])]
    seen["activities"] = [view(audience, "activity", a) for a in content.get("activities", [])]
    return seen
