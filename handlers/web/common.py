"""What every dashboard route shares: the site (database, clock, words, the bot's token for Mini App
signatures), the signed-in viewer, the checks on every form, and rendering.

- `@page` opens one unit of work (`Work`, committed when the route returns), looks the session cookie up
  (`bot.flows.dashboard_signin.viewer`) and calls the route with `(request, work, viewer)`. No viewer: 403.
  A POST must come from our own origin (`Origin` / `Sec-Fetch-Site`) and carry the session's `csrf` field;
  otherwise 403 and nothing changes.
- A route raises `NotFound` for an id this viewer may not see (`bot.core.access.reach`, the chat's check): 404,
  the same answer as for an id that does not exist.
- `render(...)` renders `content/dashboard/<name>.html.j2` in the viewer's language with `label`, `csrf`,
  `viewer`, `lang` and `url` (this request's path and query) in its context.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from bot.core.context import Person, Work
from bot.flows import dashboard_signin
from bot.rules import dashboard_auth
from content.texts import Texts, pick_language, texts

COOKIE = "spoorzoeker_session"
PREFIX = "/dashboard"
SAFE_METHODS = ("GET", "HEAD")


class NotFound(Exception):
    """An id this viewer may not see, or that does not exist: the same 404 for both."""


@dataclass
class Site:
    """The dashboard's share of the bot: `db` is the bot's `storage.db.Database` (sessions only), `public_url`
    the address links point to (`DASHBOARD_URL`, or where it listens), `wake_delivery` starts the delivery worker
    when a form queued a message."""

    db: object
    clock: object
    bot_token: str
    bot_username: str
    timezone: str
    public_url: str
    texts: Texts = field(default_factory=texts)
    wake_delivery: Callable[[], None] = lambda: None

    @property
    def secure(self) -> bool:
        return self.public_url.startswith("https://")

    def link(self, path: str) -> str:
        """An absolute address of the dashboard, e.g. `site.link('/dashboard/in/' + token)`."""
        return self.public_url.rstrip("/") + path


Route = Callable[[Request, Work, Person], Awaitable[Response]]


def site_of(request: Request) -> Site:
    return request.app.state.dashboard


def page(route: Route) -> Callable[[Request], Awaitable[Response]]:
    """The signed-in route: viewer or 403, same-origin + csrf for POSTs, `NotFound` as 404, one unit of work."""

    @functools.wraps(route)
    async def run(request: Request) -> Response:
        site = site_of(request)
        if request.method not in SAFE_METHODS and not same_origin(request, site):
            return forbidden(site, request)
        token = request.cookies.get(COOKIE)
        async with site.db.session() as session:
            work = Work(session, site.clock, site.bot_username, site.timezone, site.texts)
            viewer = await dashboard_signin.viewer(work, token)
            if viewer is None:
                return forbidden(site, request)
            if request.method not in SAFE_METHODS:
                form = await request.form()
                if not dashboard_auth.csrf_ok(token or "", form.get("csrf")):
                    return forbidden(site, request, viewer.lang)
            try:
                response = await route(request, work, viewer)
            except NotFound:
                page_404 = render(site, request, viewer, "not_found", status_code=404)  # before the rollback
                await session.rollback()  # a forged id changes nothing (and expires the viewer's records)
                return page_404
        if work.queued:
            site.wake_delivery()
        return response

    return run


def same_origin(request: Request, site: Site) -> bool:
    """A POST from one of our own pages: no cross-site `Sec-Fetch-Site`, and an `Origin` (when the browser sends
    one) that is this server or the public dashboard address."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin is None or (origin == "null" and fetch_site == "same-origin"):
        return True  # "null": a browser's own form post under our `Referrer-Policy: no-referrer` (Chromium)
    ours = {_origin(site.public_url), f"{request.url.scheme}://{request.url.netloc}"}
    return origin in ours


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def render(
    site: Site,
    request: Request,
    viewer: Person | None,
    name: str,
    *,
    status_code: int = 200,
    lang: str | None = None,
    **ctx: object,
) -> HTMLResponse:
    """`content/dashboard/<name>.html.j2` as a page, in the viewer's language (or `lang`)."""
    lang = lang or (viewer.lang if viewer is not None else pick_language(request.headers.get("accept-language")))
    token = request.cookies.get(COOKIE) or ""
    html = site.texts.template(lang, f"dashboard/{name}.html.j2").render(
        label=lambda key, **kw: site.texts.label(lang, key, **kw),
        lang=lang,
        viewer=viewer,
        csrf=dashboard_auth.csrf_token(token) if viewer is not None else "",
        url=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        prefix=PREFIX,
        **ctx,
    )
    return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)


def forbidden(site: Site, request: Request, lang: str | None = None) -> HTMLResponse:
    return render(site, request, None, "forbidden", status_code=403, lang=lang)


def back_to(path: str) -> RedirectResponse:
    """After a form: 303 to a page of the dashboard (Post/Redirect/Get)."""
    if not path.startswith(PREFIX + "/") and path != PREFIX:
        path = PREFIX
    return RedirectResponse(path, status_code=303, headers=SECURITY_HEADERS)


# No page may be framed by another site, load scripts from elsewhere, or leak its URL (links carry ids).
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'self' https://web.telegram.org; form-action 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
