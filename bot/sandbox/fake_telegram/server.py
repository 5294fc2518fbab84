"""The fake server: `FakeTelegram` routes the HTTP requests, checks each call (injected faults, unknown
chats, blocked users, rate limits, held sends), answers it with the Bot API methods of `methods.py`, logs it,
and offers the test controls and the waiting behind the simulated users' actions."""

from __future__ import annotations

import asyncio
import inspect
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from bot.rules.dashboard_auth import sign_init_data
from bot.sandbox.fake_telegram.methods import BotApiMethods
from bot.sandbox.fake_telegram.params import read_params
from bot.sandbox.fake_telegram.records import (
    BLOCKED_DESCRIPTION,
    RATE_LIMIT_RETRY_AFTER_S,
    ApiCall,
    ApiError,
    Event,
    Files,
    Params,
    SentMessage,
    default_error_description,
)
from bot.sandbox.fake_telegram.shapes import _now_unix, _text_content
from bot.sandbox.fake_telegram.state import (
    _DELIVERED_TOPIC,
    _INFLIGHT_TOPIC,
    _POLL_TOPIC,
    ChangeNotifier,
    ChatState,
    FaultInjector,
    FileStore,
    RateLimits,
    UpdateQueue,
    _CallbackQuery,
)
from bot.sandbox.fake_telegram.users import SimUser
from bot.sandbox.fake_telegram.webhook import WebhookPusher

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


class FakeTelegram(BotApiMethods):
    """A fake api.telegram.org for one bot. See the package docstring (`bot.sandbox.fake_telegram`)."""

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
        latency_s: float = 0.0,
    ) -> None:
        self.bot_username = bot_username
        self.bot_id = bot_id
        self.bot_first_name = bot_first_name
        self.quiet_s = quiet_s
        self.latency_s = latency_s  # every call is answered this much later (a round trip to Telegram)
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
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}  # setChatMenuButton: chat id (None: default)
        self.bot_token: str | None = None  # the token of the latest call (what a Mini App's initData is signed with)
        self._limits = RateLimits(global_rate_per_s, per_chat_rate_per_s)
        self._faults = FaultInjector()
        self._notifier = ChangeNotifier()
        self._updates = UpdateQueue(self._notifier)
        self.webhook = WebhookPusher(self._updates, self._notifier, lambda: self._closing)  # while one is set
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
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
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
        await self.webhook.close()
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

    def menu_button(self, chat_id: int) -> dict[str, Any]:
        """The menu button this chat shows (its own, else the bot's default, else Telegram's commands list)."""
        return self.menu_buttons.get(chat_id) or self.menu_buttons.get(None) or {"type": "commands"}

    def web_app_init_data(
        self, user_id: int, first_name: str, *, at: datetime, bot_token: str | None = None, query_id: str = ""
    ) -> str:
        """The signed `initData` Telegram gives a Mini App opened by this user at `at` (query string form, as in
        `Telegram.WebApp.initData`), signed with `bot_token` (default: the token the bot calls this server with)."""
        token = bot_token or self.bot_token
        if token is None:
            raise RuntimeError("no bot has called the fake Telegram yet: pass bot_token")
        user: dict[str, Any] = {"id": user_id, "first_name": first_name}
        chat = self._chats.get(user_id)
        if chat is not None and chat.user.language_code:
            user["language_code"] = chat.user.language_code
        fields = {
            "query_id": query_id or f"AAF{user_id}{int(at.timestamp())}",
            "user": json.dumps(user, separators=(",", ":"), ensure_ascii=False),
            "auth_date": str(int(at.timestamp())),
        }
        fields["hash"] = sign_init_data(fields, token)
        return urlencode(fields)

    def mini_app_address(self, url: str, user_id: int, first_name: str, *, at: datetime, **signing: Any) -> str:
        """The address Telegram opens for a `web_app` button or menu button: `url` with the signed initData in the
        fragment (`#tgWebAppData=...`, then the version and platform), as the Telegram apps do."""
        init_data = self.web_app_init_data(user_id, first_name, at=at, **signing)
        fragment = urlencode({"tgWebAppData": init_data, "tgWebAppVersion": "8.0", "tgWebAppPlatform": "tdesktop"})
        return f"{url}#{fragment}"

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
        self.bot_token = token
        return await self._handle_api_call(request, self._method_names.get(method.lower(), method))

    def _serve_file(self, path: str) -> web.Response:
        stored = self._files.get(path.rpartition("/")[2])
        if stored is None:
            return web.json_response(ApiError(404, "Not Found").to_json(), status=404)
        return web.Response(body=stored.data, content_type=stored.mime_type or "application/octet-stream")

    async def _handle_api_call(self, request: web.Request, method: str) -> web.Response:
        if self.latency_s:
            await asyncio.sleep(self.latency_s)
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
