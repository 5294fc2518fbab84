"""End to end: the reminder sweep and the outbox delivery against the fake Bot API server, with time travel.

The employee in these tests chose Friday 10:00 (Europe/Amsterdam) and joined on Friday 20 November 2026.
"""

from datetime import UTC, datetime

import pytest

from bot.sandbox.offline import local
from storage import queries
from storage.models import Outbox

FRIDAY = local("2026-11-27 10:00")  # week 48, winter time (UTC+1)


@pytest.fixture
async def ahmed(people):
    coach = await people.coach()
    user = await people.employee(coach, 2001, "Ahmed Yilmaz")
    user.coach = coach
    return user


async def _rows(box, **where) -> list[Outbox]:
    async with box.db.session() as session:
        return await queries.outbox_rows(session, **where)


def _reminders(user) -> list[str]:
    return [
        m.plain_text
        for m in user.inbox
        if "check-in van week" in m.plain_text and "Start de check-in" in str(m.reply_markup)
    ]


async def test_weekly_prompt_comes_at_the_chosen_local_time_once(box, clock, ahmed):
    clock.set(local("2026-11-27 09:59"))
    await box.run_due()
    assert _reminders(ahmed) == []
    clock.set(FRIDAY)
    await box.run_due()
    await box.run_due()  # running the sweeps again changes nothing
    assert len(_reminders(ahmed)) == 1
    assert "tijd voor je check-in van week 48" in ahmed.last.plain_text
    (row,) = await _rows(box, kind="prompt")
    assert row.status == "sent" and row.attempts == 1 and row.dedupe_key.endswith(":2026-W48")
    assert row.sent_at == datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


async def test_weekly_prompt_in_summer_time(box, clock, ahmed):
    clock.set(datetime(2027, 6, 4, 7, 59, tzinfo=UTC))  # 09:59 summer time (last week's check-in is nudged)
    await box.run_due()
    assert not [text for text in _reminders(ahmed) if "week 22" in text]
    clock.set(datetime(2027, 6, 4, 8, 0, tzinfo=UTC))  # 10:00 summer time
    await box.run_due()
    assert [text for text in _reminders(ahmed) if "week 22" in text] == [ahmed.last.plain_text]
    assert "tijd voor je check-in van week 22" in ahmed.last.plain_text


async def test_the_prompt_button_opens_the_check_in_and_submitting_stops_the_nudges(box, clock, ahmed):
    clock.set(FRIDAY)
    await box.run_due()
    await ahmed.press("Start de check-in")
    assert "sollicitaties" in ahmed.last.plain_text and "week 48" in ahmed.last.plain_text
    for tap in ("1", "0", "2", "Geen", "6", "Versturen"):
        await ahmed.press(tap)
    clock.set(local("2026-11-28 10:00"))
    await box.run_due()
    clock.set(local("2026-11-30 10:00"))
    await box.run_due()
    assert [row.kind for row in await _rows(box) if row.chat_id == ahmed.id] == ["prompt"]  # no nudges


async def test_two_nudges_then_the_week_is_missed(box, clock, ahmed, people):
    clock.set(FRIDAY)
    await box.run_due()
    clock.set(local("2026-11-28 10:00"))  # +24 h
    await box.run_due()
    assert "vriendelijke herinnering" in ahmed.last.plain_text
    clock.set(local("2026-11-30 10:00"))  # +72 h, Monday of week 49: still week 48's check-in
    await box.run_due()
    assert "Nog één keer een seintje" in ahmed.last.plain_text and "week 48" in ahmed.last.plain_text
    assert len(_reminders(ahmed)) == 3
    clock.set(local("2026-12-04 10:00"))  # a week after the prompt: missed, and week 49's prompt
    result = await box.run_due()
    assert result.missed and result.missed[0][1] == "2026-W48"
    checkins = {(c.iso_week): c for c in await people.checkins(2001)}
    assert checkins[48].missed_at is not None and checkins[48].submitted_at is None
    assert "week 49" in ahmed.last.plain_text
    to_ahmed = [row.kind for row in await _rows(box) if row.chat_id == ahmed.id]
    assert to_ahmed[-4:] == ["prompt", "nudge1", "nudge2", "prompt"]


async def test_a_nudge_is_answered_by_last_weeks_check_in(box, clock, ahmed, people):
    clock.set(FRIDAY)
    await box.run_due()
    clock.set(local("2026-11-30 10:00"))
    await box.run_due()
    await ahmed.press("Start de check-in")
    assert "Check-in week 48" in ahmed.last.plain_text
    for tap in ("1", "0", "2", "Geen", "6", "Versturen"):
        await ahmed.press(tap)
    assert [(c.iso_week, c.submitted_at is not None) for c in await people.checkins(2001)] == [(48, True)]


async def test_catch_up_after_downtime_sends_only_the_latest_reminder(box, clock, ahmed):
    clock.set(local("2026-11-30 11:00"))  # the bot was down from before Friday's prompt until Monday
    await box.run_due()
    assert len(_reminders(ahmed)) == 1
    assert "Nog één keer een seintje" in ahmed.last.plain_text
    assert [row.kind for row in await _rows(box) if row.chat_id == ahmed.id] == ["nudge2"]


async def test_nothing_is_sent_in_quiet_hours_and_it_follows_at_eight(box, clock, ahmed):
    clock.set(local("2026-11-27 22:30"))  # down during the prompt; back in the evening
    await box.run_due()
    assert _reminders(ahmed) == []
    (row,) = await _rows(box, kind="prompt")
    assert row.status == "pending" and row.not_before == local("2026-11-28 08:00").astimezone(UTC)
    clock.set(local("2026-11-28 07:59"))
    await box.run_due()
    assert _reminders(ahmed) == []
    clock.set(local("2026-11-28 08:00"))
    await box.run_due()
    assert len(_reminders(ahmed)) == 1


async def test_pause_stops_reminders_and_excuses_the_week(box, clock, ahmed, people):
    clock.set(local("2026-11-25 12:00"))  # Wednesday of week 48
    await ahmed.send("/pauze")
    assert ahmed.buttons() == ["🌴 Vakantie", "🩺 Behandeling", "📌 Iets anders"]
    await ahmed.press("Vakantie")
    await ahmed.press("2 weken")
    assert "08-12-2026" in ahmed.last.plain_text
    await box.run_due()
    assert "gepauzeerd tot en met 08-12-2026" in ahmed.coach.last.plain_text
    assert "vakantie" in ahmed.coach.last.plain_text
    for moment in ("2026-11-27 10:00", "2026-11-28 10:00", "2026-11-30 10:00", "2026-12-04 10:00"):
        clock.set(local(moment))
        await box.run_due()
    assert _reminders(ahmed) == []
    checkins = {c.iso_week: c for c in await people.checkins(2001)}
    assert checkins[48].paused_reason == "holiday" and checkins[48].missed_at is None
    clock.set(local("2026-12-11 10:00"))  # the pause is over: week 50's prompt comes again
    await box.run_due()
    assert len(_reminders(ahmed)) == 1 and "week 50" in ahmed.last.plain_text


async def test_pause_can_be_ended_early(box, clock, ahmed):
    clock.set(local("2026-11-23 12:00"))  # Monday of week 48
    await ahmed.send("/pause")
    await ahmed.press("Iets anders")
    await ahmed.send("31-12-2026")
    assert "31-12-2026" in ahmed.last.plain_text
    await ahmed.send("/pauze")
    assert "staan stil tot en met 31-12-2026" in ahmed.last.plain_text
    await ahmed.press("Pauze nu stoppen")
    assert "gestopt" in ahmed.last.plain_text
    clock.set(local("2026-12-04 10:00"))  # week 49 does not overlap the (now ended) pause
    await box.run_due()
    assert "week 49" in ahmed.last.plain_text
    await box.run_due()
    texts = [m.plain_text for m in ahmed.coach.inbox]
    assert any("gepauzeerd tot en met 31-12-2026" in t for t in texts)
    assert any("eerder beëindigd" in t for t in texts)


async def test_pause_input_is_checked(box, clock, ahmed):
    await ahmed.send("/pauze")
    await ahmed.press("Behandeling")
    assert "al voorbij" in (await ahmed.send("01-01-2026"))[0].plain_text
    assert "half jaar" in (await ahmed.send("01-01-2028"))[0].plain_text
    assert "knoppen" not in (await ahmed.send("24-12-2026"))[0].plain_text


async def test_a_closed_trajectory_gets_nothing(box, clock, ahmed):
    async with box.db.session() as session:
        employee = await queries.employee_by_telegram(session, 2001)
        employee.status = "closed"
        session.add(employee)
    clock.set(FRIDAY)
    await box.run_due()
    assert _reminders(ahmed) == []
    assert "afgesloten" in (await ahmed.send("/checkin"))[0].plain_text


async def test_429_waits_retry_after_and_sends_once(box, clock, ahmed):
    box.fake.fail_next("sendMessage", 429, chat_id=2001, retry_after=1)
    clock.set(FRIDAY)
    await box.run_due()
    assert len(_reminders(ahmed)) == 1
    (row,) = await _rows(box, kind="prompt")
    assert row.status == "sent" and row.attempts == 2 and "429" in row.last_error
    sends = [c for c in box.fake.calls if c.method == "sendMessage" and c.chat_id == 2001]
    assert sends[-1].time - sends[-2].time >= 1.0  # waited retry_after


async def test_5xx_and_network_trouble_are_retried(box, clock, ahmed):
    box.fake.fail_next("sendMessage", 502, chat_id=2001, count=2)
    clock.set(FRIDAY)
    await box.run_due()
    assert len(_reminders(ahmed)) == 1
    (row,) = await _rows(box, kind="prompt")
    assert row.status == "sent" and row.attempts == 3


async def test_slow_answers_are_waited_for(box, clock, ahmed):
    box.fake.slow_next("sendMessage", 1.5)
    clock.set(FRIDAY)
    await box.run_due()
    assert len(_reminders(ahmed)) == 1
    (row,) = await _rows(box, kind="prompt")
    assert row.status == "sent" and row.attempts == 1


async def test_403_marks_unreachable_and_tells_the_coach_once(box, clock, ahmed, people):
    box.fake.block(2001)
    clock.set(FRIDAY)
    await box.run_due()
    employee = await people.employee_row(2001)
    assert employee.unreachable_at is not None
    (row,) = await _rows(box, kind="prompt")
    assert row.status == "failed" and row.last_error.startswith("403")
    notices = [m for m in ahmed.coach.inbox if "niet meer bereikbaar" in m.plain_text]
    assert len(notices) == 1 and "Ahmed Yilmaz" in notices[0].plain_text
    for moment in ("2026-11-28 10:00", "2026-12-04 10:00"):
        clock.set(local(moment))
        await box.run_due()
    assert len([m for m in ahmed.coach.inbox if "niet meer bereikbaar" in m.plain_text]) == 1
    assert [c for c in box.fake.calls if c.method == "sendMessage" and c.chat_id == 2001 and c.status == 403] != []
    assert len([c for c in box.fake.calls if c.method == "sendMessage" and c.chat_id == 2001 and c.status == 403]) == 1
    box.fake.unblock(2001)
    await ahmed.send("/help")  # writing again means they unblocked the bot
    assert (await people.employee_row(2001)).unreachable_at is None


async def test_employees_who_have_not_joined_get_nothing(box, clock, people):
    coach = await people.coach()
    await people.invite(coach, "Linda Jansen")  # invited, never opened the link
    clock.set(FRIDAY)
    result = await box.run_due()
    assert result.queued == 0


async def test_outbox_rows_can_carry_an_image(box, clock, ahmed):
    from bot.core.context import Work
    from bot.core.replies import Reply
    from bot.outgoing import outbox
    from bot.outgoing.outbox import Message
    from bot.views.qr import qr_png

    async with box.db.session() as session:
        work = Work(session, clock, box.fake.bot_username, "Europe/Amsterdam")
        reply = Reply("coach_employee_joined", "nl", {"name": "Ahmed"}, photo=qr_png("x"), photo_name="x.png")
        await outbox.enqueue(work, [Message("test:photo", "test", 1001, reply, "Europe/Amsterdam")])
    await box.run_due()
    photo = ahmed.coach.last
    assert photo.kind == "photo" and photo.file_bytes.startswith(b"\x89PNG") and "Ahmed" in photo.plain_text
