"""`spoorzoeker demo`: a scripted coach and three employees use the real bot against the fake Telegram.

Prints the conversation as a readable transcript and writes it to the output folder, with what the coach got
as files: the digest and its chart, Linda's progress report (both variants) and Ahmed's final report (dossier)
after he was placed. The bot also serves the coach's dashboard on 127.0.0.1; at the end the coach asks for it
with /dashboard, and `while_running` (`spoorzoeker demo --serve`) gets the transcript and that sign-in link while
the offline bot and its dashboard still run, so the link can be opened in a browser.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path

from bot.core.clock import ManualClock
from bot.rules.report import PLACED
from bot.rules.weeks import local_date
from bot.sandbox.fake_telegram import format_transcript
from bot.sandbox.offline import Sandbox, local, sandbox, token_in
from storage import coach_queries, queries, report_queries

# A Friday morning in November: when the demo takes place (fixed, so each run prints the same transcript).
DEMO_MOMENT = "2026-11-20 10:00"
# Ahmed (sick since 6 October 2025): the poortwachter steps that took place, before their legal dates.
PLACED_STEPS = {
    "problem_analysis": date(2025, 11, 10),
    "action_plan": date(2025, 11, 24),
    "labour_expert": date(2026, 8, 24),
    "first_year_evaluation": date(2026, 9, 14),
}
AGENCY = "Werkfit Re-integratie"  # the reintegration agency Sanne works for (named in reports)
AHMED_VIEW = "Het zoeken was soms zwaar, maar de gesprekken hielpen. Ik ben blij met mijn nieuwe baan."
_DASHBOARD_LINK = re.compile(r"https?://\S+/dashboard/in/[A-Za-z0-9_-]+")
WhileRunning = Callable[[str, str], Awaitable[None]]  # (transcript, the coach's dashboard link)


async def run_demo(out_dir: Path, *, dashboard_port: int = 0, while_running: WhileRunning | None = None) -> str:
    """Play the demo and return its transcript. The dashboard is served on 127.0.0.1:`dashboard_port` (0: a free
    port); `while_running(transcript, link)` runs after the last scene, before the bot stops."""
    out_dir.mkdir(parents=True, exist_ok=True)
    clock = ManualClock(local(DEMO_MOMENT))
    scenes: list[tuple[str, int]] = []
    async with sandbox(clock=clock, dashboard_port=dashboard_port) as box:
        fake = box.fake
        sanne = fake.user(1001, "Sanne", last_name="de Vries")
        ahmed = fake.user(2001, "Ahmed", last_name="Yilmaz")
        linda = fake.user(2002, "Linda", last_name="Jansen")
        peter = fake.user(2003, "Peter", last_name="Smit", language_code="en")
        names = {
            sanne.chat_id: "Sanne (coach)",
            ahmed.chat_id: "Ahmed",
            linda.chat_id: "Linda",
            peter.chat_id: "Peter",
        }

        def scene(title: str) -> None:
            scenes.append((title, len(fake.events)))

        async with box.bot_running():
            scene("1. The coach registers with the link an operator made (`spoorzoeker coach add`)")
            await sanne.send(f"/start {await box.add_coach('Sanne de Vries')}")

            scene("2. The coach enrols three employees with /invite")
            tokens = {}
            for who, employer, sick_day in (
                ("Ahmed Yilmaz", "Bakkerij De Korenschoof", "06-10-2025"),
                ("Linda Jansen", "Gemeente Utrecht", "12-01-2026"),
                ("Peter Smit", None, "24-11-2025"),
            ):
                await sanne.send("/invite")
                await sanne.send(who)
                if employer is None:
                    await sanne.press("Bakkerij De Korenschoof")
                else:
                    await sanne.send(employer)
                await sanne.send(sick_day)
                tokens[who] = token_in(await sanne.press("Maak de uitnodiging"))

            scene("3. Ahmed joins and does a typical check-in, all taps; then what matters to him and a small step")
            await ahmed.send(f"/start {tokens['Ahmed Yilmaz']}")
            await ahmed.press("Nederlands")
            await ahmed.press("vr")
            await ahmed.press("10:00")
            await ahmed.press("Doe nu je eerste check-in")
            for tap in ("2", "1", "3", "Cv of LinkedIn", "Klaar", "6", "Versturen"):
                await ahmed.press(tap)
            for tap in ("Vakmanschap", "Samenwerken", "Klaar"):  # the first week's values exercise
                await ahmed.press(tap)
            await ahmed.press(ahmed.buttons()[0])  # a suggested step for next week

            scene("4. Linda types some answers, makes a slip, adds a note and changes an answer")
            await linda.send(f"/start {tokens['Linda Jansen']}")
            await linda.press("Nederlands")
            await linda.press("di")
            await linda.send("9.30")
            await linda.send("/checkin")
            await linda.send("drie")
            await linda.send("-1")
            await linda.send("0")
            await linda.send_sticker()
            await linda.press("2")
            for tap in ("Workshop", "Coachgesprek", "Klaar", "4"):
                await linda.press(tap)
            await linda.press("Notitie voor je coach")
            await linda.send("Na gesprekken ben ik snel moe. Kunnen we het daar volgende keer over hebben?")
            await linda.press("Antwoord wijzigen")
            await linda.press("Gesprekken")
            await linda.press("1")
            await linda.press("Versturen")
            await linda.press("Balans werk en privé")
            await linda.send("Rust na een gesprek")
            await linda.press("Klaar")
            await linda.send("Op maandag één vacature lezen, niet meer")

            scene("5. Peter chooses English and starts his check-in ...")
            await peter.send(f"/start {tokens['Peter Smit']}")
            await peter.press("English")
            await peter.press("Wed")
            await peter.send("14:30")
            await peter.send("/checkin")
            await peter.press("1")

        scene("6. ... the bot restarts in the middle of it; Peter carries on where he was")
        async with box.bot_running():
            await peter.send("/checkin")
            for tap in ("0", "2", "None", "7", "Send", "Skip", "Skip"):  # values and step skipped: one tap each
                await peter.press(tap)

        scene("7. Someone without a link writes to the bot")
        async with box.bot_running():
            stranger = fake.user(3001, "Kim")
            await stranger.send("Hallo?")

            scene("8. The next week: reminders at each person's own day and time (the sweep runs every minute)")
            clock.set(local("2026-11-24 09:30"))  # Linda's Tuesday 09:30
            await box.run_due()
            await linda.press("Start de check-in")
            await linda.press("Gelukt")  # last week's step first
            for tap in ("2", "1", "1", "Workshop", "Klaar", "5", "Versturen"):
                await linda.press(tap)
            await linda.send("Een dag meelopen bij een klantenservice, om te voelen of dat past.")  # reflection
            await linda.press(linda.buttons()[0])
            await linda.send("/privacy")
            await linda.press("Delen met mijn coach")
            clock.set(local("2026-11-25 14:30"))  # Peter's Wednesday 14:30
            await box.run_due()
            clock.set(local("2026-11-27 10:00"))  # Ahmed's Friday 10:00
            await box.run_due()
            clock.set(local("2026-11-28 10:00"))  # 24 hours later: a kind nudge
            await box.run_due()
            await ahmed.send("/pauze")
            await ahmed.press("Vakantie")
            await ahmed.press("1 week")
            await box.run_due()  # the coach hears of the pause

            scene("9. Linda logs a job application with /sollicitatie; on Monday 08:00 the coach gets the digest")
            await linda.send("/sollicitatie")
            await linda.send("Gemeente Zeist")
            await linda.send("Medewerker klantcontact")
            await linda.press("Vandaag")
            await linda.press("Website")
            clock.set(local("2026-11-30 08:00"))  # Sanne's digest: Monday 08:00, her own time zone
            await box.run_due()
            digest_text = next(m for m in reversed(sanne.inbox) if m.plain_text.startswith("📊"))
            digest_chart = next(m for m in reversed(sanne.inbox) if m.kind == "photo")
            (out_dir / "digest.txt").write_text(digest_text.plain_text + "\n", encoding="utf-8")
            (out_dir / "digest_chart.png").write_bytes(digest_chart.file_bytes)

            scene("10. The coach opens the caseload and one client's detail")
            await sanne.press("Open je caseload", message=digest_text)
            await sanne.press("Linda Jansen")

            scene("11. The coach asks for Linda's progress report: for the file (employer, UWV) and her own version")
            for variant in ("Voor het dossier", "Voor jezelf (coach)"):
                await sanne.press("Rapportage")
                await sanne.press(variant)
                document = next(m for m in reversed(sanne.inbox) if m.kind == "document")
                (out_dir / document.file_name).write_bytes(document.file_bytes)

            scene("12. The coach invites Linda's employer's contact person: deadlines and counts, never health data")
            await sanne.send("/werkgever")
            await sanne.press("Gemeente Utrecht")
            contact_token = token_in(await sanne.send("Mirjam Bakker"))
            mirjam = fake.user(4001, "Mirjam", last_name="Bakker")
            names[mirjam.chat_id] = "Mirjam (employer)"
            await mirjam.send(f"/start {contact_token}")

            scene("13. Peter writes that he feels hopeless: help at once; his coach is told only because he says yes")
            await peter.send("Honestly I feel hopeless, I can't go on like this")
            await peter.press("Yes, let my coach know")
            await box.run_due()

            scene("14. The coach pins Ahmed's weekly reflection to one ACT process (/oefening)")
            await sanne.send("/oefening")
            await sanne.press("Ahmed Yilmaz")
            await sanne.press("Defusie")

            scene("15. The coach makes Linda's trajectory plan with /plan: two search directions, two activities")
            await sanne.send("/plan")
            await sanne.press("Linda Jansen")
            await sanne.press("Zoekrichtingen")
            for occupation, hours, reason in (
                ("Medewerker klantcontact", "20", "Ze werkt graag met mensen; zittend werk past bij de FML."),
                ("Administratief medewerker", "16", "Rustig werk met vaste taken, dicht bij huis."),
            ):
                await sanne.press("Nieuwe zoekrichting")
                await sanne.send(occupation)
                await sanne.press("Overslaan")  # any sector
                await sanne.send("Utrecht")
                await sanne.send(hours)
                await sanne.press("mbo")
                await sanne.send(reason)
            for tap in ("Terug", "Activiteiten", "Nieuwe activiteit", "Sollicitatietraining"):
                await sanne.press(tap)
            await sanne.send("Werkfit BV")
            for tap in ("Vandaag", "Overslaan", "loopt", "Nieuwe activiteit", "Cv of LinkedIn", "Overslaan", "Vandaag"):
                await sanne.press(tap)
            await sanne.send("31-12-2026")
            for tap in ("gepland", "Terug", "Vraag akkoord"):
                await sanne.press(tap)
            await box.run_due()

            scene("16. Linda reads her plan with /mijnplan and agrees; the coach hears it")
            await linda.send("/mijnplan")
            await linda.press("Ik ga akkoord")
            await box.run_due()

            scene("17. Linda logs an application in one of her search directions, with the vacancy link as proof")
            await linda.send("/sollicitatie")
            await linda.press("Nieuwe sollicitatie")
            await linda.send("Zorggroep Vecht")
            await linda.send("Receptionist")
            await linda.press("Vandaag")
            await linda.press("Website")
            await linda.press("Medewerker klantcontact")
            await linda.send("https://werkenbij.example.nl/vacatures/receptionist-1234")

            scene("18. Ahmed was placed: the coach sets his phase and makes his final report (Eindrapportage spoor 2)")
            await _placed(box, clock)
            await sanne.send("/caseload")
            await sanne.press("Ahmed Yilmaz")
            for tap in ("Fase", "geplaatst", "Rapportage", "Eindrapportage", "Voor het dossier"):
                await sanne.press(tap)
            final = next(m for m in reversed(sanne.inbox) if m.kind == "document")
            (out_dir / final.file_name).write_bytes(final.file_bytes)

            scene("19. The coach opens her dashboard: /dashboard gives a sign-in link for her browser (10 minutes)")
            await sanne.send("/dashboard")
            link = dashboard_link(sanne.last.plain_text)

            names[3001] = "Kim (no link)"
            parts = []
            bounds = [start for _title, start in scenes] + [len(fake.events)]
            for (title, start), end in zip(scenes, bounds[1:], strict=True):
                parts.append(f"── {title}\n\n{format_transcript(fake.events[start:end], names)}")
            transcript = "Spoorzoeker — offline demo transcript\n\n" + "\n\n".join(parts) + "\n"
            (out_dir / "transcript.txt").write_text(transcript, encoding="utf-8")
            if while_running is not None and link is not None:
                await while_running(transcript, link)
    return transcript


def dashboard_link(text: str) -> str | None:
    """The dashboard sign-in link in a text (the reply to /dashboard, or the transcript)."""
    match = _DASHBOARD_LINK.search(text)
    return match.group(0) if match else None


def serving(write: Callable[[str], None] = print) -> WhileRunning:
    """A `while_running` for people: print the transcript and the coach's dashboard link, then keep the offline
    bot and its dashboard running until Ctrl-C (the demo's clock stands still, so the link stays valid)."""

    async def serve(transcript: str, link: str) -> None:
        write(transcript)
        write(
            f"\nSanne's dashboard (the demo coach): {link}\n"
            "Open it in a browser on this computer. The offline bot and its dashboard keep running; Ctrl-C stops."
        )
        await asyncio.Event().wait()

    return serve


def final_reports(out_dir: Path) -> list[Path]:
    """The final reports the demo wrote into `out_dir` (the CLI prints where they are)."""
    return sorted(out_dir.glob("eindrapportage-*.pdf"))


async def _placed(box: Sandbox, clock: ManualClock) -> None:
    """What was recorded for Ahmed, as the dossier and own-view chats store it: the poortwachter steps that took
    place, his placement (with a short text and the date) and his own view of the trajectory, with consent; and
    the agency his coach works for, as `spoorzoeker coach agency` names it."""
    now = clock.now()
    async with box.db.session() as session:
        ahmed = await queries.employee_by_telegram(session, 2001)
        await coach_queries.set_agency(session, ahmed.coach_id, AGENCY)
        for step, day in PLACED_STEPS.items():
            await report_queries.record_step(session, ahmed.id, step, day, ahmed.coach_id, now)
        ahmed.outcome, ahmed.outcome_on = PLACED, local_date(now, ahmed.timezone)
        ahmed.outcome_text = "Geplaatst als productiemedewerker bij Bakkerij Het Volkorenhuis, 24 uur per week."
        await queries.add(session, ahmed)
        await report_queries.answer_view(session, ahmed.id, True, AHMED_VIEW, now)
