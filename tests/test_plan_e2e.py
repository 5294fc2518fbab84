"""End to end over HTTP: the coach's /plan flow (person profile, FML, search directions, activities, Track 1,
evaluation, asking the employee to agree), its versions, restarts, bad input and forged presses."""

from datetime import date, timedelta

from bot.rules import buttons
from storage import plan_queries, queries
from tests.conftest import People


class Counted:
    """The coach's taps and typed messages, counted."""

    def __init__(self, user) -> None:
        self.user, self.taps, self.typed = user, 0, 0

    async def tap(self, *labels: str) -> None:
        for label in labels:
            self.taps += 1
            await self.user.press(label)

    async def type(self, *texts: str) -> None:
        for text in texts:
            self.typed += 1
            await self.user.send(text)


async def _versions(people, user_id: int = 2001):
    employee = await people.employee_row(user_id)
    async with people.box.db.session() as session:
        return await plan_queries.plan_versions(session, employee.id)


async def _profile(coach: Counted) -> None:
    await coach.tap("Persoonsprofiel")
    await coach.type("Bakker", "Verkoper")  # own role, another job
    await coach.tap("10")  # years
    await coach.type("Detailhandel")
    await coach.tap("Ja")
    await coach.type("Chauffeur")
    await coach.tap("5", "Overslaan", "Nee")  # years, no sector, no more jobs
    await coach.type("mbo bakker, rijbewijs C")
    await coach.tap("Overslaan", "32")  # skills, hours
    await coach.type("Utrecht")
    await coach.tap("45", "Overslaan", "Overslaan")  # travel, kind of work, ambitions


async def _direction(coach: Counted, occupation: str, hours: str = "24") -> None:
    await coach.tap("Nieuwe zoekrichting")
    await coach.type(occupation)
    await coach.tap("Overslaan")
    await coach.type("Amersfoort", hours)
    await coach.tap("mbo")
    await coach.type("Past bij de FML: zittend werk.")


async def test_the_coach_builds_a_plan_by_taps_and_typing(people):
    sanne = await people.coach()
    await people.employee(sanne, 2001)
    coach = Counted(sanne)
    await coach.type("/plan")
    assert "Trajectplan van Ahmed" in sanne.last.plain_text and "Nog geen plan" in sanne.last.plain_text
    await _profile(coach)
    assert "Bewaard als nieuwe versie" in sanne.last.plain_text and "Versie 1 van 20-11-2026" in sanne.last.plain_text
    await coach.tap("Belastbaarheid", "Vandaag")
    assert "Nooit een diagnose" in sanne.last.plain_text
    await coach.type("Niet tillen boven 10 kilo; zitten en staan afwisselen.")
    await coach.tap("Zoekrichtingen", "Nieuwe zoekrichting")
    assert sanne.buttons() == ["Bakker", "Verkoper", "Chauffeur"]  # the previous occupations
    await coach.tap("Verkoper", "Overslaan", "Zoals in profiel", "24", "mbo")
    await coach.type("Klantcontact past, weinig tillen.")
    assert "1. Verkoper · Utrecht · 24 uur" in sanne.last.plain_text
    await coach.tap("Nieuwe zoekrichting")
    await coach.type("Klantenservicemedewerker", "Energie", "Amersfoort", "20")
    await coach.tap("hbo")
    await coach.type("Zittend werk, past bij de FML.")
    await coach.tap("Terug", "Activiteiten", "Nieuwe activiteit", "Sollicitatietraining")
    await coach.type("Werkfit BV")
    await coach.tap("Vandaag", "Overslaan", "loopt", "Nieuwe activiteit", "Cv of LinkedIn", "Overslaan", "Vandaag")
    await coach.type("31-12-2026")
    await coach.tap("gepland", "Terug")
    assert "2 zoekrichtingen · 1 activiteit loopt" in sanne.last.plain_text
    # a typical plan with two directions and two interventions, from /plan on
    assert (coach.taps, coach.typed) == (35, 16)

    versions = await _versions(people)
    changes = ["profile", "capacity", "direction_added", "direction_added", "activity_added", "activity_added"]
    assert [v.change for v in versions] == changes and [v.number for v in versions] == [1, 2, 3, 4, 5, 6]
    employee = await people.employee_row(2001)
    assert {v.author_coach_id for v in versions} == {employee.coach_id}
    plan = versions[-1].content
    assert plan["profile"]["own_role"] == "Bakker" and plan["profile"]["region"] == "Utrecht"
    assert plan["profile"]["experience"] == [
        {"role": "Verkoper", "sector": "Detailhandel", "years": 10}, {"role": "Chauffeur", "sector": None, "years": 5},
    ]  # fmt: skip
    assert plan["profile"]["education"] == ["mbo bakker", "rijbewijs C"] and plan["profile"]["skills"] == []
    assert (plan["profile"]["hours"], plan["profile"]["travel_minutes"]) == (32, 45)
    fml = "Niet tillen boven 10 kilo; zitten en staan afwisselen."
    assert plan["capacity"] == {"fml_date": "2026-11-20", "text": fml}
    first, second = plan["directions"]
    assert (first["id"], first["occupation"], first["sector"], first["region"], first["hours"], first["level"]) == (
        "d1", "Verkoper", None, "Utrecht", 24, "mbo",
    )  # fmt: skip
    assert (second["occupation"], second["sector"], second["region"], second["hours"], second["level"]) == (
        "Klantenservicemedewerker", "Energie", "Amersfoort", 20, "hbo",
    )  # fmt: skip
    assert [(a["kind"], a["provider"], a["start"], a["end"], a["status"]) for a in plan["activities"]] == [
        ("application_training", "Werkfit BV", "2026-11-20", None, "running"),
        ("cv_linkedin", None, "2026-11-20", "2026-12-31", "planned"),
    ]


async def test_a_restart_in_the_middle_of_the_profile_continues_at_the_same_step(box, clock):
    async with box.bot_running():
        people = People(box)
        sanne = await people.coach()
        await people.employee(sanne, 2001)
        await sanne.send("/plan")
        await sanne.press("Persoonsprofiel")
        await sanne.send("Bakker")
        await sanne.send("Verkoper")
        assert "Hoeveel jaar ervaring" in sanne.last.plain_text
    async with box.bot_running():  # a new process: only the database remembers where Sanne was
        await sanne.press("10")  # the last buttons still work
        assert "In welke sector" in sanne.last.plain_text
        await sanne.send("Detailhandel")
    async with box.bot_running():
        await sanne.press("Nee")
        await sanne.press("Overslaan")  # education
        await sanne.press("Overslaan")  # skills
        for answer in ("36", "Zeist"):
            await sanne.send(answer)
        for tap in ("30", "Overslaan", "Overslaan"):
            await sanne.press(tap)
    (version,) = await _versions(People(box))
    profile = version.content["profile"]
    assert version.change == "profile" and profile["own_role"] == "Bakker"
    assert profile["experience"] == [{"role": "Verkoper", "sector": "Detailhandel", "years": 10}]
    assert (profile["hours"], profile["region"], profile["travel_minutes"]) == (36, "Zeist", 30)


async def test_a_change_makes_a_new_version_and_the_old_one_stays_as_it_was(people, clock):
    sanne = await people.coach()
    await people.employee(sanne, 2001)
    await sanne.send("/plan")
    await sanne.press("Belastbaarheid")
    await sanne.send("18-11-2026")
    await sanne.send("Kan 4 uur per dag werken, niet tillen.")
    first_made = clock.now()
    clock.advance(days=2)
    await sanne.press("Spoor 1")
    assert "Spoor 1 loopt ook nog: ja" in sanne.last.plain_text and "Versie 2 van 22-11-2026" in sanne.last.plain_text
    old, new = await _versions(people)
    assert (old.number, old.change, old.content["track1"]) == (1, "capacity", False)
    assert (new.number, new.change, new.content["track1"]) == (2, "track1", True)
    assert new.content["capacity"] == old.content["capacity"] == {
        "fml_date": "2026-11-18", "text": "Kan 4 uur per dag werken, niet tillen.",
    }  # fmt: skip
    employee = await people.employee_row(2001)
    async with people.box.db.session() as session:
        then = await plan_queries.plan_on(session, employee.id, first_made + timedelta(days=1))
        assert then.number == 1 and then.content["track1"] is False


async def test_reviewing_or_removing_a_direction_and_updating_an_activity_make_new_versions(people, clock):
    sanne = await people.coach()
    await people.employee(sanne, 2001)
    await sanne.send("/plan")
    await sanne.press("Zoekrichtingen")
    coach = Counted(sanne)
    await _direction(coach, "Verkoper")
    await _direction(coach, "Chauffeur")
    clock.advance(days=10)
    await sanne.press("Verkoper")
    assert "Laatst besproken: 2026-11-20" in sanne.last.plain_text
    await sanne.press("Besproken")
    await sanne.press("Chauffeur")
    await sanne.press("Verwijderen")
    assert "1. Verkoper" in sanne.last.plain_text and "Chauffeur" not in sanne.last.plain_text
    for tap in ("Terug", "Activiteiten", "Nieuwe activiteit", "Netwerken", "Overslaan", "Vandaag"):
        await sanne.press(tap)
    await sanne.send("01-11-2026")
    assert "vóór de startdatum" in sanne.last.plain_text
    await sanne.press("Overslaan")
    await sanne.press("gepland")
    await sanne.press("Netwerken")
    await sanne.press("afgerond")
    assert "Stand: afgerond" in sanne.last.plain_text
    await sanne.press("Resultaat")
    await sanne.send("Drie nieuwe contacten.")
    assert "Resultaat: Drie nieuwe contacten." in sanne.last.plain_text
    versions = await _versions(people)
    assert [v.change for v in versions] == [
        "direction_added", "direction_added", "directions_reviewed", "direction_removed",
        "activity_added", "activity_changed", "activity_changed",
    ]  # fmt: skip
    plan = versions[-1].content
    assert [(d["occupation"], d["reviewed_on"]) for d in plan["directions"]] == [("Verkoper", "2026-11-30")]
    assert [(a["kind"], a["status"], a["result"]) for a in plan["activities"]] == [
        ("networking", "done", "Drie nieuwe contacten.")
    ]
    assert versions[2].content["directions"][1]["occupation"] == "Chauffeur"  # the older version is unchanged


async def test_bad_input_gets_a_friendly_question_again(people):
    sanne = await people.coach()
    await people.employee(sanne, 2001)
    await sanne.send("/plan")
    await sanne.press("Persoonsprofiel")
    await sanne.send("Bakker")
    await sanne.send("Verkoper")
    await sanne.send("veel")
    assert "heel getal" in sanne.last.plain_text and "Hoeveel jaar ervaring" in sanne.last.plain_text
    await sanne.send("99")
    assert "van 0 tot en met 60" in sanne.last.plain_text
    await sanne.send("12")
    await sanne.press("Overslaan")
    await sanne.send("ja")  # a button step
    assert "Tik hiervoor op een van de knoppen" in sanne.last.plain_text
    await sanne.send("/plan")
    await sanne.press("Belastbaarheid")
    await sanne.send("25-12-2026")
    assert "in de toekomst" in sanne.last.plain_text and "Van welke datum is de FML" in sanne.last.plain_text
    await sanne.send("x" * 1001)
    assert "Die datum begrijp ik niet" in sanne.last.plain_text
    await sanne.send("20-11-2026")
    await sanne.send("x" * 1001)
    assert "hoogstens 1000 tekens" in sanne.last.plain_text
    await sanne.send("Niet lang staan.")
    await sanne.press("Zoekrichtingen")
    coach = Counted(sanne)
    for number in range(1, 6):
        await _direction(coach, f"Beroep {number}")
    assert "Nieuwe zoekrichting" not in " ".join(sanne.buttons()) and "hoogste aantal" in sanne.last.plain_text
    assert len((await _versions(people))[-1].content["directions"]) == 5


async def test_another_coachs_forged_press_is_stale_and_stores_nothing(people):
    sanne = await people.coach()
    await people.employee(sanne, 2001)
    await sanne.send("/plan")
    menu = sanne.last
    track1 = next(b["callback_data"] for row in menu.reply_markup for b in row if "Spoor 1" in b["text"])
    kees = await people.coach(1002, "Kees")
    await kees.send("/plan")
    assert "nog geen cliënten" in kees.last.plain_text
    await kees.press_data(track1, kees.last)  # Sanne's button, pressed in Kees's chat
    assert "eerder bericht" in kees.last.plain_text
    employee = await people.employee_row(2001)
    async with people.box.db.session() as session:
        version = (await queries.dialog_of(session, 1002)).data["v"]
    await kees.press_data(buttons.compose(version, "open", employee.id), kees.last)  # a forged client id
    assert "eerder bericht" in kees.last.plain_text and "Ahmed" not in kees.last.plain_text
    assert await _versions(people) == []
    await sanne.press("Spoor 1")  # Sanne's own button still works
    assert [v.change for v in await _versions(people)] == ["track1"]


async def test_an_evaluation_is_stored_and_the_menu_warns_about_a_narrow_search(people):
    sanne = await people.coach()
    await people.employee(sanne, 2001)
    await sanne.send("/caseload")
    await sanne.press("Ahmed")
    await sanne.press("Plan")  # from the client's detail into the plan menu
    coach = Counted(sanne)
    await _profile(coach)
    await coach.tap("Zoekrichtingen")
    await _direction(coach, "bakker")
    assert "Maar één zoekrichting" in sanne.last.plain_text
    await coach.tap("Terug")
    menu = sanne.last.plain_text
    assert "Maar één zoekrichting" in menu and "loonsanctie" in menu and "eigen beroep" in menu
    await coach.tap("Evaluatie", "Vandaag")
    assert "anders" in sanne.buttons() and "arbeidsdeskundige" in sanne.buttons()
    await coach.tap("Klaar")
    assert "minstens één deelnemer" in sanne.last.plain_text
    await coach.tap("werknemer", "coach", "werkgever", "werkgever", "Klaar")  # werkgever on and off again
    await coach.type("Gaat goed, meer richtingen zoeken.")
    await coach.tap("Niets", "Ja")
    assert "De evaluatie is bewaard" in sanne.last.plain_text
    employee = await people.employee_row(2001)
    async with people.box.db.session() as session:
        (evaluation,) = await plan_queries.evaluations_of(session, [employee.id])
    assert (evaluation.held_on, evaluation.participants) == (date(2026, 11, 20), ["employee", "coach"])
    assert (evaluation.conclusion, evaluation.changes, evaluation.directions_reviewed) == (
        "Gaat goed, meer richtingen zoeken.", None, True,
    )  # fmt: skip
    assert evaluation.coach_id == employee.coach_id
    assert [v.change for v in await _versions(people)] == ["profile", "direction_added"]  # no version for it


async def test_asking_for_agreement_queues_one_message_per_version(people):
    sanne = await people.coach()
    await people.employee(sanne, 2001)
    await sanne.send("/plan")
    await sanne.press("Vraag akkoord")
    assert "nog geen plan om akkoord" in sanne.last.plain_text
    await sanne.press("Spoor 1")
    await sanne.press("Vraag akkoord")
    assert "Ahmed krijgt een bericht" in sanne.last.plain_text
    await sanne.press("Vraag akkoord")
    (version,) = await _versions(people)
    async with people.box.db.session() as session:
        rows = await queries.outbox_rows(session, kind="plan_ask")
    assert [row.dedupe_key for row in rows] == [f"plan_ask:{version.id}"]
    await sanne.press("Klaar")
    assert "Alles is bewaard" in sanne.last.plain_text


async def test_editing_the_profile_shows_what_is_there_and_keeps_it_with_one_tap(people):
    sanne = await people.coach()
    await people.employee(sanne, 2001)
    await sanne.send("/plan")
    await _profile(Counted(sanne))
    await sanne.press("Persoonsprofiel")
    assert "Nu in het plan: Bakker" in sanne.last.plain_text and "Zo laten" in sanne.buttons()
    await sanne.press("Zo laten")  # own role
    assert "Nu in het plan: Verkoper, Chauffeur" in sanne.last.plain_text
    await sanne.press("Zo laten")  # all earlier jobs, on to education
    assert "Nu in het plan: mbo bakker, rijbewijs C" in sanne.last.plain_text
    await sanne.send("hbo bedrijfskunde")
    assert "Zo laten" not in sanne.buttons()  # no skills in the plan yet
    await sanne.press("Overslaan")
    assert "Nu in het plan: 32" in sanne.last.plain_text and "8" in sanne.buttons()
    await sanne.press("Zo laten")  # hours
    await sanne.send("Amersfoort")
    for tap in ("Zo laten", "Overslaan", "Overslaan"):  # travel time, kind of work, ambitions
        await sanne.press(tap)
    old, new = await _versions(people)
    assert (new.number, new.change) == (2, "profile")
    assert new.content["profile"]["experience"] == old.content["profile"]["experience"]
    profile = new.content["profile"]
    assert (profile["own_role"], profile["education"], profile["hours"], profile["travel_minutes"]) == (
        "Bakker", ["hbo bedrijfskunde"], 32, 45,
    )  # fmt: skip
    assert (old.content["profile"]["region"], profile["region"]) == ("Utrecht", "Amersfoort")


async def test_changing_a_direction_keeps_what_is_not_changed(people):
    sanne = await people.coach()
    await people.employee(sanne, 2001)
    await sanne.send("/plan")
    await sanne.press("Zoekrichtingen")
    await _direction(Counted(sanne), "Magazijnmedewerker")
    await sanne.press("Magazijnmedewerker")
    await sanne.press("Aanpassen")
    assert "Zoekrichting aanpassen" in sanne.last.plain_text
    assert "Nu in het plan: Magazijnmedewerker" in sanne.last.plain_text
    await sanne.press("Zo laten")  # occupation
    await sanne.send("Logistiek")  # a sector now
    for tap in ("Zo laten", "Zo laten", "Zo laten", "Zo laten"):  # region, hours, level, reason
        await sanne.press(tap)
    assert "Bewaard als nieuwe versie" in sanne.last.plain_text
    old, new = await _versions(people)
    assert new.change == "direction_changed" and len(new.content["directions"]) == 1
    (before,), (after,) = old.content["directions"], new.content["directions"]
    assert (before["sector"], after["sector"]) == (None, "Logistiek")
    assert {k: v for k, v in after.items() if k != "sector"} == {k: v for k, v in before.items() if k != "sector"}
