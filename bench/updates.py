"""Update-handling benchmark: N employees tapping through their weekly check-in at the same moment.

Run from the project folder::

    python bench/updates.py [--employees 20] [--latency 0.05] [--database postgresql+asyncpg://...] [--profile F]

What it does:

1. Starts two fake Bot API servers (`bot.sandbox.fake_telegram.FakeTelegram`) in a process of their own, each
   answering every call `--latency` seconds late (a round trip to Telegram), with one simulated user per
   employee. The simulated users run in that process too: Telegram and its users are other machines.
2. Creates a database (a temporary SQLite file, or with `--database URL` a new database on that PostgreSQL
   server, dropped afterwards) with one coach and N active employees (`bench.fanout.make_database`; set-up, not
   measured), and runs the real bot (`bot.app.running`: polling, `PerChatUpdates`, delivery) against the first
   server.
3. Every employee does a whole check-in at the same time, as fast as the answers come: /checkin, the three
   numbers, "Geen", the energy, "Versturen", and "Overslaan" while it is offered (the values exercise, the step
   for next week). A tap's next tap waits until the bot's answer (the callback query answered and the message
   edited, or the reply to a text) is in.
4. The same taps, in the same order, against a bare python-telegram-bot bot on the second server, with
   concurrent updates on, that does the same Telegram-side work per update (a text: a sendMessage with buttons;
   a button: answerCallbackQuery and an edit with buttons) and nothing else.

`updates_per_s` is all taps of all employees divided by the time from the first tap to the last answer;
`median_s` / `p95_s` the time from a tap to its answer as the simulated users (in the server's process) saw it;
`ratio` ours / bare; `cpu_ms_per_update` the bot process's CPU time per update (all its threads). The last line
of the output is one JSON object with the numbers. The goal (issue 16): `ratio` >= 0.5 and `p95_s` < 0.5 at 20
employees, on SQLite and on PostgreSQL. `--profile FILE` writes a profile of our bot's process while the
employees tap: cProfile for a `.prof` file, else pyinstrument's text (if installed).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import multiprocessing
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler, ContextTypes, MessageHandler, filters

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `python bench/updates.py` from the project

from bench.fanout import MOMENT, bench_database, make_database, user_ids  # noqa: E402
from bot.app import running  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.core.clock import ManualClock  # noqa: E402
from bot.sandbox.fake_telegram import FakeTelegram, SentMessage, SimUser  # noqa: E402
from bot.sandbox.fake_telegram.state import _CallbackQuery  # noqa: E402
from bot.sandbox.offline import SANDBOX_TOKEN  # noqa: E402
from storage import crypto  # noqa: E402

TAPS = ("/checkin", "2", "1", "3", "Geen", "6", "Versturen")  # then "Overslaan" while it is offered
MORE = "Overslaan"
TIMEOUT_S = 30.0


# ---- the Telegram side (its own process) -------------------------------------------------------------------


def _latest_keyboard(fake: FakeTelegram, chat_id: int) -> SentMessage | None:
    return next((m for m in reversed(fake.messages(chat_id)) if m.reply_markup), None)


def _button(message: SentMessage | None, label: str) -> dict[str, Any] | None:
    """The button labelled `label` exactly, or whose label contains it (labels carry emoji)."""
    buttons = [button for row in (message.reply_markup if message else None) or [] for button in row]
    exact = [button for button in buttons if button.get("text") == label]
    return (exact or [button for button in buttons if label in button.get("text", "")] or [None])[0]


def _press_nowait(fake: FakeTelegram, user: SimUser, message: SentMessage, button: dict[str, Any]) -> str:
    """A callback query for `button` on `message`, queued for the bot (what `SimUser.press` does, without
    waiting for the whole server to be quiet); returns the query's id."""
    query_id = f"{user.id}{time.monotonic_ns() % 10**12:012d}"
    fake._queries[query_id] = _CallbackQuery(user.chat_id)
    query = {
        "id": query_id,
        "from": user.api_user(),
        "chat_instance": str(user.chat_id),
        "data": button["callback_data"],
        "message": fake._message_json(message),
    }
    fake.inject({"callback_query": query})
    return query_id


async def _until(fake: FakeTelegram, topic: tuple, predicate, deadline: float) -> None:
    if not await fake._notifier.wait_until(topic, predicate, deadline):
        raise AssertionError(f"no answer in {TIMEOUT_S} s ({topic})")


async def _check_in(fake: FakeTelegram, user: SimUser, taps: list[str] | None, times: list[float]) -> list[str]:
    """One employee's check-in; `taps` None: the standard taps, then "Overslaan" while it is offered. Returns
    the taps made; appends each tap's time to its answer to `times`."""
    chat = fake._chat(user.chat_id)
    made: list[str] = []
    planned = list(taps) if taps is not None else list(TAPS)
    while planned or (taps is None and _button(_latest_keyboard(fake, user.chat_id), MORE)):
        label = planned.pop(0) if planned else MORE
        deadline = time.monotonic() + TIMEOUT_S
        before = chat.reply_calls
        if label.startswith("/"):
            started = time.perf_counter()
            user.send_nowait(label)
            await _until(fake, ("chat", user.chat_id), lambda before=before: chat.reply_calls > before, deadline)
        else:
            while (button := _button(message := _latest_keyboard(fake, user.chat_id), label)) is None:
                if time.monotonic() > deadline:  # the edit landed just after its call was noted: a moment
                    raise AssertionError(f"no button {label!r} for {user.id}")
                await asyncio.sleep(0.001)
            started = time.perf_counter()
            query_id = _press_nowait(fake, user, message, button)
            query = fake._queries[query_id]
            await _until(fake, ("query", query_id), query.was_answered, deadline)
            await _until(fake, ("chat", user.chat_id), lambda before=before: chat.reply_calls > before, deadline)
        times.append(time.perf_counter() - started)
        made.append(label)
    return made


async def _drive(fake: FakeTelegram, users: list[SimUser], taps: list[str] | None) -> dict[str, Any]:
    times: list[float] = []
    started = time.perf_counter()
    made = await asyncio.gather(*(_check_in(fake, user, taps, times) for user in users))
    elapsed = time.perf_counter() - started
    return {"taps": made[0], "updates": len(times), "seconds": elapsed, "times": times}


async def _serve(connection, employees: int, latency_s: float) -> None:
    fakes = [FakeTelegram(latency_s=latency_s, reply_timeout_s=TIMEOUT_S) for _ in range(2)]
    users = []
    for fake in fakes:
        await fake.start()
        users.append([fake.user(user_id, f"Werknemer{n}") for n, user_id in enumerate(user_ids(employees), 1)])
    connection.send([fake.base_url for fake in fakes])
    while (order := await asyncio.to_thread(connection.recv)) is not None:
        which, taps = order
        connection.send(await _drive(fakes[which], users[which], taps))
    for fake in fakes:
        await fake.stop()


def serve_fake_telegram(connection, employees: int, latency_s: float) -> None:
    asyncio.run(_serve(connection, employees, latency_s))


# ---- the bots (this process) -------------------------------------------------------------------------------


async def _ask(connection, order) -> dict[str, Any]:
    """Have the employees tap (`order`: which server, which taps) and return what they saw, with this process's
    CPU time (all threads: the event loop and the database driver's) while they did."""
    cpu = time.process_time()
    connection.send(order)
    result = await asyncio.to_thread(connection.recv)
    return {**result, "cpu_s": time.process_time() - cpu}


def _keyboard(step: int) -> InlineKeyboardMarkup:
    labels = [*dict.fromkeys(label for label in (*TAPS, MORE) if not label.startswith("/"))]
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=f"{step}:{label}")] for label in labels])


async def _bare_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text("Vraag 1", reply_markup=_keyboard(1))


async def _bare_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    step = int(update.callback_query.data.split(":", 1)[0]) + 1
    await update.callback_query.answer()
    await update.callback_query.edit_message_text(f"Vraag {step}", reply_markup=_keyboard(step))


async def _bare(base_url: str, connection, taps: list[str]) -> dict[str, Any]:
    """The bare python-telegram-bot bot, concurrent updates on, doing the same taps."""
    application: Application = (
        ApplicationBuilder().token(SANDBOX_TOKEN).base_url(base_url).concurrent_updates(256).build()
    )
    application.add_handler(MessageHandler(filters.TEXT, _bare_text))
    application.add_handler(CallbackQueryHandler(_bare_button))
    async with application:
        await application.start()
        await application.updater.start_polling(poll_interval=0, timeout=1)
        try:
            return await _ask(connection, (1, taps))
        finally:
            await application.updater.stop()
            await application.stop()


async def _ours(url: str, base_url: str, connection, key: str, profile: Path | None) -> dict[str, Any]:
    settings = load_settings(
        telegram_bot_token=SANDBOX_TOKEN, telegram_base_url=base_url, database_url=url, encryption_key=key
    )
    async with running(settings, clock=ManualClock(MOMENT), poll_timeout=1, scheduled=False):
        if profile is None:
            return await _ask(connection, (0, None))
        return await _profiled(profile, _ask(connection, (0, None)))


async def _profiled(path: Path, work) -> dict[str, Any]:
    """A `.prof` file: cProfile (for pstats, snakeviz); otherwise pyinstrument's text, if it is installed."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        Profiler = None  # noqa: N806 - the class, or none
    if Profiler is None or path.suffix == ".prof":
        profiler = cProfile.Profile()
        profiler.enable()
        try:
            return await work
        finally:
            profiler.disable()
            profiler.dump_stats(path)
    with Profiler(async_mode="disabled") as profiler:
        result = await work
    path.write_text(profiler.output_text(unicode=True, show_all=False))
    return result


def _figures(run: dict[str, Any]) -> dict[str, float]:
    times = sorted(run["times"])
    return {
        "updates": run["updates"],
        "updates_per_s": round(run["updates"] / run["seconds"], 1),
        "median_s": round(statistics.median(times), 3),
        "p95_s": round(times[max(0, round(0.95 * len(times)) - 1)], 3),
        "cpu_ms_per_update": round(1000 * run["cpu_s"] / run["updates"], 1),
    }


async def run(employees: int, latency_s: float, database: str | None, key: str, profile: Path | None) -> dict:
    connection, child_end = multiprocessing.Pipe()
    spawn = multiprocessing.get_context("spawn")
    server = spawn.Process(target=serve_fake_telegram, args=(child_end, employees, latency_s), daemon=True)
    server.start()
    try:
        ours_url, bare_url = await asyncio.to_thread(connection.recv)
        async with bench_database(database) as url:
            await asyncio.to_thread(make_database, url, employees)
            ours = await _ours(url, ours_url, connection, key, profile)
        bare = await _bare(bare_url, connection, ours["taps"])
        connection.send(None)
    finally:
        server.join(timeout=10)
        if server.is_alive():
            server.kill()
    figures = {"ours": _figures(ours), "bare_concurrent": _figures(bare)}
    ratio = figures["ours"]["updates_per_s"] / figures["bare_concurrent"]["updates_per_s"]
    return {
        "employees": employees,
        "taps_per_employee": len(ours["taps"]),
        "latency_s": latency_s,
        "database": "postgresql" if database else "sqlite",
        **figures,
        "ratio": round(ratio, 2),
        "load_average": [round(load, 2) for load in os.getloadavg()],
        "goal_met": ratio >= 0.5 and figures["ours"]["p95_s"] < 0.5,
    }


def main(argv: list[str] | None = None) -> int:
    key = Fernet.generate_key().decode("ascii")  # a throwaway database: its own key
    crypto.install(crypto.KeyRing.from_setting(key))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--employees", type=int, default=20, help="employees checking in at once (20)")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds the fake server takes per call (0.05)")
    parser.add_argument("--database", help="a PostgreSQL server URL (postgresql+asyncpg://...; default: SQLite)")
    parser.add_argument("--profile", type=Path, help="write a profile of our bot while the employees tap")
    args = parser.parse_args(argv)
    result = asyncio.run(run(args.employees, args.latency, args.database, key, args.profile))
    ours, bare = result["ours"], result["bare_concurrent"]
    print(
        f"ours: {ours['updates_per_s']}/s (median {ours['median_s']} s, p95 {ours['p95_s']} s); "
        f"bare concurrent: {bare['updates_per_s']}/s (median {bare['median_s']} s, p95 {bare['p95_s']} s)",
        file=sys.stderr,
    )
    print(json.dumps(result))
    return 0 if result["goal_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
