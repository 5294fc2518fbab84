"""Pieces of Bot API JSON built both by the server and by the simulated users: photo sizes, the text of a
user's message with its command entity, image dimensions and Unix dates."""

from __future__ import annotations

import re
import struct
import time
from typing import Any

from bot.sandbox.fake_telegram.telegram_html import utf16_len

_COMMAND_RE = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,64})?(?=\s|$)")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# A valid 1x1 transparent PNG: the content served for photos "sent" by simulated users.
_TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


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
