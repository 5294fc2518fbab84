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
