"""`python -m bot` does what the `spoorzoeker` command does."""

from bot.cli import main

raise SystemExit(main())
