"""Inline-keyboard rows (Bot API dicts, as `Texts.reply` renders them and the outbox stores them) as a
python-telegram-bot markup: the one conversion used by chat replies and by outbox delivery."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, WebAppInfo


def markup(rows: list[list[dict]] | None) -> InlineKeyboardMarkup | None:
    """Inline-keyboard rows (Bot API dicts) as a python-telegram-bot markup (a `web_app` button included)."""
    if not rows:
        return None
    return InlineKeyboardMarkup([[_button(button) for button in row] for row in rows])


def _button(button: dict) -> InlineKeyboardButton:
    if "web_app" in button:
        return InlineKeyboardButton(button["text"], web_app=WebAppInfo(button["web_app"]["url"]))
    return InlineKeyboardButton(**button)
