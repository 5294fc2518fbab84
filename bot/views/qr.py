"""QR code images of deep links, so a coach can show the invite on paper or on a screen."""

from __future__ import annotations

import io

import qrcode


def qr_png(text: str) -> bytes:
    image = qrcode.make(text, box_size=8, border=3)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
