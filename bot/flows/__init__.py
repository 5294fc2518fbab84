"""Conversations: one module per conversation, each `Incoming` -> list of `Reply`; `conversation` is the one
entry point that routes by role and conversation position. May import: `bot.outgoing` (to queue messages for
other chats), `bot.views`, `bot.core`, `bot.rules`, `storage`, `content`. Never Telegram itself."""
