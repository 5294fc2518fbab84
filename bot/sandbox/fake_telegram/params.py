"""Reading a Bot API request: the query string and a JSON, urlencoded or multipart body turned back into
typed parameters and uploaded files, and the reply markup checked the way Telegram checks it."""

from __future__ import annotations

import itertools
import json
from typing import Any

from aiohttp import web

from bot.sandbox.fake_telegram.records import (
    MAX_CALLBACK_DATA_BYTES,
    TEXT_BUTTONS_UNALLOWED,
    ApiError,
    Files,
    Params,
    UploadedFile,
)

_JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "allowed_updates",
        "commands",
        "scope",
        "menu_button",
        "link_preview_options",
        "reply_parameters",
        "media",
    }
)
_NUMBER_PARAMS = frozenset(
    {
        "chat_id",
        "message_id",
        "offset",
        "limit",
        "timeout",
        "cache_time",
        "reply_to_message_id",
        "message_thread_id",
        "duration",
        "width",
        "height",
    }
)
_BOOL_PARAMS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "show_alert",
        "drop_pending_updates",
        "disable_web_page_preview",
        "allow_sending_without_reply",
        "disable_content_type_detection",
        "has_spoiler",
        "show_caption_above_media",
        "allow_paid_broadcast",
    }
)


def _coerce_param(name: str, value: Any) -> Any:
    """Turns a form field (always a string) back into the value PTB JSON-encoded."""
    if not isinstance(value, str):
        return value
    if name in _JSON_PARAMS:
        try:
            return json.loads(value)
        except ValueError:
            raise ApiError(400, f"Bad Request: can't parse {name} JSON object") from None
    if name in _NUMBER_PARAMS:
        for number_type in (int, float):
            try:
                return number_type(value)
            except ValueError:
                pass
        return value
    if name in _BOOL_PARAMS:
        return value.strip().lower() in ("true", "1")
    return value


async def read_params(request: web.Request) -> tuple[Params, Files]:
    """Query string plus JSON, urlencoded or multipart body -> (typed params, uploaded files)."""
    raw: dict[str, Any] = dict(request.query)
    files: Files = {}
    if request.body_exists:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise ApiError(400, "Bad Request: can't parse JSON request body") from None
            if not isinstance(body, dict):
                raise ApiError(400, "Bad Request: request body must be a JSON object")
            raw.update(body)
        else:
            form = await request.post()
            for name, value in form.items():
                if isinstance(value, web.FileField):
                    files[name] = UploadedFile(name, value.filename, value.file.read(), value.content_type)
                else:
                    raw[name] = value
    return {name: _coerce_param(name, value) for name, value in raw.items()}, files


def _parse_reply_markup(markup: Any) -> tuple[list[list[dict[str, Any]]] | None, list[list[str]] | None]:
    """-> (inline keyboard rows, reply keyboard labels); validates inline buttons like Telegram."""
    if markup is None:
        return None, None
    if not isinstance(markup, dict):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise ApiError(400, "Bad Request: can't parse inline keyboard JSON object")
        for button in itertools.chain.from_iterable(rows):
            _validate_inline_button(button)
        return [[dict(button) for button in row] for row in rows if row] or None, None
    if "keyboard" in markup:
        rows = markup["keyboard"]
        return None, [[b.get("text", "") if isinstance(b, dict) else str(b) for b in row] for row in rows]
    return None, None  # remove_keyboard / force_reply


def _validate_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not button.get("text"):
        raise ApiError(400, "Bad Request: can't parse inline keyboard button: Text must be non-empty")
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES:
            raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    elif "web_app" in button:
        _check_web_app(button["web_app"], "inline keyboard button")
    elif not any(key in button for key in ("url", "login_url", "switch_inline_query", "pay")):
        raise ApiError(400, TEXT_BUTTONS_UNALLOWED)


def _check_web_app(web_app: Any, where: str) -> None:
    """A `WebAppInfo`: Telegram opens only https addresses as Mini Apps."""
    url = web_app.get("url") if isinstance(web_app, dict) else None
    if not isinstance(url, str) or not url:
        raise ApiError(400, f"Bad Request: can't parse {where} Web App JSON object")
    if not url.startswith("https://"):
        raise ApiError(400, f"Bad Request: {where} Web App URL '{url}' is invalid: Only HTTPS links are allowed")
