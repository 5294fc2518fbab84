"""Spoorzoeker. The layers, bottom to top (imports only go down; `tests/test_layers.py` checks it):
`rules` (pure domain) < `core` (unit of work, replies, dialogs) < `views` (what one reader sees) <
`outgoing` (outbox, delivery, sweeps) < `flows` (conversations) < `handlers` (adapters, outside `bot/`) <
the application wiring here (`config`, `app`, `jobs`, `admin`) < `sandbox` (offline tools) < `cli`."""

import os

# Opt in to python-telegram-bot's coming behaviour: time periods (like RetryAfter.retry_after) as timedelta.
os.environ.setdefault("PTB_TIMEDELTA", "true")
