"""/mijngegevens (/mydata): the employee's right of access. They get a short message and two documents in the
chat: everything stored about them as a readable PDF and as a JSON file (the format: content/export/schema.json),
made by `bot.views.export`. A single answer, not a conversation; it works after the trajectory was closed too,
for as long as the data is kept. The employee reading their own data is not logged in the audit trail."""

from __future__ import annotations

from bot.core.context import Person, Work
from bot.core.replies import Reply
from bot.views import export
from storage.models import Dialog

FLOW = "mydata"
COMMANDS = {"mijngegevens": "employee", "mydata": "employee"}


async def start(work: Work, person: Person) -> list[Reply]:
    found = await export.documents(work, person.employee.id, person.lang)
    return [
        Reply("mydata", person.lang),
        Reply("mydata_pdf", person.lang, document=found.pdf, document_name=found.pdf_name),
        Reply("mydata_json", person.lang, document=found.json, document_name=found.json_name),
    ]


# /mijngegevens is a single answer: there is never a dialog of this flow to continue.
async def ask_again(work: Work, person: Person, dialog: Dialog, problem: dict | None) -> list[Reply]:
    return [Reply("help_employee", person.lang, {"problem": problem})]


async def on_text(work: Work, person: Person, dialog: Dialog, text: str) -> list[Reply]:
    return [Reply("help_employee", person.lang, {"not_understood": True})]


async def on_button(work: Work, person: Person, dialog: Dialog, action: str, value: str) -> list[Reply]:
    return [Reply("help_employee", person.lang, {"problem": {"reason": "stale"}})]
