"""The agency administrator's pages (`bot.flows.dashboard_admin`; anyone else gets 404):

- `GET /dashboard/admin`: the agency's coaches and the clients without an active coach (each with a move form).
- `GET /dashboard/admin/coach/<id>`: one coach's clients (move each), move the whole caseload, deactivate.
- `GET /dashboard/admin/coach/<id>/deactivate`: the confirmation; `POST` to it deactivates.
- `POST /dashboard/admin/coach/<id>/move` (`to`): the whole caseload to another coach.
- `POST /dashboard/admin/client/<id>/move` (`to`, `back`): one client to another coach.
After a form: 303 to the page it came from with `?done=<what>`.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.core.context import Person, Work
from bot.flows import dashboard_admin
from handlers.web.common import PREFIX, NotFound, back_to, page, render, site_of

ADMIN = f"{PREFIX}/admin"


@page
async def overview(request: Request, work: Work, viewer: Person) -> Response:
    found = await dashboard_admin.overview(work, viewer)
    if found is None:
        raise NotFound
    done = dashboard_admin.done_of(request.query_params.get("done"))
    return render(site_of(request), request, viewer, "admin", done=done, **found)


@page
async def coach(request: Request, work: Work, viewer: Person) -> Response:
    found = await dashboard_admin.coach_page(work, viewer, request.path_params["coach_id"])
    if found is None:
        raise NotFound
    done = dashboard_admin.done_of(request.query_params.get("done"))
    return render(site_of(request), request, viewer, "admin_coach", done=done, **found)


@page
async def confirm_deactivate(request: Request, work: Work, viewer: Person) -> Response:
    found = await dashboard_admin.coach_page(work, viewer, request.path_params["coach_id"])
    if found is None or not found["coach"]["may_deactivate"]:
        raise NotFound
    return render(site_of(request), request, viewer, "admin_deactivate", **found)


@page
async def deactivate(request: Request, work: Work, viewer: Person) -> Response:
    coach_id = request.path_params["coach_id"]
    if await dashboard_admin.deactivate(work, viewer, coach_id) is None:
        raise NotFound
    return back_to(f"{ADMIN}/coach/{coach_id}?done=deactivated")


@page
async def move_caseload(request: Request, work: Work, viewer: Person) -> Response:
    form = await request.form()
    coach_id = request.path_params["coach_id"]
    if await dashboard_admin.move_caseload(work, viewer, coach_id, form.get("to")) is None:
        raise NotFound
    return back_to(f"{ADMIN}/coach/{coach_id}?done=caseload_moved")


@page
async def move_client(request: Request, work: Work, viewer: Person) -> Response:
    form = await request.form()
    source = await dashboard_admin.move_client(work, viewer, request.path_params["client_id"], form.get("to"))
    if source is None:
        raise NotFound
    if form.get("back") == "coach":
        return back_to(f"{ADMIN}/coach/{source.id}?done=client_moved")
    return back_to(f"{ADMIN}?done=client_moved")


def routes() -> list[Route]:
    return [
        Route(ADMIN, overview, methods=["GET"]),
        Route(f"{ADMIN}/coach/{{coach_id}}", coach, methods=["GET"]),
        Route(f"{ADMIN}/coach/{{coach_id}}/deactivate", confirm_deactivate, methods=["GET"]),
        Route(f"{ADMIN}/coach/{{coach_id}}/deactivate", deactivate, methods=["POST"]),
        Route(f"{ADMIN}/coach/{{coach_id}}/move", move_caseload, methods=["POST"]),
        Route(f"{ADMIN}/client/{{client_id}}/move", move_client, methods=["POST"]),
    ]
