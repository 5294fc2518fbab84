"""`spoorzoeker chat`: type as a newly invited employee in the terminal, against the offline bot.

Type text to send it; type a button's label exactly (or its number, like #2) to tap it; /quit to leave.
"""

from __future__ import annotations

import asyncio

from bot.sandbox.fake_telegram import format_transcript
from bot.sandbox.offline import sandbox, token_in

INTRO = """Spoorzoeker chat (offline). You are Sam, just invited by coach Sanne.
Type a message, or a button's label (or #number) to tap it. /quit ends the chat.
"""


def _buttons_line(labels: list[str]) -> str:
    return "   ".join(f"#{number} {label}" for number, label in enumerate(labels, 1))


async def run_chat(language: str = "nl", read=input, write=print) -> None:
    write(INTRO)
    async with sandbox() as box, box.bot_running():
        fake = box.fake
        coach = fake.user(1001, "Sanne")
        await coach.send(f"/start {await box.add_coach('Sanne')}")
        for text in ("/invite", "Sam", "Voorbeeld BV", "01-09-2025"):
            await coach.send(text)
        token = token_in(await coach.press("Maak de uitnodiging"))
        me = fake.user(4242, "Sam", language_code=language)
        names = {me.chat_id: "You"}
        seen = len(fake.events)
        await me.send(f"/start {token}")
        while True:
            shown = [event for event in fake.events[seen:] if event.chat_id == me.chat_id]
            if shown:
                write(format_transcript(shown, names))
            seen = len(fake.events)
            labels = me.buttons() if me.last is not None and me.last.reply_markup else []
            if labels:
                write("   buttons: " + _buttons_line(labels))
            try:
                line = (await asyncio.to_thread(read, "› ")).strip()
            except EOFError:
                break
            if line in ("/quit", "/exit"):
                break
            if not line:
                continue
            seen = len(fake.events)
            choice = _button_for(line, labels)
            if choice is not None:
                await me.press(choice)
            else:
                await me.send(line)


def _button_for(line: str, labels: list[str]) -> str | None:
    """The button a typed line taps: #number, or exactly a label (any case, its emoji may be left off:
    "versturen" taps "✅ Versturen"). Anything else is text for the bot: "-5" is not the button "5"."""
    if line.startswith("#") and line[1:].isdigit() and 1 <= int(line[1:]) <= len(labels):
        return labels[int(line[1:]) - 1]
    typed = line.casefold()
    for label in labels:
        if typed in (label.casefold(), _without_symbols(label).casefold()):
            return label
    return None


def _without_symbols(label: str) -> str:
    """A label without the emoji or punctuation around its words: '✅ Versturen' -> 'Versturen'."""
    start, end = 0, len(label)
    while start < end and not label[start].isalnum():
        start += 1
    while end > start and not label[end - 1].isalnum():
        end -= 1
    return label[start:end]
