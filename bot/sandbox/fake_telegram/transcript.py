"""The conversation transcript: `format_transcript` renders recorded events as a readable plain-text
conversation (used by the demo and `spoorzoeker chat`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.sandbox.fake_telegram.records import Event
from bot.sandbox.fake_telegram.telegram_html import strip_html


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
