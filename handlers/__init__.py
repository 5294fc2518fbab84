"""Adapters to the outside world: today the Telegram updates (`handlers.telegram`); later the webhook endpoint
and the web dashboard. An adapter parses what arrives, calls one `bot.flows` function, and renders the replies:
no SQL, no rules, no words of its own. May import: the `bot` layers below the wiring, `content`."""
