"""The bot's HTTP side: a Starlette app, served by uvicorn inside the bot's own event loop.

- `POST <path of WEBHOOK_URL>` (webhook mode only): an update from Telegram. Without the right
  `X-Telegram-Bot-Api-Secret-Token` header (compared in constant time): 403, and nothing happens. A body that is
  no update: 400. A right one goes into the Application's update queue, the same processing as polling, and gets
  200 at once. From the start of a shutdown: 503, so Telegram delivers it again (to this or another instance).
- `GET /healthz`: 200 while the process is alive.
- `GET /readyz`: 200 when the database answers, its schema is at the newest migration and the delivery worker
  runs; otherwise 503 with `{"ready": false, "reason": "..."}` (also during a shutdown).
- `GET /metrics`: the Prometheus text of `bot.core.metrics.Metrics`, the outbox gauge counted just before.
- `/dashboard/...` (when a `handlers.web.common.Site` is given): the coach's dashboard (`handlers.web`).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import os
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import uvicorn
from sqlalchemy.exc import SQLAlchemyError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from telegram import Bot, Update

from bot.core.metrics import CONTENT_TYPE, Metrics
from handlers.web.common import Site
from handlers.web.site import routes as dashboard_routes
from storage.db import Database
from storage.outbox_queries import counts_by_status
from storage.readiness import schema_problem

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
PROBE_TIMEOUT_S = 3.0  # /readyz and the outbox count give up on a database that does not answer by then
MAX_UPDATE_BYTES = 1024 * 1024  # an update is a few kB; anything this big is not from Telegram
SHUTDOWN_GRACE_S = 10  # requests still open when the server stops get this long


class ListenProblem(Exception):
    """The server cannot listen on its address; the message is one line for the operator."""


@dataclass
class Health:
    """What the probes look at. `delivery` is the delivery worker's task once it runs; `accepting` turns False
    when a shutdown begins."""

    db: Database
    metrics: Metrics
    delivery: asyncio.Task | None = None
    accepting: bool = True

    async def not_ready(self) -> str | None:
        """None when ready, else why not (a few words, no secrets)."""
        if not self.accepting:
            return "shutting down"
        try:
            async with asyncio.timeout(PROBE_TIMEOUT_S):
                problem = await schema_problem(self.db.engine)
        except TimeoutError:
            return "database did not answer in time"
        except (SQLAlchemyError, OSError) as error:
            log.warning("readiness: database unreachable (%s)", type(error).__name__)
            return "database unreachable"
        if problem is not None:
            return problem
        if self.delivery is None or self.delivery.done():
            return "delivery not running"
        return None


@dataclass
class Webhook:
    """Where Telegram posts updates (the path of WEBHOOK_URL), the secret they carry, and where they go."""

    path: str
    secret: str
    bot: Bot
    queue: asyncio.Queue


def web_app(health: Health, webhook: Webhook | None = None, dashboard: Site | None = None) -> Starlette:
    """The app: the three probes, the webhook route when `webhook` is given, the dashboard with `dashboard`."""

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok\n")

    async def readyz(request: Request) -> Response:
        reason = await health.not_ready()
        if reason is None:
            return JSONResponse({"ready": True})
        return JSONResponse({"ready": False, "reason": reason}, status_code=503)

    async def metrics(request: Request) -> Response:
        try:
            async with asyncio.timeout(PROBE_TIMEOUT_S), health.db.session() as session:
                health.metrics.set_outbox(await counts_by_status(session))
        except (TimeoutError, SQLAlchemyError, OSError) as error:  # the rest of the page is still worth having
            log.warning("metrics: outbox not counted (%s)", type(error).__name__)
        return Response(health.metrics.page(), media_type=CONTENT_TYPE)

    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
    ]
    if webhook is not None:
        routes.append(Route(webhook.path, _receiver(health, webhook), methods=["POST"]))
    if dashboard is not None:
        routes.extend(dashboard_routes())
    app = Starlette(routes=routes)
    app.state.dashboard = dashboard
    return app


def _receiver(health: Health, webhook: Webhook):
    expected = webhook.secret.encode("utf-8")

    async def receive(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8")
        if not hmac.compare_digest(given, expected):
            return Response(status_code=403)
        if not health.accepting:
            return Response(status_code=503, headers={"Retry-After": "1"})
        body = await request.body()
        update = _update_from(body, webhook.bot)
        if update is None:
            return Response(status_code=400)
        await webhook.queue.put(update)
        return Response(status_code=200)

    return receive


def _update_from(body: bytes, bot: Bot) -> Update | None:
    if len(body) > MAX_UPDATE_BYTES:
        return None
    try:
        data = json.loads(body)
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            return None
        return Update.de_json(data, bot)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


class _Server(uvicorn.Server):
    """uvicorn without its own signal handlers: the bot's SIGTERM/SIGINT handler decides when it stops (uvicorn
    would otherwise take the signals over and raise them again after its shutdown)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def listen(host: str, port: int) -> socket.socket:
    """The listening socket, taken before anything else starts; ListenProblem (one line) when it cannot be."""
    try:
        sock = socket.create_server((host, port))
        # accepted connections inherit it (Linux); asyncio sets it only on sockets made with IPPROTO_TCP, and
        # without it every answer with a body waits ~40 ms for the client's delayed ACK
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock
    except OSError as error:
        reason = os.strerror(error.errno) if error.errno else str(error)
        raise ListenProblem(f"cannot listen on {host}:{port}: {reason} (check WEBHOOK_LISTEN and the port)") from None


@contextlib.asynccontextmanager
async def serving(app: Starlette, *socks: socket.socket) -> AsyncIterator[int]:
    """Serve `app` on the listening sockets `socks` until the block ends (yields the first one's port). Leaving
    the block stops listening, then lets open requests finish (up to SHUTDOWN_GRACE_S)."""
    host, port = socks[0].getsockname()[:2]
    config = uvicorn.Config(
        app, log_config=None, access_log=False, lifespan="off", timeout_graceful_shutdown=SHUTDOWN_GRACE_S
    )
    server = _Server(config)
    task = asyncio.create_task(server.serve(sockets=list(socks)), name="web")
    try:
        while not server.started:
            if task.done():
                task.result()
                raise ListenProblem(f"the web server on {host}:{port} did not start")
            await asyncio.sleep(0.01)
        log.info("serving HTTP on %s", ", ".join("{}:{}".format(*sock.getsockname()[:2]) for sock in socks))
        yield port
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await task
        for sock in socks:
            sock.close()
