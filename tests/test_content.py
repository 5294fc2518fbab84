"""Every word lives in content/: every template and label renders in every language (that every language has
every message is tests/test_catalogs.py)."""

import re
from datetime import date, datetime

import pytest

from bot.rules.checkin import Answers
from content.texts import LANGUAGES, Texts
from tests.samples import PER_TEMPLATE, PLAN_CONTEXT

texts = Texts()
REASONS = [
    "not_a_number", "negative", "too_high", "not_a_score", "out_of_range", "use_buttons", "stale", "not_text", "edited",
    "empty", "not_a_date", "date_in_future", "date_too_old", "track2_before_sickness", "date_too_far", "name_length",
    "not_a_time", "quiet_hours", "date_in_past", "pause_too_long", "crisis", "confirm_high", "incomplete",
]  # fmt: skip
CONTEXT = {
    "name": "Ahmed <Yilmaz>",
    "coach": "Sanne",
    "role": "employee",
    "flow": "checkin",
    "step": "applications",
    "intro": "resumed",
    "week": 47,
    "submitted": False,
    "editing": True,
    "first_time": True,
    "weekday": 4,
    "time": "10:00",
    "answers": Answers(1, 0, 2, ["course", "coaching"], 3, "Een notitie"),
    "employer": "Bakkerij & Co",
    "sick_day": date(2025, 10, 6),
    "track2": date(2026, 11, 20),
    "today": date(2026, 11, 20),
    "sickness_week": 59,
    "has_choices": True,
    "url": "https://t.me/SpoorzoekerBot?start=abc",
    "expires": datetime(2026, 12, 4, 10, 0),
    "until": date(2026, 12, 24),
    "reason": "holiday",
    "company": "Bakkerij & Co",
}
CONTEXT |= PLAN_CONTEXT


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", [n for n in Texts().template_names() if not n.startswith("_")])
def test_every_template_renders_with_and_without_a_problem(lang, name):
    for problem in [
        None,
        *({"reason": reason, "maximum": 60, "low": 1, "high": 10, "kind": "sticker"} for reason in REASONS),
    ]:
        text = texts.render(lang, name, **{**CONTEXT, **PER_TEMPLATE.get(name, {})}, problem=problem)
        assert text.strip()
        assert "Ahmed <Yilmaz>" not in text  # user input is always escaped
        assert len(text) < 4096
        assert not re.search(r"<(?!/?(b|i|a|code)\b)[^>]*>", text), "only Telegram-safe HTML tags"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_label_renders(lang):
    for key in texts.label_keys():
        assert texts.label(lang, key, label="x", n=2, region="x").strip()


def test_problem_reasons_are_all_worded():
    for lang in LANGUAGES:
        generic = texts.render(lang, "help_employee", problem={"reason": "something_new"})
        for reason in REASONS:
            worded = texts.render(
                lang, "help_employee", problem={"reason": reason, "maximum": 60, "low": 1, "high": 10, "kind": "photo"}
            )
            assert worded.splitlines()[0] != generic.splitlines()[0], (lang, reason)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_invite_link_keeps_its_lines_with_and_without_a_company(lang):
    texts = Texts()
    expires = datetime(2026, 12, 14, 8, 0)
    company = "Gemeente Utrecht"
    with_company = texts.render(lang, "invite_link", name="Mirjam", company=company, url="U", expires=expires)
    without = texts.render(lang, "invite_link", name="Linda", url="U", expires=expires)
    assert with_company.splitlines()[0].endswith("<b>Mirjam</b> (Gemeente Utrecht)")
    assert without.splitlines()[0].endswith("<b>Linda</b>")
    assert with_company.splitlines()[2] == without.splitlines()[2] == "U"
