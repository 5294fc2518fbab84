"""End to end over HTTP: the coach's /caseload (pages, detail, note, phase, pause, report) and privacy."""

from datetime import UTC, datetime, timedelta

from bot.sandbox.offline import local
from storage import coach_queries, queries
from storage.models import Employee, Pause, PhaseChange, SafetyAlert


async def _set(people, user_id: int, **values) -> Employee:
    async with people.box.db.session() as session:
        employee = await queries.employee_by_telegram(session, user_id)
        for name, value in values.items():
            setattr(employee, name, value)
        session.add(employee)
        await session.commit()
        return employee


async def test_caseload_lists_clients_and_opens_the_detail(people, box):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001, "Ahmed Yilmaz")
    await people.employee(coach, 2002, "Linda Jansen", sick_day="12-01-2026")
    await people.checkin(ahmed, applications=3, interviews=1, networking=2, energy=6)
    await coach.send("/caseload")
    text = coach.last.plain_text
    assert "Ahmed Yilmaz" in text and "Linda Jansen" in text
    assert "ziekteweek 59" in text  # Ahmed: sick since 06-10-2025, today 20-11-2026
    assert "3/1/2" in text and "⚡6" in text
    assert coach.buttons() == ["Ahmed Yilmaz", "Linda Jansen"]
    await coach.press("Ahmed Yilmaz")
    detail = coach.last.plain_text
    assert "Ahmed Yilmaz" in detail and "Bakkerij Bol" in detail and "ziekteweek 59" in detail
    assert "week 47: 3/1/2 · ⚡6" in detail
    assert "nog niets gelogd met /sollicitatie" in detail
    await coach.press("Terug naar de lijst")
    assert "Je cliënten" in coach.last.plain_text


async def test_caseload_pages_past_ten_clients(people, box):
    coach = await people.coach()
    for n in range(12):
        await people.invite(coach, f"Client {n:02d}")
    await coach.send("/caseload")
    first = coach.last
    assert "pagina 1 van 2" in first.plain_text
    names = [label for label in coach.buttons() if label.startswith("Client")]
    assert names == [f"Client {n:02d}" for n in range(10)]
    assert "Volgende ➡️" in coach.buttons() and "⬅️ Vorige" not in coach.buttons()
    await coach.press("Volgende")
    second = coach.last
    assert second.message_id == first.message_id  # the list is edited in place
    assert "pagina 2 van 2" in second.plain_text
    assert [label for label in coach.buttons() if label.startswith("Client")] == ["Client 10", "Client 11"]
    assert "Volgende ➡️" not in coach.buttons()
    await coach.press("Vorige")
    assert "pagina 1 van 2" in coach.last.plain_text


async def test_flagged_clients_come_first(people, box, clock):
    coach = await people.coach()
    await people.employee(coach, 2001, "Anna Aalders")
    zoe = await people.employee(coach, 2002, "Zoë Zwart")
    await people.checkin(zoe, energy=2)
    await coach.send("/caseload")
    lines = [line for line in coach.last.plain_text.splitlines() if line.startswith(("🚩", "🟢"))]
    assert lines[0].startswith("🚩 Zoë Zwart") and lines[1].startswith("🟢 Anna Aalders")
    assert "🔋 energie" in coach.last.plain_text


async def test_a_note_for_the_file_and_a_private_note(people, box):
    coach = await people.coach()
    await people.employee(coach, 2001, "Ahmed Yilmaz")
    await coach.send("/caseload")
    await coach.press("Ahmed Yilmaz")
    await coach.press("Notitie")
    await coach.send("Gesprek gehad over een proefplaatsing bij de bakker.")
    assert "dossier" in coach.last.plain_text
    await coach.press("Ja, voor het dossier")
    assert "Notitie bewaard" in coach.last.plain_text
    assert "📁: Gesprek gehad over een proefplaatsing" in coach.last.plain_text
    await coach.press("Notitie")
    await coach.send("Twijfelt zelf nog.")
    await coach.press("Nee, alleen voor mij")
    employee = await people.employee_row(2001)
    async with box.db.session() as session:
        notes = await coach_queries.notes_of(session, employee.id)
    assert [(n.text, n.for_file) for n in notes] == [
        ("Gesprek gehad over een proefplaatsing bij de bakker.", True),
        ("Twijfelt zelf nog.", False),
    ]


async def test_setting_the_phase_keeps_history_and_closed_ends_the_trajectory(people, box):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001, "Ahmed Yilmaz")
    await coach.send("/caseload")
    await coach.press("Ahmed Yilmaz")
    await coach.press("Fase")
    await coach.press("actief zoeken")
    assert "Fase aangepast" in coach.last.plain_text and "Fase: actief zoeken" in coach.last.plain_text
    await coach.press("Fase")
    await coach.press("afgesloten")
    employee = await people.employee_row(2001)
    assert (employee.phase, employee.status) == ("closed", "closed")
    async with box.db.session() as session:
        changes = await coach_queries.phase_changes_of(session, [employee.id])
    assert [c.phase for c in changes] == ["active_search", "closed"]
    assert all(isinstance(c, PhaseChange) and c.coach_id is not None for c in changes)
    await ahmed.send("/checkin")
    assert "afgesloten" in ahmed.last.plain_text.lower()


async def test_coach_pauses_and_resumes_with_the_one_pause_logic(people, box, clock):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001, "Ahmed Yilmaz")
    await coach.send("/caseload")
    await coach.press("Ahmed Yilmaz")
    await coach.press("Pauze")
    await coach.press("Vakantie")
    await coach.press("2 weken")
    assert "op pauze" in coach.last.plain_text and "pauze t/m 03-12" in coach.last.plain_text
    employee = await people.employee_row(2001)
    async with box.db.session() as session:
        pause = await queries.current_pause(session, employee.id, local("2026-11-20 10:00").date())
    assert (pause.start.isoformat(), pause.until.isoformat(), pause.reason) == ("2026-11-20", "2026-12-03", "holiday")
    await box.run_due()
    assert "coach heeft je herinneringen stilgezet" in ahmed.last.plain_text
    # a week later the coach ends it early
    clock.set(local("2026-11-27 09:00"))
    await coach.send("/caseload")
    await coach.press("Ahmed Yilmaz")
    await coach.press("Pauze stoppen")
    assert "pauze is gestopt" in coach.last.plain_text
    async with box.db.session() as session:
        ended = await queries.get(session, Pause, pause.id)
    assert ended.until.isoformat() == "2026-11-26" and ended.ended_at is not None
    await box.run_due()
    assert any("pauze gestopt" in m.plain_text for m in ahmed.inbox)


async def test_reflections_show_only_when_the_client_shares_them(people, box):
    coach = await people.coach()
    await people.employee(coach, 2001, "Ahmed Yilmaz")
    employee = await people.employee_row(2001)
    async with box.db.session() as session:
        checkin = await queries.create_checkin(session, employee.id, 2026, 46, local("2026-11-13 10:00"))
        checkin.applications, checkin.interviews, checkin.networking, checkin.energy = 1, 0, 1, 5
        checkin.reflection = "CANARY-REFLECTIE afwijzingen voelen persoonlijk"
        checkin.note = "Kunnen we volgende week bellen?"  # the note for the coach: always for the coach
        checkin.submitted_at = local("2026-11-13 10:05")
        session.add(checkin)
        await session.commit()
    await coach.send("/caseload")
    await coach.press("Ahmed Yilmaz")
    assert "CANARY-REFLECTIE" not in coach.last.text
    assert "deelt die niet met jou" in coach.last.plain_text
    assert "Notities van Ahmed Yilmaz voor jou\nweek 46: Kunnen we volgende week bellen?" in coach.last.plain_text
    await _set(people, 2001, share_reflections=True)
    await coach.press("Terug naar de lijst")
    await coach.press("Ahmed Yilmaz")
    assert "CANARY-REFLECTIE afwijzingen voelen persoonlijk" in coach.last.plain_text


async def test_a_coach_cannot_open_another_coachs_client(people, box):
    sanne = await people.coach()
    await people.employee(sanne, 2001, "Ahmed Yilmaz")
    other = await people.coach(1002, "Piet")
    await other.send("/caseload")
    assert "nog geen cliënten" in other.last.plain_text
    await sanne.send("/caseload")
    message = sanne.last
    data = next(b["callback_data"] for row in message.reply_markup for b in row if b["text"] == "Ahmed Yilmaz")
    await other.send("/caseload")
    version = other.last.reply_markup  # no buttons: no clients
    assert version is None
    employee = await people.employee_row(2001)
    async with box.db.session() as session:
        dialog = await queries.dialog_of(session, 1002)
    forged = f"{dialog.data['v']}|open|{employee.id}"
    await other.press_data(forged, other.last)
    assert "Ahmed" not in other.last.plain_text
    assert data.endswith(f"|open|{employee.id}")


async def test_the_report_button_sends_a_pdf(people, box):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001, "Ahmed Yilmaz")
    await people.checkin(ahmed, applications=2)
    await coach.send("/caseload")
    await coach.press("Ahmed Yilmaz")
    await coach.press("Rapportage")
    await coach.press("Voor het dossier")
    document = next(m for m in reversed(coach.inbox) if m.kind == "document")
    assert document.file_bytes.startswith(b"%PDF")
    assert document.file_name.endswith(".pdf") and "dossier" in document.file_name
    assert "Voortgangsrapportage Ahmed Yilmaz" in document.plain_text
    assert "Ahmed Yilmaz" in coach.last.plain_text and coach.last.kind == "text"  # the detail again
    await coach.press("Notitie")  # and its buttons work
    assert "Typ je notitie" in coach.last.plain_text


async def test_a_long_detail_still_fits_in_one_message(people, box):
    coach = await people.coach()
    await people.employee(coach, 2001, "Ahmed Yilmaz")
    employee = await people.employee_row(2001)
    coach_row = await _coach(box)
    async with box.db.session() as session:
        for n in range(6):
            moment = local("2026-11-01 10:00") + timedelta(days=n)
            text = f"NOTE{n} " + "x" * 1990
            await coach_queries.add_note(session, employee.id, coach_row.id, text, n % 2 == 0, moment)
        for n in range(30):
            applied = local("2026-10-01 10:00").date() + timedelta(days=n)
            await coach_queries.add_application(
                session, employee.id, f"Company {n:02d} " + "c" * 100, "Role " + "r" * 150, applied, "website",
                local("2026-11-01 10:00"),
            )  # fmt: skip
        await session.commit()
    await coach.send("/caseload")
    await coach.press("Ahmed Yilmaz")
    detail = coach.last.text
    assert len(detail) <= 4096
    assert "NOTE5" in detail and "NOTE0" not in detail  # the newest note stays
    assert "Company 29" in detail and "Company 00" not in detail  # the newest application stays
    assert "30 verstuurd" in coach.last.plain_text  # the totals still count them all


async def _coach(box):
    async with box.db.session() as session:
        return await queries.coach_by_telegram(session, 1001)


async def test_another_phase_reopens_a_closed_trajectory(people, box):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001, "Ahmed Yilmaz")
    await coach.send("/caseload")
    await coach.press("Ahmed Yilmaz")
    await coach.press("Fase")
    await coach.press("afgesloten")
    await coach.press("Terug naar de lijst")
    assert "✔️ Ahmed Yilmaz · afgesloten · ziekteweek 59\n    traject afgesloten" in coach.last.plain_text
    assert "0 lopend" in coach.last.plain_text
    await coach.press("Ahmed Yilmaz")
    assert "Pauze" not in " ".join(coach.buttons())  # a closed trajectory cannot be paused
    await coach.press("Fase")
    await coach.press("afronding")
    employee = await people.employee_row(2001)
    assert (employee.phase, employee.status) == ("completion", "active")
    await ahmed.send("/checkin")
    assert "Check-in week 47" in ahmed.last.plain_text


async def test_the_caseload_in_english(people, box):
    coach = await people.coach()
    await people.employee(coach, 2001, "Ahmed Yilmaz")
    async with box.db.session() as session:
        row = await queries.coach_by_telegram(session, 1001)
        row.language = "en"
        session.add(row)
        await session.commit()
    await coach.send("/caseload")
    assert "Your clients" in coach.last.plain_text and "intake · week 59 of sick leave" in coach.last.plain_text
    await coach.press("Ahmed Yilmaz")
    assert "Last 8 weeks" in coach.last.plain_text and "does not share them with you" in coach.last.plain_text
    await coach.press("Phase")
    await coach.press("active search")
    assert "Phase changed." in coach.last.plain_text


async def test_committed_steps_and_follow_through_in_the_detail(people, box):
    coach = await people.coach()
    await people.employee(coach, 2001, "Ahmed Yilmaz")
    employee = await people.employee_row(2001)
    weeks = {  # week: (step chosen that week, how last week's step went)
        44: ("CV naar Sanne sturen", None),
        45: ("Twee vacatures bekijken", "done"),
        46: ("Oud-collega bellen", "partly"),
        47: ("Open dag bezoeken", "not"),
    }
    async with box.db.session() as session:
        for week, (step, result) in weeks.items():
            checkin = await queries.create_checkin(session, employee.id, 2026, week, local("2026-11-01 10:00"))
            checkin.applications, checkin.interviews, checkin.networking, checkin.energy = 1, 0, 0, 6
            checkin.next_step, checkin.step_result = step, result
            checkin.submitted_at = local("2026-11-01 10:00")
            session.add(checkin)
        await session.commit()
    await coach.send("/caseload")
    await coach.press("Ahmed Yilmaz")
    detail = coach.last.plain_text
    assert "1 van 3 gedaan, 1 deels · 50% opgevolgd" in detail  # (1 + 0.5) / 3
    assert "week 45: Twee vacatures bekijken → deels" in detail
    assert "week 46: Oud-collega bellen → niet gelukt" in detail
    assert "week 47: Open dag bezoeken → nog open" in detail
    assert "CV naar Sanne sturen" not in detail  # only the latest three steps


async def test_only_a_safety_alert_the_client_allowed_raises_the_flag(people, box, clock):
    coach = await people.coach()
    await people.employee(coach, 2001, "Ahmed Yilmaz")
    employee = await people.employee_row(2001)
    async with box.db.session() as session:
        for allowed in (None, False):  # not answered yet, and "no"
            alert = SafetyAlert(employee_id=employee.id, source="chat", created_at=clock.now(), coach_allowed=allowed)
            session.add(alert)
        await session.commit()
    await coach.send("/caseload")
    assert "veiligheid" not in coach.last.plain_text
    async with box.db.session() as session:
        session.add(SafetyAlert(employee_id=employee.id, source="chat", created_at=clock.now(), coach_allowed=True))
        await session.commit()
    await coach.send("/caseload")
    assert "🚩 Ahmed Yilmaz" in coach.last.plain_text and "🆘 veiligheid" in coach.last.plain_text
    await coach.press("Ahmed Yilmaz")
    assert "neem contact op" in coach.last.plain_text


async def test_a_paused_or_open_week_is_no_reported_zero(people, box, clock):
    coach = await people.coach()
    await people.employee(coach, 2001, "Ahmed Yilmaz")
    carla = await people.employee(coach, 2002, "Carla Weg")
    await carla.send("/pauze")
    await carla.press("Vakantie")
    await carla.press("3 weken")
    await coach.send("/caseload")
    lines = coach.last.plain_text
    # both joined today: this week is shown, and it is not a week of zeros
    assert "Ahmed Yilmaz · intake · ziekteweek 59\n    check-in nog geen · week 47: nog open" in lines
    assert "week 47: gepauzeerd" in lines and "0/0/0" not in lines
    # Monday 30 November: week 48's check-in period (from Friday's prompt) runs until Friday 4 December
    clock.set(local("2026-11-30 09:00"))
    await coach.send("/caseload")
    lines = coach.last.plain_text
    assert "week 48: nog open" in lines and "week 48: gepauzeerd" in lines and "0/0/0" not in lines
    await coach.press("Carla Weg")
    assert "week 47: gepauzeerd\nweek 48: gepauzeerd\nweek 49: gepauzeerd" in coach.last.plain_text
    await coach.press("Terug naar de lijst")
    await coach.press("Ahmed Yilmaz")
    assert "week 48: nog open\nweek 49: nog open" in coach.last.plain_text


async def test_a_coach_note_shows_its_local_day(people, box):
    coach = await people.coach()
    await people.employee(coach, 2001, "Ahmed Yilmaz")
    employee = await people.employee_row(2001)
    async with box.db.session() as session:
        # 23:30 UTC on 19 November is 00:30 on 20 November in Amsterdam
        late = datetime(2026, 11, 19, 23, 30, tzinfo=UTC)
        await coach_queries.add_note(session, employee.id, employee.coach_id, "Gebeld", False, late)
        await session.commit()
    await coach.send("/caseload")
    await coach.press("Ahmed Yilmaz")
    assert "• 20-11: Gebeld" in coach.last.plain_text
