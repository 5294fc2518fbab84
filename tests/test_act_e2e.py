"""End to end over HTTP: the ACT part of the weekly check-in. Values in the first week, the reflection (answered,
skipped, shared or private), the committed step (own words or a suggestion) and next week's follow-up."""

from bot.rules import act, privacy
from storage.models import Employee
from tests.conftest import People


async def _employee(people, user_id: int) -> Employee:
    return await people.employee_row(user_id)


async def test_first_week_values_then_a_step_next_week_follow_up_and_reflection(people, clock):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await ahmed.send("/checkin")
    assert "Vorige week" not in ahmed.last.plain_text  # no step yet to look back on
    for tap in ("2", "0", "1", "Geen", "6", "Versturen"):
        await ahmed.press(tap)
    sent = ahmed.last.plain_text
    assert "verstuurd" in sent and "wat vind jij belangrijk in werk" in sent
    await ahmed.press("Anderen helpen")
    assert (await _employee(people, 2001)).values == ["helping"]  # stored at the tap
    await ahmed.press("Samenwerken")
    await ahmed.send("Eerlijkheid")
    assert (await _employee(people, 2001)).values == ["helping", "teamwork", "Eerlijkheid"]
    await ahmed.press("Vakmanschap")  # a fourth is one too many
    assert "hoogstens 3" in ahmed.last.plain_text
    assert (await _employee(people, 2001)).values == ["helping", "teamwork", "Eerlijkheid"]
    await ahmed.press("Klaar")
    question = ahmed.last
    assert "Eén kleine stap" in question.plain_text
    assert "Anderen helpen, Samenwerken, Eerlijkheid" in question.plain_text
    suggestions = ahmed.buttons()[:-1]
    value_ideas = {idea.text["nl"] for value in ("helping", "teamwork") for idea in act.step_ideas().by_value[value]}
    assert 2 <= len(suggestions) <= 3 and value_ideas & set(suggestions)  # shaped by the chosen values
    await ahmed.press(suggestions[0])
    assert suggestions[0] in ahmed.last.plain_text and "Volgende week vraag ik" in ahmed.last.plain_text
    (week47,) = await people.checkins(2001)
    assert week47.next_step == suggestions[0] and week47.act_prompt_id is None  # the values week has no prompt

    clock.advance(days=7)  # Friday of week 48
    await ahmed.send("/checkin")
    assert "Vorige week nam je je voor" in ahmed.last.plain_text and suggestions[0] in ahmed.last.plain_text
    await ahmed.press("Een beetje")
    assert "Een deel is ook een stap" in ahmed.last.plain_text and "sollicitaties" in ahmed.last.plain_text
    week48 = (await people.checkins(2001))[1]
    assert week48.step_result == "partly"  # stored at the tap
    for tap in ("1", "0", "0", "Geen", "7", "Versturen"):
        await ahmed.press(tap)
    reflection = ahmed.last.plain_text
    assert "verstuurd" in reflection and "Een minuut voor jezelf" in reflection and "Alleen jij ziet" in reflection
    week48 = (await people.checkins(2001))[1]
    prompt = act.library().by_id(week48.act_prompt_id)
    assert prompt is not None and prompt.process == week48.act_process and prompt.text["nl"] in reflection
    await ahmed.send("Ik merkte dat ik steeds dacht dat ik te oud ben.")
    assert "bewaard, alleen voor jou" in ahmed.last.plain_text
    await ahmed.send("Ik bel dinsdag mijn oud-collega Karin")
    assert "Ik bel dinsdag mijn oud-collega Karin" in ahmed.last.plain_text
    week48 = (await people.checkins(2001))[1]
    assert week48.reflection == "Ik merkte dat ik steeds dacht dat ik te oud ben." and not week48.reflection_skipped
    assert week48.next_step == "Ik bel dinsdag mijn oud-collega Karin"

    clock.advance(days=7)
    await people.checkin(ahmed, step_result="Nog niet")
    week49 = (await people.checkins(2001))[2]
    assert week49.step_result == "not" and week49.reflection_skipped and week49.next_step is None
    assert week49.act_prompt_id not in (week48.act_prompt_id,)
    assert any("Dat is helemaal goed" in m.plain_text for m in ahmed.inbox[-8:])  # kind, never blaming

    clock.advance(days=7)  # no step last week: nothing to look back on
    await ahmed.send("/checkin")
    assert "Vorige week" not in ahmed.last.plain_text


async def test_reflection_and_step_each_skip_in_one_tap(people):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await people.checkin(ahmed)  # the first week: values skipped, step skipped
    assert (await _employee(people, 2001)).values == []
    await ahmed.send("/checkin")  # the same week again: the summary, no second round of questions
    assert "al verstuurd" in ahmed.last.plain_text


async def test_sharing_reflections_with_the_coach_is_the_employees_choice(people, clock):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await people.checkin(ahmed)
    clock.advance(days=7)
    await people.checkin(ahmed, reflection="Ik was trots op mijn gesprek.")
    employee = await _employee(people, 2001)
    week48 = (await people.checkins(2001))[1]
    assert employee.share_reflections is False
    seen = privacy.view(privacy.COACH, "checkin", week48, reflections_shared=employee.share_reflections)
    assert "reflection" not in seen and seen["applications"] == 1
    await coach.send("/caseload")
    await coach.press("Ahmed")
    assert "Ik was trots op mijn gesprek." not in coach.last.plain_text  # the coach's view of the client

    await ahmed.send("/privacy")
    assert "alleen voor jou" in ahmed.last.plain_text
    await ahmed.press("Delen met mijn coach")
    employee = await _employee(people, 2001)
    assert employee.share_reflections is True
    seen = privacy.view(privacy.COACH, "checkin", week48, reflections_shared=employee.share_reflections)
    assert seen["reflection"] == "Ik was trots op mijn gesprek."
    assert "reflection" not in privacy.view(privacy.EMPLOYER, "checkin", week48, reflections_shared=True)
    await coach.send("/caseload")
    await coach.press("Ahmed")
    assert "Ik was trots op mijn gesprek." in coach.last.plain_text  # shared: now the coach sees it

    clock.advance(days=7)
    await ahmed.send("/checkin")
    for tap in ("0", "0", "0", "Geen", "5", "Versturen"):
        await ahmed.press(tap)
    assert "Je deelt je antwoorden met je coach" in ahmed.last.plain_text
    await ahmed.send("/privacy")
    await ahmed.press("Alleen voor mij")
    assert (await _employee(people, 2001)).share_reflections is False


async def test_a_coach_pins_a_process_and_every_reflection_comes_from_it(people, box, clock):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await people.checkin(ahmed)
    await coach.send("/oefening")
    await coach.press("Ahmed")
    assert "Automatisch" in coach.last.plain_text
    await coach.press("Defusie")
    assert "Vastgezet" in coach.last.plain_text and (await _employee(people, 2001)).pinned_process == "defusion"
    other = await people.coach(1002, "Joost")  # another coach does not see Ahmed
    await other.send("/oefening")
    assert "Ahmed" not in " ".join(other.buttons())
    for _ in range(3):
        clock.advance(days=7)
        await people.checkin(ahmed, energy=2)  # low energy would lean elsewhere; the pin wins
    prompts = [(c.act_process, c.act_prompt_id) for c in (await people.checkins(2001))[1:]]
    assert [process for process, _ in prompts] == ["defusion"] * 3 and len({p for _, p in prompts}) == 3
    await coach.send("/oefening")
    await coach.press("Ahmed")
    await coach.press("Automatisch")
    assert (await _employee(people, 2001)).pinned_process is None


async def test_a_restart_in_the_middle_of_the_reflection_keeps_the_prompt_and_the_answers(box, clock):
    async with box.bot_running():
        people = People(box)
        coach = await people.coach()
        ahmed = await people.employee(coach, 2001)
        await people.checkin(ahmed)
        clock.advance(days=7)
        await ahmed.send("/checkin")
        for tap in ("2", "0", "1", "Geen", "5", "Versturen"):
            await ahmed.press(tap)
        prompt_id = (await people.checkins(2001))[1].act_prompt_id
    async with box.bot_running():  # a new process: only the database remembers where Ahmed was
        await ahmed.send("Rustig ademhalen hielp.")
        assert "Eén kleine stap" in ahmed.last.plain_text
    async with box.bot_running():
        await ahmed.press(ahmed.buttons()[1])  # the step question's buttons still work after another restart
        assert "Je stap voor volgende week" in ahmed.last.plain_text
    week48 = (await people.checkins(2001))[1]
    assert week48.reflection == "Rustig ademhalen hielp." and week48.act_prompt_id == prompt_id
    assert week48.next_step is not None and week48.submitted_at is not None


async def test_a_typical_week_with_last_weeks_step_a_skipped_reflection_and_a_suggested_step_is_eleven_taps(
    people, clock
):
    coach = await people.coach()
    peter = await people.employee(coach, 2001, "Peter", language="English")
    await peter.press("Do your first check-in")
    for tap in ("1", "0", "2", "None", "6", "Send", "Skip"):  # the first week: values skipped
        await peter.press(tap)
    await peter.send("Update my CV on Tuesday")
    clock.advance(days=7)
    await people.box.run_due()  # Friday 10:00: the weekly prompt
    taps = ["Start the check-in", "Done", "2", "1", "3", "CV or LinkedIn", "Done", "6", "Send", "Skip"]
    for label in taps:
        await peter.press(label)
    assert "Well done" not in peter.last.plain_text and "One small step" in peter.last.plain_text
    suggestion = peter.buttons()[0]
    await peter.press(suggestion)
    taps.append(suggestion)
    assert len(taps) == 11 and "Your step for next week" in peter.last.plain_text
    week48 = (await people.checkins(2001))[1]
    assert week48.step_result == "done" and week48.reflection_skipped and week48.next_step == suggestion
    assert (week48.applications, week48.interviews, week48.networking, week48.energy) == (2, 1, 3, 6)


async def test_values_can_be_changed_later_with_waarden_and_shape_the_next_suggestions(people, clock):
    coach = await people.coach()
    ahmed = await people.employee(coach, 2001)
    await people.checkin(ahmed, values=("Anderen helpen",))
    await ahmed.send("/waarden")
    assert "Anderen helpen" in ahmed.last.plain_text
    await ahmed.press("Anderen helpen")  # unchoose
    await ahmed.press("Bewegen of buiten zijn")
    await ahmed.send("Eerlijk werk")
    assert (await _employee(people, 2001)).values == ["active", "Eerlijk werk"]  # stored at each answer
    await ahmed.press("Eerlijk werk")  # own words go with one tap too
    await ahmed.press("Afwisseling")
    await ahmed.press("Klaar")
    assert "Bewaard: Bewegen of buiten zijn, Afwisseling" in ahmed.last.plain_text
    assert (await _employee(people, 2001)).values == ["active", "variety"]
    clock.advance(days=7)
    await ahmed.send("/checkin")
    for tap in ("1", "0", "0", "Geen", "7", "Versturen", "Overslaan"):
        await ahmed.press(tap)
    ideas = {idea.text["nl"] for value in ("active", "variety") for idea in act.step_ideas().by_value[value]}
    assert ideas & set(ahmed.buttons()) and "Bewegen of buiten zijn, Afwisseling" in ahmed.last.plain_text
