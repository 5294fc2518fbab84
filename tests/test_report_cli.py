"""`spoorzoeker report --kind final`, `spoorzoeker report --all --month` and `spoorzoeker coach add/agency/list`
against the database of a caseload made through the chat: the final report says what it is, the monthly batch
writes one file per active client (none for a closed or a not yet joined one) with a progress bar and a summary,
one client's failure is named and does not stop the others, a bad command line is one line, and the agency the
operator names is the one the report names."""

from __future__ import annotations

import asyncio
import io
import re
from datetime import date

import pytest
from pypdf import PdfReader

from bot import cli
from bot.sandbox.offline import SANDBOX_TOKEN
from bot.views import report
from storage import coach_queries, queries
from storage.models import Coach

NOVEMBER = report.Period(date(2026, 11, 1), date(2026, 11, 30))
TODAY = "2026-12-03"
SUMMARY = re.compile(r"^(\d+) reports? written to (.+) in \d+\.\d s \(\d+\.\d clients/s\); (\d+) failed$")


def text_of(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF")
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


async def run(capsys, *argv: str) -> tuple[int, str, str]:
    """`spoorzoeker …` in a thread (the bot keeps running in this loop): exit code, stdout, stderr."""
    capsys.readouterr()
    code = await asyncio.to_thread(cli.main, list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def refusal(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("spoorzoeker: "), err
    return lines[0]


@pytest.fixture
async def caseload(people, box, monkeypatch):
    """Sanne's caseload, made in the chat: Ahmed and Linda joined (active), Kees joined and his trajectory was
    closed, Piet was invited but never opened his link. The CLI uses this database."""
    monkeypatch.setenv("DATABASE_URL", box.settings.database_url)
    sanne = await people.coach(name="Sanne de Vries")
    await people.employee(sanne, 2001, "Ahmed Yilmaz", employer="Bakkerij Bol")
    await people.employee(sanne, 2002, "Linda Jansen", employer="Gemeente Utrecht")
    await people.employee(sanne, 2003, "Kees Bakker", employer="Bakkerij Bol")
    await people.invite(sanne, "Piet Smit")
    await sanne.send("/caseload")
    await sanne.press("Kees Bakker")
    await sanne.press("Fase")
    await sanne.press("afgesloten")
    async with box.db.session() as session:
        rows = {name: await queries.employee_by_telegram(session, user) for name, user in
                (("ahmed", 2001), ("linda", 2002), ("kees", 2003))}  # fmt: skip
        rows["piet"] = next(e for e in await coach_queries.clients_of(session, rows["ahmed"].coach_id)
                            if e.name == "Piet Smit")  # fmt: skip
    assert rows["kees"].status == "closed" and rows["piet"].status == "invited"
    return sanne, rows


def november_file(employee, ext: str = "pdf", variant: str = "dossier") -> str:
    return report.filename(employee, variant, NOVEMBER, ext, kind=report.PROGRESS)


# --- one client: the final report -------------------------------------------------------------------------------


async def test_kind_final_writes_the_final_report(caseload, capsys, tmp_path):
    _sanne, rows = caseload
    out = tmp_path / "eind.pdf"
    code, stdout, err = await run(
        capsys, "report", "--employee", str(rows["ahmed"].id), "--kind", "final", "--today", TODAY, "--out", str(out)
    )
    assert code == 0, err
    assert "dossier final report (pdf) written to" in stdout and "(eindrapportage" in stdout
    text = text_of(out.read_bytes())
    assert "Eindrapportage" in text and "Ahmed Yilmaz" in text
    assert "Voortgangsrapportage" not in text
    # the default kind is still the progress report
    code, stdout, err = await run(
        capsys, "report", "--employee", str(rows["ahmed"].id), "--today", TODAY, "--out", str(out)
    )
    assert code == 0, err
    assert "dossier progress report (pdf)" in stdout
    assert "Voortgangsrapportage" in text_of(out.read_bytes())


# --- every active client: the monthly batch ---------------------------------------------------------------------


async def test_all_writes_one_report_per_active_client_with_a_bar_and_a_summary(caseload, capsys, tmp_path):
    _sanne, rows = caseload
    folder = tmp_path / "november" / "dossier"  # made, parents too
    code, stdout, err = await run(
        capsys, "report", "--all", "--month", "2026-11", "--today", TODAY, "--out", str(folder)
    )
    assert code == 0, err
    expected = {november_file(rows["ahmed"]), november_file(rows["linda"])}
    assert {path.name for path in folder.iterdir()} == expected  # not Kees (closed), not Piet (never joined)
    for name, employee in (("ahmed", rows["ahmed"]), ("linda", rows["linda"])):
        text = text_of((folder / november_file(employee)).read_bytes())
        assert employee.name in text and "Voortgangsrapportage" in text, name
        assert "01-11-2026" in text and "30-11-2026" in text
    (line,) = stdout.splitlines()
    found = SUMMARY.match(line)
    assert found and found[1] == "2" and found[2] == str(folder) and found[3] == "0", line
    assert err.startswith("\r[--------------------] 0/2")
    assert "\r[##########----------] 1/2" in err and err.endswith("\r[####################] 2/2\n")


async def test_all_as_csv_in_english(caseload, capsys, tmp_path):
    _sanne, rows = caseload
    code, stdout, err = await run(
        capsys, "report", "--all", "--month", "2026-11", "--format", "csv", "--language", "en", "--variant",
        "coach", "--today", TODAY, "--out", str(tmp_path),
    )  # fmt: skip
    assert code == 0, err
    names = {path.name for path in tmp_path.iterdir()}
    assert names == {november_file(rows[who], "csv", "coach") for who in ("ahmed", "linda")}
    first_line = (tmp_path / november_file(rows["linda"], "csv", "coach")).read_text(encoding="utf-8-sig")
    assert first_line.startswith("kind;year;week")
    assert SUMMARY.match(stdout.strip())


async def test_one_client_that_fails_is_named_and_the_others_are_written(caseload, capsys, tmp_path):
    _sanne, rows = caseload
    (tmp_path / november_file(rows["ahmed"])).mkdir()  # a folder where Ahmed's file should go: it cannot be written
    code, stdout, err = await run(
        capsys, "report", "--all", "--month", "2026-11", "--today", TODAY, "--out", str(tmp_path)
    )
    assert code == 1
    assert (tmp_path / november_file(rows["linda"])).read_bytes().startswith(b"%PDF")
    failures = [line for line in err.replace("\r", "\n").splitlines() if line.startswith("spoorzoeker:")]
    assert failures == [
        f"spoorzoeker: not written: the report of Ahmed Yilmaz (employee {rows['ahmed'].id}): cannot write the "
        "file: Is a directory"
    ]
    found = SUMMARY.match(stdout.strip())
    assert found and found[1] == "1" and found[3] == "1", stdout


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--all", "--month", "2026-13"], "--month '2026-13' is not a calendar month written YYYY-MM, e.g. 2026-11"),
        (["--all", "--month", "november"], "--month 'november' is not a calendar month written YYYY-MM"),
        (["--all", "--month", "2027-01"], "--month 2027-01 has not begun yet (today is 2026-12-03)"),
        (["--all", "--employee", "1", "--month", "2026-11"], "--employee and --all do not go together"),
        (["--employee", "1", "--month", "2026-11"], "--month goes with --all"),
        (["--all", "--from", "2026-11-01"], "give --month YYYY-MM instead of --from/--to"),
        (["--all", "--kind", "final"], "a final report is made per client (--employee)"),
        ([], "say whose report: --employee ID, or --all --month YYYY-MM"),
    ],
)
async def test_a_bad_command_line_is_one_line_and_writes_nothing(caseload, capsys, tmp_path, argv, says):
    out = tmp_path / "out"
    code, stdout, err = await run(capsys, "report", *argv, "--today", TODAY, "--out", str(out))
    assert code == 2 and stdout == ""
    assert says in refusal(err)
    assert not out.exists()


async def test_all_onto_a_file_is_refused(caseload, capsys, tmp_path):
    (tmp_path / "taken.pdf").write_bytes(b"mine")
    code, _, err = await run(capsys, "report", "--all", "--today", TODAY, "--out", str(tmp_path / "taken.pdf"))
    assert code == 2 and "is a file: with --all give the folder" in refusal(err)
    assert (tmp_path / "taken.pdf").read_bytes() == b"mine"


async def test_all_without_month_makes_last_month(caseload, capsys, tmp_path):
    _sanne, rows = caseload
    code, _, err = await run(capsys, "report", "--all", "--today", TODAY, "--out", str(tmp_path))
    assert code == 0, err
    assert november_file(rows["linda"]) in {path.name for path in tmp_path.iterdir()}


# --- coaches and their agency -------------------------------------------------------------------------------------


async def test_the_agency_set_for_a_coach_is_named_in_the_report(caseload, box, capsys, tmp_path, monkeypatch):
    _sanne, rows = caseload
    coach_id = rows["ahmed"].coach_id
    code, stdout, err = await run(capsys, "coach", "agency", str(coach_id), "  Bureau   Werkfit ")
    assert code == 0, err
    assert stdout.strip() == f"Coach 'Sanne de Vries' (id {coach_id}): reports name the agency 'Bureau Werkfit'"
    out = tmp_path / "r.pdf"
    code, _, err = await run(capsys, "report", "--employee", str(rows["ahmed"].id), "--today", TODAY, "--out", str(out))
    assert code == 0, err
    assert "Bureau Werkfit" in text_of(out.read_bytes())

    code, stdout, err = await run(capsys, "coach", "list")
    assert code == 0 and f"{coach_id}\tSanne de Vries\tregistered\tBureau Werkfit" in stdout.splitlines()

    code, _, err = await run(capsys, "coach", "agency", "999", "Bureau X")
    assert code == 2 and "no coach with id 999" in refusal(err)
    code, _, err = await run(capsys, "coach", "agency", str(coach_id), "X" * 161)
    assert code == 2 and "an agency name needs 2 to 160 characters (this one has 161)" in refusal(err)
    code, stdout, _ = await run(capsys, "coach", "agency", str(coach_id), "")
    assert code == 0 and "no agency named in reports any more" in stdout
    async with box.db.session() as session:
        assert (await queries.get(session, Coach, coach_id)).agency is None


async def test_coach_add_with_an_agency(caseload, box, capsys, monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", SANDBOX_TOKEN)
    monkeypatch.setenv("TELEGRAM_BASE_URL", box.fake.base_url)
    code, stdout, err = await run(capsys, "coach", "add", "Joost Visser", "--agency", "Bureau Werkfit")
    assert code == 0, err
    found = re.match(r"Coach 'Joost Visser' \(id (\d+)\) of 'Bureau Werkfit' added\.", stdout)
    assert found and "start=" in stdout
    async with box.db.session() as session:
        joost = await queries.get(session, Coach, int(found[1]))
    assert joost.name == "Joost Visser" and joost.agency == "Bureau Werkfit" and joost.telegram_user_id is None
    code, stdout, err = await run(capsys, "coach", "add", "--name", "Mila de Boer")  # the option still works
    assert code == 0 and "Coach 'Mila de Boer' (id" in stdout
    code, _, err = await run(capsys, "coach", "add", "Ann", "--name", "Bea")
    assert code == 2 and "two names given" in refusal(err)
