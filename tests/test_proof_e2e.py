"""End to end over HTTP: an application's proof (a vacancy link, a document, a photo), refused files (too large,
an unsupported type), the plan's search direction asked with one tap, and a proof added later from the list."""

from bot.rules import plan
from bot.rules.weeks import local_date
from storage import coach_queries, plan_queries, queries
from storage.models import ApplicationProof, JobApplication

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4 + b"\xff\xd9"
ASK = "Heb je een bewijs?"


async def _applications(people, user_id: int) -> list[JobApplication]:
    employee = await people.employee_row(user_id)
    async with people.box.db.session() as session:
        return await coach_queries.applications_of(session, [employee.id])


async def _proofs(people, user_id: int) -> list[ApplicationProof]:
    ids = [a.id for a in await _applications(people, user_id)]
    async with people.box.db.session() as session:
        return [p for proofs in (await plan_queries.proofs_of(session, ids)).values() for p in proofs]


async def _until_proof(user, company: str = "Bakkerij Van Dam", role: str = "Verkoper") -> None:
    await user.send("/sollicitatie")
    if any("Nieuwe sollicitatie" in label for label in user.buttons()):
        await user.press("Nieuwe sollicitatie")
    await user.send(company)
    await user.send(role)
    await user.press("Vandaag")
    await user.press("Website")


async def _give_plan(people, user_id: int, clock) -> None:
    employee = await people.employee_row(user_id)
    content = {
        "directions": [
            {"occupation": "Klantenservice medewerker", "reason": "Hij praat graag met mensen"},
            {"occupation": "Administratief medewerker"},
        ]
    }
    now = clock.now()
    async with people.box.db.session() as session:
        cleaned = plan.normalise(content, local_date(now, employee.timezone))
        await plan_queries.add_plan_version(session, employee.id, cleaned, "created", employee.coach_id, now)


async def test_a_link_as_proof(people):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await _until_proof(ahmed)
    assert ASK in ahmed.last.plain_text and "Geen bewijs" in ahmed.buttons()  # no plan: no direction question
    (logged,) = await _applications(people, 2001)  # stored already: leaving here loses nothing
    assert logged.direction is None
    await ahmed.send("zonder link")
    assert "geen link" in ahmed.last.plain_text and ASK in ahmed.last.plain_text
    await ahmed.send("Deze was het: https://werk.nl/vacatures/12345.")
    assert "Genoteerd: Bakkerij Van Dam" in ahmed.last.plain_text and "bewijs" in ahmed.last.plain_text
    (proof,) = await _proofs(people, 2001)
    assert (proof.kind, proof.url, proof.data, proof.application_id) == (
        "link", "https://werk.nl/vacatures/12345", None, logged.id,
    )  # fmt: skip


async def test_a_document_as_proof(people):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await _until_proof(ahmed)
    await ahmed.send_document(PDF, "brief.pdf", "application/pdf")
    assert "Genoteerd" in ahmed.last.plain_text and "bewijs is erbij bewaard" in ahmed.last.plain_text
    (proof,) = await _proofs(people, 2001)
    assert (proof.kind, proof.data, proof.size, proof.mime_type, proof.file_name) == (
        "document", PDF, len(PDF), "application/pdf", "brief.pdf",
    )  # fmt: skip
    async with people.box.db.session() as session:
        assert (await queries.dialog_of(session, 2001)).flow == ""  # the flow is finished


async def test_a_photo_as_proof(people):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await _until_proof(ahmed)
    await ahmed.send_photo(data=JPEG)
    assert "bewijs is erbij bewaard" in ahmed.last.plain_text
    (proof,) = await _proofs(people, 2001)
    assert (proof.kind, proof.data, proof.size, proof.mime_type) == ("photo", JPEG, len(JPEG), "image/jpeg")


async def test_too_large_or_unsupported_files_are_refused(people):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await _until_proof(ahmed)
    await ahmed.send_document(PDF, "groot.pdf", "application/pdf", file_size=11 * 1024 * 1024)
    text = ahmed.last.plain_text
    assert "kan ik helaas niet bewaren" in text and "10 MB" in text and "pdf" in text and ASK in text
    await ahmed.send_document(b"PK\x03\x04zip", "cv.zip", "application/zip")
    assert "kan ik helaas niet bewaren" in ahmed.last.plain_text and ASK in ahmed.last.plain_text
    assert await _proofs(people, 2001) == []
    await ahmed.send_document(b"Mijn brief", "brief.txt", "application/octet-stream")  # known by its extension
    (proof,) = await _proofs(people, 2001)
    assert (proof.mime_type, proof.data) == ("text/plain", b"Mijn brief")


async def test_no_proof_is_one_tap(people):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await _until_proof(ahmed)
    await ahmed.press("Geen bewijs")
    assert "Genoteerd" in ahmed.last.plain_text and "bewijs" not in ahmed.last.plain_text
    assert len(await _applications(people, 2001)) == 1 and await _proofs(people, 2001) == []


async def test_the_direction_is_asked_when_the_plan_has_directions(people, clock):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await _give_plan(people, 2001, clock)
    await _until_proof(ahmed)
    assert "zoekrichting" in ahmed.last.plain_text
    assert ahmed.buttons() == ["Klantenservice medewerker", "Administratief medewerker", "🤷 Weet ik niet / past niet"]
    assert await _applications(people, 2001) == []
    await ahmed.press("Administratief")
    assert ASK in ahmed.last.plain_text
    (logged,) = await _applications(people, 2001)
    assert logged.direction == "d2"
    await ahmed.press("Geen bewijs")
    await _until_proof(ahmed, "Gemeente Zeist", "Klantcontact")
    await ahmed.press("Weet ik niet")
    assert {a.company: a.direction for a in await _applications(people, 2001)} == {
        "Bakkerij Van Dam": "d2", "Gemeente Zeist": None,
    }  # fmt: skip
    employee = await people.employee_row(2001)
    async with people.box.db.session() as session:
        counts = await plan_queries.direction_counts(session, employee.id)
    assert set(counts) == {"d2", None}


async def test_a_forged_direction_button_is_stale(people, clock):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await _give_plan(people, 2001, clock)
    await _until_proof(ahmed)
    async with people.box.db.session() as session:
        dialog = await queries.dialog_of(session, 2001)
    await ahmed.press_data(f"{dialog.data['v']}|dir|d9", ahmed.last)
    assert "Die knop hoorde bij een eerder bericht" in ahmed.last.plain_text
    assert await _applications(people, 2001) == []
    await ahmed.press("Klantenservice")
    assert [a.direction for a in await _applications(people, 2001)] == ["d1"]


async def test_a_proof_added_later_from_the_list(people):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await _until_proof(ahmed)
    await ahmed.press("Geen bewijs")
    await ahmed.send("/sollicitatie")
    await ahmed.press("Stand van een sollicitatie aanpassen")
    await ahmed.press("Bakkerij Van Dam")
    await ahmed.press("Bewijs toevoegen")
    assert ASK in ahmed.last.plain_text and "Bakkerij Van Dam" in ahmed.last.plain_text
    await ahmed.send_document(PDF, "bevestiging.pdf", "application/pdf")
    assert "Je bewijs is bewaard bij Bakkerij Van Dam — Verkoper" in ahmed.last.plain_text
    (proof,) = await _proofs(people, 2001)
    assert (proof.data, proof.file_name) == (PDF, "bevestiging.pdf")
    assert [a.status for a in await _applications(people, 2001)] == ["applied"]


async def test_a_file_outside_the_proof_step_changes_nothing(people):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await ahmed.send("/sollicitatie")
    await ahmed.send_document(PDF, "brief.pdf", "application/pdf")
    assert "Bij welk bedrijf" in ahmed.last.plain_text
    assert await _applications(people, 2001) == []


async def test_no_proof_later_changes_nothing(people):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await _until_proof(ahmed)
    await ahmed.press("Geen bewijs")
    await ahmed.send("/sollicitatie")
    await ahmed.press("Stand van een sollicitatie aanpassen")
    await ahmed.press("Bakkerij Van Dam")
    await ahmed.press("Bewijs toevoegen")
    await ahmed.press("Geen bewijs")
    assert "er is niets veranderd" in ahmed.last.plain_text
    assert await _proofs(people, 2001) == []
