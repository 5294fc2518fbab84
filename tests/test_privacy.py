"""The privacy policy table, field by field: health data and free text never reach an employer or the dossier."""

from datetime import date
from types import SimpleNamespace

import pytest

from bot.rules import plan, privacy
from bot.rules.privacy import (
    COACH,
    DOSSIER,
    EMPLOYEE,
    EMPLOYER,
    FIELDS,
    HEALTH,
    REFLECTION,
    can_see,
    coach_notes,
    plan_view,
    view,
)

CANARY = {
    "energy": 2,
    "note": "CANARY-NOTE",
    "next_step": "CANARY-STEP",
    "reflection": "CANARY-REFLECTION",
    "act_process": "acceptance",
    "act_prompt_id": "acc-01",
    "reflection_skipped": False,
    "applications": 3,
    "iso_week": 48,
}


def test_employer_and_dossier_see_no_health_or_free_text():
    for audience in (EMPLOYER, DOSSIER):
        seen = view(audience, "checkin", CANARY, reflections_shared=True)
        assert seen["applications"] == 3 and seen["iso_week"] == 48
        assert not {"energy", "note", "next_step", "reflection", "act_process", "act_prompt_id"} & set(seen)
        assert "CANARY" not in repr(seen)
    assert "values" not in view(EMPLOYER, "employee", {"name": "A", "values": ["CANARY-VALUE"]})


def test_reflections_reach_the_coach_only_with_consent():
    assert "reflection" not in view(COACH, "checkin", CANARY)
    assert view(COACH, "checkin", CANARY, reflections_shared=True)["reflection"] == "CANARY-REFLECTION"
    assert view(COACH, "checkin", CANARY)["energy"] == 2
    assert view(EMPLOYEE, "checkin", CANARY)["reflection"] == "CANARY-REFLECTION"


def test_unknown_fields_are_never_shown():
    assert "secret" not in view(COACH, "checkin", {**CANARY, "secret": "x"})


def test_coach_notes_only_for_the_file_reach_the_dossier_and_none_the_employer():
    notes = [
        SimpleNamespace(text="for file", for_file=True, created_at=None),
        SimpleNamespace(text="private", for_file=False, created_at=None),
    ]
    assert [n["text"] for n in coach_notes(COACH, notes)] == ["for file", "private"]
    assert [n["text"] for n in coach_notes(DOSSIER, notes)] == ["for file"]
    assert coach_notes(EMPLOYER, notes) == [] and coach_notes(EMPLOYEE, notes) == []


@pytest.mark.parametrize("kind", list(FIELDS))
def test_every_field_has_a_known_class(kind):
    classes = {privacy.ACTIVITY, HEALTH, privacy.FREE_TEXT, REFLECTION, privacy.COACH_NOTE, privacy.FILE_NOTE}
    classes |= {privacy.PLAN, privacy.CAPACITY, privacy.EVALUATION, privacy.IDENTIFIER, privacy.OWN_VIEW}
    assert set(FIELDS[kind].values()) <= classes


def test_the_bsn_late_reason_and_outcome_text_never_reach_an_employer_chat():
    record = {"name": "Ahmed", "bsn": "111222333", "track2_late_reason": "CANARY-LATE", "outcome": "placed",
              "outcome_text": "CANARY-OUTCOME"}  # fmt: skip
    employer = view(EMPLOYER, "employee", record)
    assert (employer["name"], employer["outcome"]) == ("Ahmed", "placed")
    assert not {"bsn", "track2_late_reason", "outcome_text"} & set(employer)
    dossier = view(DOSSIER, "employee", record)
    assert (dossier["bsn"], dossier["track2_late_reason"], dossier["outcome_text"]) == (
        "111222333", "CANARY-LATE", "CANARY-OUTCOME",
    )  # fmt: skip


def test_the_own_view_reaches_the_dossier_only_with_consent_and_never_an_employer():
    given = SimpleNamespace(consent=True, text="CANARY-VIEW", answered_at=None)
    declined = SimpleNamespace(consent=False, text="CANARY-VIEW", answered_at=None)
    assert privacy.own_view(DOSSIER, given)["text"] == "CANARY-VIEW"
    assert "text" not in privacy.own_view(DOSSIER, declined)
    assert "text" not in privacy.own_view(EMPLOYER, given)
    assert privacy.own_view(COACH, given)["text"] == "CANARY-VIEW"
    assert privacy.own_view(DOSSIER, None) == {"consent": None, "answered_at": None}


def test_the_employer_sees_directions_and_activities_of_a_plan_but_no_profile_capacity_reason_or_result():
    content = plan.normalise(
        {
            "profile": {"own_role": "CANARY-ROLE", "ambitions": "CANARY-AMBITION"},
            "capacity": {"fml_date": "2026-10-01", "text": "CANARY-FML"},
            "directions": [{"occupation": "Administratief medewerker", "reason": "CANARY-REASON"}],
            "activities": [{"kind": "course", "provider": "ROC", "status": "running", "result": "CANARY-RESULT"}],
        },
        date(2026, 12, 3),
    )
    version = SimpleNamespace(number=2, created_at=None, employee_answer="agree", answered_at=None, content=content)
    seen = plan_view(EMPLOYER, version)
    assert "CANARY" not in repr(seen)
    assert seen["directions"][0]["occupation"] == "Administratief medewerker"
    assert (seen["activities"][0]["kind"], seen["activities"][0]["provider"]) == ("course", "ROC")
    for audience in (COACH, DOSSIER, EMPLOYEE):  # the coach, the file and the employee see all of it
        assert all(canary in repr(plan_view(audience, version)) for canary in ("CANARY-FML", "CANARY-REASON"))


def test_unknown_audience_is_an_error():
    with pytest.raises(ValueError):
        can_see("neighbour", HEALTH)
