"""The right of access end to end: canaries planted through the chat for Ahmed and for Linda (check-in
reflection and step, an application with a vacancy link, a note for the file and a private note of the coach),
then /mijngegevens: a short message and two documents; the JSON validates against content/export/schema.json and
holds every canary of Ahmed and none of Linda's, the PDF's text too; `spoorzoeker privacy export` writes the same
two files; every table is either exported or named as not about one person."""

from __future__ import annotations

import asyncio
import io
import json
import re

import jsonschema
import pytest
from pypdf import PdfReader
from sqlmodel import SQLModel

from bot import cli
from bot.views import export
from storage import export_queries

CANARIES = ("REFLECTIE", "STAP", "BEDRIJF", "FUNCTIE", "DOSSIERNOTITIE", "PRIVENOTITIE", "vacature")


def canaries(who: str) -> list[str]:
    return [f"kanarie-{what.lower()}-{who}" for what in CANARIES]


def pdf_text(data: bytes) -> str:
    """The PDF's text, lower case and without any white space (table cells wrap long words)."""
    assert data.startswith(b"%PDF")
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)).lower()


async def plant(people, coach, user, who: str) -> None:
    """Every canary of `who`, typed in the chat by the employee or their coach."""
    _reflection, _step, company, role, file_note, private_note, link = canaries(who)
    await user.send("/sollicitatie")
    if any("Nieuwe sollicitatie" in label for label in user.buttons()):
        await user.press("Nieuwe sollicitatie")
    await user.send(company)
    await user.send(role)
    await user.press("Vandaag")
    await user.press("Website")
    await user.send(f"https://example.org/{link}")
    await coach.send("/caseload")
    await coach.press(who.capitalize())
    await coach.press("Notitie")
    await coach.send(file_note)
    await coach.press("Ja, voor het dossier")
    await coach.press("Notitie")
    await coach.send(private_note)
    await coach.press("Nee, alleen voor mij")


@pytest.fixture
async def planted(people, clock):
    sanne = await people.coach(name="Sanne de Vries")
    ahmed = await people.employee(sanne, 2001, "Ahmed")
    linda = await people.employee(sanne, 2002, "Linda")
    for user, who in ((ahmed, "ahmed"), (linda, "linda")):  # the first week: the values exercise and a step
        await people.checkin(user, step=canaries(who)[1])
    clock.advance(days=7)
    for user, who in ((ahmed, "ahmed"), (linda, "linda")):  # the second week: a reflection
        await people.checkin(user, reflection=canaries(who)[0])
    await plant(people, sanne, ahmed, "ahmed")
    await plant(people, sanne, linda, "linda")
    return sanne, ahmed, linda


def check_document(document: dict, mine: str, theirs: str) -> str:
    jsonschema.Draft202012Validator(export.schema(), format_checker=jsonschema.FormatChecker()).validate(document)
    assert document["schema_version"] == export.SCHEMA_VERSION
    dumped = json.dumps(document, ensure_ascii=False).lower()
    for canary in canaries(mine):
        assert canary in dumped, canary
    for canary in canaries(theirs):
        assert canary not in dumped, canary
    assert theirs not in dumped  # not even the other employee's name
    return dumped


async def test_mijngegevens_sends_a_pdf_and_a_json_with_everything_and_nobody_elses(planted):
    _sanne, ahmed, _linda = planted
    replies = await ahmed.send("/mijngegevens")
    documents = [m for m in replies if m.kind == "document"]
    assert len(documents) == 2, [m.plain_text for m in replies]
    assert "alles wat Spoorzoeker van je bewaart" in replies[0].plain_text
    by_name = {m.file_name.rsplit(".", 1)[1]: m for m in documents}
    document = json.loads(by_name["json"].file_bytes)
    check_document(document, "ahmed", "linda")
    notes = {(n["text"], n["for_file"]) for n in document["coach_notes"]}
    assert notes == {("kanarie-dossiernotitie-ahmed", True), ("kanarie-privenotitie-ahmed", False)}
    assert "C-434/16" in document["about"]["coach_notes"]  # the choice is stated in the export itself
    assert document["coach"] == {"name": "Sanne de Vries"}
    text = pdf_text(by_name["pdf"].file_bytes)
    for canary in canaries("ahmed"):
        assert canary in text, canary
    for canary in canaries("linda"):
        assert canary not in text, canary
    assert "c-434/16nowak" in text and "eigennotitievandecoach" in text


async def test_the_english_alias_and_a_closed_trajectory(planted, people):
    sanne, ahmed, _linda = planted
    await sanne.send("/caseload")
    await sanne.press("Ahmed")
    await sanne.press("Fase")
    await sanne.press("afgesloten")
    replies = await ahmed.send("/mydata")
    assert [m.kind for m in replies].count("document") == 2  # a closed trajectory's data is still theirs to see
    document = json.loads(next(m for m in replies if m.file_name and m.file_name.endswith(".json")).file_bytes)
    assert document["person"]["status"] == "closed" and document["person"]["closed_at"] is not None


async def test_the_cli_export_writes_the_same_two_files(planted, people, box, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", box.settings.database_url)
    employee = await people.employee_row(2001)
    capsys.readouterr()
    code = await asyncio.to_thread(
        cli.main, ["privacy", "export", "--employee", str(employee.id), "--out", str(tmp_path / "uit")]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    written = sorted((tmp_path / "uit").iterdir())
    assert [path.suffix for path in written] == [".json", ".pdf"]
    assert all(str(path) in out for path in written)
    document = json.loads(written[0].read_text(encoding="utf-8"))
    check_document(document, "ahmed", "linda")
    text = pdf_text(written[1].read_bytes())
    assert all(canary in text for canary in canaries("ahmed"))
    code = await asyncio.to_thread(cli.main, ["privacy", "export", "--employee", "999", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code != 0 and err.count("\n") == 1 and "no employee with id 999" in err


def test_every_table_is_exported_or_named_as_not_about_one_person():
    tables = set(SQLModel.metadata.tables)
    known = set(export_queries.ABOUT_ONE_PERSON) | set(export_queries.NOT_ABOUT_ONE_PERSON)
    assert tables <= known, tables - known


def test_the_schema_describes_every_field():
    schema = export.schema()
    jsonschema.Draft202012Validator.check_schema(schema)

    def walk(node: dict, path: str) -> None:
        for name, child in node.get("properties", {}).items():
            assert child.get("description"), f"{path}.{name} has no description"
            walk(child, f"{path}.{name}")
        if isinstance(node.get("items"), dict):
            walk(node["items"], f"{path}[]")

    walk(schema, "$")
