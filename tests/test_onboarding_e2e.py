"""End to end over HTTP against the fake Bot API server: coaches and employees joining with deep links."""

from datetime import date, time

from storage import queries
from storage.models import Invite


async def test_coach_registers_with_the_operator_link(box, running):
    coach = box.fake.user(1001, "Sanne")
    replies = await coach.send(f"/start {await box.add_coach('Sanne de Vries')}")
    assert "Welkom, Sanne de Vries" in replies[0].plain_text
    assert "/invite" in replies[0].plain_text
    async with box.db.session() as session:
        registered = await queries.coach_by_telegram(session, 1001)
    assert registered is not None and registered.name == "Sanne de Vries"


async def test_coach_invites_an_employee_and_gets_link_and_qr(people, box):
    coach = await people.coach()
    replies = await coach.send("/invite")
    assert "naam" in replies[0].plain_text.lower()
    await coach.send("Ahmed Yilmaz")
    await coach.send("Bakkerij De Korenschoof")
    confirm = (await coach.send("06-10-2025"))[-1]
    assert "06-10-2025" in confirm.plain_text and "20-11-2026" in confirm.plain_text  # Track 2 start defaults to today
    assert "week 59" in confirm.plain_text
    replies = await coach.press("Maak de uitnodiging")
    photo = [message for message in replies if message.kind == "photo"][0]
    assert photo.file_bytes.startswith(b"\x89PNG")
    assert "https://t.me/SpoorzoekerBot?start=" in photo.plain_text
    async with box.db.session() as session:
        employees = await queries.employees_of_coach(session, 1)
    assert [(e.name, e.first_sick_day, e.track2_start, e.status) for e in employees] == [
        ("Ahmed Yilmaz", date(2025, 10, 6), date(2026, 11, 20), "invited")
    ]


async def test_tokens_are_stored_hashed_only(people, box):
    coach = await people.coach()
    token = await people.invite(coach, "Ahmed Yilmaz")
    async with box.db.session() as session:
        invites = list((await session.exec(Invite.__table__.select())).all())
    assert invites and all(token not in str(tuple(row)) for row in invites)


async def test_invite_offers_known_employers_as_buttons_and_custom_track2_start(people, box):
    coach = await people.coach()
    await people.invite(coach, "Ahmed Yilmaz", employer="Bakkerij Bol")
    await coach.send("/invite")
    await coach.send("Linda Jansen")
    await coach.press("Bakkerij Bol")
    await coach.send("12-01-2026")
    await coach.press("Andere startdatum")
    assert "spoor 2" in coach.last.plain_text
    await coach.send("01-01-2026")  # before the first day of sickness
    assert "niet beginnen vóór de eerste ziektedag" in coach.last.plain_text
    confirm = (await coach.send("02-03-2026"))[-1]
    assert "02-03-2026" in confirm.plain_text
    await coach.press("Maak de uitnodiging")
    async with box.db.session() as session:
        linda = [e for e in await queries.employees_of_coach(session, 1) if e.name == "Linda Jansen"][0]
        employers = await queries.employers_of_coach(session, 1, 10)
    assert linda.track2_start == date(2026, 3, 2)
    assert [employer.name for employer in employers] == ["Bakkerij Bol"]


async def test_invite_rejects_bad_dates_and_names_kindly(people):
    coach = await people.coach()
    await coach.send("/invite")
    assert "tekens" in (await coach.send("A"))[0].plain_text
    await coach.send("Ahmed Yilmaz")
    await coach.send("Bakkerij Bol")
    assert "begrijp ik niet" in (await coach.send("vorige maand"))[0].plain_text
    assert "toekomst" in (await coach.send("01-01-2027"))[0].plain_text
    assert "drie jaar" in (await coach.send("01-01-2020"))[0].plain_text
    assert "Klopt dit?" in (await coach.send("01-10-2025"))[0].plain_text


async def test_employee_joins_hears_about_privacy_and_chooses_settings(people, box):
    coach = await people.coach()
    token = await people.invite(coach, "Ahmed Yilmaz")
    ahmed = box.fake.user(2001, "Ahmed")
    replies = await ahmed.send(f"/start {token}")
    welcome = replies[0].plain_text
    assert "Welkom, Ahmed Yilmaz" in welcome and "Sanne" in welcome
    assert "werkgever nooit" in welcome.replace("<b>", "").replace("</b>", "").lower()
    assert ahmed.buttons() == ["🇳🇱 Nederlands", "🇬🇧 English"]
    assert "doet nu mee" in coach.last.plain_text  # the coach hears that Ahmed joined
    await ahmed.press("English")
    assert "Which day" in ahmed.last.plain_text or "day" in ahmed.last.plain_text.lower()
    await ahmed.press("Tue")
    await ahmed.send("21:30")  # in quiet hours
    assert "21:00" in ahmed.last.plain_text
    done = (await ahmed.send("9:45"))[-1]
    assert "Tuesday" in done.plain_text and "09:45" in done.plain_text
    employee = await people.employee_row(2001)
    assert (employee.language, employee.checkin_weekday, employee.checkin_time, employee.status) == (
        "en",
        1,
        time(9, 45),
        "active",
    )


async def test_settings_can_be_changed_later(people):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await ahmed.send("/instellingen")
    await ahmed.press("Nederlands")
    await ahmed.press("ma")
    await ahmed.press("13:00")
    employee = await people.employee_row(2001)
    assert (employee.checkin_weekday, employee.checkin_time) == (0, time(13, 0))
    assert "maandag" in ahmed.last.plain_text


async def test_a_used_token_does_not_work_twice(people, box):
    coach = await people.coach()
    token = await people.invite(coach, "Ahmed Yilmaz")
    await box.fake.user(2001, "Ahmed").send(f"/start {token}")
    intruder = box.fake.user(2999, "Mallory")
    reply = (await intruder.send(f"/start {token}"))[0]
    assert "werkt niet" in reply.plain_text
    assert "Ahmed" not in reply.plain_text
    assert await people.employee_row(2999) is None


async def test_an_expired_token_does_not_work(people, box, clock):
    coach = await people.coach()
    token = await people.invite(coach, "Ahmed Yilmaz")
    clock.advance(days=14, seconds=1)
    reply = (await box.fake.user(2001, "Ahmed").send(f"/start {token}"))[0]
    assert "werkt niet" in reply.plain_text
    assert await people.employee_row(2001) is None


async def test_a_token_still_works_just_before_expiry(people, box, clock):
    coach = await people.coach()
    token = await people.invite(coach, "Ahmed Yilmaz")
    clock.advance(days=13, hours=23)
    await box.fake.user(2001, "Ahmed").send(f"/start {token}")
    assert (await people.employee_row(2001)) is not None


async def test_wrong_tokens_all_get_the_same_answer(box, running):
    stranger = box.fake.user(2999, "Mallory")
    answers = set()
    for payload in ("x" * 32, "abc", "../../etc/passwd", "a" * 80):
        answers.add((await stranger.send(f"/start {payload}"))[0].plain_text)
    assert len(answers) == 1 and "werkt niet" in answers.pop()


async def test_a_known_user_opening_another_link_changes_nothing(people, box):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    token = await people.invite(coach, "Linda Jansen")
    reply = (await ahmed.send(f"/start {token}"))[0]
    assert "al aangemeld" in reply.plain_text
    linda = box.fake.user(2002, "Linda")
    await linda.send(f"/start {token}")  # the link was not used up by Ahmed
    assert (await people.employee_row(2002)).name == "Linda Jansen"


async def test_unknown_users_only_get_onboarding_guidance(box, running):
    kim = box.fake.user(3001, "Kim")
    texts = []
    texts += [m.plain_text for m in await kim.send("Hallo?")]
    texts += [m.plain_text for m in await kim.send("/checkin")]
    texts += [m.plain_text for m in await kim.send("/invite")]
    texts += [m.plain_text for m in await kim.send("/start")]
    texts += [m.plain_text for m in await kim.send_sticker()]
    texts += [m.plain_text for m in await kim.send_voice()]
    assert len(texts) == 6
    assert all("persoonlijke link" in text for text in texts)
    english = box.fake.user(3002, "Jo", language_code="en-GB")
    assert "personal link" in (await english.send("hi"))[0].plain_text


async def test_coach_commands_and_help(people):
    coach = await people.coach()
    assert "/invite" in (await coach.send("/help"))[0].plain_text
    assert "/invite" in (await coach.send("wat kan ik doen?"))[0].plain_text
    assert "ken ik niet" in (await coach.send("/onzin"))[0].plain_text
    await coach.send("/invite")
    assert "Gestopt" in (await coach.send("/annuleren"))[0].plain_text
    assert "niets" in (await coach.send("/annuleren"))[0].plain_text
