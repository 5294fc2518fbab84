"""End to end over real HTTP: signing in to the dashboard. `/dashboard` in the chat gives a single-use link (10
minutes) that starts a 12-hour session (cookie HttpOnly, SameSite=Strict, Path=/dashboard, Secure over https);
the Mini App's signed initData starts one too; forged, reused, expired or foreign sign-ins get 403 and make no
session; employees, employer contacts, strangers and deactivated coaches get no dashboard; `/uitloggen` ends
every session; cross-site posts and posts without the form token are refused; every page has the security
headers. Plus the pure rules of `bot.rules.dashboard_auth`.

The clock starts on Friday 20 November 2026, 10:00 in Amsterdam.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest
from sqlmodel import select

from bot.rules import dashboard_auth
from bot.rules.tokens import hash_token, new_token
from bot.sandbox.offline import SANDBOX_TOKEN, sandbox, token_in
from storage import admin_queries, dashboard_queries, queries
from storage.models import DashboardSession
from tests import dashboard
from tests.conftest import People

COOKIE = "spoorzoeker_session"
LINK = re.compile(r"(https?://[^\s<>\"]+/dashboard/in/[A-Za-z0-9_-]+)")
PUBLIC = "https://dashboard.example"
NOT_FOR_YOU = "Het dashboard is er voor re-integratiecoaches"
UNKNOWN_USER = "persoonlijke link"


@pytest.fixture
async def box(clock, database_url):
    async with sandbox(clock=clock, database_url=database_url, dashboard_port=0) as box:
        yield box


def link_of(message) -> str:
    match = LINK.search(message.plain_text)
    assert match, message.plain_text
    return match.group(1)


async def link_from_chat(coach) -> str:
    """What a coach gets for /dashboard: the link (in the text, and as a URL button when it is not local)."""
    await coach.send("/dashboard")
    return link_of(coach.last)


async def open_link(http, link: str):
    """A browser opening the link: the page (which uses nothing up), then its form posted (what its script does)."""
    path = urlsplit(link).path
    page = await http.get(path)
    assert page.status_code == 200, page.text
    token = path.rsplit("/", 1)[1]
    assert f'value="{token}"' in page.text
    return await http.post("/dashboard/in", data={"token": token})


def cookie_of(answer) -> str:
    header = answer.headers.get("set-cookie", "")
    assert header.startswith(f"{COOKIE}="), header
    return header


async def signed_in(http) -> bool:
    """Whether this client's cookie is a live session: /dashboard sends a signed-in viewer on to the caseload."""
    answer = await http.get("/dashboard")
    return answer.status_code == 303 and answer.headers["location"] == "/dashboard/caseload"


async def _live(session, user_id: int) -> int:
    """How many sessions of this user were not ended (read from the table itself)."""
    rows = (await session.exec(select(DashboardSession).where(DashboardSession.telegram_user_id == user_id))).all()
    return sum(1 for row in rows if row.ended_at is None)


def csrf(http) -> str:
    return dashboard_auth.csrf_token(http.cookies[COOKIE])


# ---- the link from /dashboard --------------------------------------------------------------------------------


async def test_dashboard_in_the_chat_gives_a_link_that_signs_in_once(people, box, clock):
    coach = await people.coach()
    link = await link_from_chat(coach)
    text = coach.last.plain_text
    assert "Je dashboard" in text and "10 minuten geldig" in text and "12 uur ingelogd" in text
    assert link.startswith(f"{box.dashboard_url}/dashboard/in/")
    assert not [b for row in coach.last.reply_markup or [] for b in row if "web_app" in b]  # http: no Mini App
    assert box.fake.menu_button(coach.id) == {"type": "commands"}
    async with dashboard.client(box) as http:
        answer = await open_link(http, link)
        assert answer.status_code == 303 and answer.headers["location"] == "/dashboard/caseload"
        header = cookie_of(answer)
        assert "HttpOnly" in header and "SameSite=strict" in header and "Path=/dashboard" in header
        assert "Secure" not in header  # served over http
        assert "Max-Age=43200" in header
        assert await signed_in(http)
        async with box.db.session() as session:
            row = await dashboard_queries.live_session(session, hash_token(http.cookies[COOKIE]), clock.now())
        assert row is not None and row.telegram_user_id == coach.id
    async with dashboard.client(box) as again:  # the same link a second time (another device)
        answer = await open_link(again, link)
        assert answer.status_code == 403 and "set-cookie" not in answer.headers
        assert "Geen toegang" in answer.text
        assert not await signed_in(again)


async def test_a_link_older_than_ten_minutes_and_a_forged_one_are_refused(people, box, clock):
    coach = await people.coach()
    early = await link_from_chat(coach)
    clock.advance(minutes=9, seconds=59)
    late = await link_from_chat(coach)
    async with dashboard.client(box) as http:
        assert (await open_link(http, early)).status_code == 303  # 9:59 old: still good
    clock.advance(minutes=11)
    async with dashboard.client(box) as http:
        assert (await open_link(http, late)).status_code == 403
        for forged in (new_token(), "x", "../../etc/passwd", "A" * 300, ""):
            answer = await http.post("/dashboard/in", data={"token": forged})
            assert answer.status_code == 403 and "set-cookie" not in answer.headers
        assert (await http.get("/dashboard/in/" + new_token())).status_code == 200  # the page alone uses nothing
        assert not await signed_in(http)
    assert await _count_live(box, coach.id) == 1


async def _count_live(box, user_id: int) -> int:
    async with box.db.session() as session:
        return await _live(session, user_id)


async def test_the_link_page_is_safe_to_preview_and_has_the_security_headers(people, box):
    coach = await people.coach()
    link = await link_from_chat(coach)
    async with dashboard.client(box) as http:
        preview = await http.get(urlsplit(link).path)  # a link preview fetches the page: nothing is used up
        refused = await http.post("/dashboard/in", data={"token": new_token()})
        start = await http.get("/dashboard")
        for answer in (preview, refused, start):
            headers = answer.headers
            assert "default-src 'self'" in headers["content-security-policy"]
            assert "frame-ancestors 'self' https://web.telegram.org" in headers["content-security-policy"]
            assert headers["x-content-type-options"] == "nosniff"
            assert headers["referrer-policy"] == "no-referrer"
            assert headers["cache-control"] == "no-store"
        assert (await open_link(http, link)).status_code == 303


# ---- the Mini App's initData ---------------------------------------------------------------------------------


def init_data(box, clock, user_id: int = 1001, first_name: str = "Sanne", **options) -> str:
    return box.fake.web_app_init_data(user_id, first_name, at=options.pop("at", clock.now()), **options)


async def post_init_data(http, data: str, **headers):
    return await http.post("/dashboard/telegram", data={"init_data": data}, headers=headers)


async def test_valid_init_data_starts_a_session_and_forged_ones_do_not(people, box, clock):
    coach = await people.coach()
    async with dashboard.client(box) as http:
        answer = await post_init_data(http, init_data(box, clock))
        assert answer.status_code == 303 and answer.headers["location"] == "/dashboard/caseload"
        assert "HttpOnly" in cookie_of(answer)
        assert await signed_in(http)
    genuine = dict(parse_qsl(init_data(box, clock)))
    forged_hash = urlencode({**genuine, "hash": genuine["hash"][:-1] + ("0" if genuine["hash"][-1] != "0" else "1")})
    someone_else = json.dumps({"id": 1002, "first_name": "Sanne"}, separators=(",", ":"))
    tampered = urlencode({**genuine, "user": someone_else})  # the hash of Sanne's data, another user id
    older = init_data(box, clock, at=clock.now() - timedelta(hours=1, seconds=1))
    other_bot = init_data(box, clock, bot_token="123456:another.bots.token")
    no_hash = urlencode({key: value for key, value in genuine.items() if key != "hash"})
    for refused in (forged_hash, tampered, older, other_bot, no_hash, "", "user=%7B%7D&hash=00", "%%%"):
        async with dashboard.client(box) as http:
            answer = await post_init_data(http, refused)
            assert answer.status_code == 403, refused
            assert "set-cookie" not in answer.headers
    assert await _count_live(box, coach.id) == 1
    async with dashboard.client(box) as http:  # 59 minutes old: still good
        assert (
            await post_init_data(http, init_data(box, clock, at=clock.now() - timedelta(minutes=59)))
        ).status_code == 303


async def test_the_fake_telegram_signs_like_telegram(box, clock):
    data = box.fake.web_app_init_data(1001, "Sanne", at=clock.now(), bot_token=SANDBOX_TOKEN)
    fields = dict(parse_qsl(data))
    assert set(fields) == {"query_id", "user", "auth_date", "hash"}
    assert json.loads(fields["user"])["id"] == 1001
    assert dashboard_auth.init_data_user(data, SANDBOX_TOKEN, clock.now()) == 1001
    address = box.fake.mini_app_address("https://dashboard.example/dashboard", 1001, "Sanne", at=clock.now(),
                                        bot_token=SANDBOX_TOKEN)  # fmt: skip
    fragment = dict(parse_qsl(urlsplit(address).fragment))
    assert fragment["tgWebAppData"] == data


# ---- who gets no dashboard -----------------------------------------------------------------------------------


async def invite_contact(coach, company: str, name: str) -> str:
    await coach.send("/werkgever")
    await coach.press(company)
    return token_in(await coach.send(name))


async def test_employees_employer_contacts_and_strangers_get_no_dashboard(people: People, box, clock):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001, "Ahmed", employer="Bakkerij Bol")
    eva = box.fake.user(3001, "Eva")
    await eva.send(f"/start {await invite_contact(coach, 'Bakkerij Bol', 'Eva de Jong')}")
    stranger = box.fake.user(4001, "Kim")
    for user in (ahmed, eva):
        await user.send("/dashboard")
        assert NOT_FOR_YOU in user.last.plain_text and "/dashboard/in/" not in user.last.plain_text
        await user.send("/uitloggen")
        assert NOT_FOR_YOU in user.last.plain_text
    await stranger.send("/dashboard")
    assert UNKNOWN_USER in stranger.last.plain_text and "/dashboard/in/" not in stranger.last.plain_text
    assert await dashboard.link_token(box, ahmed.id) is None
    for user_id, name in ((2001, "Ahmed"), (3001, "Eva"), (4001, "Kim")):
        async with dashboard.client(box) as http:
            answer = await post_init_data(http, init_data(box, clock, user_id, name))
            assert answer.status_code == 403 and "set-cookie" not in answer.headers
    async with box.db.session() as session:
        for user_id in (2001, 3001, 4001):
            assert await _live(session, user_id) == 0


async def test_a_deactivated_coachs_open_session_stops_working(people: People, box, clock):
    nora = await people.coach(1001, "Nora Bakker")
    sanne = await people.coach(1002, "Sanne de Vries")
    async with box.db.session() as session:
        await admin_queries.set_admin(session, (await queries.coach_by_telegram(session, 1001)).id)
    early_link = await link_from_chat(sanne)
    http = await dashboard.signed_in(box, sanne.id)
    admin = await dashboard.signed_in(box, nora.id)  # an administrator signs in like any coach
    assert await signed_in(http) and await signed_in(admin)
    await nora.send("/beheer")
    await nora.press("Sanne de Vries")
    await nora.press("Coach deactiveren")
    await nora.press("Ja, deactiveren")
    assert not await signed_in(http)
    answer = await http.post("/dashboard/out", data={"csrf": csrf(http)})
    assert answer.status_code == 403
    async with dashboard.client(box) as other:
        assert (await open_link(other, early_link)).status_code == 403  # a link she got before: dead too
        assert (await post_init_data(other, init_data(box, clock, 1002, "Sanne"))).status_code == 403
    await sanne.send("/dashboard")
    assert UNKNOWN_USER in sanne.last.plain_text
    assert await signed_in(admin)
    await http.aclose()
    await admin.aclose()


# ---- /uitloggen, and the dashboard's own sign-out --------------------------------------------------------------


async def test_uitloggen_ends_every_session_of_the_coach(people, box):
    coach = await people.coach()
    other = await people.coach(1002, "Joost")
    phone, laptop, joost = (await dashboard.signed_in(box, 1001), await dashboard.signed_in(box, 1001),
                            await dashboard.signed_in(box, 1002))  # fmt: skip
    await coach.send("/uitloggen")
    assert "uitgelogd uit het dashboard, op 2 apparaten" in coach.last.plain_text
    for http in (phone, laptop):
        assert not await signed_in(http)
        assert (await http.post("/dashboard/out", data={"csrf": csrf(http)})).status_code == 403
    assert await signed_in(joost)  # another coach's session lives on
    await coach.send("/logout")  # the English alias; nothing left to end
    assert "nergens ingelogd" in coach.last.plain_text
    await other.send("/logout")
    assert "op 1 apparaat." in other.last.plain_text
    for http in (phone, laptop, joost):
        await http.aclose()


async def test_the_sign_out_form_needs_the_form_token_and_our_origin(people, box):
    await people.coach()
    http = await dashboard.signed_in(box, 1001)
    for refused in ({}, {"csrf": ""}, {"csrf": "0" * 64}, {"csrf": dashboard_auth.csrf_token(new_token())}):
        assert (await http.post("/dashboard/out", data=refused)).status_code == 403
    token = csrf(http)
    cross = {"Origin": "https://evil.example"}
    assert (await http.post("/dashboard/out", data={"csrf": token}, headers=cross)).status_code == 403
    fetch = {"Sec-Fetch-Site": "cross-site"}
    assert (await http.post("/dashboard/out", data={"csrf": token}, headers=fetch)).status_code == 403
    assert await signed_in(http)  # none of those signed out
    own = {"Origin": box.dashboard_url, "Sec-Fetch-Site": "same-origin"}
    answer = await http.post("/dashboard/out", data={"csrf": token}, headers=own)
    assert answer.status_code == 200 and "Je bent uitgelogd" in answer.text
    assert f'{COOKIE}=""' in answer.headers["set-cookie"] or "Max-Age=0" in answer.headers["set-cookie"]
    assert await _count_live(box, 1001) == 0
    await http.aclose()


async def test_cross_site_sign_in_posts_are_refused_and_make_no_session(people, box, clock):
    coach = await people.coach()
    link = await link_from_chat(coach)
    token = urlsplit(link).path.rsplit("/", 1)[1]
    async with dashboard.client(box) as http:
        for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"},
                        {"Origin": "null"}, {"Sec-Fetch-Site": "same-site"}):  # fmt: skip
            answer = await http.post("/dashboard/in", data={"token": token}, headers=headers)
            assert answer.status_code == 403 and "set-cookie" not in answer.headers
            answer = await post_init_data(http, init_data(box, clock), **headers)
            assert answer.status_code == 403 and "set-cookie" not in answer.headers
        assert await _count_live(box, coach.id) == 0
        answer = await http.post("/dashboard/in", data={"token": token})  # the refused posts used nothing up
        assert answer.status_code == 303


async def test_a_session_lasts_twelve_hours(people, box, clock):
    await people.coach()
    http = await dashboard.signed_in(box, 1001)
    clock.advance(hours=11, minutes=59)
    assert await signed_in(http)
    clock.advance(minutes=2)
    assert not await signed_in(http)
    assert (await http.post("/dashboard/out", data={"csrf": csrf(http)})).status_code == 403
    await http.aclose()


# ---- over https: Secure cookies, the Mini App button and the chat's menu button ---------------------------------


async def test_over_https_the_coach_gets_the_mini_app_button_and_a_secure_cookie(clock, database_url):
    async with sandbox(clock=clock, database_url=database_url, dashboard_url=PUBLIC) as box, box.bot_running():
        people = People(box)
        coach = await people.coach()
        mini_app = {"type": "web_app", "text": "Dashboard", "web_app": {"url": f"{PUBLIC}/dashboard"}}
        assert box.fake.menu_button(coach.id) == mini_app  # set when she registered
        box.fake.menu_buttons.clear()
        link = await link_from_chat(coach)
        assert link.startswith(f"{PUBLIC}/dashboard/in/")
        assert coach.last.reply_markup == [
            [{"text": "🖥️ Dashboard", "web_app": {"url": f"{PUBLIC}/dashboard"}}],
            [{"text": "🔗 Open in je browser", "url": link}],
        ]
        assert "Tik op Dashboard" in coach.last.plain_text
        assert box.fake.menu_button(coach.id) == mini_app  # and again with /dashboard
        async with dashboard.client(box) as http:
            answer = await open_link(http, link)
            assert answer.status_code == 303
            assert "Secure" in cookie_of(answer) and "HttpOnly" in cookie_of(answer)
        address = box.fake.mini_app_address(f"{PUBLIC}/dashboard", coach.id, "Sanne", at=clock.now())
        data = dict(parse_qsl(urlsplit(address).fragment))["tgWebAppData"]
        async with dashboard.client(box) as http:  # what the start page's script posts inside Telegram
            answer = await post_init_data(http, data, Origin=PUBLIC, **{"Sec-Fetch-Site": "same-origin"})
            assert answer.status_code == 303 and "Secure" in cookie_of(answer)
            refused = await post_init_data(http, data, Origin="https://evil.example")
            assert refused.status_code == 403


async def test_the_fake_telegram_refuses_mini_apps_over_http(box, clock):
    from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, MenuButtonWebApp, WebAppInfo
    from telegram.error import BadRequest

    box.fake.user(1001, "Sanne")
    bot = Bot(SANDBOX_TOKEN, base_url=box.fake.base_url)
    async with bot:
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("D", web_app=WebAppInfo("http://plain.example"))]])
        with pytest.raises(BadRequest, match="(?i)only https links are allowed"):
            await bot.send_message(1001, "x", reply_markup=keyboard)
        with pytest.raises(BadRequest, match="(?i)only https links are allowed"):
            await bot.set_chat_menu_button(1001, MenuButtonWebApp("D", WebAppInfo("http://plain.example")))
        await bot.set_chat_menu_button(1001, MenuButtonWebApp("D", WebAppInfo("https://ok.example")))
        assert box.fake.menu_button(1001)["web_app"] == {"url": "https://ok.example"}
        assert (await bot.get_chat_menu_button(1001)).web_app.url == "https://ok.example"


# ---- no web server ----------------------------------------------------------------------------------------------


async def test_without_a_web_server_the_coach_is_told_the_dashboard_is_off(clock, database_url):
    async with sandbox(clock=clock, database_url=database_url) as box, box.bot_running():
        coach = await People(box).coach()
        await coach.send("/dashboard")
        text = coach.last.plain_text
        assert "Het dashboard staat nog niet aan" in text and "DASHBOARD_PORT" in text and "DASHBOARD_URL" in text
        assert "/dashboard/in/" not in text and not coach.last.reply_markup
        await coach.send("/uitloggen")  # signing out needs no web server
        assert "nergens ingelogd" in coach.last.plain_text


async def test_an_english_coach_gets_english_words(people, box):
    coach = box.fake.user(1001, "Sam", language_code="en")
    await coach.send(f"/start {await box.add_coach('Sam')}")
    await coach.send("/dashboard")
    assert "Your dashboard" in coach.last.plain_text and "10 minutes" in coach.last.plain_text
    assert "/logout" in coach.last.plain_text
    await coach.send("/help")
    assert "/dashboard" in coach.last.plain_text and "/logout" in coach.last.plain_text


# ---- the pure rules ---------------------------------------------------------------------------------------------


def signed(fields: dict[str, str], token: str = SANDBOX_TOKEN) -> str:
    return urlencode({**fields, "hash": dashboard_auth.sign_init_data(fields, token)})


def test_init_data_rules(clock):
    now = clock.now()
    at = str(int(now.timestamp()))
    user = json.dumps({"id": 1001, "first_name": "Sanne"})
    assert dashboard_auth.init_data_user(signed({"auth_date": at, "user": user}), SANDBOX_TOKEN, now) == 1001
    future = str(int((now + timedelta(minutes=2)).timestamp()))
    assert dashboard_auth.init_data_user(signed({"auth_date": future, "user": user}), SANDBOX_TOKEN, now) is None
    skewed = str(int((now + timedelta(seconds=50)).timestamp()))
    assert dashboard_auth.init_data_user(signed({"auth_date": skewed, "user": user}), SANDBOX_TOKEN, now) == 1001
    for bad_user in ('{"id": true}', '{"id": -5}', '{"id": "1001"}', "[1001]", "not json", '{"first_name": "x"}'):
        assert dashboard_auth.init_data_user(signed({"auth_date": at, "user": bad_user}), SANDBOX_TOKEN, now) is None
    assert dashboard_auth.init_data_user(signed({"auth_date": "soon", "user": user}), SANDBOX_TOKEN, now) is None
    assert dashboard_auth.init_data_user(signed({"auth_date": at, "user": user}), "", now) is None
    huge = signed({"auth_date": at, "user": user, "pad": "x" * dashboard_auth.MAX_INIT_DATA})
    assert dashboard_auth.init_data_user(huge, SANDBOX_TOKEN, now) is None
    session_token = new_token()
    form = dashboard_auth.csrf_token(session_token)
    assert dashboard_auth.csrf_ok(session_token, form)
    assert not dashboard_auth.csrf_ok(session_token, None) and not dashboard_auth.csrf_ok(session_token, "")
    assert not dashboard_auth.csrf_ok(new_token(), form)
    assert not dashboard_auth.csrf_ok(session_token, "é" + form[1:])


# ---- the demo ---------------------------------------------------------------------------------------------------


async def test_the_demo_ends_with_a_dashboard_link_that_works_against_the_offline_bot(tmp_path):
    from bot.sandbox.demo import dashboard_link, run_demo

    opened = {}

    async def open_it(transcript: str, link: str) -> None:
        assert dashboard_link(transcript) == link  # the transcript shows the reply to /dashboard
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(link))
        assert origin.startswith("http://127.0.0.1:")
        async with httpx.AsyncClient(base_url=origin, follow_redirects=False, timeout=10) as http:
            answer = await open_link(http, link)
            opened["status"] = answer.status_code
            opened["cookie"] = cookie_of(answer)
            opened["signed_in"] = await signed_in(http)

    transcript = await run_demo(tmp_path, while_running=open_it)
    assert "19. The coach opens her dashboard" in transcript and "10 minuten geldig" in transcript
    assert opened == {"status": 303, "cookie": opened["cookie"], "signed_in": True}
