"""Scheduled and outgoing work: the outbox (every scheduled or cross-chat message is a row), its rate-limited
delivery to Telegram, and the sweeps that fill it (reminders, the coach's digest, employer notices).
May import: `bot.views`, `bot.core`, `bot.rules`, `storage`, `content`."""
