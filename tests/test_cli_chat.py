"""`spoorzoeker chat` and `spoorzoeker demo`: the offline ways to try the bot."""

from pypdf import PdfReader

from bot.sandbox.chat import run_chat
from bot.sandbox.demo import final_reports, run_demo


async def test_chat_lets_a_person_type_as_an_employee():
    typed = iter(["#1", "vr", "10:00", "/checkin", "2", "#2", "3", "Geen", "8", "Versturen", "/quit"])
    shown: list[str] = []
    await run_chat(read=lambda prompt: next(typed), write=shown.append)
    screen = "\n".join(shown)
    assert "Welkom, Sam" in screen
    assert "buttons: #1 🇳🇱 Nederlands" in screen
    assert "Klopt dit?" in screen and "Sollicitaties: 2" in screen and "Gesprekken: 1" in screen
    assert "je check-in is verstuurd" in screen


async def test_a_typed_answer_that_is_not_exactly_a_label_goes_to_the_bot_as_text():
    typed = iter(["#1", "vr", "10:00", "/checkin", "-5", "/quit"])
    shown: list[str] = []
    await run_chat(read=lambda prompt: next(typed), write=shown.append)
    screen = "\n".join(shown)
    assert "You         › -5" in screen and "Een getal onder nul kan hier niet." in screen  # not a tap on "5"
    assert "taps    › [ 5 ]" not in screen


async def test_chat_ends_on_end_of_input():
    def read(prompt):
        raise EOFError

    shown: list[str] = []
    await run_chat(read=read, write=shown.append)
    assert "Welkom, Sam" in "\n".join(shown)


async def test_demo_writes_a_kind_dutch_transcript(tmp_path):
    transcript = await run_demo(tmp_path)
    assert (tmp_path / "transcript.txt").read_text(encoding="utf-8") == transcript
    for expected in (
        "Welkom, Sanne de Vries",
        "Wat bewaar ik en wie ziet wat?",
        "Dank je wel, je check-in is verstuurd.",
        "Een getal onder nul kan hier niet.",
        "Ik kan alleen tekst en knoppen lezen",
        "Welcome back! Your earlier answers are saved.",
        "persoonlijke link",
    ):
        assert expected in transcript
    assert "<b>" not in transcript
    reports = sorted(path.name for path in tmp_path.glob("voortgangsrapportage-linda-jansen-*.pdf"))  # both
    assert [name.split("-")[3] for name in reports] == ["coach", "dossier"]
    assert all((tmp_path / name).read_bytes().startswith(b"%PDF") for name in reports)
    # Ahmed was placed: his final report for the file, with the outcome, his own view and the agency
    (final,) = final_reports(tmp_path)
    assert final.name == "eindrapportage-spoor-2-ahmed-yilmaz-dossier-2026-11-20-2026-11-30.pdf"
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(final).pages)
    for expected in ("Eindrapportage spoor 2", "Werkfit Re-integratie", "Fase Geplaatst", "Bakkerij Het Volkorenhuis",
                     "blij met mijn nieuwe baan"):  # fmt: skip
        assert expected in text, expected
