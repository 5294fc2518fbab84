"""End to end over HTTP: the coach's weekly digest (sweep at the coach's local day and time, exactly once, with
its chart), /digest on demand, and changing the digest's day and time."""

from datetime import time

from bot.sandbox.offline import local
from storage import queries
from storage.models import Coach, Outbox

PNG = b"\x89PNG\r\n\x1a\n"


async def _coach_row(box, user_id: int = 1001) -> Coach:
    async with box.db.session() as session:
        return await queries.coach_by_telegram(session, user_id)


async def _update_coach(box, **values) -> None:
    async with box.db.session() as session:
        coach = await queries.coach_by_telegram(session, 1001)
        for name, value in values.items():
            setattr(coach, name, value)
        session.add(coach)
        await session.commit()


async def _digest_rows(box) -> list[Outbox]:
    async with box.db.session() as session:
        return [row for row in await queries.outbox_rows(session) if row.kind.startswith("digest")]


def _digests(user) -> list:
    return [m for m in user.inbox if "Weekoverzicht" in m.plain_text or "Weekly digest" in m.plain_text]


async def test_the_digest_comes_monday_0800_local_exactly_once_with_its_chart(people, box, clock):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001, "Ahmed Yilmaz")
    await people.checkin(ahmed, applications=3, interviews=1, networking=2)
    clock.set(local("2026-11-23 07:59"))
    await box.run_due()
    assert _digests(coach) == []
    clock.set(local("2026-11-23 08:00"))
    await box.run_due()
    (text,) = _digests(coach)
    assert "Weekoverzicht week 47" in text.plain_text
    assert "1 van 1 check-in · 3 sollicitaties · 1 gesprek · 2 netwerkcontacten" in text.plain_text  # plurals
    assert "elke maandag om 08:00" in text.plain_text
    (chart,) = [m for m in coach.inbox if m.kind == "photo" and m.file_name == "caseload.png"]
    assert chart.file_bytes.startswith(PNG) and len(chart.file_bytes) > 5000
    assert "per week" in chart.plain_text
    for moment in ("2026-11-23 08:01", "2026-11-23 12:00", "2026-11-24 07:00", "2026-11-29 20:00"):
        clock.set(local(moment))
        await box.run_due()
    assert len(_digests(coach)) == 1
    coach_id = (await _coach_row(box)).id
    assert sorted(row.dedupe_key for row in await _digest_rows(box)) == [
        f"digest:{coach_id}:2026-W48",
        f"digest:{coach_id}:2026-W48:chart",
    ]
    clock.set(local("2026-11-30 08:00"))  # next Monday: the next one
    await box.run_due()
    assert len(_digests(coach)) == 2 and "Weekoverzicht week 48" in _digests(coach)[-1].plain_text


async def test_the_digest_follows_the_coachs_time_zone(people, box, clock):
    coach = await people.coach()
    await people.invite(coach, "Ahmed Yilmaz")
    await _update_coach(box, timezone="America/New_York", language="en")
    clock.set(local("2026-11-23 13:59"))  # 07:59 in New York
    await box.run_due()
    assert _digests(coach) == []
    clock.set(local("2026-11-23 14:00"))  # 08:00 in New York
    await box.run_due()
    assert len(_digests(coach)) == 1 and "every Monday at 08:00" in _digests(coach)[0].plain_text


async def test_a_digest_missed_by_more_than_a_day_is_skipped(people, box, clock):
    coach = await people.coach()
    await people.employee(coach, 2001, "Ahmed Yilmaz")
    clock.set(local("2026-11-24 08:01"))  # the bot was down all Monday and a bit more
    await box.run_due()
    assert _digests(coach) == []
    clock.set(local("2026-11-23 20:00"))  # (back in time) up by Monday evening: it still comes
    await box.run_due()
    assert len(_digests(coach)) == 1


async def test_no_scheduled_digest_without_open_trajectories(people, box, clock):
    coach = await people.coach()
    clock.set(local("2026-11-23 08:00"))
    await box.run_due()
    assert _digests(coach) == [] and await _digest_rows(box) == []
    await people.invite(coach, "Ahmed Yilmaz")  # invited (not joined yet) is an open trajectory
    clock.set(local("2026-11-23 08:01"))
    await box.run_due()
    assert len(_digests(coach)) == 1
    assert "1 lopend traject (1 nog niet gestart)" in _digests(coach)[0].plain_text  # plurals


async def test_digest_shows_flagged_first_deadlines_paused_missed_and_unreachable(people, box, clock):
    coach = await people.coach()
    low = await people.employee(coach, 2001, "Bram Laag")
    await people.checkin(low, energy=2)
    away = await people.employee(coach, 2002, "Carla Weg")
    await away.send("/pauze")
    await away.press("Vakantie")
    await away.press("2 weken")
    await people.employee(coach, 2003, "Daan Stil")
    await people.employee(coach, 2004, "Eva Bijna", sick_day="01-12-2025")  # first-year evaluation on 29-11-2026
    async with box.db.session() as session:
        daan = await queries.employee_by_telegram(session, 2003)
        daan.unreachable_at = local("2026-11-20 11:00")
        session.add(daan)
        eva = await queries.employee_by_telegram(session, 2004)
        checkin = await queries.create_checkin(session, eva.id, 2026, 47, local("2026-11-20 11:00"))
        checkin.missed_at = local("2026-11-27 10:00")
        session.add(checkin)
        await session.commit()
    clock.set(local("2026-11-23 08:00"))
    await box.run_due()
    (text,) = _digests(coach)
    body = text.plain_text
    assert "Aandacht nodig (3)" in body
    assert "Vorige week: 1 van 3 check-ins" in body  # Carla was on a pause: no check-in was due from her
    assert body.index("Bram Laag") < body.index("Termijnen")
    assert "energie 2" in body and "geblokkeerd" in body
    assert "29-11 Eva Bijna: Eerstejaarsevaluatie" in body
    assert "Pauze: Carla Weg (t/m 03-12)" in body
    assert "Week gemist: Eva Bijna" in body
    assert "Onbereikbaar: Daan Stil" in body
    await coach.press("Open je caseload", message=text)
    assert "Je cliënten" in coach.last.plain_text
    assert coach.last.plain_text.index("Bram Laag") < coach.last.plain_text.index("Carla Weg")


async def test_digest_on_demand_and_changing_its_day_and_time(people, box, clock):
    coach = await people.coach()
    await people.employee(coach, 2001, "Ahmed Yilmaz")
    await coach.send("/digest")
    text, chart = coach.inbox[-2:]
    assert "Weekoverzicht" in text.plain_text and chart.kind == "photo" and chart.file_bytes.startswith(PNG)
    assert "Elke maandag om 08:00 krijg je dit vanzelf" in text.plain_text
    await coach.press("Dag en tijd wijzigen", message=text)
    await coach.press("wo")
    await coach.send("7:30")
    assert "Tussen 21:00 en 08:00" in coach.last.plain_text
    await coach.press("09:00")
    assert "elke woensdag om 09:00" in coach.last.plain_text
    stored = await _coach_row(box)
    assert (stored.digest_weekday, stored.digest_time) == (2, time(9, 0))
    clock.set(local("2026-11-23 08:00"))  # Monday: no longer the day
    await box.run_due()
    clock.set(local("2026-11-25 08:59"))
    await box.run_due()
    assert len(_digests(coach)) == 1  # only the one asked for
    clock.set(local("2026-11-25 09:00"))
    await box.run_due()
    assert len(_digests(coach)) == 2 and "elke woensdag om 09:00" in _digests(coach)[-1].plain_text


async def test_digest_is_for_coaches_only(people, box):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001, "Ahmed Yilmaz")
    await ahmed.send("/digest")
    assert "Weekoverzicht" not in ahmed.last.plain_text
    await ahmed.send("/caseload")
    assert "cliënten" not in ahmed.last.plain_text
