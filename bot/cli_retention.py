"""`spoorzoeker privacy purge and privacy erase`: retention and erasure at the command line (bot.retention)."""

from __future__ import annotations

import argparse


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add this module's subcommands (TODO: being built in this session)."""
