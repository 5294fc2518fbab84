"""What every domain call is made of: the clock, the unit of work (`Work`: session, clock, words), who wrote
(`Person`, `Incoming`), what to show (`Reply`), the conversation position kept in the database (`dialogs`)
and the one way to change a phase. May import: `bot.rules`, `storage`, `content`."""
