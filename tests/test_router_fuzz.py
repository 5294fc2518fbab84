"""Property-based (hypothesis): the whole router driven with random updates through the real stack (issue 11).

One world for the module, built through the chat (conftest's `People`): coach Sanne with Ahmed (mid check-in),
Linda (an application logged, a crisis alert waiting for her yes or no) and Kees (trajectory closed), Carla
(Bakkerij Bol's contact) and a spare invite link, Sanne's caseload open; coach Joost, mid /invite at the employer
question, with his client Bram (Garage Groen, an application logged, asked for the company of his next one); and
a stranger. The database is copied once the world stands and restored before every example, so each example
starts from the same world and a failure replays exactly.

Each example is a few random steps from random people: texts (answers, names, markup, crisis words), commands with
arguments, presses of buttons the bot showed, forged presses (wrong, old, future, malformed or non-ASCII versions,
other flows' actions, other people's ids, 64 bytes of garbage), edited messages, stickers, photos with captions,
voice, and the same in a group chat. After every step:

1. no handler raised (nothing logged at ERROR), and Telegram refused nothing the bot sent;
2. every private message got an answer, and every press its callback answer (in a group chat too);
3. a forged press (data the bot did not offer in that chat in the current question: never shown there, or a
   dialog button of another version; "start the check-in" and "open the caseload" stay offered to their role)
   changed nothing stored; edits, media and anything in a group chat changed nothing either (a new safety alert
   for screened words excepted, and a photo sent at the proof question of an application, which is its answer),
   nor did anything a stranger sent except a valid invite link;
4. no text a user typed is rendered as markup: where the bot repeats it, the user sees exactly what they typed;
5. the bot never writes into a group chat.

Each broken property raises its own AssertionError subclass, named after the property and the flow the user was
in (e.g. `ForgedPressChanged_caseload`), so hypothesis minimises and reports each one separately.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import pytest_asyncio
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from bot.core.clock import ManualClock
from bot.sandbox.fake_telegram import (
    NOT_MODIFIED_DESCRIPTION,
    ApiCall,
    SentMessage,
    SimUser,
    parse_telegram_html,
)
from bot.sandbox.fake_telegram.state import _CallbackQuery
from bot.sandbox.offline import sandbox, token_in
from storage import crypto
from tests import databases
from tests.conftest import START, People

COACH_A, COACH_B, AHMED, LINDA, BRAM, KEES, CARLA, STRANGER = 1001, 1002, 2001, 2002, 2003, 2004, 3001, 4001
GROUP = -1009876543
SENDS = frozenset({"sendMessage", "sendPhoto", "sendDocument"})
EDITS = frozenset({"editMessageText", "editMessageCaption", "editMessageReplyMarkup"})
# Refusals the bot is built to expect and handles (render.py falls back to a new message, or ignores them).
HANDLED = (
    NOT_MODIFIED_DESCRIPTION,
    "Bad Request: there is no text in the message to edit",
    "Bad Request: there is no caption in the message to edit",
    "Bad Request: message to edit not found",
)
ID_TABLES = ("employee", "employer", "safetyalert", "jobapplication", "checkin", "coach", "employercontact", "invite")
ROOT = Path(__file__).resolve().parent.parent  # the repository
STANDING = {"|go|checkin": "employee", "|go|caseload": "coach"}  # buttons that stay valid, for these roles
STEPS = 10  # at most this many updates per example
REPLY_TIMEOUT_S = 6.0  # a private message without an answer fails after this long

# ---- what users type ------------------------------------------------------------------------------------------

# Typed text with markup or character references. Each has a marker ("zq<n>k"); wherever the bot shows the marker,
# the whole text must be there as typed, or the bot rendered the user's input as formatting.
MARKUP = (
    "<b>zq1k</b>",
    "<i>zq2k</i> & co",
    '<a href="https://zq.example/x">zq3k</a>',
    "<script>zq4k</script>",
    "zq5k &lt;b&gt; &amp; &#60;i&#62;",
    "Bakkerij <u>zq6k</u>",
    "<tg-spoiler>zq7k</tg-spoiler>",
    "zq8k < 3",
    "<code>zq9k</code> en <pre>x</pre>",
    "zq10k</b>",
)
STRANGER_NAME = "<b>zq0k</b>"  # the stranger's Telegram first name
MARKER = re.compile(r"zq\d+k")
TYPED_BY_MARKER = {MARKER.search(text).group(): text for text in (*MARKUP, STRANGER_NAME)}

ANSWERS = (
    "0", "1", "3", "5", "12", "drie", "geen", "-1", "99999999999999999999", "٣", "²", "1.5", "½",
    "ja", "nee", "liever niet", "Ja", "yes", "no",
    "06-10-2025", "20-11-2026", "21-11-2026", "01-01-1900", "31-02-2026", "morgen", "2026-11-20",
    "10:00", "08:00", "07:59", "21:00", "25:00", "9",
    "Ahmed de Vries", "Bakkerij Bol", "Garage Groen", "Bakkerij Nergens", "Piet", "x",
    "", " ", "\n", "🙂", "Ik heb een sollicitatiegesprek gehad.",
)  # fmt: skip
CRISIS = ("ik zie het niet meer zitten", "I can't go on anymore")
LONG = ("a" * 4096, "ik " * 1365)


def typed_texts() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(ANSWERS),
        st.sampled_from(MARKUP),
        st.sampled_from(MARKUP),
        st.sampled_from(MARKUP),
        st.sampled_from(CRISIS),
        st.sampled_from(LONG),
        st.text(max_size=40),
    )


COMMANDS = (
    "start", "invite", "uitnodigen", "caseload", "clienten", "digest", "weekoverzicht", "werkgever", "employer",
    "oefening", "exercise", "checkin", "sollicitatie", "application", "pauze", "pause", "instellingen",
    "settings", "waarden", "values", "privacy", "status", "help", "hulp", "annuleren", "cancel", "stop",
    "START", "CheckIn", "onbekend", "checkin@SpoorzoekerBot",
)  # fmt: skip
ARGUMENTS = ("", "x", "99", "-1", "٣", "<b>zq1k</b>", "a" * 64, "abc_DEF-123" * 4, "0 0 0", "²")


@st.composite
def commands(draw, tokens: tuple[str, ...]) -> str:
    name = draw(st.sampled_from(COMMANDS))
    argument = draw(st.sampled_from(ARGUMENTS) | st.text(max_size=20) | st.sampled_from(tokens))
    return f"/{name} {argument}".rstrip() if argument.strip() else f"/{name}"


# ---- what users press -----------------------------------------------------------------------------------------

ACTIONS = (
    "ans", "tog", "none", "done", "submit", "menu", "change", "note", "back", "clear", "keep", "result", "val",
    "del", "skip", "sug", "employer", "track2", "create", "restart", "page", "open", "phase", "report", "pause",
    "resume", "file", "reason", "weeks", "lang", "day", "time", "end", "set", "client", "process", "settings",
    "new", "list", "pick", "how", "status", "go", "safety", "checkin", "Ans", "",
)  # fmt: skip
VALUES = (
    "", "0", "1", "2", "5", "6", "7", "10", "11", "-1", "99999999999999999999", "2147483648", "²", "٣", "1.5",
    "01", " 1", "checkin", "caseload", "digest", "invite", "setup", "pause", "employer", "nl", "en", "de",
    "yes", "no", "share", "private", "holiday", "treatment", "other", "applications", "interviews",
    "networking", "activities", "energy", "note", "summary", "course", "volunteering", "website", "applied",
    "offer", "closed", "placed", "intake", "dossier", "coach", "auto", "done", "partly", "not", "defusion",
    "values", "helping_others", "09:00", "08:00", "23:00",
)  # fmt: skip


FLOW_NAMES = (
    "checkin", "setup", "pause", "invite", "employer_invite", "employer", "caseload", "digest", "application",
    "privacy", "pin", "values", "onboarding", "safety", "status",
)  # fmt: skip


def _bytes64(text: str) -> str:
    return text.encode()[:64].decode(errors="ignore")


@st.composite
def forged_data(draw, version: int, offered: tuple[str, ...], ids: tuple[int, ...]) -> str:
    """Callback data a Telegram client could send: mostly well-formed, often at the current version."""
    versions = st.sampled_from(
        ("", str(version), str(version - 1), str(version + 1), "0", "-1", "²", "٣", "99999999999999999999",
         "v", f" {version}", f"0{version}", f"{version}.0")
    )  # fmt: skip
    ref = st.sampled_from(ids)
    values = st.one_of(
        st.sampled_from(VALUES),
        ref.map(str),
        ref.map(lambda i: f"{i}:yes"),
        ref.map(lambda i: f"{i}:no"),
        st.text(max_size=12),
    )
    actions = st.sampled_from(ACTIONS) | st.text(max_size=8)
    kinds = ["composed", "garbage", "outside"] + (["mutated"] if offered else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "outside":  # the buttons that belong to no dialog: "open a flow", the safety question's yes or no
        return draw(st.one_of(st.sampled_from(FLOW_NAMES).map("|go|{}".format), values.map("|safety|{}".format)))
    if kind == "garbage":
        return draw(st.one_of(st.just(""), st.text(max_size=64).map(_bytes64), st.binary(max_size=64).map(repr)))
    if kind == "mutated":  # one part of a button the bot showed, changed
        parts = draw(st.sampled_from(offered)).split("|")
        if len(parts) == 3:
            which = draw(st.integers(0, 2))
            parts[which] = draw((versions, actions, values)[which])
        else:
            parts.append(draw(values))
        return _bytes64("|".join(parts))
    parts = [draw(versions), draw(actions), draw(values)]
    if draw(st.integers(0, 9)) == 0:
        parts.append(draw(values))  # a fourth part
    return _bytes64("|".join(parts))


# ---- the steps ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    who: str
    kind: str  # press | text | command | edit | sticker | photo | voice | group_text | group_press
    payload: str = ""
    target: int = 0  # for edits: which of the user's text messages (an index)

    def __repr__(self) -> str:
        target = f", message #{self.target}" if self.kind == "edit" else ""
        return f"{self.who}.{self.kind}({self.payload!r}{target})"

    def _repr_pretty_(self, printer, cycle) -> None:  # how hypothesis shows a drawn step
        printer.text(repr(self))


PEOPLE = {
    "sanne": COACH_A, "joost": COACH_B, "ahmed": AHMED, "linda": LINDA, "bram": BRAM, "kees": KEES,
    "carla": CARLA, "stranger": STRANGER,
}  # fmt: skip
# What each test sends, a kind repeated to weigh it.
PRESSES = ("press", "press", "press", "forge", "forge", "forge", "command")
MESSAGES = ("press", "press", "press", "forge", "text", "text", "text", "text", "command", "command", "edit",
            "sticker", "photo", "voice")  # fmt: skip
GROUPS = ("press", "press", "group_text", "group_press", "group_press")


@dataclass
class Chat:
    """What one private chat has shown in this example: the callback data of the bot's buttons (the world's
    messages and this example's), and the user's own text messages (which they may edit)."""

    offered: list[str] = field(default_factory=list)
    texts: list[int] = field(default_factory=list)

    def copy(self) -> Chat:
        return Chat(list(self.offered), list(self.texts))


# ---- the world ------------------------------------------------------------------------------------------------


class ErrorLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class World:
    def __init__(self, people, box) -> None:
        self.people = people
        self.box = box
        self.fake = box.fake
        self.users: dict[str, SimUser] = {}
        self.tokens: tuple[str, ...] = ()  # the spare link (valid) and Carla's (used)
        self.ids: tuple[int, ...] = ()
        self.engine = box.db.engine
        self.snapshot: databases.Snapshot | None = None
        self.stored: dict[str, list[tuple]] = {}  # every table's rows when the world stood
        self.offset = 0  # the last getUpdates offset: the bot has every update before it
        self.floor: dict[int, int] = {}  # per chat: the bot's messages up to this id are from before this example
        self.baseline: dict[int, Chat] = {}
        self.chats: dict[int, Chat] = {}
        self.errors = ErrorLog()
        self.story: list[str] = []  # this example's steps and what the bot did, for failure messages
        self.group_updates = 0

    async def build(self) -> None:
        people, fake = self.people, self.fake
        sanne = await people.coach(COACH_A, "Sanne")
        joost = await people.coach(COACH_B, "Joost")
        ahmed = await people.employee(sanne, AHMED, "Ahmed")
        linda = await people.employee(sanne, LINDA, "Linda", sick_day="12-01-2026")
        bram = await people.employee(joost, BRAM, "Bram", employer="Garage Groen")
        kees = await people.employee(sanne, KEES, "Kees")
        await sanne.send("/caseload")
        await sanne.press("Kees")
        await sanne.press("Fase")
        await sanne.press("afgesloten")  # his trajectory is closed
        await sanne.send("/werkgever")
        await sanne.press("Bakkerij Bol")
        carla_token = token_in(await sanne.send("Carla Mulder"))
        carla = fake.user(CARLA, "Carla")
        await carla.send(f"/start {carla_token}")
        spare = await people.invite(sanne, "Piet Post")
        for user, company in ((linda, "Bakkerij Van Dam"), (bram, "Garage Zuid")):
            await user.send("/sollicitatie")
            await user.send(company)
            await user.send("Verkoper")
            await user.press("Vandaag")
            await user.press("Website")
        await linda.send(CRISIS[0])  # an alert waiting for her yes or no
        await ahmed.send("/checkin")
        await ahmed.send("1")  # at the second question
        await bram.send("/sollicitatie")
        await bram.press("Nieuwe sollicitatie")  # asked for the company: what he types is shown back
        await sanne.send("/caseload")
        await joost.send("/invite")
        await joost.send("Bea Boer")  # at the employer question: Garage Groen offered, Bakkerij Bol is not his
        stranger = fake.user(STRANGER, STRANGER_NAME)
        self.users = {
            "sanne": sanne, "joost": joost, "ahmed": ahmed, "linda": linda, "bram": bram, "kees": kees,
            "carla": carla, "stranger": stranger,
        }  # fmt: skip
        self.tokens = (spare, carla_token)
        await fake.wait_idle()
        self.offset = _offset(fake.calls)
        ids = set()
        for table in ID_TABLES:
            ids |= {row[0] for row in await self._rows(f"SELECT id FROM {table}")}  # noqa: S608 - our own names
        self.ids = tuple(sorted(ids))
        self.snapshot = await databases.snapshot(self.engine)
        self.stored = await self.tables()
        for user_id in PEOPLE.values():
            chat = Chat()
            for message in fake.messages(user_id):
                chat.offered += [d for d in _callback_data(message.reply_markup) if d not in chat.offered]
            chat.offered = list(dict.fromkeys(chat.offered))
            chat.texts = [e.message_id for e in fake.events if e.kind == "user_text" and e.chat_id == user_id]
            self.baseline[user_id] = chat

    async def reset(self) -> None:
        """The world as built: the database restored, the chats' history back to what the world had shown."""
        await databases.restore(self.engine, self.snapshot)
        assert await self.tables() == self.stored, "the database was not restored"
        self.floor = {
            user_id: max((m.message_id for m in self.fake.messages(user_id)), default=0) for user_id in PEOPLE.values()
        }
        self.chats = {user_id: chat.copy() for user_id, chat in self.baseline.items()}
        self.story = []

    # ---- reading the database (plain SQL on the bot's own engine; the bot is idle between steps) ----------------

    async def _rows(self, sql: str, **params) -> list[tuple]:
        async with self.engine.connect() as connection:
            return [tuple(row) for row in (await connection.execute(text(sql), params)).all()]

    async def tables(self) -> dict[str, list[tuple]]:
        # the audit trail logs reads (a stale answer that shows the client's detail again is one); chatturn holds
        # the last update handled per chat (the order guard across processes), which every update moves on
        return await databases.contents_of(self.engine, leave_out=("alembic_version", "auditentry", "chatturn"))

    async def position(self, user_id: int) -> tuple[int, str]:
        """(the dialog's version, the open flow or "")."""
        found = await self._rows("SELECT flow, data FROM dialog WHERE telegram_user_id = :user", user=user_id)
        row = found[0] if found else None
        if row is None:
            return 0, ""
        data = json.loads(crypto.ring().decrypt(row[1].encode("ascii")))  # Dialog.data is stored encrypted
        return int(data.get("v", 0)), row[0] or ""

    async def asks_for_file(self, user_id: int) -> bool:
        """Whether the open question takes a photo or document as its answer (the proof of an application)."""
        found = await self._rows("SELECT flow, step FROM dialog WHERE telegram_user_id = :user", user=user_id)
        return found == [("application", "proof")]

    async def role(self, user_id: int) -> str | None:
        for role, table in (("coach", "coach"), ("employee", "employee"), ("employer", "employercontact")):
            if await self._rows(f"SELECT 1 FROM {table} WHERE telegram_user_id = :user", user=user_id):  # noqa: S608
                return role
        return None

    # ---- one step -------------------------------------------------------------------------------------------

    async def strategy(self, who: str, weighted: tuple[str, ...]) -> st.SearchStrategy[Step]:
        user_id = PEOPLE[who]
        chat = self.chats[user_id]
        version, _flow = await self.position(user_id)
        offered = tuple(chat.offered)
        kinds = [kind for kind in weighted if (kind != "press" or offered) and (kind != "edit" or chat.texts)]

        def payload(kind: str) -> st.SearchStrategy[Step]:
            if kind == "press":
                return st.sampled_from(offered).map(lambda data: Step(who, kind, data))
            if kind in ("forge", "group_press"):
                return forged_data(version, offered, self.ids).map(lambda data: Step(who, kind, data))
            if kind in ("command",):
                return commands(self.tokens).map(lambda text: Step(who, kind, text))
            if kind == "group_text":
                return (typed_texts() | commands(self.tokens)).map(lambda text: Step(who, kind, text))
            if kind == "edit":
                return st.builds(Step, st.just(who), st.just(kind), typed_texts(), st.integers(0, len(chat.texts) - 1))
            if kind in ("sticker", "voice"):
                return st.just(Step(who, kind))
            return typed_texts().map(lambda text: Step(who, kind, text))

        return st.sampled_from(kinds).flatmap(payload)

    async def run(self, step: Step) -> None:
        user = self.users[step.who]
        chat = self.chats[user.id]
        version, flow = await self.position(user.id)
        where = flow or "no flow"
        role = await self.role(user.id)
        known = role is not None
        kind = step.kind
        private = kind not in ("group_text", "group_press")
        forged = not private or (kind in ("press", "forge") and _forged(step.payload, chat, version, flow, role))
        event(f"{kind}{' (forged)' if forged and private else ''} in {where}")
        takes_file = kind == "photo" and await self.asks_for_file(user.id)
        before = await self.tables()
        mark = len(self.fake.calls)
        self.errors.records.clear()
        self.story.append(f"{step!r}  [{'stranger' if not known else where}, v{version}{', forged' * forged}]")
        no_answer = None
        try:
            if kind in ("press", "forge"):
                await user.press_data(step.payload, self._carrier(user.id, step.payload))
            elif kind in ("text", "command"):
                await user.send(step.payload or "\u200b", expect_reply=False)  # Telegram never sends an empty text
                mine = [e.message_id for e in self.fake.events if e.kind == "user_text" and e.chat_id == user.id]
                chat.texts.append(mine[-1])
            elif kind == "edit":
                await user.edit(chat.texts[step.target], step.payload or "\u200b", expect_reply=False)
            elif kind == "sticker":
                await user.send_sticker(expect_reply=False)
            elif kind == "photo":
                await user.send_photo(step.payload or None, expect_reply=False)
            elif kind == "voice":
                await user.send_voice(expect_reply=False)
            else:
                self._group(user, step)
        except AssertionError as error:  # the fake gave up waiting for the answer to a press
            if "did not answer" not in str(error):
                raise
            no_answer = str(error)
        await self._settled(mark)
        answered = any(call.chat_id == user.id and call.status == 200 for call in self.fake.calls[mark:])
        if kind not in ("press", "forge", "group_text", "group_press") and not answered:
            no_answer = "nothing sent to the chat"
        if kind == "group_press" and not any(
            call.method == "answerCallbackQuery" and call.chat_id == GROUP and call.status == 200
            for call in self.fake.calls[mark:]
        ):
            no_answer = "the press was not answered (the user's Telegram keeps waiting)"
        calls = self.fake.calls[mark:]
        self._remember(calls)
        shown = [call for call in calls if call.method in SENDS | EDITS]
        self.story.append("    bot: " + ("; ".join(_summary(call) for call in shown) or "(nothing)"))

        # 5. never a word into a group chat
        if any(call.chat_id == GROUP for call in shown):
            self._fail("WroteIntoGroup", "the bot wrote into a group chat", [])
        # 1. no handler raised, Telegram refused nothing
        for record in self.errors.records:
            error = record.exc_info[1] if record.exc_info else None
            self._fail(
                f"HandlerRaised_{type(error).__name__}_at_{_raised_at(error)}",
                "a handler raised",
                [f"{record.getMessage()}: {error!r}"],
            )
        for call in calls:
            if _refused(call):
                self._fail(
                    f"TelegramRefused_{call.method}",
                    "Telegram refused what the bot sent",
                    [f"{call.method}: {call.description}"],
                )
        # 2. every private message and every press (in a group too) is answered
        if no_answer is not None:
            what = "press" if kind in ("press", "forge", "group_press") else "message"
            where_to = "in_group" if not private else f"in_{flow or 'none'}"
            self._fail(f"Unanswered_{what}_{where_to}", f"a {what} got no answer", [no_answer])
        # 4. what a user typed is shown as typed, never as markup
        for call in shown:
            plain = parse_telegram_html(_text_of(call))[0]
            for marker in MARKER.findall(plain):
                event("typed markup shown back")
                typed = TYPED_BY_MARKER[marker]
                if typed not in plain:
                    self._fail(
                        "MarkupFromInput", "user input rendered as markup", [f"typed {typed!r}", f"shown {plain!r}"]
                    )
        # 3. forged presses, edits, media, group chats and strangers change nothing stored
        changed = _changes(before, await self.tables())
        if kind in ("edit", "sticker", "photo", "voice"):  # screened words may raise a safety alert
            changed = [line for line in changed if not line.startswith("safetyalert:")]
        if takes_file:  # a photo at the proof question is the answer: it stores the proof and closes the question
            event("a photo answered the proof question")
            changed = [line for line in changed if not line.startswith(("applicationproof:", "dialog:"))]
        if private and changed and (forged or kind in ("edit", "sticker", "photo", "voice")):
            what = "a forged press" if forged else f"a {kind}"
            self._fail(f"StoredChanged_in_{flow or 'none'}", f"{what} changed what is stored", changed)
        if not private and changed:
            self._fail("GroupUpdateChanged", "an update in a group chat changed what is stored", changed)
        words = step.payload.split()
        genuine_link = kind == "command" and words[0].lower() == "/start" and words[1:2] == [self.tokens[0]]
        if not known and private and changed and not genuine_link:
            self._fail("StrangerChanged", "a stranger's update changed what is stored", changed)

    def _group(self, user: SimUser, step: Step) -> None:
        self.group_updates += 1
        chat = {"id": GROUP, "type": "group", "title": "Re-integratie team"}
        now = int(time.time())
        if step.kind == "group_text":
            text = step.payload or "."
            message = {"message_id": 100_000 + self.group_updates, "from": user.api_user(), "chat": chat,
                       "date": now, "text": text}  # fmt: skip
            if command := re.match(r"/[A-Za-z0-9_@]+", text):
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command.group())}]
            self.fake.inject({"message": message})
        else:
            bot = {"id": self.fake.bot_id, "is_bot": True, "first_name": self.fake.bot_first_name,
                   "username": self.fake.bot_username}  # fmt: skip
            message = {"message_id": 7, "from": bot, "chat": chat, "date": now, "text": "Kies een knop"}
            query = {"id": f"group{self.group_updates}", "from": user.api_user(), "chat_instance": "77",
                     "data": step.payload, "message": message}  # fmt: skip
            # The fake server has no group chats; it learns of this query so that it can be answered, as in Telegram.
            self.fake._queries[query["id"]] = _CallbackQuery(GROUP)
            self.fake.inject({"callback_query": query})

    async def _settled(self, mark: int) -> None:
        """Wait until the bot has taken this step's update into its queue (it confirms it by asking getUpdates
        for a later offset), then until it is idle: every answer, and every outbox message due, is sent."""
        deadline = time.monotonic() + REPLY_TIMEOUT_S
        while _offset(self.fake.calls[mark:]) <= self.offset:
            assert time.monotonic() < deadline, "the bot did not fetch the update"
            await asyncio.sleep(0.002)
        await self.fake.wait_idle()
        self.offset = _offset(self.fake.calls[mark:])

    def _remember(self, calls: list[ApiCall]) -> None:
        for call in calls:
            if call.method in SENDS | EDITS and call.status == 200 and call.chat_id in self.chats:
                chat = self.chats[call.chat_id]
                markup = call.params.get("reply_markup")
                for data in _callback_data(markup.get("inline_keyboard") if isinstance(markup, dict) else []):
                    if data not in chat.offered:
                        chat.offered.append(data)

    def _carrier(self, user_id: int, data: str) -> SentMessage:
        """The message a press is on: the latest of this example's messages that shows this data, else its latest
        message, else one that is gone (the bot then answers with a new message). Messages from before this
        example are never used: earlier examples edited them, and an example must replay the same way."""
        messages = [m for m in self.fake.messages(user_id) if m.message_id > self.floor.get(user_id, 0)]
        showing = [m for m in messages if data in _callback_data(m.reply_markup)]
        if showing or messages:
            return (showing or messages)[-1]
        return SentMessage(message_id=10**9, chat_id=user_id, text="…", plain_text="…")

    def _fail(self, name: str, problem: str, details: list[str]) -> None:
        """Raise a failure whose type names the property and where (hypothesis reports each type separately)."""
        story = "\n".join(self.story)
        raise failure(name)(f"{problem}:\n  " + "\n  ".join(details) + f"\n--- this example:\n{story}")


_FAILURES: dict[str, type[AssertionError]] = {}


def failure(name: str) -> type[AssertionError]:
    """One AssertionError subclass per broken property and place, so that hypothesis keeps each apart."""
    name = re.sub(r"\W", "_", name)
    if name not in _FAILURES:
        _FAILURES[name] = type(name, (AssertionError,), {})
    return _FAILURES[name]


def _callback_data(rows) -> list[str]:
    return [button["callback_data"] for row in rows or [] for button in row if "callback_data" in button]


def _forged(data: str, chat: Chat, version: int, flow: str, role: str | None) -> bool:
    """Data the bot did not offer in this chat's current question: never shown here in this example's world, or
    a dialog button of another version than the open dialog's (or with no dialog open). The standing buttons that
    belong to no dialog and do what a command does count as offered to their role: a reminder's "start the
    check-in" and the digest's "open the caseload" stay valid in every old message."""
    if STANDING.get(data) == role:
        return False
    if data not in chat.offered:
        return True
    parts = data.split("|")
    if len(parts) == 3 and parts[0]:
        return not flow or parts[0] != str(version)
    return False


def _raised_at(error: BaseException | None) -> str:
    """Where in the project's own code an exception was raised ("dialogs_31"), to tell failures apart."""
    ours = [
        frame
        for frame in traceback.extract_tb(error.__traceback__ if error is not None else None)
        if ROOT in Path(frame.filename).parents and "site-packages" not in frame.filename
    ]
    return f"{Path(ours[-1].filename).stem}_{ours[-1].lineno}" if ours else "unknown"


def _text_of(call: ApiCall) -> str:
    value = call.params.get("text") or call.params.get("caption") or ""
    return value if isinstance(value, str) else ""


def _summary(call: ApiCall) -> str:
    text = _text_of(call).replace("\n", " ")
    status = "" if call.status == 200 else f" -> {call.status} {call.description}"
    return f"{call.method}({call.chat_id}, {text[:70]!r}){status}"


def _refused(call: ApiCall) -> bool:
    if call.status in (200, None) or call.method in ("getUpdates", "getMe"):
        return False
    return call.description not in HANDLED


def _changes(before: dict[str, list[tuple]], after: dict[str, list[tuple]]) -> list[str]:
    lines = []
    for table in sorted(set(before) | set(after)):
        old, new = set(before.get(table, [])), set(after.get(table, []))
        lines += [f"{table}: - {_short(row)}" for row in before.get(table, []) if row not in new]
        lines += [f"{table}: + {_short(row)}" for row in after.get(table, []) if row not in old]
    return lines


def _short(row: tuple) -> str:
    return repr(tuple(value if not isinstance(value, bytes) else f"<{len(value)} bytes>" for value in row))[:300]


def _offset(calls: list[ApiCall]) -> int:
    """The highest offset getUpdates asked for in these calls: every update below it is in the bot's queue."""
    asked = [call.params.get("offset") for call in calls if call.method == "getUpdates"]
    return max((offset for offset in asked if isinstance(offset, int)), default=0)


# ---- the tests ------------------------------------------------------------------------------------------------


pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=databases.KINDS)
async def world(request, tmp_path_factory):
    """One world for the module's tests (building it takes a few seconds), on each database kind; every example
    restores it."""
    with databases.temporary_url(tmp_path_factory.mktemp("world"), request.param) as url:
        async with sandbox(clock=ManualClock(START), database_url=url) as box, box.bot_running():
            world = World(People(box), box)
            await world.build()
            box.fake.reply_timeout_s = REPLY_TIMEOUT_S
            root = logging.getLogger()
            root.addHandler(world.errors)
            try:
                yield world
            finally:
                root.removeHandler(world.errors)


# A step takes some 30 ms: with the world built once the module runs in about a minute on one core.
FUZZ = settings(
    deadline=None,
    derandomize=False,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


async def drive(world: World, data, kinds: tuple[str, ...]) -> None:
    await world.reset()
    steps = data.draw(st.integers(1, STEPS), label="steps")
    for number in range(steps):
        person = data.draw(st.sampled_from(tuple(PEOPLE)), label=f"who {number + 1}")
        step = data.draw(await world.strategy(person, kinds), label=f"step {number + 1}")
        await world.run(step)


@settings(FUZZ, max_examples=80)
@given(data=st.data())
async def test_presses_offered_and_forged(world, data):
    """Buttons the bot showed and forged callback data, from everyone, in their private chats (and now and then a
    command, to open other flows)."""
    await drive(world, data, PRESSES)


@settings(FUZZ, max_examples=60)
@given(data=st.data())
async def test_texts_commands_edits_and_media(world, data):
    """Typed answers, markup, crisis words, commands with arguments, edits, stickers, photos, voice, between
    presses of the buttons the bot showed (and forged ones)."""
    await drive(world, data, MESSAGES)


@settings(FUZZ, max_examples=30)
@given(data=st.data())
async def test_group_chats(world, data):
    """Texts, commands and forged presses in a group chat, between private presses that move the world."""
    await drive(world, data, GROUPS)
