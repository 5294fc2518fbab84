"""`spoorzoeker run --webhook` as a real process against the fake Bot API, which POSTs the simulated users'
updates to it the way Telegram does: the secret token decides (403 and nothing happens without it), a whole
check-in runs through the webhook, /metrics counts what happened, SIGTERM finishes what is in hand, the logs are
JSON lines without names or texts; and the one line of `run` when long polling meets a 409 Conflict."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import time
from datetime import datetime

import httpx
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import SQLModel

from bot.sandbox.offline import token_in
from storage import models  # noqa: F401 - the tables of the schema in SQLModel.metadata
from tests import databases
from tests.bot_process import SECRET, bot_env, cli, free_port, start_bot, webhook_env

TABLES = sorted(SQLModel.metadata.tables)  # every table of the schema


def _samples(page: str) -> dict[tuple[str, tuple], float]:
    found = {}
    for family in text_string_to_metric_families(page):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def _total(samples: dict, name: str, **labels: str) -> float:
    return sum(
        value for (sample, sample_labels), value in samples.items()
        if sample == name and all((key, wanted) in sample_labels for key, wanted in labels.items())
    )  # fmt: skip


def _the_line(stderr: str) -> str:
    """The one line `spoorzoeker: ...` a failing command ends with (the lines before it are the log)."""
    lines = stderr.strip().splitlines()
    assert [line for line in lines if line.startswith("spoorzoeker:")] == lines[-1:], stderr
    return lines[-1]


def _snapshot(url: str) -> dict[str, int]:
    return {table: databases.rows(url, f'SELECT count(*) FROM "{table}"')[0][0] for table in TABLES}


def _text_update(user, text: str, update_id: int) -> dict:
    message = {"message_id": 900 + update_id, "from": user.api_user(), "chat": user.api_chat()}
    message.update(date=int(time.time()), text=text)
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": update_id, "message": message}


async def _enrol(fake, env, tmp_path):
    """A coach (registered through the chat) and an employee who finished the intake; returns the employee."""
    added = await cli(env, tmp_path, "coach", "add", "--name", "Sanne de Vries")
    assert added.returncode == 0, added.stderr
    coach = fake.user(1001, "Sanne")
    coach_token = re.search(r"start=(\S+)", added.stdout).group(1)
    await coach.send(f"/start {coach_token}")
    for text in ("/invite", "Ahmed Yilmaz", "Bakkerij Bol", "06-10-2025"):
        await coach.send(text)
    ahmed = fake.user(2001, "Ahmed")
    await ahmed.send(f"/start {token_in(await coach.press('Maak de uitnodiging'))}")
    for tap in ("Nederlands", "vr", "10:00"):
        await ahmed.press(tap)
    return ahmed


async def test_without_the_right_secret_nothing_happens_and_with_it_the_user_is_answered(fake, database_url, tmp_path):
    port = free_port()
    bot = await start_bot(fake, webhook_env(fake, database_url, port), tmp_path, webhook=True, port=port)
    try:
        assert fake.webhook.url == f"http://127.0.0.1:{port}/telegram/hook" and fake.webhook.secret_token == SECRET
        canary = fake.user(3001, "Canary")
        before = _snapshot(database_url)
        for update_id, secret in ((1, None), (2, "wrong-secret-0123456789"), (3, SECRET[:-1]), (4, "")):
            answer = await bot.post_update(_text_update(canary, "/start", update_id), secret)
            assert answer.status_code == 403
        assert (await bot.post_update(b"{not json", SECRET)).status_code == 400
        assert (await bot.post_update(b'{"no": "update_id"}', SECRET)).status_code == 400
        assert (await bot.post_update(b"[1, 2]", SECRET)).status_code == 400
        assert _snapshot(database_url) == before

        replies = await canary.send("/start")  # the fake posts it with the secret: handled
        assert replies and all(message.chat_id == canary.chat_id for message in replies)
        assert [post.status for post in fake.webhook.posts] == [200]
        samples = _samples((await bot.get("/metrics")).text)
        assert _total(samples, "spoorzoeker_updates_total") == 1  # the refused ones never reached the bot
        assert _total(samples, "spoorzoeker_updates_total", kind="command") == 1
        assert len(fake.calls_of("getUpdates")) == 0  # webhook mode never polls
    finally:
        code = await bot.stop()
    assert code == 0, bot.stderr.decode()
    assert fake.webhook.active  # the webhook stays set for the other instances


async def test_a_whole_check_in_through_the_webhook_and_the_metrics_count_it(fake, database_url, tmp_path):
    port = free_port()
    env = webhook_env(fake, database_url, port)
    bot = await start_bot(fake, env, tmp_path, webhook=True, port=port)
    try:
        ahmed = await _enrol(fake, env, tmp_path)
        for tap in ("Doe nu je eerste check-in", "2", "1", "3", "Geen", "6", "Versturen"):
            await ahmed.press(tap)
        assert "verstuurd" in ahmed.last.plain_text
        summary = (await ahmed.send("/checkin"))[0].plain_text
        assert "Sollicitaties: 2" in summary and "Gesprekken: 1" in summary and "Netwerkcontacten: 3" in summary

        assert (await bot.get("/healthz")).status_code == 200
        ready = await bot.get("/readyz")
        assert ready.status_code == 200 and ready.json() == {"ready": True}
        metrics = await bot.get("/metrics")
        assert metrics.headers["content-type"].startswith("text/plain")
        samples = _samples(metrics.text)
        delivered = sum(1 for post in fake.webhook.posts if post.status == 200)
        assert _total(samples, "spoorzoeker_updates_total") == delivered
        assert _total(samples, "spoorzoeker_updates_total", kind="button") == sum(
            1 for event in fake.events if event.kind == "user_press"
        )
        assert _total(samples, "spoorzoeker_handler_seconds_count") == delivered
        outbox = dict(databases.rows(database_url, "SELECT status, count(*) FROM outbox GROUP BY status"))
        for status in ("pending", "sent", "failed", "cancelled"):
            assert samples[("spoorzoeker_outbox_rows", (("status", status),))] == outbox.get(status, 0)
        assert _total(samples, "spoorzoeker_sends_total", outcome="sent") == outbox.get("sent", 0)
        assert _total(samples, "spoorzoeker_telegram_429_total") == 0
    finally:
        code = await bot.stop()
    assert code == 0, bot.stderr.decode()


async def test_sigterm_finishes_the_update_in_hand_and_new_posts_wait_for_the_next_instance(
    fake, database_url, tmp_path
):
    port = free_port()
    env = webhook_env(fake, database_url, port)
    bot = await start_bot(fake, env, tmp_path, webhook=True, port=port)
    canary = fake.user(3001, "Canary")
    fake.reply_timeout_s = 30  # the second update waits for the next instance
    fake.slow_next("sendMessage", 2.0)  # the answer to the first update is still on its way at SIGTERM
    first = asyncio.create_task(canary.send("/start"))
    for _ in range(100):
        if fake.calls_of("sendMessage"):
            break
        await asyncio.sleep(0.05)
    assert fake.calls_of("sendMessage"), "the bot did not start answering"
    bot.process.send_signal(signal.SIGTERM)
    for _ in range(100):  # it stops taking updates at once, while it finishes the one in hand
        if (await bot.get("/readyz")).json() == {"ready": False, "reason": "shutting down"}:
            break
        await asyncio.sleep(0.02)
    else:
        raise AssertionError("/readyz never said it was shutting down")
    second = asyncio.create_task(canary.send("/help"))  # posted while it stops: 503 (or refused), retried later
    await asyncio.sleep(0.3)
    assert any(post.status == 503 for post in fake.webhook.posts)
    code = await bot.stop()
    assert code == 0, bot.stderr.decode()
    await first
    answer = fake.calls_of("sendMessage")[0]
    assert answer.status == 200 and answer.chat_id == canary.chat_id  # the update in hand was finished
    assert not second.done()
    assert all(post.status != 200 for post in fake.webhook.posts[1:])

    bot = await start_bot(fake, env, tmp_path, webhook=True, port=port)  # the next instance gets it: nothing lost
    try:
        replies = await second
        assert replies
    finally:
        assert await bot.stop() == 0, bot.stderr.decode()
    assert [post.status for post in fake.webhook.posts][0] == 200 and fake.webhook.posts[-1].status == 200


async def test_json_log_lines_name_no_one(fake, database_url, tmp_path):
    port = free_port()
    env = webhook_env(fake, database_url, port, LOG_FORMAT="json")
    bot = await start_bot(fake, env, tmp_path, webhook=True, port=port)
    try:
        canary = fake.user(3001, "Zwaantje", last_name="Kanarievogel", username="kanarie_3001")
        await canary.send("/start")
        fake.fail_next("sendMessage", 400, chat_id=canary.chat_id, description="Bad Request: chat not found")
        await canary.send("mijn geheime zin Papegaaiduiker")  # its answer fails: an error is logged, with context
        again = _text_update(canary, "/start", 99077)  # Telegram delivers an update twice: the second is skipped
        assert [(await bot.post_update(again, SECRET)).status_code for _ in range(2)] == [200, 200]
        await bot.post_update(_text_update(canary, "/start", 99078), "wrong-secret-0123456789")
        await fake.wait_idle()
    finally:
        code = await bot.stop()
    assert code == 0, bot.stderr.decode()
    lines = bot.stderr.decode().splitlines()
    assert len(lines) >= 2  # at least "running" and "stopped"
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    for record in records:
        assert {"time", "level", "logger", "message"} <= record.keys() <= {
            "time", "level", "logger", "message", "update_id", "role", "exception",
        }  # fmt: skip
        assert record["level"] in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
        assert datetime.fromisoformat(record["time"]).tzinfo is not None
    assert any("running as @SpoorzoekerBot" in record["message"] for record in records)
    skipped = [record for record in records if "handled before" in record["message"]]
    assert [record["update_id"] for record in skipped] == [99077]
    failed = [record for record in records if record["level"] == "ERROR" and "update_id" in record]
    assert failed and all(record["role"] == "unknown" and "exception" in record for record in failed)
    for canary_word in ("Zwaantje", "Kanarievogel", "kanarie_3001", "Papegaaiduiker", SECRET):
        assert canary_word not in bot.stderr.decode()


async def test_webhook_mode_needs_its_settings(fake, database_url, tmp_path):
    env = bot_env(fake, database_url)
    result = await cli(env, tmp_path, "run", "--webhook")
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "WEBHOOK_URL" in result.stderr and "WEBHOOK_SECRET" in result.stderr
    taken = free_port()
    with __import__("socket").create_server(("127.0.0.1", taken)):
        busy = await cli(webhook_env(fake, database_url, taken), tmp_path, "run", "--webhook")
    assert busy.returncode == 1 and f"cannot listen on 127.0.0.1:{taken}" in _the_line(busy.stderr)
    assert "sweeps" not in busy.stderr  # it stopped before anything ran
    fake.fail_next("setWebhook", 400, description="Bad Request: bad webhook: Failed to resolve host")
    refused = await cli(webhook_env(fake, database_url, free_port()), tmp_path, "run", "--webhook")
    line = _the_line(refused.stderr)
    assert refused.returncode == 1 and "Telegram refused WEBHOOK_URL" in line and "failed to resolve host" in line


async def test_polling_stops_with_one_line_when_another_process_polls(fake, database_url, tmp_path):
    bot = await start_bot(fake, bot_env(fake, database_url), tmp_path)
    async with httpx.AsyncClient(timeout=10) as client:  # a second poller: Telegram ends the older poll with 409
        await client.post(f"{fake.base_url}123:OTHER/getUpdates", data={"timeout": "1"})
    code = await bot.finish()
    line = _the_line(bot.stderr.decode())
    assert code == 1, line
    assert "409 Conflict" in line and "spoorzoeker run --webhook" in line


async def test_polling_refuses_to_start_while_a_webhook_is_set(fake, database_url, tmp_path):
    port = free_port()
    webhook_bot = await start_bot(fake, webhook_env(fake, database_url, port), tmp_path, webhook=True, port=port)
    try:
        result = await cli(bot_env(fake, database_url), tmp_path, "run")
        line = _the_line(result.stderr)
        assert result.returncode == 1 and "webhook is set" in line and "spoorzoeker run --webhook" in line
        assert fake.webhook.active and not fake.calls_of("deleteWebhook")  # the instances keep their updates
        async with httpx.AsyncClient(timeout=10) as client:  # and getUpdates meets Telegram's answer to that
            refused = await client.post(f"{fake.base_url}123:OTHER/getUpdates")
        assert refused.status_code == 409 and "webhook is active" in refused.json()["description"]
    finally:
        assert await webhook_bot.stop() == 0


async def test_sigterm_in_polling_mode_finishes_the_update_in_hand(fake, database_url, tmp_path):
    bot = await start_bot(fake, bot_env(fake, database_url), tmp_path)
    canary = fake.user(3001, "Canary")
    fake.slow_next("sendMessage", 2.0)
    first = asyncio.create_task(canary.send("/start"))
    for _ in range(100):
        if fake.calls_of("sendMessage"):
            break
        await asyncio.sleep(0.05)
    assert fake.calls_of("sendMessage"), "the bot did not start answering"
    assert await bot.stop() == 0, bot.stderr.decode()
    await first
    assert fake.calls_of("sendMessage")[0].status == 200
    async with httpx.AsyncClient(timeout=10) as client:  # and it confirmed the update: it will not come again
        info = (await client.post(f"{fake.base_url}123:OTHER/getWebhookInfo")).json()["result"]
    assert info["pending_update_count"] == 0
