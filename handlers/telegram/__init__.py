"""The Telegram adapter: `updates` registers the update handlers (parse an update, call one `bot.flows`
function inside one database session), `render` turns Replies into Telegram messages."""
