"""Telegram's HTML (`parse_mode=HTML`): the parser that turns a text into plain text plus entities and
refuses what Telegram refuses, the lenient `strip_html`, and `utf16_len`, the unit of entity offsets."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any


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
