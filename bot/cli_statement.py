"""`spoorzoeker privacy statement`: the privacy statement the bot shows with /privacy, printed (the README embeds
the English Markdown between `<!-- privacy-statement:start -->` and `<!-- privacy-statement:end -->`)."""

from __future__ import annotations

import argparse
import sys
from functools import partial


def cmd_statement(args: argparse.Namespace) -> int:
    from bot.rules import statement
    from bot.sandbox.fake_telegram import strip_html
    from content.texts import texts

    shared = texts()
    label = partial(shared.label, args.language)
    if args.markdown:
        sys.stdout.write(statement.markdown(label))
        return 0
    pages = [f"{label('statement_title')}\n\n{label('statement_intro')}\n{label('statement_never_health')}"]
    for part in statement.ALL_PARTS:
        ctx = {"title": statement.part_title(label, part), "blocks": statement.part_blocks(label, part)}
        pages.append(strip_html(shared.render(args.language, "privacy_part", **ctx)))
    print("\n\n".join(pages))
    return 0


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `privacy statement [--language nl|en] [--markdown]`."""
    shown = commands.add_parser(
        "statement", help="print the privacy statement the bot shows (--markdown: as the README has it)",
        parents=[common],
    )  # fmt: skip
    shown.add_argument("--language", choices=("nl", "en"), default="nl")
    shown.add_argument("--markdown", action="store_true", help="Markdown, for the README's privacy section")
    shown.set_defaults(func=cmd_statement)
