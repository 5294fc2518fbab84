"""One clear line for every failure: the real `spoorzoeker` command (a subprocess, or `cli.main` in a thread
next to the fake Telegram) when Telegram or the database cannot be reached or used, a report that cannot be
written, `run-due` in the future (`--simulate` changes nothing) and `run-due` with failed sends; and the logs of
a normal `run`. Each failure: exactly one line on stderr, no traceback, a non-zero exit, nothing left behind."""

from __future__ import annotations

import asyncio
import http.server
import json
import os
import signal
import socket
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot import cli
from bot.sandbox.fake_telegram import FakeTelegram
from bot.sandbox.offline import SANDBOX_TOKEN, local
from storage import queries
from tests import databases

TOKEN = "123456789:AAexampleexampleexampleexample"


def closed_port() -> int:
    """A local port nobody listens on (bound once to get a free number, then closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def spoorzoeker(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_", "DEFAULT_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=cwd, env={**clean, **env}, capture_output=True, text=True, timeout=120
    )  # fmt: skip


def one_line(done: subprocess.CompletedProcess, code: int = 1) -> str:
    """The single line on stderr of a failed command (and the checks that it is one line, no traceback)."""
    assert done.returncode == code, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("spoorzoeker: "), done.stderr
    assert "Traceback" not in done.stderr
    return lines[0]


# --- Telegram -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["run"], ["coach", "add", "--name", "Sanne"], ["run-due"]])
def test_telegram_out_of_reach_is_one_line(tmp_path, command):
    base = f"http://127.0.0.1:{closed_port()}/bot"
    done = spoorzoeker(*command, cwd=tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=base)
    line = one_line(done)
    assert f"cannot reach Telegram at {base.removesuffix('/bot')}" in line and "TELEGRAM_BASE_URL" in line


class _Unauthorized(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - the name http.server calls
        body = json.dumps({"ok": False, "error_code": 401, "description": "Unauthorized"}).encode()
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_token_telegram_refuses_is_one_line_without_the_token(tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Unauthorized)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/bot"
        done = spoorzoeker("coach", "add", "--name", "Sanne", cwd=tmp_path, TELEGRAM_BOT_TOKEN=TOKEN,
                           TELEGRAM_BASE_URL=base)  # fmt: skip
    finally:
        server.shutdown()
        server.server_close()
    line = one_line(done)
    assert "does not accept TELEGRAM_BOT_TOKEN" in line and "@BotFather" in line
    assert TOKEN.split(":")[1] not in done.stderr + done.stdout


# --- the database ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["db", "upgrade"], ["run"]])
def test_a_sqlite_file_in_a_missing_folder_is_one_line(tmp_path, command):
    url = f"sqlite:///{tmp_path / 'nope' / 'bot.db'}"
    done = spoorzoeker(*command, cwd=tmp_path, DATABASE_URL=url, TELEGRAM_BOT_TOKEN=TOKEN,
                       TELEGRAM_BASE_URL=f"http://127.0.0.1:{closed_port()}/bot")  # fmt: skip
    line = one_line(done)
    assert f"the folder {tmp_path / 'nope'} for the SQLite database does not exist" in line
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", [["db", "upgrade"], ["report", "--employee", "1", "--out", "r.pdf"]])
def test_a_postgresql_server_that_refuses_is_one_line(tmp_path, command):
    port = closed_port()
    done = spoorzoeker(*command, cwd=tmp_path, DATABASE_URL=f"postgresql+asyncpg://spoor:geheim@127.0.0.1:{port}/spoor")
    line = one_line(done)
    assert f"the PostgreSQL server at 127.0.0.1:{port} refused the connection" in line
    assert "geheim" not in line and list(tmp_path.iterdir()) == []


def test_a_report_from_a_database_never_made_leaves_no_file(tmp_path):
    done = spoorzoeker("report", "--employee", "1", "--out", "r.pdf", cwd=tmp_path)
    assert f"there is no database at {tmp_path / 'spoorzoeker.db'}" in one_line(done)
    assert list(tmp_path.iterdir()) == []  # no empty spoorzoeker.db, no r.pdf
    (tmp_path / "empty.db").write_bytes(b"")
    done = spoorzoeker("report", "--employee", "1", "--out", "r.pdf", cwd=tmp_path, DATABASE_URL="sqlite:///empty.db")
    assert "has no Spoorzoeker tables yet: run `spoorzoeker db upgrade` first" in one_line(done)
    assert [p.name for p in tmp_path.iterdir()] == ["empty.db"] and (tmp_path / "empty.db").stat().st_size == 0


# --- the report's file ----------------------------------------------------------------------------------------


@pytest.fixture
async def client(people):
    coach = await people.coach(name="Sanne de Vries")
    await people.employee(coach, 2001, "Ahmed Yilmaz")
    return (await people.employee_row(2001)).id


async def test_a_report_into_a_missing_folder_or_a_clashing_suffix_is_refused(client, box, tmp_path):
    env = {"DATABASE_URL": box.settings.database_url}
    args = ["report", "--employee", str(client)]
    done = await asyncio.to_thread(spoorzoeker, *args, "--out", "missing/r.pdf", cwd=tmp_path, **env)
    assert f"the folder {tmp_path / 'missing'} for --out does not exist" in one_line(done, 2)
    done = await asyncio.to_thread(spoorzoeker, *args, "--format", "csv", "--out", "r.pdf", cwd=tmp_path, **env)
    assert "--format csv does not fit --out r.pdf" in one_line(done, 2)
    assert list(tmp_path.iterdir()) == []
    done = await asyncio.to_thread(spoorzoeker, *args, "--out", "r.csv", cwd=tmp_path, **env)  # the suffix picks
    assert done.returncode == 0 and done.stderr == "" and "(csv)" in done.stdout
    assert (tmp_path / "r.csv").read_text(encoding="utf-8-sig").startswith("soort;")


async def test_a_pdf_report_prints_no_library_chatter(client, box, tmp_path):
    args = ["report", "--employee", str(client), "--out", "r.pdf"]
    done = await asyncio.to_thread(spoorzoeker, *args, cwd=tmp_path, DATABASE_URL=box.settings.database_url)
    assert done.returncode == 0 and done.stderr == ""  # no fontTools lines, no HarfBuzz-Subset warning
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")


# --- run-due --------------------------------------------------------------------------------------------------


async def test_run_due_in_the_future_is_refused_and_simulate_changes_nothing(client, box, clock, tmp_path):
    database = box.settings.database_url
    before, shown = await asyncio.to_thread(databases.contents, database), len(box.fake.messages(2001))
    later = clock.now() + timedelta(weeks=2)  # Ahmed's check-in time, a Friday 10:00 at least a day ahead
    while later < datetime.now(UTC) + timedelta(days=1):
        later += timedelta(weeks=1)
    later = later.isoformat()
    env = {"DATABASE_URL": box.settings.database_url, "TELEGRAM_BOT_TOKEN": SANDBOX_TOKEN,
           "TELEGRAM_BASE_URL": box.fake.base_url}  # fmt: skip
    done = await asyncio.to_thread(spoorzoeker, "run-due", "--at", later, cwd=tmp_path, **env)
    line = one_line(done, 2)
    assert "is in the future" in line and "--simulate" in line
    done = await asyncio.to_thread(spoorzoeker, "run-due", "--simulate", "--at", later, cwd=tmp_path, **env)
    assert done.returncode == 0 and done.stderr == ""
    report = json.loads(done.stdout)
    assert report["simulated"] is True and report["stored"] is False
    assert (
        report["missed"] >= 1
        and {"employee": client, "week": report["would_mark_missed"][0]["week"]} in (report["would_mark_missed"])
    )
    assert [row["kind"] for row in report["would_send"] if row["chat_id"] == 2001] == ["prompt"]
    assert await asyncio.to_thread(databases.contents, database) == before  # not one row stored
    assert len(box.fake.messages(2001)) == shown  # nothing sent


def _a_friday_10_00_more_than_a_week_ago() -> datetime:
    day = datetime.now(UTC).date() - timedelta(days=8)
    while day.weekday() != 4:
        day -= timedelta(days=1)
    return local(f"{day.isoformat()} 10:00")


@pytest.fixture
def clock():
    from bot.core.clock import ManualClock

    return ManualClock(_a_friday_10_00_more_than_a_week_ago())


async def test_run_due_prints_why_each_send_failed_and_exits_non_zero(client, box, clock, monkeypatch, capsys):
    box.fake.block(2001)  # Ahmed blocked the bot: Telegram answers 403
    monkeypatch.setenv("DATABASE_URL", box.settings.database_url)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", SANDBOX_TOKEN)
    monkeypatch.setenv("TELEGRAM_BASE_URL", box.fake.base_url)
    capsys.readouterr()
    week_later = (clock.now() + timedelta(days=7)).isoformat()
    assert await asyncio.to_thread(cli.main, ["run-due", "--at", week_later]) == 1
    out, err = capsys.readouterr()
    assert json.loads(out)["failed"] == 1
    (line,) = err.splitlines()
    assert line.startswith("spoorzoeker: not sent: prompt to chat 2001 (outbox row ")
    assert "given up): 403 Forbidden: bot was blocked by the user" in line
    async with box.db.session() as session:
        (row,) = await queries.outbox_rows(session, kind="prompt")
    assert row.status == "failed" and f"outbox row {row.id}," in line


# --- logging --------------------------------------------------------------------------------------------------


async def _run_until_polling(tmp_path: Path, *flags: str) -> str:
    """Start `spoorzoeker run` against a fake Telegram, stop it with SIGTERM once it polls; its stderr."""
    async with FakeTelegram() as fake:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
        env.update(TELEGRAM_BOT_TOKEN=SANDBOX_TOKEN, TELEGRAM_BASE_URL=fake.base_url)
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", *flags, cwd=tmp_path, env=env, stderr=asyncio.subprocess.PIPE
        )
        try:
            for _ in range(600):
                if fake.calls_of("getUpdates") or process.returncode is not None:
                    break
                await asyncio.sleep(0.05)
            process.send_signal(signal.SIGTERM)
            _, err = await asyncio.wait_for(process.communicate(), 60)
        finally:
            if process.returncode is None:
                process.kill()
    assert process.returncode == 0, err.decode()
    return err.decode()


async def test_a_normal_run_logs_only_spoorzoekers_own_lines(tmp_path):
    err = await _run_until_polling(tmp_path)
    lines = err.splitlines()
    assert any("INFO bot.app: Spoorzoeker is running as @SpoorzoekerBot" in line for line in lines), err
    assert all(" bot." in line or " handlers." in line or " storage." in line for line in lines), err
    verbose = await _run_until_polling(tmp_path, "--verbose")
    assert "alembic" in verbose and "telegram.ext" in verbose  # the libraries speak when asked
