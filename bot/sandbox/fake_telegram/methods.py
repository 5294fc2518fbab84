"""The Bot API methods the fake server answers (getMe, getUpdates, sendMessage, editMessageText, ...) and
the message JSON they return, as `BotApiMethods`, a mixin of `FakeTelegram`: the server routes a call to one
of these after its checks (faults, chat, block, rate limit); the state they use is set up by the server."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

from bot.sandbox.fake_telegram.params import _check_web_app, _parse_reply_markup
from bot.sandbox.fake_telegram.records import (
    CONFLICT_DESCRIPTION,
    MAX_CAPTION_LENGTH,
    MAX_TEXT_LENGTH,
    NOT_MODIFIED_DESCRIPTION,
    QUERY_TOO_OLD,
    WEBHOOK_CONFLICT_DESCRIPTION,
    ApiError,
    Event,
    Files,
    Params,
    SentMessage,
)
from bot.sandbox.fake_telegram.shapes import _image_size, _now_unix, _photo_sizes
from bot.sandbox.fake_telegram.state import (
    _POLL_TOPIC,
    ChangeNotifier,
    ChatState,
    FileStore,
    StoredFile,
    UpdateQueue,
    _CallbackQuery,
)
from bot.sandbox.fake_telegram.telegram_html import HtmlParseError, parse_telegram_html
from bot.sandbox.fake_telegram.webhook import WebhookPusher

_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


class BotApiMethods:
    """The handlers of the Bot API methods, `handler(params, files) -> result`; each raises `ApiError` for the
    answers Telegram gives. Mixed into `FakeTelegram`, which sets up the state below."""

    bot_id: int
    bot_username: str
    bot_first_name: str
    events: list[Event]
    bot_commands: dict[tuple[str, str], list[dict[str, Any]]]
    menu_buttons: dict[int | None, dict[str, Any]]
    _chats: dict[int, ChatState]
    _files: FileStore
    _updates: UpdateQueue
    _notifier: ChangeNotifier
    _queries: dict[str, _CallbackQuery]
    _closing: bool
    webhook: WebhookPusher
    _touch: Callable[..., None]  # FakeTelegram._touch: restart the quiet window

    # ---- helpers of the methods -------------------------------------------------------------------------

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
        if self.webhook.active:
            raise ApiError(409, WEBHOOK_CONFLICT_DESCRIPTION)
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

    def _set_webhook(self, params: Params, files: Files) -> bool:
        url = params.get("url")
        if not isinstance(url, str):
            raise ApiError(400, "Bad Request: bad webhook: URL must be a string")
        if not url:
            self.webhook.clear()
            return True
        if not url.startswith(("https://", "http://")):  # the real one wants https; the fake posts to local http
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not (isinstance(secret, str) and _SECRET_TOKEN.fullmatch(secret)):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        if isinstance(params.get("allowed_updates"), list):
            self._updates.set_allowed(params["allowed_updates"])
        if params.get("drop_pending_updates"):
            self._updates.drop_all()
        connections = params.get("max_connections", 40)
        self.webhook.set(url, secret or None, int(connections) if isinstance(connections, int) else 40)
        return True

    def _delete_webhook(self, params: Params, files: Files) -> bool:
        self.webhook.clear()
        if params.get("drop_pending_updates"):
            self._updates.drop_all()
        return True

    def _get_webhook_info(self, params: Params, files: Files) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook.url,
            "has_custom_certificate": False,
            "pending_update_count": self._updates.pending_count,
        }
        if self.webhook.active:
            info["max_connections"] = self.webhook.max_connections
            if self.webhook.last_error is not None:
                info["last_error_date"], info["last_error_message"] = self.webhook.last_error
        return info

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

    def _set_chat_menu_button(self, params: Params, files: Files) -> bool:
        button = params.get("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in ("commands", "web_app", "default"):
            raise ApiError(400, "Bad Request: can't parse menu button JSON object")
        if button["type"] == "web_app":
            if not isinstance(button.get("text"), str) or not button["text"].strip():
                raise ApiError(400, "Bad Request: menu button text must be non-empty")
            _check_web_app(button.get("web_app"), "menu button")
        chat_id = params.get("chat_id")
        key = chat_id if isinstance(chat_id, int) else None
        if button["type"] == "default":
            self.menu_buttons.pop(key, None)
        else:
            self.menu_buttons[key] = dict(button)
        return True

    def _get_chat_menu_button(self, params: Params, files: Files) -> dict[str, Any]:
        chat_id = params.get("chat_id")
        key = chat_id if isinstance(chat_id, int) else None
        return self.menu_buttons.get(key) or self.menu_buttons.get(None) or {"type": "commands"}

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
