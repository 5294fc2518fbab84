"""Signing in and out of the dashboard, and its static files.

- `GET /dashboard`: to the caseload when signed in; otherwise the start page, whose few lines of script send a
  Mini App's signed `initData` (Telegram puts it in the URL's `#tgWebAppData=`) to `POST /dashboard/telegram`.
- `GET /dashboard/in/<token>`: the link from `/dashboard`; its page posts the token (`POST /dashboard/in`), so a
  link preview that only fetches the page uses nothing up.
- `POST /dashboard/out`: ends every session of the viewer, like `/uitloggen` in the chat.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from bot.core.context import Person, Work
from bot.flows import dashboard_signin
from bot.rules import dashboard_auth
from content.catalog import CONTENT_DIR
from handlers.web.common import (
    COOKIE,
    PREFIX,
    SECURITY_HEADERS,
    Site,
    back_to,
    forbidden,
    page,
    render,
    same_origin,
    site_of,
)

STATIC = {"dashboard.css": "text/css", "dashboard.js": "text/javascript"}
MAX_FORM_BYTES = 8192  # a sign-in form holds one token or one initData


async def start(request: Request) -> Response:
    site = site_of(request)
    async with site.db.session() as session:
        work = Work(session, site.clock, site.bot_username, site.timezone, site.texts)
        viewer = await dashboard_signin.viewer(work, request.cookies.get(COOKIE))
    if viewer is not None:
        return back_to(f"{PREFIX}/caseload")
    return render(site, request, None, "start")


async def link_page(request: Request) -> Response:
    return render(site_of(request), request, None, "link", token=request.path_params["token"])


async def with_link(request: Request) -> Response:
    return await _sign_in(request, lambda work, form: dashboard_signin.sign_in_with_link(work, form.get("token", "")))


async def with_telegram(request: Request) -> Response:
    site = site_of(request)
    return await _sign_in(
        request,
        lambda work, form: dashboard_signin.sign_in_with_telegram(work, form.get("init_data", ""), site.bot_token),
    )


async def _sign_in(request: Request, sign_in) -> Response:
    site = site_of(request)
    if not same_origin(request, site) or int(request.headers.get("content-length") or 0) > MAX_FORM_BYTES:
        return forbidden(site, request)
    form = await request.form()
    async with site.db.session() as session:
        work = Work(session, site.clock, site.bot_username, site.timezone, site.texts)
        signed_in = await sign_in(work, {key: str(value) for key, value in form.items()})
    if signed_in is None:
        return forbidden(site, request)
    response = back_to(f"{PREFIX}/caseload")
    set_cookie(response, site, signed_in.token)
    return response


def set_cookie(response: Response, site: Site, token: str) -> None:
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(dashboard_auth.SESSION_TTL.total_seconds()),
        path=PREFIX,
        secure=site.secure,
        httponly=True,
        samesite="strict",
    )


@page
async def sign_out(request: Request, work: Work, viewer: Person) -> Response:
    await dashboard_signin.sign_out(work, viewer)
    response = render(site_of(request), request, None, "signed_out", lang=viewer.lang)
    response.delete_cookie(COOKIE, path=PREFIX, secure=site_of(request).secure, httponly=True, samesite="strict")
    return response


async def static(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in STATIC:
        return Response(status_code=404)
    headers = dict(SECURITY_HEADERS, **{"Cache-Control": "public, max-age=3600"})
    return FileResponse(CONTENT_DIR / "dashboard" / name, media_type=STATIC[name], headers=headers)


def routes() -> list[Route]:
    return [
        Route(PREFIX, start, methods=["GET"]),
        Route(f"{PREFIX}/in/{{token}}", link_page, methods=["GET"]),
        Route(f"{PREFIX}/in", with_link, methods=["POST"]),
        Route(f"{PREFIX}/telegram", with_telegram, methods=["POST"]),
        Route(f"{PREFIX}/out", sign_out, methods=["POST"]),
        Route(f"{PREFIX}/static/{{name}}", static, methods=["GET"]),
    ]
