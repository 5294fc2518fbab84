"""A fake Telegram Bot API server for offline end-to-end tests, demos and benchmarks.

`FakeTelegram` listens on 127.0.0.1 and answers the subset of the Bot API HTTP protocol that the bot
uses, in the exact JSON shapes of api.telegram.org, so that an unmodified python-telegram-bot
`Application` runs against it::

    server = FakeTelegram()
    await server.start()
    app = (
        ApplicationBuilder()
        .token("123:TEST")
        .base_url(server.base_url)
        .base_file_url(server.base_file_url)
        .build()
    )
    ...  # app.initialize(), app.start(), app.updater.start_polling(poll_interval=0, timeout=1)
    sanne = server.user(1001, "Sanne")
    replies = await sanne.send("/start")
    await sanne.press("Ja")
    print(format_transcript(server.events))

How python-telegram-bot 22 talks to the server (see `telegram/request/_httpxrequest.py` and
`_requestdata.py`): every call is a POST to ``{base_url}{token}/{method}``. Without files the body is
``application/x-www-form-urlencoded``; string values are sent verbatim and every other value
(ints, bools, dicts, lists) is JSON-encoded, so ``chat_id=42``, ``disable_notification=true`` and
``reply_markup={"inline_keyboard": ...}`` all arrive as strings. With files the body is
``multipart/form-data``: the same fields as form fields plus one file part named after the
parameter (``photo``/``document``) or ``attached<hex>`` referenced as ``attach://<name>``.
JSON bodies are accepted too.

Error answers use Telegram's JSON shape and wording ("Bad Request: message is not modified: ...").
Note that PTB strips the "Bad Request: " prefix and capitalises the rest, so bot code should test
``"message is not modified" in error.message.lower()``.

Besides the protocol the server offers test controls: simulated users (`SimUser`) that send
messages and press inline buttons and then wait until the bot has answered, error injection
(`fail_next`, `block`, `slow_next`), sliding-window rate limits that answer 429 like the real
server, a log of every API call (`calls`) and a conversation transcript (`events`,
`format_transcript`).

Waiting: an action first waits until the bot fetched the injected update via getUpdates, then
for the bot's first reaction in that chat, then until no API call other than getUpdates/getMe has
arrived for `quiet_s` and none is still being handled. A 429 answer with ``retry_after=N`` counts
as activity N seconds in the future, so a bot that retries after a 429 is waited for as well.
"""

from __future__ import annotations

import asyncio
import html
import inspect
import itertools
import json
import re
import struct
import time
from collections import deque
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from typing import Any

from aiohttp import web

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

# Calls that produce or change a message: rate limited, and refused with 403 for blocked chats.
_SENDING_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "editMessageText",
        "editMessageCaption",
        "editMessageReplyMarkup",
    }
)
_BLOCKABLE_METHODS = _SENDING_METHODS | {"sendChatAction"}
# Calls that need `chat_id` to name a chat with a known user ("chat not found" otherwise).
_CHAT_METHODS = _BLOCKABLE_METHODS | {"deleteMessage"}
# Calls that count as "the bot reacted in this chat" when a SimUser waits for a reply.
_REPLY_METHODS = _SENDING_METHODS | {"deleteMessage"}
# Calls that do not interrupt the quiet window (long polling never stops).
_PASSIVE_METHODS = frozenset({"getUpdates", "getMe"})

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
_DEFAULT_ALLOWED_UPDATES = frozenset(
    {"message", "edited_message", "callback_query", "inline_query", "my_chat_member", "pre_checkout_query"}
)

# ChangeNotifier topics (besides ("update", id), ("chat", id) and ("query", id)).
_POLL_TOPIC = "poll"  # something a waiting getUpdates must look at: new update, newer poll, shutdown
_DELIVERED_TOPIC = "delivered"  # some update was fetched by the bot (or dropped)
_INFLIGHT_TOPIC = "inflight"  # no API call is being handled any more

_COMMAND_RE = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,64})?(?=\s|$)")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# A valid 1x1 transparent PNG: the content served for photos "sent" by simulated users.
_TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


# --------------------------------------------------------------------------------------------------------
# Records exposed to tests
# --------------------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------------------
# Telegram HTML
# --------------------------------------------------------------------------------------------------------


class HtmlParseError(ValueError):
    """Raised for texts Telegram would refuse with "can't parse entities"."""


_HTML_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "code": "code",
    "pre": "pre",
    "a": "text_link",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_SPECIAL_CHAR_RE = re.compile(r"[<&]")
_CHAR_REFERENCE_RE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|lt|gt|amp|quot);")
_START_TAG_RE = re.compile(r"<([^\s>/]*)([^>]*)>")
_END_TAG_RE = re.compile(r"</([^\s>]*)\s*>")
_ATTRIBUTE_RE = re.compile(r"""([A-Za-z_:-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
_ANY_TAG_RE = re.compile(r"<[^>]*>")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram entity offsets."""
    return len(text) if text.isascii() else len(text.encode("utf-16-le")) // 2


@dataclass
class _OpenTag:
    name: str
    start: int  # UTF-16 offset in the plain text
    entity: dict[str, Any] | None


class TelegramHtmlParser:
    """Converts a `parse_mode=HTML` text to plain text plus entities, the way Telegram does.

    Only Telegram's tag set is accepted; unknown or unbalanced tags and a stray ``<`` raise
    `HtmlParseError` with Telegram's wording. Of the character references only ``&lt; &gt; &amp;
    &quot;`` and numeric ones are decoded; any other ``&`` is kept literally, as Telegram does.
    """

    def __init__(self, source: str) -> None:
        self._source = source
        self._pieces: list[str] = []
        self._offset = 0
        self._open: list[_OpenTag] = []
        self._entities: list[dict[str, Any]] = []

    def parse(self) -> tuple[str, list[dict[str, Any]]]:
        source, position = self._source, 0
        while (match := _SPECIAL_CHAR_RE.search(source, position)) is not None:
            self._append(source[position : match.start()])
            position = self._consume_special(match.start())
        self._append(source[position:])
        if self._open:
            raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{self._open[-1].name}"')
        self._entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
        return "".join(self._pieces), self._entities

    def _append(self, text: str) -> None:
        if text:
            self._pieces.append(text)
            self._offset += utf16_len(text)

    def _error(self, problem: str, position: int, detail: str = "") -> HtmlParseError:
        byte_offset = len(self._source[:position].encode())
        return HtmlParseError(f"{problem} at byte offset {byte_offset}{detail}")

    def _consume_special(self, position: int) -> int:
        source = self._source
        if source[position] == "&":
            reference = _CHAR_REFERENCE_RE.match(source, position)
            if reference is None:
                self._append("&")
                return position + 1
            self._append(html.unescape(reference.group()))
            return reference.end()
        if source.startswith("</", position):
            end_tag = _END_TAG_RE.match(source, position)
            if end_tag is None:
                raise self._error("Unclosed end tag", position)
            self._close_tag(end_tag.group(1).lower(), position)
            return end_tag.end()
        start_tag = _START_TAG_RE.match(source, position)
        if start_tag is None:
            raise self._error("Unclosed start tag", position)
        self._open_tag(start_tag.group(1).lower(), start_tag.group(2), position)
        return start_tag.end()

    def _open_tag(self, name: str, attribute_text: str, position: int) -> None:
        if name not in _HTML_ENTITY_TYPES:
            raise self._error(f'Unsupported start tag "{name}"', position)
        attributes = {
            match.group(1).lower(): next((g for g in match.groups()[1:] if g is not None), "")
            for match in _ATTRIBUTE_RE.finditer(attribute_text)
        }
        entity: dict[str, Any] | None = {"type": _HTML_ENTITY_TYPES[name]}
        if name == "span" and attributes.get("class") != "tg-spoiler":
            raise self._error('Unsupported start tag "span"', position)
        if name == "a":
            entity = {"type": "text_link", "url": attributes["href"]} if attributes.get("href") else None
        elif name == "blockquote" and "expandable" in attributes:
            entity = {"type": "expandable_blockquote"}
        elif name == "tg-emoji":
            entity = {"type": "custom_emoji", "custom_emoji_id": attributes.get("emoji-id", "")}
        elif name == "code" and self._open and self._open[-1].name == "pre":
            pre_entity = self._open[-1].entity
            language = attributes.get("class", "")
            if pre_entity is not None and language.startswith("language-"):
                pre_entity["language"] = language.removeprefix("language-")
            entity = None  # <pre><code> is a single pre entity
        self._open.append(_OpenTag(name, self._offset, entity))

    def _close_tag(self, name: str, position: int) -> None:
        if not self._open:
            raise self._error("Unexpected end tag", position)
        tag = self._open.pop()
        if tag.name != name:
            raise self._error("Unmatched end tag", position, f', expected "</{tag.name}>", found "</{name}>"')
        length = self._offset - tag.start
        if tag.entity is not None and length > 0:
            self._entities.append({**tag.entity, "offset": tag.start, "length": length})


def parse_telegram_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Plain text and entities of an HTML-formatted text; raises `HtmlParseError` like Telegram."""
    return TelegramHtmlParser(text).parse()


def strip_html(text: str) -> str:
    """Tags removed and character references decoded; lenient (never raises)."""
    try:
        return parse_telegram_html(text)[0]
    except HtmlParseError:
        return html.unescape(_ANY_TAG_RE.sub("", text))


# --------------------------------------------------------------------------------------------------------
# Server building blocks
# --------------------------------------------------------------------------------------------------------


class ChangeNotifier:
    """Wakes the waiters of a topic when that part of the server state changes.

    Topics keep wake-ups targeted (a user waiting for its chat is not woken by every other chat),
    so thousands of concurrent waiters stay cheap. `notify` is synchronous, for use anywhere.
    """

    def __init__(self) -> None:
        self._events: dict[Hashable, asyncio.Event] = {}

    def reset(self) -> None:
        """Wake and forget all waiters (their events may belong to an event loop that is gone)."""
        for event in self._events.values():
            event.set()
        self._events.clear()

    def notify(self, topic: Hashable) -> None:
        event = self._events.pop(topic, None)
        if event is not None:
            event.set()

    async def wait_until(self, topic: Hashable, predicate: Callable[[], bool], deadline: float) -> bool:
        """Wait until `predicate()` holds, re-checking whenever `topic` is notified; False if
        `deadline` (time.monotonic) passes first."""
        while not predicate():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            event = self._events.get(topic)
            if event is None:
                event = self._events[topic] = asyncio.Event()
            try:
                async with asyncio.timeout(remaining):
                    await event.wait()
            except TimeoutError:
                pass
        return True


class SlidingWindowLimiter:
    """At most `rate` events per `window_s` seconds; O(1) amortised per event."""

    def __init__(self, rate: float, window_s: float = RATE_WINDOW_S) -> None:
        self._rate = rate
        self._window_s = window_s
        self._stamps: deque[float] = deque()

    def allows(self, now: float) -> bool:
        horizon = now - self._window_s
        while self._stamps and self._stamps[0] <= horizon:
            self._stamps.popleft()
        return len(self._stamps) < self._rate

    def record(self, now: float) -> None:
        self._stamps.append(now)


class RateLimits:
    """The global and per-chat send limits of the server."""

    def __init__(self, global_rate_per_s: float | None, per_chat_rate_per_s: float | None) -> None:
        self._global = SlidingWindowLimiter(global_rate_per_s) if global_rate_per_s else None
        self._per_chat_rate = per_chat_rate_per_s
        self._per_chat: dict[int, SlidingWindowLimiter] = {}

    def try_acquire(self, chat_id: int | None, now: float) -> bool:
        limiters = [self._global] if self._global else []
        if self._per_chat_rate and chat_id is not None:
            if chat_id not in self._per_chat:
                self._per_chat[chat_id] = SlidingWindowLimiter(self._per_chat_rate)
            limiters.append(self._per_chat[chat_id])
        if not all(limiter.allows(now) for limiter in limiters):
            return False
        for limiter in limiters:
            limiter.record(now)
        return True


@dataclass
class _FailRule:
    method: str
    error: ApiError
    chat_id: int | None
    remaining: int


@dataclass
class _SlowRule:
    method: str
    delay_s: float
    remaining: int


class FaultInjector:
    """Errors and delays queued by the tests for upcoming calls."""

    def __init__(self) -> None:
        self._failures: list[_FailRule] = []
        self._delays: list[_SlowRule] = []

    def add_failure(self, method: str, error: ApiError, chat_id: int | None, count: int) -> None:
        self._failures.append(_FailRule(method, error, chat_id, count))

    def add_delay(self, method: str, delay_s: float, count: int) -> None:
        self._delays.append(_SlowRule(method, delay_s, count))

    def take_failure(self, method: str, chat_id: int | None) -> ApiError | None:
        for rule in self._failures:
            if rule.method == method and rule.chat_id in (None, chat_id):
                rule.remaining -= 1
                if rule.remaining <= 0:
                    self._failures.remove(rule)
                return rule.error
        return None

    def take_delay(self, method: str) -> float:
        for rule in self._delays:
            if rule.method == method:
                rule.remaining -= 1
                if rule.remaining <= 0:
                    self._delays.remove(rule)
                return rule.delay_s
        return 0.0


class UpdateQueue:
    """Pending updates and the getUpdates bookkeeping (offsets, allowed_updates, delivery).

    `_undelivered` holds updates the bot has not fetched yet; `_unconfirmed` those it fetched but did
    not confirm with a higher offset (a getUpdates call without a new offset returns them again).
    Every update leaves `_undelivered` exactly once, which is when its waiters are woken.
    """

    def __init__(self, notifier: ChangeNotifier) -> None:
        self._notifier = notifier
        self._undelivered: deque[dict[str, Any]] = deque()
        self._unconfirmed: deque[dict[str, Any]] = deque()
        self._ids = itertools.count(10_001)
        self._allowed: frozenset[str] = _DEFAULT_ALLOWED_UPDATES
        self.poll_generation = 0  # a new getUpdates supersedes a running one (409 Conflict)

    def put(self, body: dict[str, Any]) -> int:
        update_id = next(self._ids)
        if _update_type(body) in self._allowed:  # Telegram drops types the bot did not ask for
            self._undelivered.append({"update_id": update_id, **body})
            self._notifier.notify(_POLL_TOPIC)
        return update_id

    @property
    def pending_count(self) -> int:
        return len(self._unconfirmed) + len(self._undelivered)

    def all_delivered(self) -> bool:
        return not self._undelivered

    def is_delivered(self, update_id: int) -> bool:
        return not self._undelivered or update_id < self._undelivered[0]["update_id"]

    def set_allowed(self, allowed_updates: list[str]) -> None:
        self._allowed = frozenset(allowed_updates) or _DEFAULT_ALLOWED_UPDATES
        kept = deque(update for update in self._undelivered if _update_type(update) in self._allowed)
        if len(kept) != len(self._undelivered):
            dropped = [update for update in self._undelivered if _update_type(update) not in self._allowed]
            self._undelivered = kept
            self._announce(dropped)

    def confirm(self, offset: int | None) -> None:
        """Forget confirmed updates: id < offset, or all but the last -offset for negative offsets."""
        if offset is None:
            return
        if offset < 0:
            while self.pending_count > -offset:
                self._pop_oldest()
            return
        while self._unconfirmed and self._unconfirmed[0]["update_id"] < offset:
            self._unconfirmed.popleft()
        while self._undelivered and self._undelivered[0]["update_id"] < offset:
            self._announce([self._undelivered.popleft()])

    def drop_all(self) -> None:
        self._unconfirmed.clear()
        dropped, self._undelivered = list(self._undelivered), deque()
        self._announce(dropped)

    def has_deliverable(self) -> bool:
        return bool(self._unconfirmed or self._undelivered)

    def take(self, limit: int) -> list[dict[str, Any]]:
        """Up to `limit` updates, oldest first; they stay pending until confirmed by a later offset."""
        batch = list(itertools.islice(self._unconfirmed, limit))
        fresh = [self._undelivered.popleft() for _ in range(min(limit - len(batch), len(self._undelivered)))]
        self._unconfirmed.extend(fresh)
        self._announce(fresh)
        return batch + fresh

    def _pop_oldest(self) -> None:
        if self._unconfirmed:
            self._unconfirmed.popleft()
        else:
            self._announce([self._undelivered.popleft()])

    def _announce(self, delivered: list[dict[str, Any]]) -> None:
        for update in delivered:
            self._notifier.notify(("update", update["update_id"]))
        if delivered:
            self._notifier.notify(_DELIVERED_TOPIC)


def _update_type(update: dict[str, Any]) -> str:
    return next(key for key in update if key != "update_id")


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes
    file_name: str | None
    mime_type: str | None


class FileStore:
    """Files known to the server, addressable by file_id (getFile and downloads)."""

    def __init__(self) -> None:
        self._files: dict[str, StoredFile] = {}
        self._ids = itertools.count(1)

    def add(self, kind: str, data: bytes, file_name: str | None, mime_type: str | None) -> StoredFile:
        number = next(self._ids)
        stored = StoredFile(f"fake-{kind}-{number:06d}", f"uq{number:06d}", data, file_name, mime_type)
        self._files[stored.file_id] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        return self._files.get(file_id)


@dataclass
class _CallbackQuery:
    chat_id: int
    answer_calls: int = 0  # how many answerCallbackQuery calls arrived for it
    answered: bool = False  # successfully

    def was_answered(self) -> bool:
        return self.answer_calls > 0


class ChatState:
    """One private chat: the user, both sides' messages and the shared message_id counter."""

    def __init__(self, user: SimUser) -> None:
        self.user = user
        self.messages: dict[int, SentMessage] = {}  # the bot's messages, in message_id order
        self.user_messages: dict[int, dict[str, Any]] = {}  # the user's messages as update JSON
        self.changes: list[int] = []  # ids of bot messages in the order they were sent or edited
        self.reply_calls = 0  # API calls by the bot that concern this chat
        self._message_ids = itertools.count(1)

    def next_message_id(self) -> int:
        return next(self._message_ids)

    def add(self, message: SentMessage) -> None:
        self.messages[message.message_id] = message
        self.changes.append(message.message_id)

    def changed_since(self, mark: int) -> list[SentMessage]:
        ids = dict.fromkeys(self.changes[mark:])
        return [replace(self.messages[i]) for i in ids if i in self.messages]

    def latest_with_keyboard(self) -> SentMessage | None:
        return next((m for m in reversed(self.messages.values()) if m.reply_markup), None)


# --------------------------------------------------------------------------------------------------------
# Request parsing helpers
# --------------------------------------------------------------------------------------------------------


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
    elif not any(key in button for key in ("url", "web_app", "login_url", "switch_inline_query", "pay")):
        raise ApiError(400, TEXT_BUTTONS_UNALLOWED)


def _image_size(data: bytes | None) -> tuple[int, int]:
    if data and data.startswith(_PNG_SIGNATURE) and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    return 512, 512


def _text_content(text: str) -> dict[str, Any]:
    """The text part of a user's message; "/cmd ..." gets a bot_command entity like in Telegram."""
    content: dict[str, Any] = {"text": text}
    if match := _COMMAND_RE.match(text):
        content["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group())}]
    return content


def _now_unix() -> int:
    return int(time.time())


# --------------------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------------------


class FakeTelegram:
    """A fake api.telegram.org for one bot. See the module docstring."""

    def __init__(
        self,
        *,
        bot_username: str = "SpoorzoekerBot",
        bot_id: int = 999000,
        bot_first_name: str = "Spoorzoeker",
        global_rate_per_s: float | None = None,
        per_chat_rate_per_s: float | None = None,
        quiet_s: float = 0.15,
        reply_timeout_s: float = 10.0,
    ) -> None:
        self.bot_username = bot_username
        self.bot_id = bot_id
        self.bot_first_name = bot_first_name
        self.quiet_s = quiet_s
        # Set by an in-process bot: returns True when it has no update queued or being handled. When set,
        # waiting for the bot uses it instead of a window of silence.
        self.idle_probe: Callable[[], bool] | None = None
        self._hold_after: int | None = None
        self._hold_passed = 0
        self._hold_released = asyncio.Event()
        self.held = 0  # sends waiting at the hold right now
        self.reply_timeout_s = reply_timeout_s
        self.calls: list[ApiCall] = []
        self.events: list[Event] = []
        self.http_429 = 0
        self.bot_commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._limits = RateLimits(global_rate_per_s, per_chat_rate_per_s)
        self._faults = FaultInjector()
        self._notifier = ChangeNotifier()
        self._updates = UpdateQueue(self._notifier)
        self._files = FileStore()
        self._chats: dict[int, ChatState] = {}
        self._blocked: set[int] = set()
        self._queries: dict[str, _CallbackQuery] = {}
        self._query_ids = itertools.count(1)
        self._last_activity = 0.0  # time.monotonic() of the latest non-passive API activity
        self._inflight = 0  # non-passive requests being handled right now
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._handlers: dict[str, Callable[..., Any]] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setChatMenuButton": self._accept,
            "setMyDescription": self._accept,
            "setMyShortDescription": self._accept,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "answerCallbackQuery": self._answer_callback_query,
            "sendChatAction": self._send_chat_action,
            "deleteMessage": self._delete_message,
            "getFile": self._get_file,
            "close": self._accept,
            "logOut": self._accept,
        }
        self._method_names = {name.lower(): name for name in self._handlers}

    # ---- lifecycle --------------------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on 127.0.0.1 on a free port."""
        if self._runner is not None:
            return
        self._notifier.reset()
        self._closing = False
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{path:.*}", self._handle_http)
        runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=0.5, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runner = runner
        self._port = runner.addresses[0][1]

    async def stop(self) -> None:
        """Stop listening; pending long polls return at once."""
        if self._runner is None:
            return
        self._closing = True
        self._notifier.notify(_POLL_TOPIC)
        runner, self._runner = self._runner, None
        await runner.cleanup()

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"{self._origin}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self._origin}/file/bot"

    @property
    def _origin(self) -> str:
        if self._port is None:
            raise RuntimeError("FakeTelegram is not started")
        return f"http://127.0.0.1:{self._port}"

    # ---- test controls ----------------------------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "nl",
    ) -> SimUser:
        """The simulated user with this id (created on first use, profile updated afterwards)."""
        chat = self._chats.get(user_id)
        if chat is None:
            sim_user = SimUser(self, user_id, first_name, last_name, username, language_code)
            self._chats[user_id] = ChatState(sim_user)
            return sim_user
        chat.user.first_name, chat.user.last_name = first_name, last_name
        chat.user.username, chat.user.language_code = username, language_code
        return chat.user

    def messages(self, chat_id: int) -> list[SentMessage]:
        """Current state of the bot's messages in that chat, oldest first."""
        chat = self._chats.get(chat_id)
        return [replace(message) for message in chat.messages.values()] if chat else []

    def calls_of(self, method: str) -> list[ApiCall]:
        return [call for call in self.calls if call.method == method]

    def fail_next(
        self,
        method: str,
        status: int,
        *,
        chat_id: int | None = None,
        count: int = 1,
        retry_after: int | None = None,
        description: str | None = None,
    ) -> None:
        """The next `count` calls of `method` (for `chat_id` only, if given) answer this error."""
        is_429 = status == HTTPStatus.TOO_MANY_REQUESTS
        retry_after = (retry_after or RATE_LIMIT_RETRY_AFTER_S) if is_429 else None
        description = description or default_error_description(status, retry_after)
        error = ApiError(status, description, retry_after=retry_after)
        self._faults.add_failure(method, error, chat_id, count)

    def block(self, chat_id: int) -> None:
        """From now on the user has blocked the bot: sends and edits in the chat answer 403."""
        self._blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        self._blocked.discard(chat_id)

    def slow_next(self, method: str, delay_s: float, *, count: int = 1) -> None:
        """The next `count` calls of `method` are handled only after `delay_s` seconds."""
        self._faults.add_delay(method, delay_s, count)

    def inject(self, update: dict[str, Any]) -> int:
        """Queue a raw update body (without update_id) for getUpdates; returns its update_id."""
        return self._updates.put(update)

    async def wait_idle(self, quiet_s: float | None = None, timeout_s: float | None = None) -> None:
        """Wait until every injected update was fetched and no API call (other than getUpdates/getMe)
        happened for `quiet_s` (default: self.quiet_s). Raises AssertionError after `timeout_s`
        (default: self.reply_timeout_s)."""
        deadline = time.monotonic() + (self.reply_timeout_s if timeout_s is None else timeout_s)
        if not await self._notifier.wait_until(_DELIVERED_TOPIC, self._updates.all_delivered, deadline):
            raise AssertionError(
                f"the bot did not fetch {self._updates.pending_count} pending update(s) in time "
                "(is the updater polling?)"
            )
        await self._wait_quiet(self.quiet_s if quiet_s is None else quiet_s, deadline)

    # ---- HTTP layer -------------------------------------------------------------------------------------

    async def _handle_http(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["path"]
        if path.startswith("file/bot"):
            return self._serve_file(path)
        token, _, method = path.removeprefix("bot").partition("/")
        if not path.startswith("bot") or not token or not method:
            return web.json_response(ApiError(404, "Not Found").to_json(), status=404)
        return await self._handle_api_call(request, self._method_names.get(method.lower(), method))

    def _serve_file(self, path: str) -> web.Response:
        stored = self._files.get(path.rpartition("/")[2])
        if stored is None:
            return web.json_response(ApiError(404, "Not Found").to_json(), status=404)
        return web.Response(body=stored.data, content_type=stored.mime_type or "application/octet-stream")

    async def _handle_api_call(self, request: web.Request, method: str) -> web.Response:
        params: Params = {}
        files: Files = {}
        parse_error: ApiError | None = None
        try:
            params, files = await read_params(request)
        except ApiError as error:
            parse_error = error
        call = ApiCall(method, {**params, **files}, self._chat_id_of(method, params), time.monotonic())
        self.calls.append(call)
        passive = method in _PASSIVE_METHODS
        if not passive:
            self._inflight += 1
            self._touch()
        self._note_reply(call, params)
        try:
            if parse_error is not None:
                raise parse_error
            await self._maybe_hold(call, request)
            result = await self._execute(call, params, files)
            status, body = 200, {"ok": True, "result": result}
        except ApiError as error:
            status, body = error.status, error.to_json()
            call.description = error.description
            if error.retry_after:
                self._touch(time.monotonic() + error.retry_after)  # a retry is expected then
        except asyncio.CancelledError:
            call.status = 499
            raise
        finally:
            if not passive:
                self._inflight -= 1
                self._touch()
                if self._inflight == 0:
                    self._notifier.notify(_INFLIGHT_TOPIC)
        call.status = status
        return web.json_response(body, status=status)

    def _chat_id_of(self, method: str, params: Params) -> int | None:
        chat_id = params.get("chat_id")
        if isinstance(chat_id, int):
            return chat_id
        if method == "answerCallbackQuery":
            query = self._queries.get(str(params.get("callback_query_id")))
            return query.chat_id if query else None
        return None

    def _note_reply(self, call: ApiCall, params: Params) -> None:
        if call.method in _REPLY_METHODS and call.chat_id in self._chats:
            self._chats[call.chat_id].reply_calls += 1
            self._notifier.notify(("chat", call.chat_id))
        elif call.method == "answerCallbackQuery":
            query_id = str(params.get("callback_query_id"))
            if query_id in self._queries:
                self._queries[query_id].answer_calls += 1
                self._notifier.notify(("query", query_id))

    async def _maybe_hold(self, call: ApiCall, request: web.Request) -> None:
        """With `hold_sends_after(n)`: sends after the n-th wait here, before anything is delivered. A request
        whose client went away meanwhile (a killed bot) is dropped: it never reached "Telegram"."""
        if self._hold_after is None or call.method not in _SENDING_METHODS:
            return
        if self._hold_passed < self._hold_after:
            self._hold_passed += 1
            return
        self.held += 1
        await self._hold_released.wait()
        self.held -= 1
        if request.transport is None or request.transport.is_closing():
            raise asyncio.CancelledError

    def hold_sends_after(self, count: int) -> None:
        """Let `count` more sends through, then hold every further send until `release()`."""
        self._hold_after, self._hold_passed = count, 0
        self._hold_released.clear()

    def release(self) -> None:
        """Let held sends go on (those whose client is gone are dropped) and stop holding."""
        self._hold_after = None
        self._hold_released.set()

    async def _execute(self, call: ApiCall, params: Params, files: Files) -> Any:
        delay = self._faults.take_delay(call.method)
        if delay:
            await asyncio.sleep(delay)
        failure = self._faults.take_failure(call.method, call.chat_id)
        if failure is not None:
            raise failure
        handler = self._handlers.get(call.method)
        if handler is None:
            raise ApiError(404, "Not Found: method not found")
        if call.method in _CHAT_METHODS:
            self._chat_from_params(params)  # 400 "chat not found" for unknown chats
            if call.method in _BLOCKABLE_METHODS and call.chat_id in self._blocked:
                raise ApiError(403, BLOCKED_DESCRIPTION)
        if call.method in _SENDING_METHODS and not self._limits.try_acquire(call.chat_id, time.monotonic()):
            self.http_429 += 1
            raise ApiError(
                429,
                default_error_description(429, RATE_LIMIT_RETRY_AFTER_S),
                retry_after=RATE_LIMIT_RETRY_AFTER_S,
            )
        result = handler(params, files)
        return await result if inspect.isawaitable(result) else result

    # ---- state helpers ----------------------------------------------------------------------------------

    def _touch(self, at: float | None = None) -> None:
        self._last_activity = max(self._last_activity, time.monotonic() if at is None else at)

    def _chat(self, chat_id: int) -> ChatState:
        chat = self._chats.get(chat_id)
        if chat is None:
            raise KeyError(f"no simulated user with id {chat_id}; create one with FakeTelegram.user()")
        return chat

    def _chat_from_params(self, params: Params) -> ChatState:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        chat = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        return chat

    def _bot_user_json(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def _message_json(self, message: SentMessage) -> dict[str, Any]:
        chat = self._chats[message.chat_id]
        data: dict[str, Any] = {
            "message_id": message.message_id,
            "from": self._bot_user_json(),
            "chat": chat.user.api_chat(),
            "date": message.date,
        }
        if message.edit_date is not None:
            data["edit_date"] = message.edit_date
        if message.kind == "text":
            data["text"] = message.plain_text
            if message.entities:
                data["entities"] = message.entities
        else:
            data.update(self._media_json(message))
            if message.plain_text:
                data["caption"] = message.plain_text
            if message.entities:
                data["caption_entities"] = message.entities
        if message.reply_markup:
            data["reply_markup"] = {"inline_keyboard": message.reply_markup}
        return data

    def _media_json(self, message: SentMessage) -> dict[str, Any]:
        stored = self._files.get(message.file_id or "")
        file_id = message.file_id or ""
        unique_id = stored.file_unique_id if stored else file_id
        size = len(message.file_bytes or b"")
        if message.kind == "photo":
            width, height = _image_size(message.file_bytes)
            return {"photo": _photo_sizes(file_id, unique_id, width, height, size)}
        document = {"file_id": file_id, "file_unique_id": unique_id, "file_size": size}
        if message.file_name:
            document["file_name"] = message.file_name
        if message.mime_type:
            document["mime_type"] = message.mime_type
        return {"document": document}

    def _record_bot_event(self, kind: str, message: SentMessage) -> None:
        self.events.append(
            Event(
                kind,
                message.chat_id,
                text=message.text,
                buttons=message.buttons,
                sender=self.bot_first_name,
                message_id=message.message_id,
                file_name=message.file_name,
                parse_mode=message.parse_mode,
            )
        )

    @staticmethod
    def _formatted(text: str, parse_mode: Any, entities: Any) -> tuple[str, list[dict[str, Any]]]:
        if isinstance(parse_mode, str) and parse_mode.upper() == "HTML":
            try:
                return parse_telegram_html(text)
            except HtmlParseError as error:
                raise ApiError(400, f"Bad Request: can't parse entities: {error}") from None
        return text, list(entities) if isinstance(entities, list) else []

    def _editable_message(self, params: Params) -> tuple[ChatState, SentMessage]:
        if params.get("inline_message_id"):
            raise ApiError(400, "Bad Request: inline messages are not supported by FakeTelegram")
        chat = self._chat_from_params(params)
        message_id = params.get("message_id")
        if not isinstance(message_id, int):
            raise ApiError(400, "Bad Request: message identifier is not specified")
        message = chat.messages.get(message_id)
        if message is None:
            if message_id in chat.user_messages:
                raise ApiError(400, "Bad Request: message can't be edited")
            raise ApiError(400, "Bad Request: message to edit not found")
        return chat, message

    def _apply_edit(self, chat: ChatState, message: SentMessage, **changes: Any) -> dict[str, Any]:
        for name, value in changes.items():
            setattr(message, name, value)
        message.edited = True
        message.edit_date = _now_unix()
        chat.changes.append(message.message_id)
        self._record_bot_event("bot_edit", message)
        return self._message_json(message)

    # ---- Bot API methods --------------------------------------------------------------------------------

    def _accept(self, params: Params, files: Files) -> bool:
        return True

    def _get_me(self, params: Params, files: Files) -> dict[str, Any]:
        return {
            **self._bot_user_json(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: Params, files: Files) -> list[dict[str, Any]]:
        queue = self._updates
        if isinstance(params.get("allowed_updates"), list):
            queue.set_allowed(params["allowed_updates"])
        offset = params.get("offset")
        queue.confirm(int(offset) if isinstance(offset, int | float) else None)
        limit = params.get("limit", 100)
        limit = min(max(int(limit), 1), 100) if isinstance(limit, int | float) else 100
        timeout = params.get("timeout", 0)
        timeout = max(float(timeout), 0.0) if isinstance(timeout, int | float) else 0.0
        queue.poll_generation += 1
        generation = queue.poll_generation
        self._notifier.notify(_POLL_TOPIC)  # wakes (and thereby supersedes) an older poll
        await self._notifier.wait_until(
            _POLL_TOPIC,
            lambda: self._closing or queue.poll_generation != generation or queue.has_deliverable(),
            time.monotonic() + timeout,
        )
        if queue.poll_generation != generation:
            raise ApiError(409, CONFLICT_DESCRIPTION)
        batch = queue.take(limit)
        if batch:
            self._touch()  # the bot is about to process them: restart the quiet window
        return batch

    def _delete_webhook(self, params: Params, files: Files) -> bool:
        if params.get("drop_pending_updates"):
            self._updates.drop_all()
        return True

    def _get_webhook_info(self, params: Params, files: Files) -> dict[str, Any]:
        return {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": self._updates.pending_count,
        }

    @staticmethod
    def _commands_key(params: Params) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    def _set_my_commands(self, params: Params, files: Files) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        self.bot_commands[self._commands_key(params)] = commands
        return True

    def _get_my_commands(self, params: Params, files: Files) -> list[dict[str, Any]]:
        return self.bot_commands.get(self._commands_key(params), [])

    def _delete_my_commands(self, params: Params, files: Files) -> bool:
        self.bot_commands.pop(self._commands_key(params), None)
        return True

    def _send_message(self, params: Params, files: Files) -> dict[str, Any]:
        chat = self._chat_from_params(params)
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        parse_mode = params.get("parse_mode")
        plain, entities = self._formatted(text, parse_mode, params.get("entities"))
        if not plain.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(plain) > MAX_TEXT_LENGTH:
            raise ApiError(400, "Bad Request: message is too long")
        rows, reply_keyboard = _parse_reply_markup(params.get("reply_markup"))
        message = SentMessage(
            message_id=chat.next_message_id(),
            chat_id=chat.user.chat_id,
            text=text,
            reply_markup=rows,
            parse_mode=parse_mode,
            date=_now_unix(),
            plain_text=plain,
            entities=entities,
            reply_keyboard=reply_keyboard,
        )
        chat.add(message)
        self._record_bot_event("bot_message", message)
        return self._message_json(message)

    def _send_photo(self, params: Params, files: Files) -> dict[str, Any]:
        return self._send_media("photo", params, files)

    def _send_document(self, params: Params, files: Files) -> dict[str, Any]:
        return self._send_media("document", params, files)

    def _send_media(self, kind: str, params: Params, files: Files) -> dict[str, Any]:
        chat = self._chat_from_params(params)
        stored = self._media_file(kind, params.get(kind), files)
        caption = params.get("caption") or ""
        parse_mode = params.get("parse_mode")
        plain, entities = self._formatted(caption, parse_mode, params.get("caption_entities"))
        if len(plain) > MAX_CAPTION_LENGTH:
            raise ApiError(400, "Bad Request: message caption is too long")
        rows, reply_keyboard = _parse_reply_markup(params.get("reply_markup"))
        message = SentMessage(
            message_id=chat.next_message_id(),
            chat_id=chat.user.chat_id,
            text=caption,
            kind=kind,
            reply_markup=rows,
            file_bytes=stored.data,
            file_name=stored.file_name,
            parse_mode=parse_mode,
            date=_now_unix(),
            plain_text=plain,
            entities=entities,
            file_id=stored.file_id,
            mime_type=stored.mime_type,
            reply_keyboard=reply_keyboard,
        )
        chat.add(message)
        self._record_bot_event(f"bot_{kind}", message)
        return self._message_json(message)

    def _media_file(self, kind: str, value: Any, files: Files) -> StoredFile:
        """The file of a send call: a direct upload, an attach:// upload, a known file_id or a URL."""
        upload = files.get(kind)
        if upload is None and isinstance(value, str) and value.startswith("attach://"):
            upload = files.get(value.removeprefix("attach://"))
        if upload is not None:
            if not upload.data:
                raise ApiError(400, "Bad Request: file must be non-empty")
            return self._files.add(kind, upload.data, upload.filename, upload.content_type)
        if not isinstance(value, str) or not value:
            raise ApiError(400, f"Bad Request: there is no {kind} in the request")
        known = self._files.get(value)
        if known is not None:
            return known
        if value.startswith(("http://", "https://")):
            return self._files.add(kind, b"", value.rpartition("/")[2] or None, None)
        raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    def _edit_message_text(self, params: Params, files: Files) -> dict[str, Any]:
        chat, message = self._editable_message(params)
        if message.kind != "text":
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        parse_mode = params.get("parse_mode")
        plain, entities = self._formatted(text, parse_mode, params.get("entities"))
        if len(plain) > MAX_TEXT_LENGTH:
            raise ApiError(400, "Bad Request: message is too long")
        rows, _ = _parse_reply_markup(params.get("reply_markup"))  # no markup removes the keyboard
        if (plain, entities, rows) == (message.plain_text, message.entities, message.reply_markup):
            raise ApiError(400, NOT_MODIFIED_DESCRIPTION)
        return self._apply_edit(
            chat,
            message,
            text=text,
            plain_text=plain,
            entities=entities,
            parse_mode=parse_mode,
            reply_markup=rows,
        )

    def _edit_message_caption(self, params: Params, files: Files) -> dict[str, Any]:
        chat, message = self._editable_message(params)
        if message.kind == "text":
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        caption = params.get("caption") or ""
        parse_mode = params.get("parse_mode")
        plain, entities = self._formatted(caption, parse_mode, params.get("caption_entities"))
        if len(plain) > MAX_CAPTION_LENGTH:
            raise ApiError(400, "Bad Request: message caption is too long")
        rows, _ = _parse_reply_markup(params.get("reply_markup"))
        if (plain, entities, rows) == (message.plain_text, message.entities, message.reply_markup):
            raise ApiError(400, NOT_MODIFIED_DESCRIPTION)
        return self._apply_edit(
            chat,
            message,
            text=caption,
            plain_text=plain,
            entities=entities,
            parse_mode=parse_mode,
            reply_markup=rows,
        )

    def _edit_message_reply_markup(self, params: Params, files: Files) -> dict[str, Any]:
        chat, message = self._editable_message(params)
        rows, _ = _parse_reply_markup(params.get("reply_markup"))
        if rows == message.reply_markup:
            raise ApiError(400, NOT_MODIFIED_DESCRIPTION)
        return self._apply_edit(chat, message, reply_markup=rows)

    def _answer_callback_query(self, params: Params, files: Files) -> bool:
        query = self._queries.get(str(params.get("callback_query_id")))
        if query is None or query.answered:
            raise ApiError(400, QUERY_TOO_OLD)
        query.answered = True
        self.events.append(
            Event(
                "bot_callback_answer",
                query.chat_id,
                text=str(params.get("text") or ""),
                sender=self.bot_first_name,
                alert=bool(params.get("show_alert")),
            )
        )
        return True

    def _send_chat_action(self, params: Params, files: Files) -> bool:
        if not params.get("action"):
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    def _delete_message(self, params: Params, files: Files) -> bool:
        chat = self._chat_from_params(params)
        message_id = params.get("message_id")
        if message_id in chat.messages:
            message = chat.messages.pop(message_id)
            self._record_bot_event("bot_delete", message)
            return True
        if message_id in chat.user_messages:
            del chat.user_messages[message_id]
            return True
        raise ApiError(400, "Bad Request: message to delete not found")

    def _get_file(self, params: Params, files: Files) -> dict[str, Any]:
        stored = self._files.get(str(params.get("file_id")))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": f"files/{stored.file_id}",
        }

    # ---- simulated user actions (used by SimUser) -------------------------------------------------------

    def _new_user_message(self, user: SimUser, content: dict[str, Any], event: Event) -> dict[str, Any]:
        chat = self._chat(user.chat_id)
        message = {
            "message_id": chat.next_message_id(),
            "from": user.api_user(),
            "chat": user.api_chat(),
            "date": _now_unix(),
            **content,
        }
        chat.user_messages[message["message_id"]] = message
        event.message_id = message["message_id"]
        return message

    async def _user_message(
        self, user: SimUser, content: dict[str, Any], event: Event, *, what: str, expect_reply: bool
    ) -> list[SentMessage]:
        message = self._new_user_message(user, content, event)
        return await self._exchange(
            self._chat(user.chat_id), {"message": message}, event, what=what, expect_reply=expect_reply
        )

    async def _user_edit(
        self, user: SimUser, message_id: int, new_text: str, *, expect_reply: bool
    ) -> list[SentMessage]:
        chat = self._chat(user.chat_id)
        original = chat.user_messages.get(message_id)
        if original is None or "text" not in original:
            raise AssertionError(f"{user.first_name} has no text message {message_id} to edit")
        edited = {key: value for key, value in original.items() if key != "entities"}
        edited.update(_text_content(new_text), edit_date=_now_unix())
        chat.user_messages[message_id] = edited
        event = user._event("user_edit", new_text, message_id)
        return await self._exchange(
            chat,
            {"edited_message": edited},
            event,
            what=f"edit of message {message_id}",
            expect_reply=expect_reply,
        )

    async def _press(self, user: SimUser, target: SentMessage, data: str, label: str) -> list[SentMessage]:
        chat = self._chat(user.chat_id)
        query_id = f"{user.id}{next(self._query_ids):08d}"
        self._queries[query_id] = _CallbackQuery(chat.user.chat_id)
        query = {
            "id": query_id,
            "from": user.api_user(),
            "chat_instance": f"{user.chat_id * 7919 % 10**12}",
            "data": data,
            "message": self._message_json(target),
        }
        event = user._event("user_press", label, target.message_id)
        what = f"button {label!r} (callback_data={data!r})"
        return await self._exchange(
            chat, {"callback_query": query}, event, what=what, query_id=query_id, pressed=target
        )

    async def _exchange(
        self,
        chat: ChatState,
        update: dict[str, Any],
        event: Event,
        *,
        what: str,
        expect_reply: bool = True,
        query_id: str | None = None,
        pressed: SentMessage | None = None,
    ) -> list[SentMessage]:
        """Inject an update, wait for the bot to fetch and answer it, then for quiet; return changes."""
        mark, replies_before = len(chat.changes), chat.reply_calls
        self.events.append(event)
        update_id = self.inject(update)
        deadline = time.monotonic() + self.reply_timeout_s
        fetched = await self._notifier.wait_until(
            ("update", update_id), lambda: self._updates.is_delivered(update_id), deadline
        )
        if not fetched:
            raise AssertionError(f"bot did not reply to {what}: it never fetched the update (is it polling?)")
        if query_id is not None:
            query = self._queries[query_id]
            if not await self._notifier.wait_until(("query", query_id), query.was_answered, deadline):
                visible = pressed.buttons if pressed else []
                raise AssertionError(
                    f"bot did not answer the callback query for {what} within {self.reply_timeout_s}s "
                    f"(answerCallbackQuery was never called); visible buttons: {visible}"
                )
        elif expect_reply and not await self._notifier.wait_until(
            ("chat", chat.user.chat_id), lambda: chat.reply_calls > replies_before, deadline
        ):
            raise AssertionError(f"bot did not reply to {what} within {self.reply_timeout_s}s")
        await self._wait_quiet(self.quiet_s, time.monotonic() + self.reply_timeout_s)
        return chat.changed_since(mark)

    async def _wait_quiet(self, quiet_s: float, deadline: float) -> None:
        if self.idle_probe is not None:
            # The bot runs in this process and can say exactly when it is done: no guessing by silence.
            while not (self._inflight == 0 and self.idle_probe()):
                if time.monotonic() >= deadline:
                    raise AssertionError("the bot was still busy at the timeout")
                await asyncio.sleep(0.002)
            return
        while True:
            if not await self._notifier.wait_until(_INFLIGHT_TOPIC, lambda: self._inflight == 0, deadline):
                raise AssertionError(f"{self._inflight} API call(s) still running after the timeout")
            silence = time.monotonic() - self._last_activity
            if silence >= quiet_s:
                return
            if time.monotonic() >= deadline:
                raise AssertionError(f"the bot kept calling the API: no {quiet_s}s of quiet in time")
            await asyncio.sleep(max(0.01, min(quiet_s - silence, deadline - time.monotonic())))


def _photo_sizes(file_id: str, unique_id: str, width: int, height: int, size: int) -> list[dict[str, Any]]:
    scale = min(1.0, 90 / max(width, height, 1))
    thumb = {
        "file_id": file_id,
        "file_unique_id": f"{unique_id}t",
        "width": max(1, round(width * scale)),
        "height": max(1, round(height * scale)),
        "file_size": size,
    }
    full = {
        "file_id": file_id,
        "file_unique_id": unique_id,
        "width": width,
        "height": height,
        "file_size": size,
    }
    return [thumb, full]


# --------------------------------------------------------------------------------------------------------
# Simulated users
# --------------------------------------------------------------------------------------------------------


class SimUser:
    """A simulated Telegram user in a private chat with the bot (chat_id == user_id).

    The action methods inject an update, wait until the bot fetched it and replied (a send, edit or
    delete in this chat; for presses an answerCallbackQuery), then until the API has been quiet for
    `FakeTelegram.quiet_s`, and return the bot's messages to this chat that were sent or edited
    meanwhile (snapshots, in order of first change). Pass ``expect_reply=False`` when the bot is
    supposed to stay silent.
    """

    def __init__(
        self,
        server: FakeTelegram,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "nl",
    ) -> None:
        self._server = server
        self.id = user_id
        self.chat_id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code

    def __repr__(self) -> str:
        return f"SimUser({self.id}, {self.first_name!r})"

    # ---- API JSON ---------------------------------------------------------------------------------------

    def api_user(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        optional = {
            "last_name": self.last_name,
            "username": self.username,
            "language_code": self.language_code,
        }
        data.update({key: value for key, value in optional.items() if value is not None})
        return data

    def api_chat(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.chat_id, "type": "private", "first_name": self.first_name}
        optional = {"last_name": self.last_name, "username": self.username}
        data.update({key: value for key, value in optional.items() if value is not None})
        return data

    # ---- what the user sees -----------------------------------------------------------------------------

    @property
    def inbox(self) -> list[SentMessage]:
        """All messages the bot sent to this chat (current state, oldest first)."""
        return self._server.messages(self.chat_id)

    @property
    def last(self) -> SentMessage | None:
        """The bot's most recent message in this chat."""
        inbox = self.inbox
        return inbox[-1] if inbox else None

    def buttons(self, message: SentMessage | None = None) -> list[str]:
        """Labels of the inline keyboard of `message`, or of the latest message that has one."""
        target = self._keyboard_message(message, required=False)
        return [label for row in target.buttons for label in row] if target else []

    # ---- actions ----------------------------------------------------------------------------------------

    async def send(self, text: str, *, expect_reply: bool = True) -> list[SentMessage]:
        """Send a text message; "/cmd ..." gets a bot_command entity for its first word."""
        content = _text_content(text)
        event = self._event("user_text", text)
        what = repr(text)
        return await self._server._user_message(self, content, event, what=what, expect_reply=expect_reply)

    def send_nowait(self, text: str) -> int:
        """Inject a text message without waiting for the bot (for load tests; follow up with
        `FakeTelegram.wait_idle`). Returns the update_id."""
        content = _text_content(text)
        event = self._event("user_text", text)
        message = self._server._new_user_message(self, content, event)
        self._server.events.append(event)
        return self._server.inject({"message": message})

    async def send_sticker(self, emoji: str = "👍", *, expect_reply: bool = True) -> list[SentMessage]:
        stored = self._server._files.add("sticker", _TINY_PNG, None, "image/webp")
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
            "emoji": emoji,
        }
        event = self._event("user_sticker", emoji)
        return await self._server._user_message(
            self, {"sticker": sticker}, event, what="a sticker", expect_reply=expect_reply
        )

    async def send_photo(self, caption: str | None = None, *, expect_reply: bool = True) -> list[SentMessage]:
        stored = self._server._files.add("photo", _TINY_PNG, None, "image/png")
        content: dict[str, Any] = {
            "photo": _photo_sizes(stored.file_id, stored.file_unique_id, 800, 600, len(_TINY_PNG))
        }
        if caption:
            content["caption"] = caption
        event = self._event("user_photo", caption or "")
        what = "a photo"
        return await self._server._user_message(self, content, event, what=what, expect_reply=expect_reply)

    async def send_voice(self, duration: int = 3, *, expect_reply: bool = True) -> list[SentMessage]:
        stored = self._server._files.add("voice", b"OggS\x00fake-voice", None, "audio/ogg")
        voice = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": len(stored.data),
        }
        event = self._event("user_voice", f"{duration}s")
        return await self._server._user_message(
            self, {"voice": voice}, event, what="a voice message", expect_reply=expect_reply
        )

    async def edit(self, message_id: int, new_text: str, *, expect_reply: bool = True) -> list[SentMessage]:
        """Edit one of this user's own earlier text messages (an `edited_message` update)."""
        return await self._server._user_edit(self, message_id, new_text, expect_reply=expect_reply)

    async def press(self, label: str, *, message: SentMessage | None = None) -> list[SentMessage]:
        """Press the inline button labelled `label` (exact, then case-insensitive, then substring match)
        on `message` or on the latest bot message with an inline keyboard."""
        target = self._keyboard_message(message, required=True)
        assert target is not None
        button = _find_button(target, label)
        if "callback_data" not in button:
            raise AssertionError(f"button {button.get('text')!r} is not a callback button: {button}")
        return await self._server._press(self, target, button["callback_data"], button["text"])

    async def press_data(self, callback_data: str, message: SentMessage) -> list[SentMessage]:
        """Press a button with raw `callback_data` on `message` (which may be stale or even deleted)."""
        current = self._server._chat(self.chat_id).messages.get(message.message_id, message)
        labels = [
            b.get("text", "")
            for row in current.reply_markup or []
            for b in row
            if b.get("callback_data") == callback_data
        ]
        label = labels[0] if labels else callback_data
        return await self._server._press(self, current, callback_data, label)

    # ---- helpers ----------------------------------------------------------------------------------------

    def _event(self, kind: str, text: str, message_id: int | None = None) -> Event:
        name = self.first_name
        return Event(kind, self.chat_id, user=name, text=text, sender=name, message_id=message_id)

    def _keyboard_message(self, message: SentMessage | None, *, required: bool) -> SentMessage | None:
        chat = self._server._chat(self.chat_id)
        if message is not None:
            current = chat.messages.get(message.message_id)
            if current is None and required:
                raise AssertionError(f"message {message.message_id} no longer exists in the chat with {self}")
            return current
        target = chat.latest_with_keyboard()
        if target is None and required:
            last = self.last
            raise AssertionError(
                f"no bot message with an inline keyboard in the chat with {self}; "
                f"last message: {last.plain_text if last else None!r}"
            )
        return target


def _find_button(message: SentMessage, label: str) -> dict[str, Any]:
    buttons = [button for row in message.reply_markup or [] for button in row]
    wanted = label.casefold()
    matchers: list[Callable[[str], bool]] = [
        lambda text: text == label,
        lambda text: text.casefold() == wanted,
        lambda text: wanted in text.casefold(),
    ]
    for matcher in matchers:
        hits = [button for button in buttons if matcher(button.get("text", ""))]
        if len(hits) > 1 and matcher is matchers[-1]:
            raise AssertionError(
                f"button label {label!r} is ambiguous in message {message.message_id}: "
                f"{[hit.get('text') for hit in hits]}"
            )
        if hits:
            return hits[0]
    raise AssertionError(
        f"no button {label!r} in message {message.message_id} ({message.plain_text[:60]!r}); "
        f"visible buttons: {[button.get('text') for button in buttons]}"
    )


# --------------------------------------------------------------------------------------------------------
# Transcript
# --------------------------------------------------------------------------------------------------------


@dataclass
class _TranscriptEntry:
    label: str
    suffix: str = ""
    body: str = ""
    extra_lines: list[str] = field(default_factory=list)  # keyboard rows, shown indented


_SPEECH_MARK = "\u203a"  # single right-pointing angle quotation mark, between speaker and text
_USER_SUFFIXES = {"user_edit": "(edits a message)"}
_BOT_SUFFIXES = {"bot_edit": "(edits its message)", "bot_delete": "(deletes a message)"}


def format_transcript(events: Iterable[Event], names: dict[int, str] | None = None) -> str:
    """Render events as a readable plain-text conversation.

    `names` maps chat ids to display labels (default: the user's first name). When the events
    span several chats, bot lines name the recipient ("Spoorzoeker → Ahmed").
    """
    events = list(events)
    names = dict(names or {})
    first_names = {event.chat_id: event.user for event in events if event.user}
    several_chats = len({event.chat_id for event in events}) > 1

    def chat_label(chat_id: int) -> str:
        return names.get(chat_id) or first_names.get(chat_id) or str(chat_id)

    entries: list[_TranscriptEntry | str] = []  # str entries are toasts
    for event in events:
        if event.kind == "bot_callback_answer":
            if event.text:
                entries.append(f"({'alert' if event.alert else 'toast'}: {event.text})")
            continue
        if event.kind.startswith("user_"):
            entries.append(_user_entry(event, chat_label(event.chat_id)))
        else:
            bot = event.sender or "Bot"
            label = f"{bot} → {chat_label(event.chat_id)}" if several_chats else bot
            entries.append(_bot_entry(event, label))

    width = max((len(entry.label) for entry in entries if isinstance(entry, _TranscriptEntry)), default=0)
    indent = " " * (width + 3)
    lines: list[str] = []
    for entry in entries:
        if isinstance(entry, str):
            lines.append(indent + entry)
            continue
        head = entry.label.ljust(width) + (f" {entry.suffix}" if entry.suffix else "")
        body_lines = entry.body.split("\n") if entry.body else []
        if body_lines:
            lines.append(f"{head} {_SPEECH_MARK} {body_lines[0]}")
            lines.extend(indent + line if line else "" for line in body_lines[1:])
        else:
            lines.append(head.rstrip())
        lines.extend(indent + line for line in entry.extra_lines)
    return "\n".join(lines)


def _user_entry(event: Event, label: str) -> _TranscriptEntry:
    bodies = {
        "user_press": f"[ {event.text} ]",
        "user_sticker": f"[sticker {event.text}]",
        "user_photo": "[photo]" + (f" {event.text}" if event.text else ""),
        "user_voice": "[voice message" + (f" {event.text}" if event.text else "") + "]",
    }
    if event.kind == "user_press":
        label = f"{label} taps"
    return _TranscriptEntry(label, _USER_SUFFIXES.get(event.kind, ""), bodies.get(event.kind, event.text))


def _bot_entry(event: Event, label: str) -> _TranscriptEntry:
    text = event.text
    if isinstance(event.parse_mode, str) and event.parse_mode.upper() == "HTML":
        text = strip_html(text)
    if event.kind == "bot_delete":
        return _TranscriptEntry(label, _BOT_SUFFIXES["bot_delete"])
    if event.kind in ("bot_photo", "bot_document"):
        icon, noun = ("🖼", "photo") if event.kind == "bot_photo" else ("📄", "document")
        text = f"{icon} {noun}: {event.file_name or 'file'}" + (f" — {text}" if text else "")
    keyboard = [" ".join(f"[ {label} ]" for label in row) for row in event.buttons if row]
    return _TranscriptEntry(label, _BOT_SUFFIXES.get(event.kind, ""), text, keyboard)
