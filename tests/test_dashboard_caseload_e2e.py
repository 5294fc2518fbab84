"""End to end over real HTTP: the dashboard's caseload table (the chat's order, the values, filters, sorting, an
invalid query ignored, only the coach's own clients, nothing audited) and the deadlines page (the poortwachter
dates and plan evaluations of the next 8 weeks by week, overdue steps on top, closed trajectories left out).

Sanne (1001) has Ahmed (Bakkerij Bol, sick since 06-10-2025, checked in 3/1/2 with energy 6, a plan made today),
Zoë (Garage Gerrits, energy 2: flagged, a plan made 7 weeks ago: its evaluation is overdue), Fleur (Bakkerij Bol,
sick since 06-02-2026: her sick report to UWV is due on 27-11-2026) and Karim (Garage Gerrits, closed). Piet
(1002) has Lisa (Drukkerij Dam). The clock starts on Friday 20 November 2026, 10:00 in Amsterdam (ISO week 47).
"""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
from sqlmodel import select

from bot.core.context import Work
from bot.rules import plan as plan_rules
from bot.rules import timeline
from bot.sandbox.offline import sandbox
from bot.views import caseload as caseload_view
from storage import plan_queries, queries, report_queries
from storage.models import AuditEntry
from tests import dashboard

ROW = re.compile(r'<tr class="[^"]*" data-client="(\d+)">(.*?)</tr>', re.S)
TAG = re.compile(r"<[^>]+>")


@pytest.fixture
async def box(clock, database_url):
    async with sandbox(clock=clock, database_url=database_url, dashboard_port=0) as box:
        yield box


def text_of(fragment: str) -> str:
    """The words of an HTML fragment, one space between (none before a colon)."""
    return " ".join(html.unescape(TAG.sub(" ", fragment)).split()).replace(" :", ":")


def rows(page: str) -> list[tuple[int, str]]:
    """(client id, the row's text) of every row of the caseload table, in the page's order."""
    return [(int(client_id), text_of(cells)) for client_id, cells in ROW.findall(page)]


def names(page: str) -> list[str]:
    return [re.search(r'<a href="/dashboard/client/\d+">([^<]+)</a>', cells).group(1) for _, cells in ROW.findall(page)]


def row(page: str, name: str) -> str:
    return next(text for _, text in rows(page) if text.startswith(name))


async def employee_id(box, user_id: int) -> int:
    async with box.db.session() as session:
        return (await queries.employee_by_telegram(session, user_id)).id


async def add_plan(box, user_id: int, made_on) -> None:
    async with box.db.session() as session:
        employee = await queries.employee_by_telegram(session, user_id)
        await plan_queries.add_plan_version(session, employee.id, plan_rules.empty(), "created", employee.coach_id,
                                            made_on)  # fmt: skip
        await session.commit()


async def close(coach, name: str) -> None:
    await coach.send("/caseload")
    await coach.press(name)
    await coach.press("Fase")
    await coach.press("afgesloten")


async def audit_count(box) -> int:
    async with box.db.session() as session:
        return len((await session.exec(select(AuditEntry))).all())


@pytest.fixture
async def caseload(people, box, clock):
    sanne = await people.coach(1001, "Sanne de Vries")
    piet = await people.coach(1002, "Piet Elders")
    ahmed = await people.employee(sanne, 2001, "Ahmed Yilmaz")
    zoe = await people.employee(sanne, 2002, "Zoë Zwart", employer="Garage Gerrits")
    await people.employee(sanne, 2003, "Fleur Jansen", sick_day="06-02-2026")
    await people.employee(sanne, 2004, "Karim Bouali", employer="Garage Gerrits")
    await people.employee(sanne, 2006, "Anna Aalders")
    await people.employee(piet, 2005, "Lisa de Wit", employer="Drukkerij Dam")
    await people.checkin(ahmed, applications=3, interviews=1, networking=2, energy=6)
    await people.checkin(zoe, applications=0, interviews=0, networking=0, energy=2)
    await add_plan(box, 2001, clock.now())
    await add_plan(box, 2002, clock.now() - timedelta(weeks=7))
    await close(sanne, "Karim Bouali")
    return {"sanne": sanne, "piet": piet}


async def test_the_table_shows_the_coachs_clients_in_the_chats_order_with_their_values(caseload, box):
    sanne = caseload["sanne"]
    http = await dashboard.signed_in(box, 1001)
    before = await audit_count(box)
    page = await http.get("/dashboard/caseload")
    assert page.status_code == 200
    await sanne.send("/caseload")
    chat = sanne.last.plain_text
    in_chat = sorted(("Ahmed Yilmaz", "Zoë Zwart", "Fleur Jansen", "Karim Bouali", "Anna Aalders"), key=chat.index)
    assert names(page.text) == in_chat
    # flagged first (by name), then the others, the closed trajectory last
    assert in_chat == ["Ahmed Yilmaz", "Fleur Jansen", "Zoë Zwart", "Anna Aalders", "Karim Bouali"]
    assert "Lisa" not in page.text and "Drukkerij Dam" not in page.text  # another coach's client
    ahmed = row(page.text, "Ahmed Yilmaz")
    assert "Bakkerij Bol" in ahmed and "intake" in ahmed and " 59 " in ahmed
    assert "20-11-2026" in ahmed  # the last check-in
    assert "week 47: ingevuld 3 1 2 6" in ahmed
    assert "🔭 smal zoekprofiel" in ahmed and "geen zoekrichting" in ahmed  # the plan's breadth warning
    next_one = timeline.next_milestone(date(2025, 10, 6), date(2026, 11, 20))
    assert f"uiterlijk {next_one.due:%d-%m-%Y} (week {next_one.week})" in ahmed
    zoe = row(page.text, "Zoë Zwart")
    assert "🔋 energie" in zoe and "🗓️ evaluatie" in zoe and "Garage Gerrits" in zoe
    fleur = row(page.text, "Fleur Jansen")
    assert "📅 termijn" in fleur
    assert "Ziekmelding bij UWV (42e-weeksmelding) uiterlijk 27-11-2026 (week 42)" in fleur
    assert "traject afgesloten" in row(page.text, "Karim Bouali")
    assert "🚩" not in row(page.text, "Anna Aalders") and "uitnodiging" not in row(page.text, "Anna Aalders")
    assert f'href="/dashboard/client/{await employee_id(box, 2001)}"' in page.text
    assert await audit_count(box) == before  # a list is not a view of one client, as in the chat
    async with box.db.session() as session:  # the same rows as the chat's view, read the same way
        coach = await queries.coach_by_telegram(session, 1001)
        work = Work(session, box.clock, box.fake.bot_username, box.settings.default_timezone)
        loaded = await caseload_view.load(work, coach)
    assert [client.name for client in loaded.clients] == in_chat


async def test_the_energy_trend_has_a_text_alternative(people, box, clock):
    sanne = await people.coach(1001, "Sanne de Vries")
    ahmed = await people.employee(sanne, 2001, "Ahmed Yilmaz")
    for energy in (3, 3, 3, 3, 8):
        await people.checkin(ahmed, energy=energy)
        clock.advance(days=7)
    clock.advance(days=-7)
    page = await (await dashboard.signed_in(box, 1001)).get("/dashboard/caseload")
    ahmed_row = row(page.text, "Ahmed Yilmaz")
    assert "8 ↑ stijgend" in ahmed_row


async def test_filters_and_sorting(caseload, box):
    http = await dashboard.signed_in(box, 1001)
    default = names((await http.get("/dashboard/caseload")).text)

    async def shown(query: str) -> list[str]:
        page = await http.get("/dashboard/caseload" + query)
        assert page.status_code == 200
        return names(page.text)

    assert await shown("?flag=deadline") == ["Fleur Jansen"]
    assert await shown("?flag=energy") == ["Zoë Zwart"]
    assert await shown("?phase=closed") == ["Karim Bouali"]
    assert await shown("?phase=intake") == [name for name in default if name != "Karim Bouali"]
    assert await shown("?employer=Garage+Gerrits") == ["Zoë Zwart", "Karim Bouali"]
    assert await shown("?employer=Bakkerij+Bol&flag=deadline") == ["Fleur Jansen"]
    by_name = ["Ahmed Yilmaz", "Anna Aalders", "Fleur Jansen", "Zoë Zwart"]
    assert await shown("?sort=name&dir=asc") == [*by_name, "Karim Bouali"]  # closed last in any order
    assert await shown("?sort=name&dir=desc") == [*reversed(by_name), "Karim Bouali"]
    # no energy known: after the known ones, in the caseload's order, either way
    assert await shown("?sort=energy&dir=desc") == ["Ahmed Yilmaz", "Zoë Zwart", "Fleur Jansen", "Anna Aalders",
                                                   "Karim Bouali"]  # fmt: skip
    assert await shown("?sort=energy&dir=asc") == ["Zoë Zwart", "Ahmed Yilmaz", "Fleur Jansen", "Anna Aalders",
                                                  "Karim Bouali"]  # fmt: skip
    assert (await shown("?sort=deadline"))[0] == "Fleur Jansen"  # 27-11-2026, the soonest
    assert (await shown("?sort=applications&dir=desc"))[0] == "Ahmed Yilmaz"
    page = await http.get("/dashboard/caseload?sort=name&dir=asc&employer=Garage+Gerrits")
    assert 'aria-sort="ascending"' in page.text
    assert "sort=name&amp;dir=desc" in page.text  # the header's link turns the order round, filters kept
    assert "employer=Garage+Gerrits" in page.text and '<option value="Garage Gerrits" selected>' in page.text


async def test_an_invalid_query_is_ignored(caseload, box):
    http = await dashboard.signed_in(box, 1001)
    default = names((await http.get("/dashboard/caseload")).text)
    for query in (
        "?flag=bogus&phase=nope&sort=drop+table&dir=sideways",
        "?employer=%3Cscript%3E&sort=",
        "?employer=Drukkerij+Dam",  # another coach's employer
        "?flag=&phase=&employer=&sort=name&dir=UP",
        "?page=999999999999999999999&sort=" + "x" * 5000,
        "?flag=%00&phase=%F0%9F%92%A9",
    ):
        page = await http.get("/dashboard/caseload" + query)
        assert page.status_code == 200, query
        assert "Lisa" not in page.text
        if "sort=name" in query:
            assert names(page.text) == ["Ahmed Yilmaz", "Anna Aalders", "Fleur Jansen", "Zoë Zwart", "Karim Bouali"]
        else:
            assert names(page.text) == default, query


async def test_each_coach_sees_only_their_own_clients(caseload, box):
    piet = await dashboard.signed_in(box, 1002)
    page = await piet.get("/dashboard/caseload")
    assert names(page.text) == ["Lisa de Wit"]
    assert "Ahmed" not in page.text and "Bakkerij Bol" not in page.text
    assert names((await piet.get("/dashboard/caseload?employer=Bakkerij+Bol")).text) == ["Lisa de Wit"]


async def test_signed_out_gets_no_caseload(caseload, box):
    async with dashboard.client(box) as http:
        for path in ("/dashboard/caseload", "/dashboard/deadlines"):
            answer = await http.get(path)
            assert answer.status_code == 403 and "Ahmed" not in answer.text


async def test_the_page_is_in_the_coachs_language(people, box):
    coach = await people.coach(1001, "Sanne de Vries")
    await people.employee(coach, 2001, "Ahmed Yilmaz")
    async with box.db.session() as session:
        row_ = await queries.coach_by_telegram(session, 1001)
        row_.language = "en"
        session.add(row_)
        await session.commit()
    http = await dashboard.signed_in(box, 1001)
    page = await http.get("/dashboard/caseload")
    assert "Sickness week" in page.text and "Next deadline" in page.text
    deadlines = await http.get("/dashboard/deadlines")
    assert "Overdue" in deadlines.text


async def test_the_deadlines_of_the_next_eight_weeks_by_week(caseload, box, clock):
    async with box.db.session() as session:  # Ahmed's problem analysis took place (recorded in /dossier)
        ahmed = await queries.employee_by_telegram(session, 2001)
        await report_queries.record_step(session, ahmed.id, "problem_analysis", date(2025, 11, 10), None, clock.now())
        await session.commit()
    http = await dashboard.signed_in(box, 1001)
    before = await audit_count(box)
    page = await http.get("/dashboard/deadlines")
    assert page.status_code == 200
    headings = re.findall(r"<h2 id=\"week-[^\"]+\">(.*?)</h2>", page.text, re.S)
    assert [text_of(h) for h in headings][:2] == [
        "Week 47 · 16-11 – 22-11-2026 (deze week)",
        "Week 48 · 23-11 – 29-11-2026",
    ]
    assert len(headings) == 8 and text_of(headings[-1]) == "Week 1 · 04-01 – 10-01-2027"
    sections = dict(
        (m.group(1), text_of(m.group(2)))
        for m in re.finditer(r'<section aria-labelledby="([^"]+)">(.*?)</section>', page.text, re.S)
    )
    assert "Fleur Jansen: Ziekmelding bij UWV (42e-weeksmelding) · uiterlijk 27-11-2026" in sections["week-2026-48"]
    # Ahmed's plan was made today: its evaluation is due in six weeks, in ISO week 53 of 2026
    assert "Ahmed Yilmaz: Evaluatie van het trajectplan · uiterlijk 01-01-2027" in sections["week-2026-53"]
    overdue = sections["overdue"]
    assert "Zoë Zwart: Evaluatie van het trajectplan · uiterlijk 13-11-2026" in overdue and "te laat" in overdue
    assert "Ahmed Yilmaz: Plan van aanpak" in overdue and "Ahmed Yilmaz: Probleemanalyse" not in overdue
    assert "Fleur Jansen: Probleemanalyse" in overdue  # due in week 6, not recorded
    assert "Fleur Jansen: Eerstejaarsevaluatie" not in page.text  # week 52 is after the window
    assert "Start van spoor 2" not in page.text  # the day Track 2 started (today) is no deadline
    # the numbered evaluations of the plan of action in the window
    for milestone in timeline.schedule(date(2025, 10, 6)):
        if milestone.key == "evaluation" and date(2026, 11, 20) <= milestone.due <= date(2027, 1, 10):
            assert f"Ahmed Yilmaz: Evaluatie {milestone.number} van het plan van aanpak" in text_of(page.text)
    assert "Karim" not in page.text and "Lisa" not in page.text  # closed; another coach's
    assert f'href="/dashboard/client/{ahmed.id}"' in page.text
    assert f'href="/dashboard/client/{ahmed.id}#steps"' in page.text  # a step: where its date is recorded
    assert await audit_count(box) == before
