"""Registers the handlers. Each one parses the update, calls one `bot.flows.conversation` function inside one
database session, in the chat's turn (`bot.core.turns`: one chat's updates never overlap, also across processes,
and a re-delivered update is skipped), and delivers the replies after the session has committed (answers are
stored first)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot.core import turns
from bot.core.context import Attachment, Incoming, Work
from bot.core.replies import Reply
from bot.flows import conversation
from content.texts import pick_language
from handlers.telegram.render import deliver

log = logging.getLogger(__name__)

Call = Callable[[Work, Incoming], Awaitable[list[Reply]]]


def _incoming(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Incoming:
    user = update.effective_user
    message = update.effective_message
    is_message = message is not None and update.callback_query is None
    return Incoming(
        user_id=user.id,
        chat_id=update.effective_chat.id,
        first_name=user.first_name or "",
        language_code=user.language_code,
        text=(message.text or message.caption) if is_message else None,
        data=update.callback_query.data if update.callback_query else None,
        attachment=_attachment(message, context) if is_message else None,
    )


def _attachment(message: Message, context: ContextTypes.DEFAULT_TYPE) -> Attachment | None:
    """A photo (its largest size) or a document, as Telegram describes it; the flow checks it, not we."""
    if message.photo:
        largest = max(message.photo, key=lambda size: (size.file_size or 0, size.width * size.height))
        return Attachment(
            "photo", largest.file_id, largest.file_size, "image/jpeg", None, _fetcher(context, largest.file_id)
        )
    document = message.document
    if document is not None:
        fetch = _fetcher(context, document.file_id)
        return Attachment(
            "document", document.file_id, document.file_size, document.mime_type, document.file_name, fetch
        )
    return None


def _fetcher(context: ContextTypes.DEFAULT_TYPE, file_id: str) -> Callable[[], Awaitable[bytes]]:
    async def fetch() -> bytes:
        file = await context.bot.get_file(file_id)
        return bytes(await file.download_as_bytearray())

    return fetch


async def _handle(update: Update, context: ContextTypes.DEFAULT_TYPE, call: Call) -> None:
    runtime = context.application.bot_data["runtime"]
    incoming = _incoming(update, context)
    async with runtime.db.session() as session:
        work = Work(session, runtime.clock, context.bot.username, runtime.timezone)
        work.dashboard_url = runtime.dashboard_url
        replies = await turns.in_turn(work, incoming.chat_id, update.update_id, lambda: call(work, incoming))
    if replies is None:  # handled before (Telegram delivered it again): nothing changes, a button's spinner stops
        log.info("update %s was handled before: skipped", update.update_id)
        await _answer_stale(update, context)
        return
    if work.queued:
        runtime.wake_delivery()  # the update queued messages (for other chats, or for later)
    await deliver(update, context, runtime.texts, replies)


async def on_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    words = (update.effective_message.text or "").split()
    command = words[0][1:].split("@", 1)[0] if words else ""
    await _handle(update, context, lambda work, inc: conversation.on_command(work, inc, command, words[1:]))


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _handle(update, context, conversation.on_text)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if not _private(update):  # a button in a group (or of an inline message) is none of ours: answer, say nothing
        await _answer_stale(update, context)
        return
    await _handle(update, context, conversation.on_button)


async def _answer_stale(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a button press with the stale-button toast (nothing else happens); other updates get nothing."""
    if update.callback_query is None:
        return
    lang = pick_language(update.effective_user.language_code if update.effective_user else None)
    toast = context.application.bot_data["runtime"].texts.label(lang, "stale_button")
    with contextlib.suppress(TelegramError):  # an old query can no longer be answered
        await update.callback_query.answer(text=toast)


def _private(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type == ChatType.PRIVATE


async def on_other(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    kind = next(
        (
            name
            for name in ("sticker", "photo", "voice", "video", "audio", "document", "location", "contact")
            if getattr(message, name, None)
        ),
        "other",
    )
    await _handle(update, context, lambda work, inc: conversation.on_other(work, inc, kind))


async def on_edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _handle(update, context, conversation.on_edited)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure and, where there is a user, say so kindly: every message gets an answer."""
    log.error("error while handling an update", exc_info=context.error)
    if not isinstance(update, Update) or not _private(update):
        return  # the bot writes only into private chats
    runtime = context.application.bot_data["runtime"]
    lang = pick_language(update.effective_user.language_code if update.effective_user else None)
    try:
        await deliver(update, context, runtime.texts, [Reply("error", lang)])
    except Exception:  # noqa: BLE001 - nothing more we can do; it is logged above
        log.exception("could not tell the user about the error")


def register(application: Application) -> None:
    private = filters.ChatType.PRIVATE
    message = filters.UpdateType.MESSAGE & private
    application.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE & private, on_edited))
    application.add_handler(MessageHandler(message & filters.COMMAND, on_command))
    application.add_handler(MessageHandler(message & filters.TEXT & ~filters.COMMAND, on_text))
    application.add_handler(MessageHandler(message & ~filters.TEXT & ~filters.StatusUpdate.ALL, on_other))
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_error_handler(on_error)
