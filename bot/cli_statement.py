"""`spoorzoeker privacy statement`: the privacy statement the bot shows, printed (the README embeds it)."""

from __future__ import annotations

import argparse


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `privacy statement` (TODO: being built in this session)."""
