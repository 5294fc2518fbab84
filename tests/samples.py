"""Sample contexts for rendering the plan's templates in the content and words tests."""

from datetime import date

from bot.rules import plan

PLAN = plan.normalise(
    {
        "profile": {
            "own_role": "Magazijn <medewerker>",
            "hours": 32,
            "region": "Utrecht",
            "experience": [{"role": "Chauffeur"}],
        },
        "capacity": {"fml_date": "2026-10-01", "text": "Niet zwaar tillen"},
        "directions": [
            {"occupation": "Ahmed <Yilmaz>", "sector": "Zorg", "region": "Utrecht", "hours": 24, "level": "mbo"}
        ],
        "activities": [
            {"kind": "course", "provider": "ROC <x>", "start": "2026-11-01", "end": "2026-12-20", "status": "running"}
        ],
        "track1": True,
    },
    date(2026, 11, 20),
)
PLAN_CONTEXT = {  # the plan's templates (user input in it must come out escaped as well)
    "later": True, "proof": "link", "answer": "agree", "number": 3, "profile": PLAN["profile"], "track1": True,
    "directions": PLAN["directions"], "direction": PLAN["directions"][0], "activities": PLAN["activities"],
    "activity": PLAN["activities"][0], "accepted": "pdf, jpg, png", "mb": 10, "created_on": date(2026, 11, 20),
    "day": date(2026, 11, 20), "count": 2, "made_on": date(2026, 11, 20), "pages": 2, "page": 1, "total": 3,
    "most": 5, "running": 1, "answered_on": date(2026, 11, 21), "draft": {"experience": [{"role": "Chauffeur"}]},
}  # fmt: skip
PER_TEMPLATE = {"plan_menu": {"directions": 2}, "plan_question": {"step": "own_role"}}  # counts; a plan step
OWN_VIEW = {"text": "Ahmed <Yilmaz>", "saved": "Ahmed <Yilmaz>", "consent": True, "before": None, "changed": False,
            "answered": False, "outcome": "saved", "maximum": 3000, "day": "20-11-2026"}  # fmt: skip
PER_TEMPLATE |= {  # the employee's own view: typed text in it must come out escaped too
    "own_view_ask": OWN_VIEW, "own_view_question": {**OWN_VIEW, "step": "confirm"}, "own_view_done": OWN_VIEW,
    "own_view_locked": OWN_VIEW, "own_view_coach": OWN_VIEW,
}  # fmt: skip
STEP = {"step": "action_plan", "due": date(2025, 11, 24), "done_on": date(2025, 12, 1), "state": "done", "late": True}
DOSSIER = {"masked": "······123", "steps_done": 2, "steps_total": 5, "steps_overdue": 1, "late": True,
           "late_reason": True, "outcome": "too_few_possibilities", "outcome_on": date(2026, 11, 20),
           "outcome_text": "Ahmed <Yilmaz>", "view": "asked", "view_locked": True, "final": "sent",
           "final_on": date(2026, 11, 20), "states": [STEP, {**STEP, "state": "overdue", "done_on": None}],
           "item": STEP, "start": date(2026, 11, 20), "deadline": date(2026, 11, 9), "reason": "Ahmed <Yilmaz>",
           "chosen": "too_few_possibilities"}  # fmt: skip
PER_TEMPLATE |= {  # the coach's dossier
    name: DOSSIER for name in ("dossier_menu", "dossier_steps", "dossier_bsn", "dossier_late", "dossier_done")
} | {"dossier_step": {**DOSSIER, "step": "step_date"}, "dossier_outcome": {**DOSSIER, "step": "outcome_text"}}
DRAFT = {"kind": "progress", "first": date(2026, 11, 1), "last": date(2026, 11, 30), "contacts": ["Eva <de Jong>"],
         "more_contacts": 1, "employee_copy": False, "remade": True, "status": "skipped",
         "decided_on": date(2026, 12, 1), "to_employer": False}  # fmt: skip
PER_TEMPLATE |= {  # the report drafts the coach decides on (contact names must come out escaped too)
    name: DRAFT for name in ("report_draft_offer", "report_draft_sent", "report_draft_skipped",
                             "report_draft_decided", "report_draft_employer", "report_draft_copy")
} | {"digest": {"drafts_waiting": ["Ahmed <Yilmaz>", "Fleur"]},
     "digest_chart": {"chart_first": 45, "chart_last": 47}}  # fmt: skip
PER_TEMPLATE |= {  # the dashboard's chat side: the sign-in link (with the Mini App button)
    "dashboard_link": {"link": "https://dashboard.example/dashboard/in/abc", "minutes": 10, "hours": 12,
                       "mini_app": True},
}  # fmt: skip
