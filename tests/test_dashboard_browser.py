"""The dashboard in a real headless Chromium (tests/browser.py) against the real bot: sign in with the link from
`/dashboard` and as the Mini App, filter the caseload, open a client, edit a search direction, approve a monthly
draft, download a report, a form posted from another site, the keyboard alone, and screenshots of the caseload and
the client page at a phone and a desktop size (SCREENSHOT_DIR, else a pytest tmp folder).

These run on SQLite only (their own `database_url` fixture below, so `database_kind` is never parametrized and a
TEST_DATABASE_URL run does not repeat them on PostgreSQL: the server tests cover both databases). One browser
for the module, a fresh context (no cookies) per tab. Skipped only when /usr/bin/chromium is missing (`.ci/run`
installs it)."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest

from bench.report import full_plan
from bot.rules import plan as plan_rules
from bot.sandbox.offline import local, sandbox, token_in
from storage import coach_queries, plan_queries, queries, report_queries
from tests import browser as chromium
from tests import databases
from tests.browser import DESKTOP, PHONE, sign_in_by_link, tab_until

pytestmark = pytest.mark.skipif(chromium.missing_reason() is not None, reason=chromium.missing_reason() or "")
_LINK = re.compile(r"https?://\S+/dashboard/in/[A-Za-z0-9_-]+")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    folder = os.environ.get("SCREENSHOT_DIR")
    screenshots = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    screenshots.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots of the dashboard: {screenshots}")
    one = chromium.Browser(screenshots)
    one.start()
    yield one
    one.close()


@pytest.fixture
def database_url(tmp_path_factory) -> str:
    """SQLite only (see the module's docstring)."""
    return databases.fresh_url(tmp_path_factory.mktemp("database"), "sqlite")


@pytest.fixture
async def box(clock, database_url):
    async with sandbox(clock=clock, database_url=database_url, dashboard_port=0) as box:
        yield box


async def link_of(coach) -> str:
    """The sign-in link the coach gets from `/dashboard` in the chat."""
    await coach.send("/dashboard")
    found = _LINK.search(coach.last.plain_text)
    assert found, coach.last.plain_text
    return found.group(0)


async def team(people):
    """Coach Sanne with Ahmed (Bakkerij Bol, checked in) and Linda (Gemeente Utrecht)."""
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001, "Ahmed Yilmaz")
    await people.employee(coach, 2002, "Linda Jansen", employer="Gemeente Utrecht", sick_day="12-01-2026")
    await people.checkin(ahmed, applications=3, interviews=1, networking=2, energy=6)
    return coach, ahmed


async def give_plan(box, user_id: int) -> int:
    """A plan with one search direction (Receptionist, Utrecht, 24 hours), stored as the chat stores one. The
    employee's id."""
    async with box.db.session() as session:
        employee = await queries.employee_by_telegram(session, user_id)
        today = box.clock.now().date()
        content = plan_rules.normalise(full_plan(today - timedelta(weeks=6), 1), today)
        await plan_queries.add_plan_version(
            session, employee.id, content, "created", employee.coach_id, box.clock.now() - timedelta(weeks=6)
        )
        return employee.id


def too_wide(page) -> list[str]:
    """What sticks out of the window sideways (nothing should: wide tables scroll inside their `.table-wrap`)."""
    return page.evaluate(
        """() => {
          if (document.documentElement.scrollWidth <= window.innerWidth) return [];
          const out = [];
          for (const e of document.querySelectorAll('main *, header *')) {
            const box = e.getBoundingClientRect();
            if (box.right > window.innerWidth + 1 && !e.closest('.table-wrap')
                && !(e.parentElement && e.parentElement.getBoundingClientRect().right > window.innerWidth + 1))
              out.push(e.tagName.toLowerCase() + (e.className ? '.' + e.className : '') + ' ' + Math.round(box.right)
                       + 'px: ' + (e.innerText || '').slice(0, 40));
          }
          return out.length ? out : ['the page is ' + document.documentElement.scrollWidth + 'px wide'];
        }"""
    )


async def test_sign_in_with_the_link_from_the_chat_once(people, box, browser):
    coach = await people.coach()
    link = await link_of(coach)
    async with browser.tab(box.dashboard_url, DESKTOP) as tab:
        landed = await tab.do(sign_in_by_link, link)
        assert landed.endswith("/dashboard/caseload")
        assert "Caseload" in await tab.do(lambda page: page.inner_text("h1"))
        cookies = await tab.do(lambda page: page.context.cookies())
        session = next(cookie for cookie in cookies if cookie["name"] == "spoorzoeker_session")
        assert session["httpOnly"] and session["sameSite"] == "Strict" and session["path"] == "/dashboard"
        assert tab.errors == [] and tab.elsewhere == []
    async with browser.tab(box.dashboard_url, PHONE) as again:  # the same link in another browser: used up

        def open_used(page) -> tuple[str, str]:
            page.goto(link)
            page.wait_for_function("() => !document.getElementById('link-sign-in')")
            return page.title(), page.inner_text("main")

        title, text = await again.do(open_used)
        assert title.startswith("Geen toegang") and "verlopen of al gebruikt" in text, text
        assert not any(c["name"] == "spoorzoeker_session" for c in await again.do(lambda p: p.context.cookies()))


async def test_the_mini_app_signs_in_with_telegrams_signed_init_data(people, box, clock, browser):
    """Telegram opens the dashboard with the signed initData in the URL's fragment; the start page's script posts
    it. Signed with another token, it gets no session."""
    await people.coach()
    address = box.fake.mini_app_address(f"{box.dashboard_url}/dashboard", 1001, "Sanne", at=clock.now())
    forged = box.fake.mini_app_address(
        f"{box.dashboard_url}/dashboard", 1001, "Sanne", at=clock.now(), bot_token="1:another.bot.token"
    )
    async with browser.tab(box.dashboard_url, PHONE) as tab:

        def open_mini_app(page, url: str) -> str:
            page.goto(url)
            page.wait_for_url(re.compile(r"/dashboard/(caseload|telegram)$"))
            return page.title()

        assert (await tab.do(open_mini_app, forged)).startswith("Geen toegang")
        assert (await tab.do(open_mini_app, address)).startswith("Caseload")
        assert tab.errors == [] and tab.elsewhere == []


async def test_filter_the_caseload_and_open_a_client(people, box, browser):
    coach, _ = await team(people)
    link = await link_of(coach)
    async with browser.tab(box.dashboard_url, DESKTOP) as tab:
        await tab.do(sign_in_by_link, link)

        def filter_by_employer(page) -> tuple[list[str], str]:
            page.get_by_label("Werkgever").select_option("Gemeente Utrecht")
            page.get_by_role("button", name="Toon").click()
            page.wait_for_url(re.compile(r"employer=Gemeente"))
            return page.locator("table.caseload tbody th a").all_inner_texts(), page.get_by_label(
                "Werkgever"
            ).input_value()

        names, chosen = await tab.do(filter_by_employer)
        assert names == ["Linda Jansen"] and chosen == "Gemeente Utrecht"  # the filter stays chosen on the page

        def open_client(page) -> tuple[str, str]:
            page.get_by_role("link", name="Alles tonen").click()
            page.wait_for_url(re.compile(r"/dashboard/caseload$"))
            page.get_by_role("link", name="Ahmed Yilmaz").click()
            page.wait_for_url(re.compile(r"/dashboard/client/\d+$"))
            return page.inner_text("h1"), page.inner_text("main")

        title, text = await tab.do(open_client)
        assert title == "Ahmed Yilmaz" and "Bakkerij Bol" in text
        assert tab.errors == [] and tab.elsewhere == []


async def test_edit_a_search_direction_makes_a_new_plan_version(people, box, browser):
    coach, _ = await team(people)
    employee_id = await give_plan(box, 2001)
    link = await link_of(coach)
    async with browser.tab(box.dashboard_url, PHONE) as tab:
        await tab.do(sign_in_by_link, link)

        def edit(page) -> str:
            page.goto(f"/dashboard/client/{employee_id}")
            page.get_by_role("link", name="„Receptionist” aanpassen").click()
            page.wait_for_url(re.compile(r"/plan/direction/d1$"))
            page.get_by_label("Regio").fill("Amersfoort")
            page.get_by_label("Uren per week").fill("32")
            page.get_by_role("button", name="Bewaren").click()
            page.wait_for_url(re.compile(rf"/dashboard/client/{employee_id}#plan$"))
            return page.inner_text("#plan")

        shown = await tab.do(edit)
        assert "Amersfoort" in shown and "32" in shown
        assert tab.errors == []
    async with box.db.session() as session:
        versions = await plan_queries.plan_versions(session, employee_id)
    assert len(versions) == 2
    (direction,) = versions[-1].content["directions"]
    assert (direction["occupation"], direction["region"], direction["hours"]) == ("Receptionist", "Amersfoort", 32)
    assert versions[0].content["directions"][0]["region"] == "Utrecht"  # the earlier version is kept as it was


async def test_approve_a_monthly_draft_and_download_a_report(people, box, clock, browser):
    coach, _ = await team(people)
    await coach.send("/werkgever")
    await coach.press("Bakkerij Bol")
    eva = box.fake.user(3001, "Eva")
    await eva.send(f"/start {token_in(await coach.send('Eva de Jong'))}")
    clock.set(local("2026-12-01 09:00"))  # the first working day: last month's drafts
    await box.run_due()
    async with box.db.session() as session:
        employee = await queries.employee_by_telegram(session, 2001)
        (draft,) = await report_queries.drafts_of(session, employee.id)
    assert draft.status == "draft"
    link = await link_of(coach)
    async with browser.tab(box.dashboard_url, DESKTOP) as tab:
        await tab.do(sign_in_by_link, link)

        def download(page) -> tuple[str, bytes]:
            page.goto(f"/dashboard/client/{employee.id}")
            with page.expect_download() as started:
                page.locator("#reports").get_by_role("link", name="PDF voor het dossier").first.click()
            made = started.value
            return made.suggested_filename, Path(made.path()).read_bytes()

        name, pdf = await tab.do(download)
        assert pdf.startswith(b"%PDF") and name.endswith(".pdf")

        def approve(page) -> str:
            page.locator("#drafts").get_by_role("button", name="📤 Versturen").click()
            page.wait_for_url(re.compile(rf"/dashboard/client/{employee.id}"))
            return page.inner_text("#drafts")

        shown = await tab.do(approve)
        assert "Verstuurd op 01-12-2026" in shown, shown
        assert tab.errors == []
    async with box.db.session() as session:
        (draft,) = await report_queries.drafts_of(session, employee.id)
    assert draft.status == "sent"
    await box.app.bot_data["runtime"].delivery.drain()
    assert [m.file_name for m in eva.inbox if m.kind == "document"], "the contact got the report"


async def test_a_form_posted_from_another_site_is_refused(people, box, browser):
    """Even with the page's own form token (as if it leaked), a post from another site's page stores nothing:
    the browser says cross-site and leaves the SameSite=Strict cookie out."""
    coach, _ = await team(people)
    link = await link_of(coach)
    async with box.db.session() as session:
        employee = await queries.employee_by_telegram(session, 2001)
    async with browser.tab(box.dashboard_url, DESKTOP) as tab:
        await tab.do(sign_in_by_link, link)

        def post_from_elsewhere(page) -> tuple[int, str]:
            page.goto(f"/dashboard/client/{employee.id}")
            csrf = page.locator('#notes input[name="csrf"]').input_value()
            action = f"{box.dashboard_url}/dashboard/client/{employee.id}/notes"
            elsewhere = (
                f'<form method="post" action="{action}"><input name="csrf" value="{csrf}">'
                '<input name="text" value="Van een andere site"><button>Win een prijs</button></form>'
            )
            page.route("http://other.example/**", lambda route: route.fulfill(body=elsewhere, content_type="text/html"))
            page.goto("http://other.example/")
            with page.expect_response(lambda answer: answer.url == action) as answered:
                page.get_by_role("button", name="Win een prijs").click()
            return answered.value.status, page.inner_text("body")

        status, text = await tab.do(post_from_elsewhere)
        assert status == 403 and "Geen toegang" in text
        async with box.db.session() as session:
            assert await coach_queries.notes_of(session, employee.id) == []

        def post_here(page) -> str:  # the same form on our own page works
            page.goto(f"/dashboard/client/{employee.id}")
            page.get_by_label("Nieuwe notitie").fill("Van de eigen pagina")
            page.get_by_role("button", name="Notitie opslaan").click()
            page.wait_for_url(re.compile(rf"/dashboard/client/{employee.id}"))
            return page.inner_text("#notes")

        assert "Van de eigen pagina" in await tab.do(post_here)
    async with box.db.session() as session:
        assert [note.text for note in await coach_queries.notes_of(session, employee.id)] == ["Van de eigen pagina"]


async def test_the_keyboard_alone_opens_a_client_and_signs_out(people, box, browser):
    coach, _ = await team(people)
    link = await link_of(coach)
    async with browser.tab(box.dashboard_url, DESKTOP) as tab:
        await tab.do(sign_in_by_link, link)

        def open_client(page) -> str:
            tab_until(page, lambda element: element["tag"] == "a" and element["text"] == "Ahmed Yilmaz")
            page.keyboard.press("Enter")
            page.wait_for_url(re.compile(r"/dashboard/client/\d+$"))
            return page.inner_text("h1")

        assert await tab.do(open_client) == "Ahmed Yilmaz"

        def sign_out(page) -> str:
            tab_until(page, lambda element: element["tag"] == "button" and element["text"] == "Uitloggen")
            page.keyboard.press("Enter")
            page.wait_for_function("() => !document.querySelector('form.signout')")
            return page.inner_text("main")

        assert "Je bent uitgelogd" in await tab.do(sign_out)
        assert await tab.do(lambda page: page.goto("/dashboard/caseload").status) == 403


async def test_screenshots_at_a_phone_and_a_desktop_size(people, box, clock, browser):
    coach, ahmed = await team(people)
    for week in range(3):
        clock.advance(days=7)
        await people.checkin(ahmed, applications=week + 1, networking=1, energy=4 + week, reflection="Ging goed.")
    for n in range(3, 9):
        await people.invite(coach, f"Cliënt met een lange naam {n}", employer="Zorggroep Rivierenland Oost")
    employee_id = await give_plan(box, 2001)
    for size, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        link = await link_of(coach)
        async with browser.tab(box.dashboard_url, viewport) as tab:
            await tab.do(sign_in_by_link, link)
            caseload = await tab.screenshot(f"caseload-{size}")
            caseload_wide = await tab.do(too_wide)
            await tab.do(lambda page: page.goto(f"/dashboard/client/{employee_id}"))
            client = await tab.screenshot(f"client-{size}")
            client_wide = await tab.do(too_wide)
            print(f"{size}: {caseload} {client}")
            assert caseload.stat().st_size > 0 and client.stat().st_size > 0
            assert caseload_wide == [] and client_wide == [], f"{size}: sticks out sideways"
            assert tab.errors == [] and tab.elsewhere == []
