"""What the fake server records and answers: the limits and error texts of the real Bot API, the records
the tests read (`ApiCall`, `SentMessage`, `Event`, `UploadedFile`) and `ApiError`, an error answer in Telegram's
JSON shape."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
RATE_WINDOW_S = 1.0
RATE_LIMIT_RETRY_AFTER_S = 1

BLOCKED_DESCRIPTION = "Forbidden: bot was blocked by the user"
NOT_MODIFIED_DESCRIPTION = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
TEXT_BUTTONS_UNALLOWED = (
    "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
)
CONFLICT_DESCRIPTION = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
)
WEBHOOK_CONFLICT_DESCRIPTION = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
)
SECRET_TOKEN_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass
class UploadedFile:
    """A file part of a multipart request."""

    field_name: str
    filename: str | None
    data: bytes
    content_type: str | None

    def __repr__(self) -> str:
        return f"UploadedFile({self.field_name!r}, {self.filename!r}, {len(self.data)} bytes)"


Params = dict[str, Any]  # typed request parameters (JSON fields decoded)
Files = dict[str, UploadedFile]  # uploaded file parts by field name


@dataclass
class ApiCall:
    """One HTTP request to the Bot API, as received."""

    method: str
    params: Params
    chat_id: int | None
    time: float  # time.monotonic() at arrival
    status: int | None = None  # HTTP status answered; 499 if the client went away first
    description: str | None = None  # error description when status != 200


@dataclass
class SentMessage:
    """The current state of a message the bot sent (edits applied)."""

    message_id: int
    chat_id: int
    text: str  # text or caption exactly as the bot sent it (HTML included)
    kind: str = "text"  # "text" | "photo" | "document"
    reply_markup: list[list[dict[str, Any]]] | None = None  # inline keyboard rows
    file_bytes: bytes | None = None
    file_name: str | None = None
    parse_mode: str | None = None
    edited: bool = False
    date: int = 0
    plain_text: str = ""  # text with HTML tags removed and entities decoded, as Telegram shows it
    entities: list[dict[str, Any]] = field(default_factory=list)
    file_id: str | None = None
    mime_type: str | None = None
    reply_keyboard: list[list[str]] | None = None  # labels of a ReplyKeyboardMarkup, if one was sent
    edit_date: int | None = None

    @property
    def buttons(self) -> list[list[str]]:
        """Labels of the inline keyboard, row by row."""
        return [[button.get("text", "") for button in row] for row in self.reply_markup or []]


@dataclass
class Event:
    """One line of the conversation transcript."""

    kind: str  # user_text, user_press, user_sticker, user_photo, user_voice, user_edit,
    # bot_message, bot_edit, bot_photo, bot_document, bot_delete, bot_callback_answer
    chat_id: int
    user: str | None = None  # first name of the user for user events
    text: str = ""
    buttons: list[list[str]] = field(default_factory=list)
    time: float = field(default_factory=time.monotonic)
    sender: str = ""  # display name of whoever acted (user first name or bot first name)
    message_id: int | None = None
    file_name: str | None = None
    parse_mode: str | None = None
    alert: bool = False  # bot_callback_answer shown as an alert instead of a toast


class ApiError(Exception):
    """An error answer in Telegram's JSON shape."""

    def __init__(self, status: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def default_error_description(status: int, retry_after: int | None = None) -> str:
    if status == HTTPStatus.FORBIDDEN:
        return BLOCKED_DESCRIPTION
    if status == HTTPStatus.TOO_MANY_REQUESTS:
        return f"Too Many Requests: retry after {retry_after}"
    if status >= 500:
        return "Internal Server Error"
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"Error {status}"
