"""The privacy policy table, field by field: health data and free text never reach an employer or the dossier."""

from types import SimpleNamespace

import pytest

from bot.rules import privacy
from bot.rules.privacy import COACH, DOSSIER, EMPLOYEE, EMPLOYER, FIELDS, HEALTH, REFLECTION, can_see, coach_notes, view

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
    assert set(FIELDS[kind].values()) <= classes


def test_unknown_audience_is_an_error():
    with pytest.raises(ValueError):
        can_see("neighbour", HEALTH)
