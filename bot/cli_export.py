"""`spoorzoeker privacy export and audit`: an employee's data for an operator, and the audit trail."""

from __future__ import annotations

import argparse


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add this module's subcommands (TODO: being built in this session)."""


def register_audit(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `spoorzoeker audit` (TODO: being built in this session)."""
