"""The privacy statement's shape: which parts it has, which kinds of data each part explains, and who reads which
part. The words are labels in `content/labels/privacy_statement.yaml` (one source, translated in the catalog);
the bot shows a part as a chat page (`bot.flows.privacy`), the README prints all of it (`markdown`).

Each kind of data has four lines: what, why (the grondslag), who sees it, how long it is kept (a kind without
its own `statement_<kind>_keep` label has the standard term: the trajectory plus two years).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Label = Callable[[str], str]  # a label key -> its text in one language

KINDS: dict[str, tuple[str, ...]] = {  # part -> the kinds of data it explains, in order
    "you": ("contact", "sickness", "bsn"),
    "checkin": ("counts", "energy", "notes", "reflections", "values", "pauses"),
    "work": ("applications", "plan", "reports", "own_view"),
    "records": ("coach_notes", "safety", "audit"),
}
OWN_KEEP = ("contact", "notes", "reflections", "reports")  # kinds with their own "how long"
FIELDS = ("what", "why", "who", "keep")
RIGHTS = ("access", "delete_own", "consent", "correct", "erase", "object", "complain")
ROLE_LINES = {
    "coach": ("coach_intro", "coach_sees", "coach_logged", "coach_duty", "keep_roles"),
    "employer": ("employer_intro", "employer_sees", "employer_never", "employer_logged", "keep_roles"),
}
PARTS: dict[str, tuple[str, ...]] = {  # role -> the parts they can open, in the order of their buttons
    "employee": ("you", "checkin", "work", "records", "rights"),
    "coach": ("coach", "you", "checkin", "work", "records", "rights"),
    "employer": ("employer",),
}
ALL_PARTS = ("you", "checkin", "work", "records", "rights", "coach", "employer")  # the README's order


@dataclass(frozen=True)
class Block:
    """One piece of a page: a heading, a paragraph, a list item, or a field ("Waarom: ...")."""

    kind: str  # heading | text | item | field
    text: str
    name: str = ""  # a field's name


def part_title(label: Label, part: str) -> str:
    return label(f"statement_part_{part}")


def kind_blocks(label: Label, kind: str) -> list[Block]:
    blocks = [Block("heading", label(f"statement_{kind}_title"))]
    for field in FIELDS:
        if field == "keep" and kind not in OWN_KEEP:
            text = label("statement_keep_standard")
        else:
            text = label(f"statement_{kind}_{field}")
        blocks.append(Block("field", text, label(f"statement_field_{field}")))
    return blocks


def part_blocks(label: Label, part: str) -> list[Block]:
    """The body of one part (without its title)."""
    if part in KINDS:
        return [block for kind in KINDS[part] for block in kind_blocks(label, kind)]
    if part == "rights":
        items = [Block("item", label(f"statement_right_{right}")) for right in RIGHTS]
        return [Block("text", label("statement_rights_intro")), *items]
    if part in ROLE_LINES:
        return [Block("text", label(f"statement_{line}")) for line in ROLE_LINES[part]]
    raise KeyError(part)


def markdown(label: Label) -> str:
    """The whole statement as Markdown (the README's privacy section embeds exactly this)."""
    lines = [f"### {label('statement_title')}", "", label("statement_intro"), "", label("statement_never_health")]
    for part in ALL_PARTS:
        lines += ["", f"#### {part_title(label, part)}"]
        previous = "heading"
        for block in part_blocks(label, part):
            if block.kind == "heading":
                lines += ["", f"**{block.text}**", ""]
            elif block.kind == "field":
                lines.append(f"- *{block.name}:* {block.text}")
            elif block.kind == "item":
                if previous != "item":
                    lines.append("")
                lines.append(f"- {block.text}")
            else:
                lines += ["", block.text]
            previous = block.kind
    return "\n".join(lines).replace("\n\n\n", "\n\n") + "\n"
