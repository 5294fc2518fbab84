"""Spoorzoeker: application wiring, domain rules, jobs and the command line."""

import os

# Opt in to python-telegram-bot's coming behaviour: time periods (like RetryAfter.retry_after) as timedelta.
os.environ.setdefault("PTB_TIMEDELTA", "true")
