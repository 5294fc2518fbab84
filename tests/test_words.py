"""Words and numbers that must not mislead: every count has its plural form (in Dutch and in English), decimals
are written the way the language writes them, English users see English commands, and the wording of the
check-in and the coach's view says what it means."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

from bot.flows.conversation import CANCEL, COMMANDS, HELP, MENUS
from bot.rules.checkin import Answers
from bot.views import report
from content.catalog import LANGUAGES, translations
from content.texts import Texts, number
from tests.samples import PER_TEMPLATE, PLAN_CONTEXT

ROOT = Path(__file__).resolve().parent.parent
texts = Texts()

# Countable nouns (singular -> plural) that follow a number in our messages.
NOUNS = {
    "nl": {
        "sollicitatie": "sollicitaties", "gesprek": "gesprekken", "sollicitatiegesprek": "sollicitatiegesprekken",
        "netwerkcontact": "netwerkcontacten", "contact": "contacten", "activiteit": "activiteiten", "week": "weken",
        "dag": "dagen", "check-in": "check-ins", "traject": "trajecten", "cliënt": "cliënten", "notitie": "notities",
        "stap": "stappen", "reflectie": "reflecties", "waarde": "waarden", "werknemer": "werknemers",
        "termijn": "termijnen", "aanbod": "aanbiedingen", "vraag": "vragen", "minuut": "minuten",
    },
    "en": {
        "application": "applications", "interview": "interviews", "contact": "contacts", "activity": "activities",
        "week": "weeks", "day": "days", "check-in": "check-ins", "trajectory": "trajectories", "client": "clients",
        "note": "notes", "step": "steps", "reflection": "reflections", "value": "values", "employee": "employees",
        "deadline": "deadlines", "offer": "offers", "question": "questions", "minute": "minutes", "one": "ones",
    },
}  # fmt: skip
# Words that may stand between a number and its noun ("2 andere activiteiten", "1 open trajectory").
BETWEEN = {"nl": "andere|lopend|lopende|eerdere", "en": "other|open|earlier|network|networking"}
PLACEHOLDER = r"(?:%\(\w+\)s|\{\{ n \}\})"
# A placeholder followed by a countable noun, in a message without a plural form. A range ("van 2 tot 60 tekens")
# is not a count of one thing.
ALLOWED = {"Typ een naam van %(low)s tot %(high)s tekens."}


def noun_after(placeholder: str, lang: str, nouns) -> re.Pattern:
    words = "|".join(re.escape(noun) for noun in sorted(nouns, key=len, reverse=True))
    return re.compile(rf"{placeholder} (?:(?:{BETWEEN[lang]}) )?(?:{words})(?![\w-])", re.IGNORECASE)


def source_messages() -> list[tuple[str | None, str | tuple]]:
    with open(ROOT / "babel.cfg", encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    return [(context, message) for _f, _l, message, _c, context in extract_from_dir(str(ROOT), method_map, options_map)]


def test_no_count_is_printed_without_a_plural_form():
    """Every number before a noun is a `{% pluralize %}` (or a label with one and other), in Dutch and in the
    translation: "1 gesprek", never "1 gesprekken"."""
    dutch = noun_after(PLACEHOLDER, "nl", [*NOUNS["nl"], *NOUNS["nl"].values()])
    english = noun_after(PLACEHOLDER, "en", [*NOUNS["en"], *NOUNS["en"].values()])
    en = translations("en")
    found = []
    for context, message in source_messages():
        if not isinstance(message, str) or message in ALLOWED:
            continue  # a plural entry has its forms
        translated = en.pgettext(context, message) if context else en.gettext(message)
        found += [("nl", message) for _ in dutch.findall(message)]
        found += [("en", translated) for _ in english.findall(translated)]
    assert found == []


def test_the_check_catches_a_count_without_a_plural_form():
    dutch = noun_after(PLACEHOLDER, "nl", [*NOUNS["nl"], *NOUNS["nl"].values()])
    assert dutch.search("%(count)s gesprekken")
    assert dutch.search("{{ n }} andere activiteiten")
    assert not dutch.search("%(week)s: gedaan") and not dutch.search("in week %(week)s")


def counts_context(n: int) -> dict:
    """Every count-bearing message's context, with every count set to `n`."""
    counts = {"applications": n, "interviews": n, "networking": n, "activities": n, "checkins": n, "missed": n,
              "paused": n, "weeks": n, "due_weeks": n, "first_week": 45, "last_week": 48}  # fmt: skip
    employee = {"name": "Ahmed", "phase": "active_search", "status": "active", "sickness_week": 59, "counts": counts,
                "next": None, "track2_late": None, "plan": None}  # fmt: skip
    line = {"id": 1, "name": "Ahmed", "phase": "intake", "status": "active", "joined": True, "sickness_week": 59,
            "last_checkin": date(2026, 11, 20), "week": 47, "week_status": "open", "applications": n,
            "interviews": 0, "networking": 0, "energy": 5, "trend": "up", "flags": [],
            "paused_until": None}  # fmt: skip
    flags = [
        {"key": "no_checkin", "days": n}, {"key": "step_not_done", "weeks": n}, {"key": "no_applications", "weeks": n},
        {"key": "energy", "energy": 2, "average": 5.5},
    ]  # fmt: skip
    weeks = [{"week": 40 + k, "status": "open", "applications": n, "interviews": 0, "networking": 0, "energy": None,
              "step_result": None} for k in range(n)]  # fmt: skip
    return {
        "totals": {"clients": n, "invited": n, "paused": n, "expected": n, "checkins": n, "applications": n,
                   "interviews": n, "networking": n, "flagged": n},  # fmt: skip
        "flagged": [{"name": "Bram", "phase": "intake", "sickness_week": 59, "flags": flags}],
        "more_flagged": n, "deadlines": [], "more_deadlines": n, "paused": [], "missed": [], "unreachable": [],
        "week": 47, "weekday": 0, "time": "08:00", "scheduled": True,
        "employees": [employee], "company": "Bakkerij Bol", "month": date(2026, 11, 1), "part": 1,
        "lines": [line], "total": n, "page": 1, "pages": 1, "submitted": False,
        "client": line, "employer": "Bakkerij Bol", "intro": None, "problem": None, "name": "Ahmed",
        "weeks": weeks, "steps": {"reported": n, "done": n, "partly": n, "rate": 75, "recent": []},
        "client_notes": [], "reflections": [], "shares_reflections": True,
        "applications": [], "more_applications": n, "by_status": {s: n for s in ("applied", "interview", "offer")},
        "notes": [], "more_notes": n, "answers": Answers(n, n, n, [], 5, None), "plan": None,
    }  # fmt: skip


COUNTED_MESSAGES = ["digest", "employer_status", "employer_monthly", "caseload_client", "checkin_summary"]


def report_parts(n: int) -> dict:
    """The Track 2 file parts of the report (bot.views.report_data) with a count of `n` where there is one."""
    application = {"applied_on": date(2026, 11, 24), "company": "Bol", "role": "Planner", "channel": "website",
                   "status": "applied", "proof": True}  # fmt: skip
    groups = [{"id": "d1", "occupation": "Planner", "current": True, "items": [application] * n, "proof": n,
               "status": {"applied": n}}]  # fmt: skip
    return {"kind": "final", "agency": None, "report_day": date(2026, 12, 21), "track2_late": False, "plan": None,
            "profile": None, "capacity": None, "directions": [], "interventions": [], "versions": [],
            "evaluations": [], "poortwachter": [], "deadlines": [], "balance": {"ran": False, "months": [],
            "switches": [], "quarters": False, "hours": False}, "own_view": {"state": "open", "on": None},
            "known_directions": {},
            "application_groups": groups, "outcome": {"outcome": None, "outcome_text": None, "outcome_on": None},
            "track1_column": False, "step_texts": {}}  # fmt: skip


def report_html(lang: str, n: int) -> str:
    totals = {"weeks": n, "submitted": n, "missed": n, "paused": n, "none": n, "applications": n, "logged": n,
              "interviews": n, "networking": n, "activities": {"course": n}, "other_activities": n,
              "steps": {"done": n, "partly": n, "not": n}, "application_status": {"interview": n},
              "energy_average": 5.5}  # fmt: skip
    client = {"name": "Ahmed", "first_sick_day": date(2025, 10, 6), "track2_start": date(2026, 11, 20)}
    ctx = {"variant": "coach", "lang": lang, "period": report.Period(date(2026, 11, 20), date(2026, 12, 21)),
           "made_on": date(2026, 12, 21), "client": client, "joined": date(2026, 11, 20), "employer": "Bol",
           "coach": "Sanne", "phase": "intake", "sickness_week": 64, "track2_warning": None, "milestones": [],
           "weeks": [], "applications": [], "phases": [], "pauses": [], "notes": [], "steps": [], "totals": totals,
           "show_energy": True, "reflections": [], "reflections_shared": True, "gaps": [], "charts": {},
           **report_parts(n)}  # fmt: skip
    html = report.render_html(SimpleNamespace(texts=texts), ctx)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " | ", html))  # cells apart: no "1 | weken" across them


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("n", [1, 2])
def test_every_count_bearing_message_has_the_right_form_for_one_and_two(lang, n):
    """Rendered with every count at 1 there is no "1 <plural>", and at 2 no "2 <singular>"."""
    singular, plural = list(NOUNS[lang]), list(NOUNS[lang].values())
    wrong = noun_after(rf"(?<![\w.,/-]){n}", lang, plural if n == 1 else singular)
    rendered = [texts.render(lang, name, **counts_context(n)) for name in COUNTED_MESSAGES]
    rendered.append(texts.render(lang, "caseload", **{**counts_context(n), "flagged": n}))  # a count here
    rendered.append(report_html(lang, n))
    rendered.append(texts.label(lang, "pause_weeks", n=n))
    rendered += [texts.label(lang, f"application_count_{s}", n=n) for s in ("applied", "interview", "offer")]
    found = [match.group(0) for text in rendered for match in wrong.finditer(re.sub(r"<[^>]+>", "", text))]
    assert found == []


def test_the_plural_test_catches_a_wrong_form():
    wrong = noun_after(r"(?<![\w.,/-])1", "nl", NOUNS["nl"].values())
    assert wrong.search("· 1 gesprekken · 1 netwerkcontacten")
    assert not wrong.search("1 gesprek · 1 netwerkcontact · week 11 weken") and not wrong.search("4,1 weken")


@pytest.mark.parametrize(("lang", "written"), [("nl", "4,5"), ("en", "4.5")])
def test_decimals_are_written_as_the_language_writes_them(lang, written):
    assert number(4.5, lang) == written and number(5.0, lang) == "5" and number(3, lang) == "3"
    flag = texts.render(lang, "caseload_client", **{**counts_context(1), "flags": [{"key": "energy", "energy": 2,
                                                                                     "average": 4.5}]})  # fmt: skip
    assert f"{'gemiddeld' if lang == 'nl' else 'before:'} {written}" in flag
    assert f" {written} " in report_html(lang, 1).replace("5.5", "4.5").replace("5,5", "4,5")


def test_the_check_in_and_the_coach_view_say_what_they_mean():
    values = texts.render("nl", "values_choose", maximum=3, values=[], problem=None)
    first_values = texts.render("nl", "checkin_values", maximum=3, values=[], intro=None, problem=None)
    assert "Kies er maximaal 3," in values and "Kies er maximaal 3," in first_values
    assert "deze week" in texts.render("nl", "checkin_networking", intro=None, problem=None, editing=False)
    assert not [p.name for p in (ROOT / "content").rglob("*.j2") if "doorzetting" in p.read_text(encoding="utf-8")]
    detail = texts.render("nl", "caseload_client", **counts_context(1))
    assert "· 75% opgevolgd (deels telt half)" in detail


def test_the_week_of_sickness_and_the_iso_week_are_told_apart():
    line = texts.render("nl", "caseload", **{**counts_context(1), "lines": [
        {**counts_context(1)["client"], "sickness_week": 59, "week": 47, "week_status": "submitted"}]})  # fmt: skip
    assert "· ziekteweek 59\n    check-in 20-11 · week 47: 1/0/0" in line
    assert " wk " not in line
    english = texts.render("en", "digest", **counts_context(2))
    assert "<b>Bram</b> · intake · week 59 of sick leave" in english


def test_a_paused_or_open_week_is_worded_not_counted():
    for status, words in (("paused", "gepauzeerd"), ("open", "nog open"), ("missed", "gemist"), ("none", "geen")):
        client = {**counts_context(2)["client"], "week_status": status, "applications": 0}
        assert f"week 47: {words}" in texts.render("nl", "caseload", **{**counts_context(2), "lines": [client]})
    zero = {**counts_context(1)["employees"][0], "counts": {**counts_context(1)["employees"][0]["counts"],
                                                            "due_weeks": 0, "checkins": 0}}  # fmt: skip
    status = texts.render("nl", "employer_status", **{**counts_context(1), "employees": [zero]})
    assert "Check-ins: de eerste week loopt nog" in status and "0 van 0" not in status


DUTCH_ONLY = {"sollicitatie", "pauze", "instellingen", "waarden", "annuleren", "werkgever", "oefening", "uitnodigen",
              "clienten", "weekoverzicht", "hulp", "mijnplan", "mijnvisie", "beheer", "uitloggen"}  # fmt: skip
ENGLISH_ONLY = {"application", "pause", "settings", "values", "cancel", "employer", "exercise", "myplan", "myview",
                "admin", "logout"}  # fmt: skip


def commands_in(text: str) -> set[str]:
    return set(re.findall(r"(?<![\w/])/([a-z]+)\b", text))


@pytest.mark.parametrize("name", [n for n in texts.template_names() if not n.startswith("_")])
def test_english_users_see_english_commands_and_dutch_users_dutch_ones(name):
    ctx = {"name": "Ahmed", "coach": "Sanne", "role": "employee", "flow": "checkin", "intro": None, "week": 47,
           "submitted": False, "editing": False, "first_time": True, "weekday": 4, "time": "10:00",
           "answers": Answers(1, 0, 2, [], 3, None), "employer": "Bol", "sick_day": date(2025, 10, 6),
           "track2": date(2026, 11, 20), "today": date(2026, 11, 20), "sickness_week": 59, "has_choices": True,
           "url": "u", "expires": datetime(2026, 12, 4, 10, 0), "until": date(2026, 12, 24), "reason": "holiday",
           "process": "values", "problem": None, "values": ["x"], "count": 2, "company": "Bol"}  # fmt: skip
    ctx = {**ctx, **PLAN_CONTEXT, "count": 2, **PER_TEMPLATE.get(name, {})}
    assert not commands_in(texts.render("en", name, **ctx)) & DUTCH_ONLY
    assert not commands_in(texts.render("nl", name, **ctx)) & ENGLISH_ONLY


def test_the_help_lists_the_commands_of_the_language():
    assert {"application", "pause", "settings", "values", "cancel"} <= commands_in(texts.render("en", "help_employee"))
    assert {"employer", "exercise", "admin", "cancel"} <= commands_in(texts.render("en", "help_coach"))
    assert {"sollicitatie", "pauze", "instellingen", "waarden", "annuleren"} <= commands_in(
        texts.render("nl", "help_employee")
    )


def test_every_menu_command_works_for_its_role():
    for role, entries in MENUS.items():
        for dutch, english in entries:
            for command in (dutch, english):
                assert (command, role) in COMMANDS or command in HELP or command in CANCEL, (role, command)
            assert texts.label("en", f"command_{dutch}") != texts.label("nl", f"command_{dutch}")


def _names(box, scope: str, lang: str = "") -> list[str]:
    return [command["command"] for command in box.fake.bot_commands[(scope, lang)]]


async def test_the_command_menu_is_in_the_users_language(people, box):
    default = '{"type": "default"}'
    assert _names(box, default) == [
        "checkin", "sollicitatie", "mijnplan", "pauze", "instellingen", "waarden", "privacy", "help", "mijngegevens",
        "annuleren",
    ]  # fmt: skip
    assert _names(box, default, "en") == [
        "checkin", "application", "myplan", "pause", "settings", "values", "privacy", "help", "mydata", "cancel"
    ]  # fmt: skip
    anne = box.fake.user(1002, "Anne", language_code="en")
    await anne.send(f"/start {await box.add_coach('Anne Smith')}")
    chat = '{"chat_id": 1002, "type": "chat"}'
    assert _names(box, chat) == [
        "caseload", "plan", "dossier", "digest", "invite", "employer", "exercise", "dashboard", "logout", "help",
        "cancel",
    ]  # fmt: skip
    sanne = await people.coach()
    assert _names(box, '{"chat_id": 1001, "type": "chat"}')[5:9] == ["werkgever", "oefening", "dashboard", "uitloggen"]
    # an employee whose Telegram is in Dutch and who chooses English gets the English menu in their chat
    await people.employee(sanne, 2001, "Peter Smith", language="English")
    assert _names(box, '{"chat_id": 2001, "type": "chat"}')[1:4] == ["application", "myplan", "pause"]
