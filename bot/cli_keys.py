"""`spoorzoeker privacy new-key and privacy rotate-key`: the encryption keys of health data and free text."""

from __future__ import annotations

import argparse


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add this module's subcommands (TODO: being built in this session)."""
