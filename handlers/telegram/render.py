"""Turn the domain's Replies into Telegram messages: send, edit, and answer the button press."""

from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeChat, MenuButtonWebApp, Update, WebAppInfo
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot.core.replies import Reply
from bot.flows.conversation import MENUS
from bot.outgoing.keyboard import markup
from content.texts import DEFAULT_LANGUAGE, Texts

log = logging.getLogger(__name__)


def menu(texts: Texts, lang: str, role: str) -> list[BotCommand]:
    """The role's command menu in `lang`: Dutch commands for Dutch, the English ones for everyone else."""
    return [
        BotCommand(dutch if lang == DEFAULT_LANGUAGE else other, texts.label(lang, f"command_{dutch}"))
        for dutch, other in MENUS[role]
    ]


async def deliver(update: Update, context: ContextTypes.DEFAULT_TYPE, texts: Texts, replies: list[Reply]) -> None:
    """Send every reply; for a button press, answer the callback query last (with the toast, if any)."""
    query = update.callback_query
    chat_id = update.effective_chat.id
    toast = None
    if query is None and update.message is not None and any(reply.forget_sent for reply in replies):
        try:
            await update.message.delete()
        except TelegramError as exc:  # too old, or already gone: the reply says what was stored, never the text
            log.info("could not delete the user's message: %s", exc)
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


async def _send(context, texts: Texts, reply: Reply, chat_id: int, query) -> None:
    text, rows = texts.reply(reply)
    keyboard = markup(rows)
    if reply.menu is not None:
        await context.bot.set_my_commands(menu(texts, reply.lang, reply.menu), scope=BotCommandScopeChat(chat_id))
    if reply.menu_button is not None:  # the chat's menu button opens the dashboard as a Mini App
        button = MenuButtonWebApp(texts.label(reply.lang, "dash_chat_menu_button"), WebAppInfo(reply.menu_button))
        try:
            await context.bot.set_chat_menu_button(chat_id=chat_id, menu_button=button)
        except BadRequest as exc:  # a refused address must not cost the message itself
            log.warning("could not set the chat's menu button: %s", exc)
    if reply.photo is not None:
        await context.bot.send_photo(
            chat_id,
            photo=reply.photo,
            filename=reply.photo_name,
            caption=text,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard,
        )
        return
    if reply.document is not None:
        await context.bot.send_document(
            chat_id,
            document=reply.document,
            filename=reply.document_name,
            caption=text,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard,
        )
        return
    if reply.edit and query is not None and query.message is not None:
        try:
            await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
            return
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return
            log.info("edit failed (%s); sending a new message instead", exc)
    await context.bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
