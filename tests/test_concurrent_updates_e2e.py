"""End to end over HTTP: updates of different users at the same time, each user's in order and once.

The bot handles updates concurrently (`handlers.telegram.per_chat.PerChatUpdates`: one lock per chat) and every
update first takes its chat's turn in the database (`bot.core.turns`), so one chat's updates never overlap and a
re-delivered one is skipped, also across two bots (processes) on one database. Runs on SQLite, and on PostgreSQL
as well when TEST_DATABASE_URL is set."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import Update

from bot.app import Runtime, build_application
from bot.core import logs
from bot.core.clock import ManualClock
from content.texts import texts
from handlers.telegram.per_chat import kind_of
from storage import queries
from storage.db import Database
from tests import databases

STALE = texts().label("nl", "stale_button")


def _turn(url: str, chat_id: int) -> int:
    (row,) = databases.rows(url, "SELECT update_id FROM chatturn WHERE chat_id = :chat", chat=chat_id)
    return row[0]


def _answers_to(box, chat_id: int, since: int) -> list[str]:
    """The methods the bot called for the chat after call number `since`."""
    return [call.method for call in box.fake.calls[since:] if call.chat_id == chat_id]


async def test_two_messages_of_one_user_sent_at_once_are_handled_in_order(people, box):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await ahmed.send("/checkin")
    ahmed.send_nowait("7")  # applications
    ahmed.send_nowait("3")  # interviews
    last = ahmed.send_nowait("5")  # networking
    await _handled(box, 2001, last)
    (checkin,) = await people.checkins(2001)
    assert (checkin.applications, checkin.interviews, checkin.networking) == (7, 3, 5)


async def _dialog_version(box, user_id: int) -> int:
    async with box.db.session() as session:
        return int((await queries.dialog_of(session, user_id)).data["v"])


async def test_a_double_tap_on_one_button_stores_one_answer(people, box):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await ahmed.send("/checkin")
    question, version = ahmed.last, await _dialog_version(box, 2001)
    await asyncio.gather(ahmed.press("4", message=question), ahmed.press("4", message=question))
    (checkin,) = await people.checkins(2001)
    assert checkin.applications == 4 and checkin.interviews is None  # the second "4" did not answer the next one
    assert await _dialog_version(box, 2001) == version + 1  # the dialog moved once
    toasts = [call.params.get("text") for call in box.fake.calls_of("answerCallbackQuery")[-2:]]
    assert toasts.count(STALE) == 1  # the second tap was told the button is no longer active


async def test_an_update_delivered_twice_is_handled_once(people, box, running):
    """Telegram delivers an update again when its webhook answer came too late: the second copy changes nothing."""
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await ahmed.send("/checkin")
    update = _text_update(ahmed, _turn(box.settings.database_url, 2001) + 1, "6")
    mark = len(box.fake.calls)
    await running.update_queue.put(Update.de_json(update, running.bot))
    await running.update_queue.put(Update.de_json(update, running.bot))
    await box.fake.wait_idle()
    (checkin,) = await people.checkins(2001)
    assert checkin.applications == 6 and checkin.interviews is None
    assert len(_answers_to(box, 2001, mark)) == 1  # one answer (the next question), not two
    assert _turn(box.settings.database_url, 2001) == update["update_id"]


async def test_twenty_users_checking_in_at_once_each_keep_their_own_answers(people, box):
    coach = await people.coach()
    users = [await people.employee(coach, 3001 + n, f"Werknemer{n}") for n in range(20)]
    await asyncio.gather(
        *(
            people.checkin(user, applications=n % 7, interviews=n % 3, networking=n % 5, energy=1 + n % 10)
            for n, user in enumerate(users)
        )
    )
    for n, user in enumerate(users):
        (checkin,) = await people.checkins(user.id)
        assert (checkin.applications, checkin.interviews, checkin.networking, checkin.energy) == (
            n % 7,
            n % 3,
            n % 5,
            1 + n % 10,
        )
        assert checkin.submitted_at is not None


class LogContext(logging.Handler):
    """Records the update id and role of the log context of every line of `handlers.telegram.updates`."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, int | None, str | None]] = []
        self.target = logging.getLogger("handlers.telegram.updates")

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append((record.levelname, logs.update_id.get(), logs.role.get()))

    def __enter__(self) -> LogContext:
        self.level = self.target.level
        self.target.setLevel(logging.INFO)
        self.target.addHandler(self)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.target.removeHandler(self)
        self.target.setLevel(self.level)


def _text_update(user, update_id: int, text: str) -> dict:
    message = {"message_id": update_id % 100_000, "from": user.api_user(), "chat": user.api_chat(), "date": 0}
    return {"update_id": update_id, "message": {**message, "text": text}}


async def _handled(box, chat_id: int, update_id: int) -> None:
    """Wait until the chat's turn has reached `update_id` (handled and committed), then for the bot to be idle."""
    for _ in range(500):
        if _turn(box.settings.database_url, chat_id) >= update_id:
            break
        await asyncio.sleep(0.01)
    await box.fake.wait_idle()


async def test_updates_are_counted_by_kind(people, box, running):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    metrics = running.bot_data["runtime"].metrics
    kinds = ("command", "text", "button", "edited", "other")
    before = {kind: metrics.updates.labels(kind)._value.get() for kind in kinds}
    await ahmed.send("/checkin")
    await ahmed.send("2")
    await ahmed.press("1")
    await ahmed.send_sticker()
    await running.update_queue.put(
        Update.de_json(_text_update(ahmed, _turn(box.settings.database_url, 2001), "3"), running.bot)
    )
    await box.fake.wait_idle()
    after = {kind: metrics.updates.labels(kind)._value.get() for kind in kinds}
    assert {kind: after[kind] - before[kind] for kind in kinds} == {
        "command": 1, "text": 2, "button": 1, "edited": 0, "other": 1
    }  # fmt: skip
    assert f'spoorzoeker_handler_seconds_count{{kind="button"}} {after["button"]}' in metrics.page().decode()


async def test_log_lines_of_an_update_carry_its_id_and_the_senders_role(people, box, running, database_kind):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await ahmed.send("/checkin")
    url = box.settings.database_url
    with LogContext() as log_context:
        handled = _turn(url, 2001)
        await running.update_queue.put(Update.de_json(_text_update(ahmed, handled, "3"), running.bot))
        await box.fake.wait_idle()
        box.fake.fail_next("sendMessage", 500, chat_id=2001)  # the answer fails: the error is logged
        await ahmed.send("2")
        failed = _turn(url, 2001)
        await coach.send("/help")
    # PostgreSQL takes the turn before the sender is looked up, SQLite after the conversation (bot.core.turns)
    skipped_role = None if database_kind == "postgresql" else "employee"
    assert log_context.seen == [("INFO", handled, skipped_role), ("ERROR", failed, "employee")]
    assert logs.update_id.get() is None and logs.role.get() is None  # nothing leaks out of an update


def test_kinds_of_updates():
    def update(**body):
        return Update.de_json({"update_id": 1, **body}, None)

    chat = {"id": 5, "type": "private"}
    sender = {"id": 5, "is_bot": False, "first_name": "A"}
    message = {"message_id": 1, "date": 0, "chat": chat, "from": sender}
    assert kind_of(update(message={**message, "text": "/start"})) == "command"
    assert kind_of(update(message={**message, "text": "hallo"})) == "text"
    assert kind_of(update(edited_message={**message, "text": "hallo", "edit_date": 1})) == "edited"
    assert kind_of(update(message={**message, "sticker": None})) == "other"
    query = {"id": "q", "from": sender, "chat_instance": "1", "data": "x"}
    assert kind_of(update(callback_query=query)) == "button"
    assert kind_of(object()) == "other"


async def test_two_bots_on_one_database_handle_a_doubled_update_once(people, box):
    """Two instances (behind a load balancer) get the same update at the same moment: one handles it, the
    other finds the chat's turn taken (on PostgreSQL it waits for the first one's row lock) and skips it."""
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await ahmed.send("/checkin")
    url = box.settings.database_url
    update = _text_update(ahmed, _turn(url, 2001) + 1, "8")
    mark = len(box.fake.calls)
    async with contextlib.AsyncExitStack() as stack:
        apps = []
        for _ in range(2):
            runtime = Runtime(Database(url), ManualClock(box.clock.now()), box.settings.default_timezone)
            stack.push_async_callback(runtime.db.dispose)
            app = build_application(box.settings, runtime)
            await stack.enter_async_context(app)
            apps.append(app)
        await asyncio.gather(*(app.process_update(Update.de_json(update, app.bot)) for app in apps))
    (checkin,) = await people.checkins(2001)
    assert checkin.applications == 8 and checkin.interviews is None
    assert len(_answers_to(box, 2001, mark)) == 1
