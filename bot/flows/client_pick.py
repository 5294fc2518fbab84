"""The coach picks one of their open clients from a paged list of buttons: the start of /plan and /dossier."""

from __future__ import annotations

from collections.abc import Callable

from bot.core.context import Person, Work
from bot.core.replies import Button, rows
from storage import coach_queries
from storage.models import Employee

PAGE_SIZE = 8


async def open_clients(work: Work, person: Person) -> list[Employee]:
    """The coach's clients whose trajectory is not closed."""
    return [e for e in await coach_queries.clients_of(work.session, person.coach.id) if e.status != "closed"]


def page_buttons(
    found: list[Employee], page: object, data: Callable[[str, object], str], prefix: str
) -> tuple[list[list[Button]], dict]:
    """The buttons of one page of `found` (two names a row, then previous / next as `<prefix>_previous` and
    `<prefix>_next`), and the page's words for the template: total, page, pages."""
    pages = max(1, -(-len(found) // PAGE_SIZE))
    number = min(max(int(page or 0), 0), pages - 1)
    shown = found[number * PAGE_SIZE : (number + 1) * PAGE_SIZE]
    buttons = rows([Button(text=e.name, data=data("open", e.id)) for e in shown], 2)
    navigation = [Button(f"{prefix}_previous", data=data("page", number - 1))] if number > 0 else []
    if number < pages - 1:
        navigation.append(Button(f"{prefix}_next", data=data("page", number + 1)))
    return ([*buttons, navigation] if navigation else buttons), {
        "total": len(found),
        "page": number + 1,
        "pages": pages,
    }
