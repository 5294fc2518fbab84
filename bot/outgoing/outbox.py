"""Putting messages in the outbox: every scheduled or cross-chat message is a row with a unique dedupe key,
written in the same transaction as the change that caused it, and sent later by `bot.outgoing.delivery`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.context import Work
from bot.core.replies import Reply
from bot.rules.schedule import quiet_hours_end
from storage import queries


@dataclass
class Message:
    """One outbox row before it is written."""

    dedupe_key: str
    kind: str
    chat_id: int
    reply: Reply
    timezone: str
    employee_id: int | None = None
    iso_year: int | None = None
    iso_week: int | None = None


def row_values(work: Work, message: Message, now: datetime) -> dict:
    """The column values of an outbox row: text rendered now, first send outside the recipient's quiet hours."""
    text, keyboard = work.texts.reply(message.reply)
    reply = message.reply
    attachment = reply.photo if reply.photo is not None else reply.document
    return {
        "attachment": attachment,
        "attachment_name": None if attachment is None else (reply.photo_name if reply.photo else reply.document_name),
        "attachment_kind": None if attachment is None else ("photo" if reply.photo is not None else "document"),
        "dedupe_key": message.dedupe_key,
        "kind": message.kind,
        "chat_id": message.chat_id,
        "employee_id": message.employee_id,
        "iso_year": message.iso_year,
        "iso_week": message.iso_week,
        "text": text,
        "reply_markup": {"inline_keyboard": keyboard} if keyboard else None,
        "timezone": message.timezone,
        "status": "pending",
        "attempts": 0,
        "not_before": quiet_hours_end(now, message.timezone),
        "created_at": now,
    }


async def enqueue(work: Work, messages: list[Message]) -> int:
    """Queue messages; a key that is already queued (or sent) is skipped. Returns how many were new."""
    if not messages:
        return 0
    now = work.clock.now()
    new = await queries.insert_outbox_rows(work.session, [row_values(work, message, now) for message in messages])
    work.queued += new
    return new
