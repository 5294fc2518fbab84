"""The safety screening's test lists: crisis phrases that must trigger and ordinary job-search sentences that must
not. Run `python tests/safety_phrases.py` to print the hit rate and the false-alarm rate.

Choices made on purpose (see bot/safety.py): figures of speech about tiredness or nerves ("doodop", "ik verveel
me dood", "ik ga dood van de zenuwen", "this job hunt is killing me", "dead tired") are ordinary; hopelessness
("hopeloos", "ik zie het niet meer zitten", "I can't go on") always triggers, even when meant lightly.
"""

# Dutch and English, many with typos, missing spaces or odd spelling: every one must trigger.
CRISIS = [
    # Dutch
    "Ik denk de laatste tijd aan zelfmoord.",
    "ik denk aan zelfmord",
    "Soms heb ik zelfmoordgedachten.",
    "ik heb weer zelfmoortgedachten",
    "gedachten aan zelf moord",
    "Ik wil dood.",
    "ik wil gewoon dooood",
    "Ik ben liever dood dan dat ik zo doorga.",
    "Was ik maar dood.",
    "Ik wil niet meer leven.",
    "ik wil niet meer lven",
    "Ik wil er een eind aan maken.",
    "ik wil er een einde aan maakn",
    "Ik denk erover mezelf van kant te maken.",
    "Ik ben bang dat ik mezelf iets aandoe.",
    "ik wil mezelf iets aan doen",
    "Ik doe mezelf soms pijn.",
    "ik snijd mezelf weer",
    "Het leven heeft geen zin meer.",
    "Ik zie het niet meer zitten.",
    "ik zie het nie meer ziten",
    "Iedereen is beter af zonder mij.",
    "Niemand zou me missen als ik er niet meer was.",
    "Ik voel me hopeloos.",
    "ik voel me hoopeloos",
    "Alles is uitzichtloos.",
    "Ik zie geen uitweg meer.",
    "Ik heb alle pillen al klaargelegd.",
    "Ik wil van de brug springen.",
    "Ik kan het niet meer aan.",
    "Ik wil er niet meer zijn.",
    "Ik wil slapen en nooit meer wakker worden.",
    "Ik ben zo wanhopig.",
    "Ik ben levensmoe.",
    "ik heb zin om mezelf op te hangen",
    "Het hoeft voor mij niet meer.",
    "Ik wil me van het leven beroven.",
    # English
    "I want to kill myself.",
    "i want to kil myslef",
    "I've been thinking about suicide.",
    "suicidal thoughts again this week",
    "i feel sucidal",
    "I want to die.",
    "i wanna die",
    "I wish I was dead.",
    "I'd be better off dead.",
    "Everyone would be better off without me.",
    "I don't want to live anymore.",
    "i dont want to live anymore",
    "I want to end my life.",
    "Sometimes I just want to end it all.",
    "I hurt myself last night.",
    "I want to cut myself.",
    "I have been self-harming again.",
    "selfharm",
    "I feel hopeless.",
    "i feel so hopless",
    "There is no way out.",
    "I can't go on anymore.",
    "I have nothing to live for.",
    "I took too many pills on purpose.",
    "I'm thinking of taking my own life.",
    "I want to killmyself",
    "I feel like dying.",
    "Life is pointless.",
]

# Ordinary job-search sentences, also tired and frustrated ones: none may trigger.
ORDINARY = [
    # Dutch
    "Ik heb drie sollicitaties verstuurd.",
    "Ik ben doodop na het gesprek.",
    "Ik ben doodmoe van al dat solliciteren.",
    "Ik verveel me dood thuis.",
    "Ik schrok me dood toen de telefoon ging.",
    "Ik ga dood van de zenuwen voor morgen.",
    "Weer een afwijzing, ik baal ervan.",
    "Ik heb geen zin meer in solliciteren deze week.",
    "Ik wil niet meer terug naar mijn oude baan.",
    "Ik kan niet meer dan twee uur per dag werken.",
    "Die vacature was een doodlopende weg.",
    "De deadline voor de brief is vrijdag.",
    "Ik heb de telefoon opgehangen na het gesprek.",
    "Ik moet de was nog ophangen.",
    "Ik wil door met de proefplaatsing.",
    "Mijn energie was laag, ik heb veel gerust.",
    "Het einde van de proefplaatsing komt eraan.",
    "Aan het einde van mijn werkzame leven wil ik nog iets moois doen.",
    "Geen reactie gehad op mijn brief, frustrerend.",
    "Ik mis mijn oude collega's.",
    "Morgen heb ik een sollicitatiegesprek en ik ben zenuwachtig.",
    "Ik ben het zat om steeds te wachten.",
    "Ik word gek van al die formulieren.",
    "Ik heb mezelf beloofd om elke dag te wandelen.",
    "Ik wil doodgewoon een baan met vaste uren.",
    "Ik sprong een gat in de lucht toen ik werd uitgenodigd.",
    "Ik zit er doorheen, maar ik ga door.",
    "Ik heb een pijnlijke rug, dus minder gedaan.",
    # English
    "This job hunt is killing me.",
    "I'm dead tired after the interview.",
    "My phone died during the call.",
    "That job was a dead end.",
    "I sent two applications and heard nothing back.",
    "Another rejection, I'm so fed up.",
    "I'm sick of waiting for answers.",
    "I'm exhausted but I did my walk.",
    "The deadline is on Friday.",
    "I could kill for a coffee right now.",
    "I'm nervous about tomorrow's interview.",
    "I miss my old team.",
    "I cut my hours at the volunteering job.",
    "I hurt my back in the garden.",
    "I gave up on that vacancy, it wasn't for me.",
    "I don't want to go back to my old job.",
    "The end of the work trial is near.",
    "I'm tired of the rejections.",
    "I'm killing it at volunteering this week!",
    "I want to learn Excel this month.",
    "Dat formulier hoeft niet meer, zei mijn coach.",
    "Ik moest mijn jas nog ophangen.",
]


def rates() -> tuple[int, int, int, int]:
    from bot.safety import screen

    hits = sum(screen(text).hit for text in CRISIS)
    false_alarms = sum(screen(text).hit for text in ORDINARY)
    return hits, len(CRISIS), false_alarms, len(ORDINARY)


if __name__ == "__main__":
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    hits, crisis, false_alarms, ordinary = rates()
    print(f"hit rate {hits}/{crisis}, false alarms {false_alarms}/{ordinary}")
