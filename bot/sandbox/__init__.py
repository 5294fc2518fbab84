"""The offline Spoorzoeker: a fake Telegram Bot API server on 127.0.0.1, the sandbox that runs the real bot
against it, the scripted demo and `spoorzoeker chat`. Used by the tests, the demo and the benchmarks.
May import: the application wiring (`bot.app`, `bot.config`, `bot.jobs`) and everything below it."""
