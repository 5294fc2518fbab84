"""The client page of the dashboard and the plan's edit forms (HTTP glue; the domain is
`bot.flows.dashboard_client`).

- `GET /dashboard/client/<id>`: header, plan, timeline, charts and the file part; 404 for a client that is not
  this coach's.
- `GET|POST /dashboard/client/<id>/plan/<part>` (profile, capacity, direction, activity, evaluation) and
  `/dashboard/client/<id>/plan/direction/<direction id>`: the form; a valid POST stores a new plan version (an
  evaluation: a new evaluation) and answers 303 to the plan on the client page; an invalid one shows the form
  again with a message per wrong answer and what was typed (400), nothing stored.
- `POST /dashboard/client/<id>/change/track1`, `.../change/reviewed/<direction id>`, `.../change/remove/<direction
  id>`, `.../change/status/<activity id>` (field `status`): the chat's one-tap plan buttons, each a new version.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.core.context import Person, Work
from bot.flows import dashboard_client
from handlers.web.common import PREFIX, NotFound, back_to, page, render, site_of


@page
async def client_page(request: Request, work: Work, viewer: Person) -> Response:
    shown = await dashboard_client.client_page(work, viewer, request.path_params["client"])
    if shown is None:
        raise NotFound
    return render(site_of(request), request, viewer, "client", nav="caseload", **shown)


@page
async def plan_form(request: Request, work: Work, viewer: Person) -> Response:
    client, part, item = _target(request)
    if request.method == "GET":
        form = await dashboard_client.plan_form(work, viewer, client, part, item)
    else:
        fields: dict[str, list[str]] = {}
        for key, value in (await request.form()).multi_items():
            if isinstance(value, str):
                fields.setdefault(key, []).append(value)
        form = await dashboard_client.save_plan_form(work, viewer, client, part, item, fields)
    if form is None:
        raise NotFound
    if form["saved"]:
        return back_to(f"{PREFIX}/client/{form['employee_id']}#plan")
    status = 400 if form["problems"] else 200
    return render(site_of(request), request, viewer, "client_plan_edit", nav="caseload", status_code=status, form=form)


@page
async def change_plan(request: Request, work: Work, viewer: Person) -> Response:
    params, form = request.path_params, await request.form()
    status = form.get("status") if isinstance(form.get("status"), str) else None
    changed = await dashboard_client.change_plan(
        work, viewer, params["client"], params["action"], params.get("item"), status
    )
    if changed is None:
        raise NotFound
    return back_to(f"{PREFIX}/client/{changed}#plan")


def _target(request: Request) -> tuple[str, str, str | None]:
    params = request.path_params
    return params["client"], params["part"], params.get("item")


def routes() -> list[Route]:
    return [
        Route(f"{PREFIX}/client/{{client}}", client_page, methods=["GET"]),
        Route(f"{PREFIX}/client/{{client}}/plan/{{part}}", plan_form, methods=["GET", "POST"]),
        Route(f"{PREFIX}/client/{{client}}/plan/{{part}}/{{item}}", plan_form, methods=["GET", "POST"]),
        Route(f"{PREFIX}/client/{{client}}/change/{{action}}", change_plan, methods=["POST"]),
        Route(f"{PREFIX}/client/{{client}}/change/{{action}}/{{item}}", change_plan, methods=["POST"]),
    ]
