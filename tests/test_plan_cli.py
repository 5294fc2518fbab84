"""`spoorzoeker plan export` and `spoorzoeker plan import` against a real SQLite database: a round trip keeps
the content, an import adds a version (the old one stays), a bad file is refused with its line and the reason
and writes nothing, and an unknown employee or a missing plan is one line."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml

from bot import cli
from bot.plan_file import PlanFileError, dump, load
from bot.rules import plan
from storage import plan_queries
from storage.migrate import upgrade_async
from storage.models import Coach, Employee, Employer

MADE = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)

CONTENT = {
    "profile": {
        "own_role": "Verkoopmedewerker",
        "experience": [
            {"role": "Verkoopmedewerker", "sector": "Retail", "years": 8},
            {"role": "Kassière", "sector": None, "years": 2},
        ],  # fmt: skip
        "education": ["mbo 3 Retail"],
        "skills": ["klantcontact", "kassa"],
        "hours": 24,
        "region": "Utrecht",
        "travel_minutes": 45,
        "work_kind": "zittend en staand afwisselend",
        "ambitions": "Iets met mensen, graag één vaste plek",
    },
    "capacity": {"fml_date": "2026-09-14", "text": "Niet tillen boven 10 kg; 4 uur per dag"},
    "directions": [
        {
            "id": "d1",
            "occupation": "Receptionist",
            "sector": "Zorg",
            "region": "Utrecht",
            "hours": 24,
            "level": "mbo",
            "reason": "Past bij klantcontact",
            "added_on": "2026-10-01",
            "reviewed_on": "2026-10-01",
        },
        {
            "id": "d2",
            "occupation": "Klantenservice",
            "sector": None,
            "region": None,
            "hours": None,
            "level": None,
            "reason": None,
            "added_on": "2026-10-01",
            "reviewed_on": "2026-10-20",
        },
    ],  # fmt: skip
    "activities": [
        {
            "id": "a1",
            "kind": "cv_linkedin",
            "provider": "Coach",
            "start": "2026-10-05",
            "end": None,
            "status": "running",
            "result": None,
        },
    ],  # fmt: skip
    "track1": False,
}


def run(*argv: str) -> int:
    return cli.main(list(argv))


async def enrol(box, name: str) -> Employee:
    """An employee with a coach, stored as the chat would have stored them (the CLI only needs the rows)."""
    await upgrade_async(box.settings.database_url)
    async with box.db.session() as session:
        coach = Coach(name="Sanne", created_at=MADE)
        employer = Employer(name=f"Bakkerij van {name}", created_at=MADE)
        session.add_all([coach, employer])
        await session.flush()
        employee = Employee(name=name, coach_id=coach.id, employer_id=employer.id, first_sick_day=date(2025, 10, 6),
                            track2_start=date(2026, 10, 1), created_at=MADE, status="active")  # fmt: skip
        session.add(employee)
        await session.flush()
        return employee


@pytest.fixture
async def linda(box, monkeypatch):
    """Linda, with one plan version made by her coach Sanne; the CLI uses this database."""
    monkeypatch.setenv("DATABASE_URL", box.settings.database_url)
    employee = await enrol(box, "Linda de Vries")
    async with box.db.session() as session:
        content = plan.normalise(CONTENT, date(2026, 11, 2))
        await plan_queries.add_plan_version(session, employee.id, content, "created", employee.coach_id, MADE)
    return employee


async def versions(box, employee_id: int):
    async with box.db.session() as session:
        return await plan_queries.plan_versions(session, employee_id)


async def cli_main(*argv: str) -> int:
    return await asyncio.to_thread(run, *argv)


async def test_export_then_import_round_trips_the_content(linda, box, tmp_path, capsys):
    out = tmp_path / "plan.yaml"
    assert await cli_main("plan", "export", "--employee", str(linda.id), "--out", str(out)) == 0
    assert "plan version 1 of Linda de Vries written to" in capsys.readouterr().out
    text = out.read_text(encoding="utf-8")
    header = [line for line in text.splitlines() if line.startswith("#")]
    assert header[0] == "# Trajectory plan of Linda de Vries"
    assert header[1] == "# Version 1 of 2026-11-02, by Sanne"
    assert "Kassière" in text and "één vaste plek" in text  # unicode kept, not escaped
    assert "  fml_date: 2026-09-14\n" in text  # dates plain YYYY-MM-DD
    top = [line for line in text.splitlines() if line[:1].isalpha()]
    assert top == ["profile:", "capacity:", "directions:", "activities:", "track1: false"]
    assert [key for key in yaml.safe_load(text)] == ["profile", "capacity", "directions", "activities", "track1"]
    assert list(yaml.safe_load(text)["directions"][0]) == [
        "id", "occupation", "sector", "region", "hours", "level", "reason", "added_on", "reviewed_on",
    ]  # fmt: skip

    # the same file again: nothing to write
    assert await cli_main("plan", "import", "--employee", str(linda.id), str(out)) == 0
    assert "is the same as plan version 1 of Linda de Vries: nothing written" in capsys.readouterr().out
    assert len(await versions(box, linda.id)) == 1

    # a changed copy: a new version, the old one stays as it was
    out.write_text(text.replace("hours: 24\n  region: Utrecht", "hours: 28\n  region: Utrecht", 1), "utf-8")
    assert await cli_main("plan", "import", "--employee", str(linda.id), str(out)) == 0
    assert "plan.yaml imported as plan version 2 of Linda de Vries" in capsys.readouterr().out
    first, second = await versions(box, linda.id)
    assert first.content == plan.normalise(CONTENT, date(2026, 11, 2)) and first.change == "created"
    assert (second.number, second.change, second.author_coach_id) == (2, "imported", None)
    assert second.content["profile"]["hours"] == 28
    assert {**second.content, "profile": first.content["profile"]} == first.content

    # exported again, the imported version reads back identically
    again = tmp_path / "again.yaml"
    assert await cli_main("plan", "export", "--employee", str(linda.id), "--out", str(again)) == 0
    assert "# Version 2 of " in again.read_text("utf-8") and ", by an import (no coach)" in again.read_text("utf-8")
    assert plan.normalise(yaml.safe_load(again.read_text("utf-8")), date.today()) == second.content


BROKEN = [
    # (what is wrong, change to the exported text, the line it is on, the reason said)
    ("syntax", ("  region: Utrecht\n", "  region: Utrecht: centrum\n"),
     "YAML syntax: mapping values are not allowed here"),
    ("unknown field", ("  region: Utrecht\n", "  region: Utrecht\n  regio: Utrecht\n"),
     "profile.regio: is not a field here (the fields are: own_role, experience,"),
    ("text in a number", ("  travel_minutes: 45\n", "  travel_minutes: veertig\n"),
     'profile.travel_minutes: "veertig" is not a whole number'),
    ("out of range", ("  hours: 24\n  level: mbo\n", "  hours: 70\n  level: mbo\n"),
     "directions[0].hours: 70 is out of range 0–60"),
    ("bad date", ("  reviewed_on: 2026-10-20\n", "  reviewed_on: 2026-02-30\n"),
     'directions[1].reviewed_on: "2026-02-30" is not a date (write YYYY-MM-DD'),
    ("wrong kind", ("- id: a1\n  kind: cv_linkedin\n", "- id: a1\n  kind: sollicitatietraining\n"),
     '"sollicitatietraining" is not one of: orientation, cv_linkedin'),
]  # fmt: skip


@pytest.mark.parametrize(("what", "change", "said"), BROKEN, ids=[case[0] for case in BROKEN])
async def test_a_broken_file_is_refused_with_its_line_and_writes_nothing(linda, box, tmp_path, capsys, what,
                                                                           change, said):  # fmt: skip
    out = tmp_path / "plan.yaml"
    assert await cli_main("plan", "export", "--employee", str(linda.id), "--out", str(out)) == 0
    text = out.read_text("utf-8")
    old, new = change
    assert old in text
    broken = text.replace(old, new, 1)
    wrong = next(line for line in new.splitlines() if line not in old.splitlines())
    line = broken.splitlines().index(wrong) + 1  # the line of the wrong value
    out.write_text(broken, "utf-8")
    capsys.readouterr()
    assert await cli_main("plan", "import", "--employee", str(linda.id), str(out)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"spoorzoeker: plan.yaml line {line}: "), err
    assert said in err
    assert len(await versions(box, linda.id)) == 1


async def test_a_sixth_direction_is_refused_on_its_own_line(linda, box, tmp_path, capsys):
    directions = "".join(f"- occupation: Beroep {n}\n" for n in range(1, 6))
    text = f"profile:\n  own_role: Verkoopmedewerker\ndirections:\n- occupation: Receptionist\n{directions}"
    source = tmp_path / "six.yaml"
    source.write_text(text, "utf-8")
    assert await cli_main("plan", "import", "--employee", str(linda.id), str(source)) == 2
    assert capsys.readouterr().err == (
        "spoorzoeker: six.yaml line 9: directions: a plan has at most 5 directions\n"
    )  # line 9: "- occupation: Beroep 5", the sixth
    assert len(await versions(box, linda.id)) == 1
    source.write_text(text.rsplit("- occupation", 1)[0], "utf-8")  # five: fine, and new ids are given
    assert await cli_main("plan", "import", "--employee", str(linda.id), str(source)) == 0
    newest = (await versions(box, linda.id))[-1]
    assert [d["id"] for d in newest.content["directions"]] == ["d1", "d2", "d3", "d4", "d5"]


async def test_a_missing_field_and_a_twice_given_one_point_at_their_item(linda, tmp_path, capsys):
    source = tmp_path / "plan.yaml"
    source.write_text("directions:\n- occupation: Receptionist\n- sector: Zorg\n  hours: 20\n", "utf-8")
    assert await cli_main("plan", "import", "--employee", str(linda.id), str(source)) == 2
    assert capsys.readouterr().err == (
        "spoorzoeker: plan.yaml line 3: directions[1].occupation: is missing (it is required)\n"
    )
    source.write_text("track1: false\nprofile:\n  hours: 20\n  hours: 24\n", "utf-8")
    assert await cli_main("plan", "import", "--employee", str(linda.id), str(source)) == 2
    assert capsys.readouterr().err == "spoorzoeker: plan.yaml line 4: hours is given twice\n"
    source.write_text("", "utf-8")
    assert await cli_main("plan", "import", "--employee", str(linda.id), str(source)) == 2
    assert capsys.readouterr().err == "spoorzoeker: plan.yaml: the file is empty\n"


async def test_unknown_employee_and_no_plan_are_one_line(box, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", box.settings.database_url)
    kees = await enrol(box, "Kees Bakker")
    out = tmp_path / "plan.yaml"
    assert await cli_main("plan", "export", "--employee", str(kees.id), "--out", str(out)) == 2
    assert capsys.readouterr().err == (
        f"spoorzoeker: Kees Bakker (employee {kees.id}) has no plan yet: nothing to export\n"
    )
    assert not out.exists()
    assert await cli_main("plan", "export", "--employee", "999", "--out", str(out)) == 2
    assert capsys.readouterr().err == "spoorzoeker: no employee with id 999\n"
    out.write_text("track1: true\n", "utf-8")
    assert await cli_main("plan", "import", "--employee", "999", str(out)) == 2
    assert capsys.readouterr().err == "spoorzoeker: no employee with id 999\n"
    assert await cli_main("plan", "import", "--employee", str(kees.id), str(Path(tmp_path, "nothing.yaml"))) == 2
    assert "spoorzoeker: cannot read " in capsys.readouterr().err
    # a first plan can be imported too
    assert await cli_main("plan", "import", "--employee", str(kees.id), str(out)) == 0
    (version,) = await versions(box, kees.id)
    assert (version.number, version.change, version.content["track1"]) == (1, "imported", True)


def test_awkward_text_survives_the_file():
    """Text that YAML would read as something else (yes, a number, a date, a comment) comes back as text."""
    awkward = ["ja", "no", "0123", "2026-03-15", "a: b # c", "- lijst", "'quotes' \"en\" {haakjes}", "é" * 160]
    raw = {"profile": {"own_role": "yes", "skills": awkward, "ambitions": " ".join(["lange tekst"] * 80)},
           "directions": [{"occupation": "null", "reason": "true"}]}  # fmt: skip
    content = plan.normalise(raw, date(2026, 11, 2))
    text = dump(content, employee="Ahmed Öztürk", employee_id=7, number=3, made_on=date(2026, 11, 2), author=None)
    assert load(text, "plan.yaml", date(2026, 11, 2)) == content
    assert "# Version 3 of 2026-11-02, by an import (no coach)" in text


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("activities:\n- kind: course\n  start: 2026-10-02\n  end: 2026-10-01\n",
         "plan.yaml line 4: activities[0].end: 2026-10-01 is before the start 2026-10-02"),
        ("capacity:\n  fml_date: 2099-01-01\n", "plan.yaml line 2: capacity.fml_date: 2099-01-01 is in the future"),
        ("track1: ja\n", 'plan.yaml line 1: track1: "ja" is not true or false'),
        ("profile:\n  experience:\n  - role: Bakker\n    since: 2010\n",
         "plan.yaml line 4: profile.experience[0].since: is not a field here (the fields are: role, sector, years)"),
        ("- profile\n", "plan.yaml line 1: the file: should be fields (name: value)"),
        ("profile:\n  own_role: Bakker\n\tregion: Utrecht\n", "plan.yaml line 3: YAML syntax: found character '\\t'"),
    ],
)  # fmt: skip
def test_the_reason_is_readable(text, said):
    with pytest.raises(PlanFileError) as caught:
        load(text, "plan.yaml", date(2026, 11, 2))
    assert str(caught.value).startswith(said), str(caught.value)
