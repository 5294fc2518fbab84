"""Simulated users: `SimUser` sends messages, stickers, photos and voice messages, edits them and presses
inline buttons, each time waiting until the bot has answered (the waiting is done by `FakeTelegram`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.sandbox.fake_telegram.records import Event, SentMessage
from bot.sandbox.fake_telegram.shapes import _TINY_PNG, _photo_sizes, _text_content

if TYPE_CHECKING:
    from bot.sandbox.fake_telegram.server import FakeTelegram


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

    async def send_photo(
        self, caption: str | None = None, *, data: bytes | None = None, expect_reply: bool = True
    ) -> list[SentMessage]:
        """Send a photo (`data`: its bytes, which the bot can download; a tiny image when not given)."""
        body = _TINY_PNG if data is None else data
        stored = self._server._files.add("photo", body, None, "image/png" if data is None else "image/jpeg")
        content: dict[str, Any] = {"photo": _photo_sizes(stored.file_id, stored.file_unique_id, 800, 600, len(body))}
        if caption:
            content["caption"] = caption
        event = self._event("user_photo", caption or "")
        what = "a photo"
        return await self._server._user_message(self, content, event, what=what, expect_reply=expect_reply)

    async def send_document(
        self,
        data: bytes,
        file_name: str,
        mime_type: str,
        *,
        file_size: int | None = None,
        caption: str | None = None,
        expect_reply: bool = True,
    ) -> list[SentMessage]:
        """Send a file as a document; `file_size` overrides the size Telegram states (to test limits)."""
        stored = self._server._files.add("document", data, file_name, mime_type)
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": len(data) if file_size is None else file_size,
        }
        content: dict[str, Any] = {"document": document}
        if caption:
            content["caption"] = caption
        event = self._event("user_document", file_name)
        return await self._server._user_message(self, content, event, what="a document", expect_reply=expect_reply)

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
