"""The client's file on the dashboard, HTTP glue for `bot.flows.dashboard_file` (the client page shows the file
through `content/dashboard/_client_file.html.j2`; every form posts here and comes back to that page):

- `GET  /dashboard/client/<id>/file`: the file as a page of its own (also where a refused form is shown again).
- `GET  /dashboard/client/<id>/proof/<proof_id>`: a proof of one of the client's applications (a document or
  photo with its type and a safe file name; a link proof answers with a redirect to the vacancy).
- `POST /dashboard/client/<id>/notes`: a new note (`text`, `for_file`);
  `POST /dashboard/client/<id>/notes/<note_id>`: mark it for the file or not (`for_file` 1 or 0).
- `POST /dashboard/client/<id>/steps/<step>`: the day a poortwachter step took place (`done_on`), or
  `remove` to take it away.
- `GET  /dashboard/client/<id>/report/<kind>.pdf?for=dossier|coach`: the progress or final report.
- `GET  /dashboard/client/<id>/draft/<draft_id>.pdf`: a monthly (or final) draft as the employer would get it;
  `POST /dashboard/client/<id>/draft/<draft_id>`: `decision` send or skip.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.core.context import Person, Work
from bot.flows import dashboard_file
from bot.flows.dashboard_file import Document, Link, Outcome
from handlers.web.common import PREFIX, SECURITY_HEADERS, NotFound, back_to, page, render, site_of

CLIENT = f"{PREFIX}/client/{{client_id}}"


@page
async def file_page(request: Request, work: Work, viewer: Person) -> Response:
    shown = await dashboard_file.file_page(work, viewer, request.path_params["client_id"])
    if shown is None:
        raise NotFound
    return render(site_of(request), request, viewer, "client_file", **shown)


@page
async def proof(request: Request, work: Work, viewer: Person) -> Response:
    params = request.path_params
    return _file(await dashboard_file.open_proof(work, viewer, params["client_id"], params["proof_id"]))


@page
async def add_note(request: Request, work: Work, viewer: Person) -> Response:
    form = await request.form()
    done = await dashboard_file.add_note(
        work, viewer, request.path_params["client_id"], str(form.get("text") or ""), form.get("for_file") == "1"
    )
    return _back(request, viewer, done)


@page
async def mark_note(request: Request, work: Work, viewer: Person) -> Response:
    form = await request.form()
    params = request.path_params
    done = await dashboard_file.mark_note(
        work, viewer, params["client_id"], params["note_id"], form.get("for_file") == "1"
    )
    return _back(request, viewer, done)


@page
async def set_step(request: Request, work: Work, viewer: Person) -> Response:
    form = await request.form()
    params = request.path_params
    done = await dashboard_file.set_step(
        work, viewer, params["client_id"], params["step"], str(form.get("done_on") or ""), "remove" in form
    )
    return _back(request, viewer, done)


@page
async def report(request: Request, work: Work, viewer: Person) -> Response:
    params = request.path_params
    variant = request.query_params.get("for", "dossier")
    return _file(await dashboard_file.report_pdf(work, viewer, params["client_id"], params["kind"], variant))


@page
async def draft(request: Request, work: Work, viewer: Person) -> Response:
    params = request.path_params
    return _file(await dashboard_file.draft_pdf(work, viewer, params["client_id"], params["draft_id"]))


@page
async def decide(request: Request, work: Work, viewer: Person) -> Response:
    form = await request.form()
    params = request.path_params
    done = await dashboard_file.decide_draft(
        work, viewer, params["client_id"], params["draft_id"], str(form.get("decision") or "")
    )
    return _back(request, viewer, done)


def _back(request: Request, viewer: Person, done: Outcome | None) -> Response:
    """To the client's page at the section (303), or the file again with the reason when the input was refused."""
    if done is None:
        raise NotFound
    if done.page is not None:
        return render(site_of(request), request, viewer, "client_file", status_code=400, **done.page)
    return back_to(f"{PREFIX}/client/{done.employee_id}#{done.anchor}")


def _file(found: Document | Link | None) -> Response:
    if found is None:
        raise NotFound
    if isinstance(found, Link):
        return RedirectResponse(found.url, status_code=303, headers=SECURITY_HEADERS)
    disposition = "inline" if found.inline else "attachment"
    headers = {**SECURITY_HEADERS, "Content-Disposition": f'{disposition}; filename="{found.file_name}"'}
    return Response(found.data, media_type=found.media_type, headers=headers)


def routes() -> list[Route]:
    return [
        Route(f"{CLIENT}/file", file_page, methods=["GET"]),
        Route(f"{CLIENT}/proof/{{proof_id}}", proof, methods=["GET"]),
        Route(f"{CLIENT}/notes", add_note, methods=["POST"]),
        Route(f"{CLIENT}/notes/{{note_id}}", mark_note, methods=["POST"]),
        Route(f"{CLIENT}/steps/{{step}}", set_step, methods=["POST"]),
        Route(f"{CLIENT}/report/{{kind}}.pdf", report, methods=["GET"]),
        Route(f"{CLIENT}/draft/{{draft_id}}.pdf", draft, methods=["GET"]),
        Route(f"{CLIENT}/draft/{{draft_id}}", decide, methods=["POST"]),
    ]
