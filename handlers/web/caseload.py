"""`GET /dashboard/caseload`: the coach's caseload as one table (`bot.flows.dashboard_caseload`), filtered and
sorted by the GET query (flag, phase, employer, sort, dir; anything invalid is ignored)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.core.context import Person, Work
from bot.flows import dashboard_caseload
from handlers.web.common import PREFIX, page, render, site_of


@page
async def caseload(request: Request, work: Work, viewer: Person) -> Response:
    table = await dashboard_caseload.caseload_table(work, viewer, dict(request.query_params))
    return render(site_of(request), request, viewer, "caseload", **table)


def routes() -> list[Route]:
    return [Route(f"{PREFIX}/caseload", caseload, methods=["GET"])]
