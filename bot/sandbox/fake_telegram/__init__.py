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

The package, one concern a module (import from the package; the names below are re-exported here):

- `server.py`: `FakeTelegram`, the HTTP plumbing (routing, checks, logging, holding sends), the test
  controls and the waiting behind the simulated users' actions;
- `methods.py`: the Bot API methods it answers and the message JSON they return (`BotApiMethods`, a mixin
  of `FakeTelegram`);
- `params.py`: reading request parameters (query, JSON, form, multipart) and checking reply markup;
- `state.py`: the server state's building blocks (`ChangeNotifier`, rate limits, `FaultInjector`,
  `UpdateQueue`, `FileStore`, `ChatState`);
- `records.py`: what the tests read (`ApiCall`, `SentMessage`, `Event`, `UploadedFile`), `ApiError` and
  the Bot API's limits and error texts;
- `telegram_html.py`: Telegram's HTML parser, `strip_html`, `utf16_len`;
- `shapes.py`: pieces of Bot API JSON shared by the server and the users (photo sizes, commands, dates);
- `users.py`: `SimUser`, the simulated users;
- `webhook.py`: `WebhookPusher`, Telegram's side of a webhook (`setWebhook`): updates POSTed with the secret
  token header, one at a time, retried until answered 2xx; `getUpdates` answers 409 while one is set;
- `transcript.py`: `format_transcript`.
"""

from __future__ import annotations

from bot.sandbox.fake_telegram.records import (
    BLOCKED_DESCRIPTION,
    CONFLICT_DESCRIPTION,
    MAX_CALLBACK_DATA_BYTES,
    MAX_CAPTION_LENGTH,
    MAX_TEXT_LENGTH,
    NOT_MODIFIED_DESCRIPTION,
    QUERY_TOO_OLD,
    RATE_LIMIT_RETRY_AFTER_S,
    RATE_WINDOW_S,
    SECRET_TOKEN_HEADER,
    TEXT_BUTTONS_UNALLOWED,
    WEBHOOK_CONFLICT_DESCRIPTION,
    ApiCall,
    ApiError,
    Event,
    Files,
    Params,
    SentMessage,
    UploadedFile,
    default_error_description,
)
from bot.sandbox.fake_telegram.server import FakeTelegram
from bot.sandbox.fake_telegram.telegram_html import (
    HtmlParseError,
    TelegramHtmlParser,
    parse_telegram_html,
    strip_html,
    utf16_len,
)
from bot.sandbox.fake_telegram.transcript import format_transcript
from bot.sandbox.fake_telegram.users import SimUser
from bot.sandbox.fake_telegram.webhook import WebhookPost, WebhookPusher

__all__ = [
    "BLOCKED_DESCRIPTION",
    "CONFLICT_DESCRIPTION",
    "MAX_CALLBACK_DATA_BYTES",
    "MAX_CAPTION_LENGTH",
    "MAX_TEXT_LENGTH",
    "NOT_MODIFIED_DESCRIPTION",
    "QUERY_TOO_OLD",
    "RATE_LIMIT_RETRY_AFTER_S",
    "RATE_WINDOW_S",
    "SECRET_TOKEN_HEADER",
    "TEXT_BUTTONS_UNALLOWED",
    "WEBHOOK_CONFLICT_DESCRIPTION",
    "ApiCall",
    "ApiError",
    "Event",
    "FakeTelegram",
    "Files",
    "HtmlParseError",
    "Params",
    "SentMessage",
    "SimUser",
    "TelegramHtmlParser",
    "UploadedFile",
    "WebhookPost",
    "WebhookPusher",
    "default_error_description",
    "format_transcript",
    "parse_telegram_html",
    "strip_html",
    "utf16_len",
]
