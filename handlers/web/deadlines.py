"""`GET /dashboard/deadlines`: the poortwachter dates and due plan evaluations of the coach's clients for the next
8 weeks, by week (`bot.flows.dashboard_deadlines`)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.core.context import Person, Work
from bot.flows import dashboard_deadlines
from handlers.web.common import PREFIX, page, render, site_of


@page
async def deadlines(request: Request, work: Work, viewer: Person) -> Response:
    return render(site_of(request), request, viewer, "deadlines", **await dashboard_deadlines.deadlines(work, viewer))


def routes() -> list[Route]:
    return [Route(f"{PREFIX}/deadlines", deadlines, methods=["GET"])]
