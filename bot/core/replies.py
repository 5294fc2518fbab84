"""What the domain asks the chat layer to show: a template, its context, and buttons.

The domain never builds Telegram objects or literal text; `handlers/` renders a Reply through `content.texts`.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Button:
    """An inline button. `label` is a key in content/labels/ unless `text` gives it literally
    (numbers, names). One of `data` (callback), `url` (a link) or `web_app` (an https address Telegram opens
    as a Mini App inside the chat) is set."""

    label: str = ""
    data: str | None = None
    url: str | None = None
    web_app: str | None = None
    text: str | None = None
    checked: bool = False
    params: dict = field(default_factory=dict)


@dataclass
class Reply:
    """One message to show. `edit` replaces the message whose button was pressed instead of sending anew."""

    template: str
    lang: str
    ctx: dict = field(default_factory=dict)
    buttons: list[list[Button]] = field(default_factory=list)
    edit: bool = False
    photo: bytes | None = None
    photo_name: str = "image.png"
    document: bytes | None = None  # a file (PDF, CSV) sent with the rendered text as its caption
    document_name: str = "document.pdf"
    toast: str | None = None  # a label key shown as the callback answer
    menu: str | None = None  # set this chat's command menu to the one of this role
    menu_button: str | None = None  # set this chat's menu button to open this https address as a Mini App
    forget_sent: bool = False  # delete the user's message this answers from the chat (a BSN the coach typed)


def rows(buttons: list[Button], per_row: int) -> list[list[Button]]:
    """Lay out buttons `per_row` to a row."""
    return [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]
