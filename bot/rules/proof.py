"""What counts as a proof of a job application (pure): a http(s) link to the vacancy, or a photo, screenshot or
document of an accepted type and at most `MAX_BYTES`. The size is checked twice: the size Telegram states
before the download, and the real length after it."""

from __future__ import annotations

import re

MAX_BYTES = 10 * 1024 * 1024
MAX_MB = MAX_BYTES // (1024 * 1024)
URL_LENGTH = 500
# Accepted types: mime type → extension (the extension is the fallback when the mime type is missing or generic).
TYPES = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/heic": "heic",
    "image/heif": "heic",
    "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.oasis.opendocument.text": "odt",
    "text/plain": "txt",
}
EXTENSIONS = {"pdf", "jpg", "jpeg", "png", "webp", "heic", "heif", "doc", "docx", "odt", "txt"}
ACCEPTED = "pdf, jpg, png, webp, heic, doc, docx, odt, txt"  # for the answer that says what is accepted
GENERIC = {None, "", "application/octet-stream"}
_URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)


def find_link(text: str) -> str | None:
    """The first http(s) link in `text` (trailing punctuation left off), or None; too long a link is None."""
    match = _URL.search(text or "")
    if match is None:
        return None
    link = match.group().rstrip(".,;:!?)]}")
    if len(link) > URL_LENGTH or len(link) <= len("https://"):
        return None
    return link


def too_large(size: int | None) -> bool:
    """Whether a stated or real size exceeds the limit (an unknown stated size is checked after the download)."""
    return size is not None and size > MAX_BYTES


def accepted_type(mime_type: str | None, file_name: str | None) -> str | None:
    """The mime type to store when the file's type is accepted (by mime type, else by extension), else None."""
    mime = (mime_type or "").lower().split(";")[0].strip() or None
    if mime in TYPES:
        return mime
    if mime not in GENERIC:
        return None
    extension = file_name.rsplit(".", 1)[-1].lower() if file_name and "." in file_name else None
    if extension not in EXTENSIONS:
        return None
    return next((m for m, e in TYPES.items() if e == extension), _BY_EXTENSION.get(extension))


_BY_EXTENSION = {"jpeg": "image/jpeg", "heif": "image/heif"}
