"""Encryption at rest, end to end: canaries typed into the chat are read back by the app and are nowhere in the raw
SQLite file (nor its WAL), nor in any stored value on PostgreSQL; key rotation interrupted half-way and resumed; a
wrong or missing key stops the CLI with one line and changes nothing; a copy of the database without the key reveals
nothing."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import select

from bot import cli
from bot.sandbox.offline import local
from storage import crypto
from storage.crypto import KeyRing
from storage.key_rotation import encrypted_tables, rotate
from storage.models import ApplicationProof, CheckIn, CoachNote, Employee, OwnView, Pause, PlanVersion
from tests import databases
from tests.conftest import SESSION_KEY

NOTE = "KANARIE-notitie: mijn rug speelt op"
OWN_VALUE = "KANARIE-waarde zorgen voor anderen"
FIRST_STEP = "KANARIE-stap vacatures bekijken"
REFLECTION = "KANARIE-reflectie ik was erg moe deze week"
SECOND_STEP = "KANARIE-stap tweede week bellen"
FML = "KANARIE-FML niet tillen boven vijf kilo"
COACH_NOTE = "KANARIE-coachnotitie slaapt slecht"
PROOF_URL = "https://werk.nl/vacatures/KANARIE-bewijs"
PROOF_DOC = b"%PDF-1.4\n% KANARIE-document\n%%EOF\n"
OWN_VIEW = "KANARIE-visie het traject hielp mij"
BSN = "111222333"
CANARIES = [NOTE, OWN_VALUE, FIRST_STEP, REFLECTION, SECOND_STEP, FML, COACH_NOTE, PROOF_URL, OWN_VIEW, BSN]


def _sqlite_path(url: str) -> Path:
    return Path(url.split("///", 1)[1])


def _raw_bytes(url: str) -> bytes:
    """SQLite: the database file and its WAL, after a checkpoint (what a stolen copy of the folder would hold).
    PostgreSQL: every stored value of every table, as the server returns it (bytes as they are, the rest as text)."""
    if databases.is_postgresql(url):
        return b"\n".join(
            value if isinstance(value, bytes) else str(value).encode()
            for rows in databases.contents(url).values()
            for row in rows
            for value in row
        )
    path = _sqlite_path(url)
    databases.rows(url, "PRAGMA wal_checkpoint(FULL)")
    return b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())


def _token_columns(url: str) -> list[tuple[str, str, object]]:
    """Every non-NULL value of every encrypted column, raw with plain SQL: (table, column, value)."""
    found = []
    for table in encrypted_tables():
        for column in table.columns:
            sql = f'SELECT "{column}" FROM "{table.name}" WHERE "{column}" IS NOT NULL'  # noqa: S608 - our names
            found += [(table.name, column, value) for (value,) in databases.rows(url, sql)]
    return found


def _token(value) -> bytes:
    return value.encode() if isinstance(value, str) else bytes(value)


async def _plant(people, box, clock):
    """Everything an employee and their coach type that must be encrypted, typed through the chat."""
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await ahmed.send("/checkin")
    for tap in ("1", "0", "2", "Geen", "3"):
        await ahmed.press(tap)
    await ahmed.press("Notitie voor je coach")
    await ahmed.send(NOTE)
    await ahmed.press("Versturen")
    assert "Anderen helpen" in ahmed.buttons()  # the first week: the values exercise
    await ahmed.send(OWN_VALUE)
    await ahmed.press("Klaar")
    await ahmed.send(FIRST_STEP)
    clock.set(local("2026-11-27 10:00"))  # the next week: a reflection
    await people.checkin(ahmed, reflection=REFLECTION, step=SECOND_STEP)
    await ahmed.send("/pauze")
    await ahmed.press("Behandeling")
    await ahmed.press("2 weken")

    await coach.send("/plan")
    await coach.press("Belastbaarheid")
    await coach.press("Vandaag")
    await coach.send(FML)
    await coach.send("/caseload")
    await coach.press("Ahmed")
    await coach.press("Notitie")
    await coach.send(COACH_NOTE)
    await coach.press("Ja, voor het dossier")
    await coach.send("/dossier")
    await coach.press("BSN")
    await coach.send(BSN)
    assert "Het BSN is bewaard" in coach.last.plain_text

    for proof in (PROOF_URL, PROOF_DOC):
        await ahmed.send("/sollicitatie")
        if any("Nieuwe sollicitatie" in label for label in ahmed.buttons()):
            await ahmed.press("Nieuwe sollicitatie")
        await ahmed.send("Bakkerij Van Dam")
        await ahmed.send("Verkoper")
        await ahmed.press("Vandaag")
        await ahmed.press("Website")
        if isinstance(proof, bytes):
            await ahmed.send_document(proof, "brief.pdf", "application/pdf")
        else:
            await ahmed.send(proof)
        assert "Genoteerd" in ahmed.last.plain_text
    await ahmed.send("/mijnvisie")
    await ahmed.press("Ja, ik schrijf iets")
    await ahmed.send(OWN_VIEW)
    await ahmed.press("Zo is het goed")
    await box.app.bot_data["runtime"].delivery.drain()
    return coach, ahmed


async def _what_the_app_reads(box) -> dict:
    async with box.db.session() as session:
        employee = (await session.exec(select(Employee))).one()
        checkins = (await session.exec(select(CheckIn).order_by(CheckIn.iso_week))).all()
        return {
            "notes": [c.note for c in checkins],
            "energy": [c.energy for c in checkins],
            "reflections": [c.reflection for c in checkins],
            "steps": [c.next_step for c in checkins],
            "values": employee.values,
            "bsn": employee.bsn,
            "pause": [p.reason for p in (await session.exec(select(Pause))).all()],
            "fml": (await session.exec(select(PlanVersion).order_by(PlanVersion.id)))
            .all()[-1]
            .content["capacity"]["text"],
            "coach_notes": [n.text for n in (await session.exec(select(CoachNote).order_by(CoachNote.id))).all()],
            "proofs": sorted(
                (p.url or "", p.data or b"") for p in (await session.exec(select(ApplicationProof))).all()
            ),
            "own_view": (await session.exec(select(OwnView))).one().text,
        }


def _expected(read: dict) -> None:
    assert read["notes"] == [NOTE, None] and read["energy"] == [3, 6]
    assert read["reflections"] == [None, REFLECTION] and read["steps"] == [FIRST_STEP, SECOND_STEP]
    assert OWN_VALUE in read["values"] and read["bsn"] == BSN and read["pause"] == ["treatment"]
    assert read["fml"] == FML and read["coach_notes"] == [COACH_NOTE] and read["own_view"] == OWN_VIEW
    assert read["proofs"] == [("", PROOF_DOC), (PROOF_URL, b"")]


async def test_canaries_are_read_by_the_app_and_not_in_the_raw_database(people, box, clock):
    coach, _ahmed = await _plant(people, box, clock)
    _expected(await _what_the_app_reads(box))
    await coach.send("/caseload")
    await coach.press("Ahmed")
    assert COACH_NOTE[:20] in coach.last.plain_text  # the coach sees it decrypted in the chat

    path = box.settings.database_url
    raw = _raw_bytes(path)
    assert b"KANARIE" not in raw and BSN.encode() not in raw and "KANARIE".encode("utf-16-le") not in raw
    assert b"Bakkerij Van Dam" in raw  # the check can fail: what is not encrypted is there in plain
    values = _token_columns(path)
    tables = {(table, column) for table, column, _value in values}
    assert {("checkin", "energy"), ("checkin", "note"), ("checkin", "next_step"), ("pause", "reason")} <= tables
    assert {("employee", "values"), ("employee", "bsn"), ("planversion", "content"), ("dialog", "data")} <= tables
    assert {("coachnote", "text"), ("applicationproof", "url"), ("applicationproof", "data")} <= tables
    assert {("ownview", "text"), ("outbox", "text")} <= tables
    session_ring = KeyRing.from_setting(SESSION_KEY)
    assert all(session_ring.opens(_token(value)) for _t, _c, value in values)  # every one is a Fernet token


async def test_rotation_interrupted_half_way_and_resumed(people, box, clock, monkeypatch, capsys):
    await _plant(people, box, clock)
    new = Fernet.generate_key().decode()
    both = KeyRing.from_setting(f"{new},{SESSION_KEY}")
    newest_only = KeyRing.from_setting(new)
    crypto.install(both)  # the bot restarted with the new key in front

    class Interrupted(KeyRing):
        """Fails in the middle of its third batch (the batches before it are committed)."""

        calls = 0

        def renewed(self, token: bytes) -> bytes | None:
            Interrupted.calls += 1
            if Interrupted.calls == 5:
                raise RuntimeError("the machine went down")
            return super().renewed(token)

    engine = create_async_engine(box.settings.database_url)
    with pytest.raises(RuntimeError):
        await rotate(engine, Interrupted([new.encode(), SESSION_KEY.encode()]), batch=2)
    await engine.dispose()
    path = box.settings.database_url
    under_new = [newest_only.opens(_token(value)) for _t, _c, value in _token_columns(path)]
    assert 0 < sum(under_new) < len(under_new)  # some values renewed, the rest not yet

    monkeypatch.setenv("DATABASE_URL", box.settings.database_url)
    monkeypatch.setenv("ENCRYPTION_KEY", f"{new},{SESSION_KEY}")
    capsys.readouterr()
    assert await asyncio.to_thread(cli.main, ["privacy", "rotate-key", "--batch", "3"]) == 0
    out, err = capsys.readouterr()
    assert "values re-encrypted with the newest key" in out and "already were" in out and "checkin:" in err
    assert all(newest_only.opens(_token(value)) for _t, _c, value in _token_columns(path))
    assert await asyncio.to_thread(cli.main, ["privacy", "rotate-key"]) == 0  # again: nothing left to do
    assert capsys.readouterr().out.startswith("0 values re-encrypted")

    crypto.install(newest_only)  # the old key removed
    _expected(await _what_the_app_reads(box))
    monkeypatch.setenv("ENCRYPTION_KEY", new)
    assert await asyncio.to_thread(cli.main, ["coach", "list"]) == 0
    monkeypatch.setenv("ENCRYPTION_KEY", SESSION_KEY)  # the keycheck is under the new key now: the old one alone fails
    assert await asyncio.to_thread(cli.main, ["coach", "list"]) == 2
    assert "does not open this database" in capsys.readouterr().err


# a token in the right shape for a Bot API server that is not there (nothing leaves this machine)
NOWHERE = {"TELEGRAM_BOT_TOKEN": "1:" + "a" * 30, "TELEGRAM_BASE_URL": "http://127.0.0.1:9/bot"}


def _spoorzoeker(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_", "ENCRYPTION_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=cwd, env={**clean, **env}, capture_output=True, text=True, timeout=120
    )


def _dump(url: str) -> str:
    return repr(databases.contents(url))


async def test_a_copy_without_the_key_reveals_nothing_and_a_wrong_or_missing_key_stops_the_cli(
    people, box, clock, tmp_path
):
    await _plant(people, box, clock)
    url = box.settings.database_url
    if not databases.is_postgresql(url):  # SQLite: a copy of the file (on PostgreSQL: the database itself)
        _raw_bytes(url)  # checkpointed: the copy is whole
        copy = tmp_path / "copy.db"
        shutil.copyfile(_sqlite_path(url), copy)
        url = f"sqlite+aiosqlite:///{copy}"
    dump = _dump(url)
    assert "KANARIE" not in dump and BSN not in dump and "Ahmed" in dump  # names are not encrypted, health data is
    assert all(_token(value).startswith(b"gAAAAA") for _t, _c, value in _token_columns(url))

    before = _dump(url)
    other = Fernet.generate_key().decode()
    commands = [("coach", "list"), ("run-due", "--simulate"), ("privacy", "rotate-key"), ("db", "upgrade")]
    for key, expected in ((other, "does not open this database"), (None, "ENCRYPTION_KEY is not set")):
        env = {"DATABASE_URL": url} | ({"ENCRYPTION_KEY": key} if key else {})
        for command in commands:
            done = _spoorzoeker(*command, cwd=tmp_path, **env)
            assert done.returncode == 2, (command, done.stderr)
            (line,) = done.stderr.splitlines()
            assert line.startswith("spoorzoeker: ") and expected in line, (command, line)
            assert other not in line and SESSION_KEY not in line
    run = _spoorzoeker("run", cwd=tmp_path, DATABASE_URL=url, ENCRYPTION_KEY=other, **NOWHERE)
    assert run.returncode == 2 and "does not open this database" in run.stderr.splitlines()[-1]
    assert _dump(url) == before  # nothing changed
    done = _spoorzoeker("coach", "list", cwd=tmp_path, DATABASE_URL=url, ENCRYPTION_KEY=f"{other},{SESSION_KEY}")
    assert done.returncode == 0 and "Sanne" in done.stdout  # the right key, anywhere in the list, opens it


def test_a_malformed_key_is_one_line_that_says_how_to_make_one(tmp_path):
    done = _spoorzoeker("coach", "list", cwd=tmp_path, ENCRYPTION_KEY="geheim")
    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    assert "ENCRYPTION_KEY" in line and "spoorzoeker privacy new-key" in line and "geheim" not in line
    made = _spoorzoeker("privacy", "new-key", cwd=tmp_path)
    assert made.returncode == 0
    key = made.stdout.strip()
    Fernet(key)  # a real key
    assert f"ENCRYPTION_KEY={key},<the keys you have now>" in made.stderr
    due = _spoorzoeker("run-due", cwd=tmp_path, **NOWHERE)
    assert due.returncode == 2 and "ENCRYPTION_KEY is not set" in due.stderr.splitlines()[-1]
    assert list(tmp_path.iterdir()) == []  # no database was made without a key


async def test_migrating_a_database_with_data_needs_a_key_and_encrypts_it(tmp_path, database_kind):
    from storage.migrate import upgrade

    url = databases.fresh_url(tmp_path, name="old", migrated=False)
    await asyncio.to_thread(upgrade, url, "0008")
    await asyncio.to_thread(
        databases.rows,
        url,
        "INSERT INTO coach (name, language, timezone, digest_weekday, digest_time, created_at, is_admin) "
        "VALUES ('Sanne', 'nl', 'Europe/Amsterdam', 0, '08:00:00', '2026-01-01', FALSE)",
    )
    await asyncio.to_thread(databases.rows, url, "INSERT INTO employer (name, created_at) VALUES ('Bol', '2026-01-01')")
    await asyncio.to_thread(
        databases.rows,
        url,
        "INSERT INTO employee (name, coach_id, employer_id, language, timezone, checkin_weekday, checkin_time,"
        " first_sick_day, track2_start, phase, status, created_at) VALUES ('Ahmed', 1, 1, 'nl',"
        " 'Europe/Amsterdam', 4, '10:00:00', '2025-10-06', '2026-11-20', 'intake', 'active', '2026-01-01')",
    )
    await asyncio.to_thread(
        databases.rows,
        url,
        "INSERT INTO coachnote (employee_id, coach_id, text, for_file, created_at) "
        "VALUES (1, 1, :text, FALSE, '2026-01-01')",
        text=COACH_NOTE,
    )
    crypto.install(None)
    with pytest.raises(crypto.KeyProblem, match="ENCRYPTION_KEY is not set"):
        await asyncio.to_thread(upgrade, url)
    crypto.install(KeyRing.from_setting(SESSION_KEY))
    await asyncio.to_thread(upgrade, url)
    assert b"KANARIE" not in await asyncio.to_thread(_raw_bytes, url)
    from storage.db import Database

    db = Database(url)
    async with db.session() as session:
        assert (await session.exec(select(CoachNote))).one().text == COACH_NOTE
    await db.dispose()


async def test_sqlite_overwrites_what_is_deleted(box, database_kind):
    if database_kind != "sqlite":
        pytest.skip("PRAGMA secure_delete is a SQLite setting; PostgreSQL has no such setting")
    from sqlalchemy import text

    async with box.db.session() as session:
        assert (await session.exec(text("PRAGMA secure_delete"))).scalar_one() == 1
