"""Inline-keyboard rows (Bot API dicts, as `Texts.reply` renders them and the outbox stores them) as a
python-telegram-bot markup: the one conversion used by chat replies and by outbox delivery."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup


def markup(rows: list[list[dict]] | None) -> InlineKeyboardMarkup | None:
    """Inline-keyboard rows (Bot API dicts) as a python-telegram-bot markup."""
    if not rows:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(**button) for button in row] for row in rows])
