"""Telegram glue only: parse an update, call one `bot.conversation` function, render and send the replies."""
