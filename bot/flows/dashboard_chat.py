"""The dashboard's chat side: `/dashboard` (a single-use sign-in link, a Mini App button) and `/uitloggen`
(`/logout`: ends every dashboard session of this user).

- A coach (agency administrators included) gets a link `<public>/dashboard/in/<token>`, single use and valid
  for `dashboard_auth.LINK_TTL`; when the public address is https also a `web_app` button that opens
  `<public>/dashboard` inside Telegram, and the chat's menu button is set to open it too (Telegram accepts Mini
  Apps only over https). When the bot serves no web pages (no DASHBOARD_PORT, no webhook) it says so.
- Employees and employer contacts get a kind "the dashboard is for coaches"; unknown users never get here
  (the router answers them with onboarding, as for every command).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from bot.core.context import Person, Work
from bot.core.replies import Button, Reply
from bot.flows import dashboard_signin
from bot.rules import dashboard_auth

# Dutch command first, English alias after; both open the same thing.
SIGN_IN = ("dashboard",)
SIGN_OUT = ("uitloggen", "logout")
COMMANDS = (*SIGN_IN, *SIGN_OUT)
PATH = "/dashboard"
_LOOPBACK = ("localhost", "127.0.0.1", "0.0.0.0", "::1", "::")  # Telegram refuses URL buttons to these


async def on_command(work: Work, person: Person, command: str) -> list[Reply]:
    """`/dashboard` or `/uitloggen` (`/logout`) from a known user."""
    if person.coach is None or person.coach.deactivated_at is not None:
        return [Reply("dashboard_not_coach", person.lang)]
    if command in SIGN_OUT:
        return [await sign_out(work, person)]
    return [await sign_in_link(work, person)]


async def sign_in_link(work: Work, person: Person) -> Reply:
    """The reply to `/dashboard`: the link (and the Mini App button over https), or that it is switched off."""
    if work.dashboard_url is None:
        return Reply("dashboard_off", person.lang)
    token = await dashboard_signin.new_link(work, person)
    if token is None:  # cannot happen for an active coach; refuse rather than guess
        return Reply("dashboard_not_coach", person.lang)
    link = f"{_base(work.dashboard_url)}{PATH}/in/{token}"
    mini_app = mini_app_url(work)
    buttons = []
    if mini_app is not None:
        buttons.append([Button("dash_chat_mini_app", web_app=mini_app)])
    if not _loopback(work.dashboard_url):
        buttons.append([Button("dash_chat_open_link", url=link)])
    minutes = int(dashboard_auth.LINK_TTL.total_seconds() // 60)
    hours = int(dashboard_auth.SESSION_TTL.total_seconds() // 3600)
    ctx = {"link": link, "minutes": minutes, "hours": hours, "mini_app": mini_app is not None}
    return Reply("dashboard_link", person.lang, ctx, buttons, menu_button=mini_app)


async def sign_out(work: Work, person: Person) -> Reply:
    """The reply to `/uitloggen`: every dashboard session of this user ended, and how many there were."""
    ended = await dashboard_signin.sign_out(work, person)
    return Reply("dashboard_signed_out", person.lang, {"count": ended})


def mini_app_url(work: Work) -> str | None:
    """The address Telegram opens as the Mini App (`<public>/dashboard`), when the dashboard is served over https."""
    if work.dashboard_url is None or not work.dashboard_url.startswith("https://"):
        return None
    return _base(work.dashboard_url) + PATH


def _base(url: str) -> str:
    return url.rstrip("/")


def _loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host in _LOOPBACK or host.startswith("127.")
