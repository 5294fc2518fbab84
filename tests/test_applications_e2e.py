"""End to end over HTTP: the job-application log (/sollicitatie, /application), status updates, the check-in's
default from logged applications, and the coach's view of the list."""

from datetime import date

from bot.sandbox.offline import local
from storage import coach_queries, queries
from storage.models import JobApplication


async def _applications(people, user_id: int) -> list[JobApplication]:
    employee = await people.employee_row(user_id)
    async with people.box.db.session() as session:
        return await coach_queries.applications_of(session, [employee.id])


async def _log(user, company: str, role: str, day: str = "Vandaag", how: str = "Website") -> None:
    await user.send("/sollicitatie")
    if any("Nieuwe sollicitatie" in label for label in user.buttons()):
        await user.press("Nieuwe sollicitatie")
    await user.send(company)
    await user.send(role)
    if day in ("Vandaag", "Gisteren", "Today", "Yesterday"):
        await user.press(day)
    else:
        await user.send(day)
    await user.press(how)
    await user.press("Geen bewijs")


async def test_logging_an_application_in_a_few_taps(people):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await ahmed.send("/sollicitatie")
    assert "Bij welk bedrijf" in ahmed.last.plain_text  # nothing logged yet: straight to the first question
    await ahmed.send("Bakkerij  Van   Dam")
    assert "Bakkerij Van Dam" in ahmed.last.plain_text
    await ahmed.send("Verkoopmedewerker")
    await ahmed.press("Gisteren")
    await ahmed.press("Via mijn netwerk")
    await ahmed.press("Geen bewijs")
    assert "Genoteerd: Bakkerij Van Dam — Verkoopmedewerker" in ahmed.last.plain_text
    assert "1e sollicitatie in week 47" in ahmed.last.plain_text
    (logged,) = await _applications(people, 2001)
    assert (logged.company, logged.role, logged.applied_on, logged.channel, logged.status) == (
        "Bakkerij Van Dam", "Verkoopmedewerker", date(2026, 11, 19), "network", "applied",
    )  # fmt: skip


async def test_typed_dates_and_bad_input(people):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await ahmed.send("/sollicitatie")
    await ahmed.send_sticker()
    assert "stickers" in ahmed.last.plain_text and "Bij welk bedrijf" in ahmed.last.plain_text
    await ahmed.send("Gemeente Zeist")
    await ahmed.send("x" * 161)
    assert "Typ een naam van 1 tot 160 tekens" in ahmed.last.plain_text
    await ahmed.send("Klantcontact")
    await ahmed.send("25-11-2026")
    assert "in de toekomst" in ahmed.last.plain_text
    await ahmed.send("01-11-2025")
    assert "meer dan een jaar geleden" in ahmed.last.plain_text
    await ahmed.send("morgen")
    assert "Die datum begrijp ik niet" in ahmed.last.plain_text
    await ahmed.send("Gemeente Zeist")  # text where a button is due
    await ahmed.send("16-11-2026")
    await ahmed.send("e-mail")
    assert "Tik hiervoor op een van de knoppen" in ahmed.last.plain_text
    await ahmed.press("E-mail")
    await ahmed.press("Geen bewijs")
    (logged,) = await _applications(people, 2001)
    assert (logged.applied_on, logged.channel) == (date(2026, 11, 16), "email")


async def test_updating_the_status_from_the_list(people):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await _log(ahmed, "Bakkerij Van Dam", "Verkoper")
    await _log(ahmed, "Gemeente Zeist", "Klantcontact", day="16-11-2026", how="Brief")
    await ahmed.send("/sollicitatie")
    await ahmed.press("Stand van een sollicitatie aanpassen")
    assert ahmed.buttons() == ["Bakkerij Van Dam – Verkoper", "Gemeente Zeist – Klantcontact"]
    await ahmed.press("Gemeente Zeist")
    assert "✅ verstuurd" in ahmed.buttons()
    await ahmed.press("gesprek")
    assert "Gemeente Zeist — Klantcontact: gesprek" in ahmed.last.plain_text
    await ahmed.send("/sollicitatie")
    await ahmed.press("Stand van een sollicitatie aanpassen")
    await ahmed.press("Bakkerij Van Dam")
    await ahmed.press("afgewezen")
    assert "niet over wat jij waard bent" in ahmed.last.plain_text
    statuses = {a.company: a.status for a in await _applications(people, 2001)}
    assert statuses == {"Bakkerij Van Dam": "rejected", "Gemeente Zeist": "interview"}


async def test_an_employee_cannot_touch_someone_elses_application(people):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    linda = await people.employee(coach, 2002, "Linda")
    await _log(ahmed, "Bakkerij Van Dam", "Verkoper")
    await _log(linda, "Gemeente Zeist", "Klantcontact")
    (theirs,) = await _applications(people, 2001)
    await linda.send("/sollicitatie")
    await linda.press("Stand van een sollicitatie aanpassen")
    async with people.box.db.session() as session:
        dialog = await queries.dialog_of(session, 2002)
    await linda.press_data(f"{dialog.data['v']}|pick|{theirs.id}", linda.last)
    assert "Die knop hoorde bij een eerder bericht" in linda.last.plain_text  # forged: the stale-button answer
    assert [a.status for a in await _applications(people, 2001)] == ["applied"]


async def test_the_check_in_offers_the_weeks_logged_applications(people, clock):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await _log(ahmed, "Bakkerij Van Dam", "Verkoper")
    await _log(ahmed, "Gemeente Zeist", "Klantcontact", day="Gisteren")
    await _log(ahmed, "Oud bedrijf", "Eerder", day="13-11-2026")  # last week: not counted for this week
    await ahmed.send("/checkin")
    assert "Met /sollicitatie hield je er deze week 2 bij" in ahmed.last.plain_text
    assert ahmed.buttons()[0] == "✅ 2 (bijgehouden)"
    await ahmed.press("2 (bijgehouden)")
    (checkin,) = await people.checkins(2001)
    assert checkin.applications == 2
    assert "gesprekken" in ahmed.last.plain_text.lower()


async def test_without_logged_applications_the_check_in_is_unchanged(people):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await ahmed.send("/checkin")
    assert "bijgehouden" not in ahmed.last.plain_text and ahmed.buttons() == ["0", "1", "2", "3", "4", "5"]


async def test_in_english_with_application(people):
    coach = await people.coach()
    peter = await people.employee(coach, 2003, "Peter", language="English")
    await peter.send("/application")
    await peter.send("Acme")
    await peter.send("Clerk")
    await peter.press("Today")
    await peter.press("Employment agency")
    await peter.press("No proof")
    assert "Noted: Acme — Clerk" in peter.last.plain_text
    assert [a.channel for a in await _applications(people, 2003)] == ["agency"]


async def test_the_coach_sees_the_list_in_the_clients_detail(people, box, clock):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001, "Ahmed Yilmaz")
    await _log(ahmed, "Bakkerij Van Dam", "Verkoper", how="Uitzendbureau")
    await _log(ahmed, "Gemeente Zeist", "Klantcontact", day="16-11-2026")
    clock.set(local("2026-11-23 10:00"))
    await coach.send("/caseload")
    assert "week 47: geen check-in (2 sollicitaties gelogd)" in coach.last.plain_text  # logged, not checked in
    await coach.press("Ahmed Yilmaz")
    detail = coach.last.plain_text
    assert "Sollicitaties (2 verstuurd)" in detail
    assert "20-11 Bakkerij Van Dam — Verkoper (🏢 Uitzendbureau): verstuurd" in detail
    assert "16-11 Gemeente Zeist — Klantcontact (🌐 Website): verstuurd" in detail
    assert detail.index("Bakkerij Van Dam") < detail.index("Gemeente Zeist")  # newest first
