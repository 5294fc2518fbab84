"""Every route of the dashboard, in one list (`bot.web` mounts them beside the webhook and the probes)."""

from __future__ import annotations

from starlette.routing import Route

from handlers.web import admin, caseload, client, client_file, deadlines, signin


def routes() -> list[Route]:
    return [
        *signin.routes(),
        *caseload.routes(),
        *deadlines.routes(),
        *admin.routes(),
        *client_file.routes(),
        *client.routes(),
    ]
