"""Turn the domain's Replies into Telegram messages: render the template, build the keyboard, send or edit."""

from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeChat, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot.conversation import MENUS
from bot.replies import Button, Reply
from bot.texts import Texts

log = logging.getLogger(__name__)


def keyboard(texts: Texts, lang: str, buttons: list[list[Button]]) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    markup = []
    for row in buttons:
        line = []
        for button in row:
            label = button.text if button.text is not None else texts.label(lang, button.label, **button.params)
            if button.checked:
                label = texts.label(lang, "checked", label=label)
            if button.url:
                line.append(InlineKeyboardButton(label, url=button.url))
            else:
                line.append(InlineKeyboardButton(label, callback_data=button.data))
        markup.append(line)
    return InlineKeyboardMarkup(markup)


def menu(texts: Texts, lang: str, role: str) -> list[BotCommand]:
    return [BotCommand(name, texts.label(lang, f"command_{name}")) for name in MENUS[role]]


async def deliver(update: Update, context: ContextTypes.DEFAULT_TYPE, texts: Texts, replies: list[Reply]) -> None:
    """Send every reply; for a button press, answer the callback query last (with the toast, if any)."""
    query = update.callback_query
    chat_id = update.effective_chat.id if update.effective_chat else None
    toast = None
    try:
        for reply in replies:
            toast = toast or (texts.label(reply.lang, reply.toast) if reply.toast else None)
            await _send(context, texts, reply, chat_id, query)
    finally:
        if query is not None:
            try:
                await query.answer(text=toast)
            except TelegramError as exc:  # an old query can no longer be answered; the reply was sent
                log.info("could not answer callback query: %s", exc)


async def _send(context, texts: Texts, reply: Reply, chat_id: int | None, query) -> None:
    text = texts.render(reply.lang, reply.template, **reply.ctx)
    markup = keyboard(texts, reply.lang, reply.buttons)
    target = reply.chat_id if reply.chat_id is not None else chat_id
    if reply.menu is not None:
        await context.bot.set_my_commands(menu(texts, reply.lang, reply.menu), scope=BotCommandScopeChat(target))
    if reply.photo is not None:
        await context.bot.send_photo(
            target,
            photo=reply.photo,
            filename=reply.photo_name,
            caption=text,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
        )
        return
    if reply.edit and query is not None and query.message is not None and reply.chat_id is None:
        try:
            await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
            return
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return
            log.info("edit failed (%s); sending a new message instead", exc)
    await context.bot.send_message(target, text, parse_mode=ParseMode.HTML, reply_markup=markup)
