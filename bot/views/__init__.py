"""What one reader is shown, built from stored facts: the coach's caseload, the employer's view (only through
`bot.rules.privacy`), the progress report (PDF and CSV), charts and QR codes. Read-only: a view never
queues or sends. May import: `bot.core`, `bot.rules`, `storage`, `content`."""
