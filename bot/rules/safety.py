"""Screening free text for crisis language (suicidal thoughts, self-harm, hopelessness), Dutch and English.

Pure and deliberately sensitive: a false alarm costs one kind message, a miss can cost a life. How it works:
1. Normalise: lower case, accents removed (suïcide → suicide), apostrophes dropped (don't → dont), everything
   that is not a letter or digit becomes a space, letters repeated in a row count once (dooood → dod), and
   sentence ends (. ! ? ; newline) become a boundary marker `$`. Figures of speech (`IDIOMS`: "me dood",
   "dying to", "killing me", …) are then taken out.
2. Key words (`STEMS`) match anywhere, also inside compounds and across spaces (zelfmoordgedachten, zelf moord),
   with one typo allowed.
3. Phrases (`PHRASES`, and the lone `WORDS`) match word by word in order, with up to `GAP` other words in
   between but never across a sentence end. In a phrase a word of 5+ letters allows one typo (9+ letters: two),
   in phrases of three or more words also 4-letter words; a lone word only from 8 letters ("dying" must not
   match "doing"). A word ending in `*` matches as a prefix, one starting with `*` as the exact end of a word
   ("*brug": Zeelandbrug); `$` is a sentence end. A phrase that ends in `$` also matches when more words follow
   ("i'm giving up, really lol", "ending it on friday"), unless they say which ordinary thing is meant (a
   job-search word or `ORDINARY_SEQUELS`: "I'm done for today", "ik wil niet meer in de bouw werken"). A phrase
   also matches with its spaces left out (killmyself, kill my self).
4. Word pairs (`CUE_PAIRS`): a word from each of two groups in the same sentence, in any order, e.g. life
   ("leven", "life", "bestaan") with an ending ("niet", "zat", "stop", "point"), "mezelf"/"myself" with a way of
   harming, pills or a rope with saving up. They catch wording no phrase foresaw, at the price of some harmless
   sentences (tests/safety_phrases.py BORDERLINE).
5. A cue score per sentence (`CUE_GROUPS`, an entry may be a few words in a row: "laatste keer"): each group of
   hint words has a weight — death 3 (also lethal, drowning); ending, life, hopelessness (uitzichtloos, last,
   niemand, leeg, reden), means and places (pills, doses, rope, a bridge, a platform, water, a roof), cutting,
   getting ready (saved up, hidden, chosen, sharpened), farewell, finality (the last time, "voor het geval dat",
   things given away, a pet to the shelter), affairs in order, being at peace with it, an urge 2; going on,
   thinking of it, how much, now, being there, a while there, self, loved ones, belongings, a decision,
   all-or-nothing, a negation, a wish 1 — and words about the job search itself count -2, routine care (the GP,
   the pharmacy, breakfast) and everyday outings -1. A sentence that reaches `CUE_THRESHOLD` (4) with the groups
   it has a word of (each group once) is a hit: "ik sta nu op het perron" = means + now + being there, "i just
   want it all to end" = wish + all + ending, "ik mis de moed om nog verder te leven" = hopelessness + going on
   + life, while "I ended my contract with the agency" = ending - job search stays quiet.
   A negation weighs only 1, so "ik denk niet aan zelfmoord" still triggers. A few phrases ending in `$`
   (`CLAUSE_PHRASES`: "ik wil niet meer", "ik geef het op", "ending it") also count before a comma.
   Squeezing letters makes "mee" "me" and "all" "al", so "me" is no cue and "al" counts as "all".

6. Where the rules find nothing, a learned part (`model_score`, below): naive Bayes over words, word pairs and
   letter pieces, trained at first use (about 0.3 s) on the example sentences in content/safety/examples.yaml.
   A sentence scoring above `MODEL_THRESHOLD` is a hit ("model: 52").

How well it works is measured in tests/safety_phrases.py and `python bench/safety.py`. The lists themselves all
hit (the known misses apart) because the rules were written, and the model trained, with them; what counts is fresh
wording, each batch written and committed before it was scored once. The rules alone, widened batch by batch,
caught 20, 23, 20 and 26 of 40 held-out crisis sentences of batches 14-17 (89/160, 56%) with 8 false alarms in 240.
Rules and model together, on batches 18-20 held out from them: 31, 25 and 27 of 40 (83/120, 69%; the rules alone
62/120, 52%) with 6, 9 and 9 false alarms in 60 (24/180, 13%; the rules alone 19/180, 11%: these batches' ordinary
sentences were written to share words with their crisis neighbours). Indirect wording (a will made at the
notary's, charcoal and tape, "vanavond doe ik het echt") is still often missed: it is a safety net, not a guarantee.

Also here: `consent_answer`, which reads a typed answer to "may I tell your coach?" (True, False or None; never
True when a no-word is present).

Chosen on purpose (see tests/safety_phrases.py): "ik ben doodop", "ik verveel me dood", "ik ga dood van de
zenuwen", "this job hunt is killing me" and "dead tired" do NOT trigger (figures of speech about tiredness or
nerves); "hopeloos", "ik zie het niet meer zitten", "ik kan het niet meer aan" and "I can't go on" DO trigger,
also when meant lightly, and so does a negation ("ik denk niet aan zelfmoord"): we would rather ask once too
often. So do "The interview was hopeless" and "Ik heb geen hoop meer op die ene vacature" (BORDERLINE).
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

import yaml

from content.catalog import CONTENT_DIR

END = "$"
GAP = 2
GLUED_MIN = 9  # shorter phrases are not looked for without spaces ("wildod" hides in "wil doodgewoon")

# Words that signal a crisis wherever they occur (prefixes, after normalisation rules are applied).
STEMS = (
    "zelfmoord", "zelfdoding", "suicid", "zelfbeschadig", "zelfverwond", "automutil", "selfharm", "unalive",
    "afscheidsbrief", "afscheidsvideo", "afscheidsbericht", "overdosis", "overdose", "levensmoe",
)  # fmt: skip

PHRASES_NL = (
    # wanting to die
    "wil dood", "dood willen", "wil ik dood", "liever dood", "maar dood", "dood wensen", "dood zijn $",
    "wil niet meer leven", "niet meer willen leven", "niet meer wakker worden", "nooit meer wakker",
    "wil er niet meer zijn", "er niet meer zijn $", "ik wil niet meer $", "wil verdwijnen", "wil weg uit dit leven",
    "eind* aan mak*", "eind* aan mijn leven", "leven beeindigen", "van kant maken", "uit het leven stappen",
    "mezelf ophangen", "me ophangen", "mijzelf ophangen", "mezelf op hangen", "me op hangen", "mezelf doden",
    "mijzelf doden", "van het leven beroven", "om het leven brengen", "wil niet meer verder",
    "hoeft voor mij niet meer", "punt achter zetten", "punt achter te zetten", "punt achter zet",
    "niet ouder word*", "onder een bus", "onder de bus", "voor een bus", "onder een auto", "onder een vrachtwagen",
    "hoeft niet meer $", "voor de trein springen", "voor een trein springen",
    "onder de trein", "onder een trein", "brug springen", "dak springen", "flat springen", "alle pillen",
    "pillen opsparen", "te veel pillen",
    # self-harm
    "mezelf iets aandoen", "mezelf wat aandoen", "mijzelf iets aandoen", "mijzelf wat aandoen", "me iets aandoen",
    "mij iets aandoen", "mezelf pijn", "mijzelf pijn", "snijd mezelf", "snij mezelf", "mezelf snijden",
    "mezelf gesneden", "mijzelf snijden", "me snijden", "krassen in mijn arm", "mezelf krassen",
    "mezelf iets aan", "mezelf wat aan", "mijzelf iets aan", "mijzelf wat aan", "me iets aan te doen",
    "mezelf aandoen", "mijzelf aandoen", "mezelf aan te doen", "me wat aandoen", "mij wat aandoen",
    "iets stoms doe*", "iets doms doe*", "iets geks doe*", "mezelf verwonden", "mezelf te lijf",
    "dat ik er niet meer ben", "beter dat ik er niet", "er straks niet meer", "er binnenkort niet meer",
    "er niet lang meer", "niet lang meer leven",
    # hopelessness
    "hopelo*", "hoplo*", "wanhop*", "uitzichtlo*", "geen uitweg", "alles zinloos", "zin om te leven",
    "er niet meer was $", "er niet meer ben $", "wou dat ik er niet", "stop met alles", "stoppen met alles",
    "met alles stoppen", "touw gekocht", "touw klaar*", "snij* arm*", "arm* snij*", "kras* arm*", "tot het bloedt",
    "niemand mist me", "niemand mist mij", "eind* aan leven", "beter als ik er niet", "beter zonder mij",
    "stoppen met ademen", "geen weg terug", "geen terugweg", "rails liggen", "spoor liggen", "niet meer ademen",
    "eruit stappen", "er uit stappen", "heeft geen zin meer",
    "heeft toch geen zin", "geen zin meer $", "wat heeft het nog voor zin", "wordt nooit meer beter",
    "wordt nooit beter", "eind* aan alles", "als ik weg was", "niemand zou het erg vinden", "klaar alles",
    "klaar iedereen", "alles opgeven", "geef alles op", "niet meer wil niet meer",
    "kan niet meer wil niet meer", "nooit meer opstaan", "niet meer opstaan",
    "beter af zonder", "gelukkiger zonder mij", "last van mij", "last van me", "tot last", "kan het niet meer",
    "geen licht aan het einde", "geen ontsnapping", "geen hoop", "hoop opgegeven", "geen toekomst meer",
    "zie het niet meer zitten", "zie het niet zitten", "kan het niet meer aan", "ik kan niet meer $",
    "leven heeft geen zin", "leven zinloos", "alles is zinloos", "geen zin meer in het leven",
    "geen zin in het leven", "geen zin meer in leven", "nergens meer zin in", "heeft allemaal geen zin meer",
    "beter af zonder mij", "beter af zonder me", "ben een last", "maar een last", "ben* gewoon een last",
    "niemand zou me missen", "niemand zou mij missen",
    "niemand zal me missen", "niemand zal mij missen", "ben een last voor iedereen", "tot last voor iedereen",
)  # fmt: skip

PHRASES_EN = (
    # wanting to die
    "kill myself", "killing myself", "kill my self", "want to die", "want to be dead", "feel like dying",
    "rather die", "could die", "let me die", "gonna die", "be dead", "better dead", "end* my life", "end* it all",
    "no reason to keep going", "reason to keep going", "cant keep going", "no point in going on",
    "everything pointless", "bought a rope", "scratch myself", "until it bleeds", "nobody misses me",
    "no one misses me", "nobody would care", "no one would care", "nobody cares if",
    "life is pointless", "life is meaningless", "dont see the point anymore", "wanna die", "ready to die",
    "wish i was dead",
    "wish i were dead", "wish i wasnt alive", "better off dead", "rather be dead", "end my life", "end it all",
    "take my own life", "take my life", "taking my own life", "dont want to live", "do not want to live",
    "dont want to be alive", "dont want to be here anymore", "not want to be here anymore", "not wake up again",
    "never wake up", "dont want to wake up", "hang myself", "jump off a bridge", "jump off the bridge",
    "jump off a building", "jump off the roof", "in front of a train", "too many pills",
    "all my pills", "want to disappear", "no reason to live", "nothing to live for", "no point living",
    "no point in living", "no point in anything", "give up on life", "gave up on life",
    # self-harm
    "hurt myself", "hurting myself", "harm myself", "harming myself", "cut myself", "cutting myself",
    "self harm", "burn myself",
    # hopelessness
    "hopeles*", "hoples*", "no hope", "no way out", "cant go on", "cannot go on", "can not go on",
    "cant do this anymore", "cant do it anymore", "end* it $", "sleep and not wake", "sleep and never wake",
    "tired of living",
    "sick of living", "goodbye letters", "letters to say goodbye", "fine without me", "be better without me",
    "if i died", "if i die", "when i die", "if i was dead",
    "if i were dead",
    "if i was gone", "if i were gone", "if i wasnt around", "if i wasnt here", "stop breathing", "whats the point",
    "point of anything", "point of it all", "i am done $", "im done $", "nothing will get better",
    "nothing will ever get better", "nothing ever gets better", "never get better", "sleep forever",
    "done with everything", "give up on everything",
    "better off without", "happier without me",
    "goodbye letter", "farewell letter", "end things", "want to end it", "no light at the end", "no escape",
    "point of living", "point in living", "it all to stop", "everything to stop", "better without me",
    "better if i wasnt here", "better if i was gone", "been cutting", "cutting again", "started cutting",
    "cant take it anymore", "cant take this anymore", "better off without me", "no one would miss me",
    "nobody would miss me", "nobody will miss me", "no one will miss me", "a burden to everyone",
    "burden to everyone", "everyone would be better off", "am a burden", "like a burden", "a burden to",
    "being a burden", "giving my things away", "give my things away", "giving away my", "spullen weg*", "want out",
    "zon last", "want it to be over", "wil dat het over is", "ongeluk krijg*",
    "hit by a bus", "hit by a car", "of ik er ben of niet", "whether im here or not", "whether i live or die",
    "do to myself", "do something stupid", "do something drastic", "wont be around", "not be around",
    "wont be here", "be gone soon", "not be here for long", "stop* ermee $ met alles", "stop* ermee met alles",
    "niet meer oud worden", "niet oud worden",
    "ik geef het op $", "geef het maar op $",
    "im giving up $", "i give up $", "if i disappear*", "als ik verdwijn*", "niemand heeft me nodig",
    "niemand heeft mij nodig",
    "nobody needs me", "no one needs me", "around much longer", "here much longer", "trek het niet", "trek dit niet",
    "trek het echt niet", "voor de trein stap*", "voor een trein stap*", "voor de trein lopen",
    "als ik er niet was", "als ik er niet ben", "als ik er niet meer", "see a way out", "see any way out",
    "nothing left for me", "tonights the night", "in front of a truck", "in front of a car", "in front of a lorry",
    "voor een vrachtwagen", "under a bus", "in front of a bus", "under a truck", "not live past",
    "wont live past", "no way back", "point of no return", "on the tracks", "on the rails", "nothing left to live",
)  # fmt: skip

# Pairs of word groups: one word of each group in the same sentence, in any order, is a hit. They catch what no
# fixed phrase foresees ("ik ben het leven zat", "I can't see a future for myself", "ik heb pillen verzameld").
CUE_PAIRS = (
    ("life and its end",
     ("leven", "lef", "leef", "life", "living", "alive", "bestaan", "exist*", "sterf*", "sterv*", "wakker", "death",
      "dying"),
     ("niet", "not", "dont", "geen", "no", "never", "nooit", "stop*", "end*", "eind*", "punt", "zat", "klaar",
      "point*", "zin", "zinlo*", "pointles*", "meaningles*", "waarom", "why", "genoeg", "enough", "hoeft", "over",
      "moe", "tired")),

    ("harming oneself",
     ("mezelf", "mijzelf", "myself"),
     ("snij*", "sned*", "gesneden", "kras*", "bezeer*", "pijn", "verwond*", "brand*", "cut*", "hurt*", "harm*",
      "burn*", "scratch*", "bled*", "bloed*", "sla", "slaan", "hit", "punish*", "straf*", "mes", "mesje",
      "knife", "scheermes*", "razor*")),
    ("cutting or burning the body",
     ("snij*", "sned*", "gesneden", "kras*", "gekrast", "brand*", "cut*", "burn*", "scratch*", "opengehaald",
      "opengesneden", "mes", "mesje", "knife", "knives", "scheermes*", "razor*", "blade*"),
     ("arm", "armen", "arms", "been", "benen", "leg", "legs", "pols", "polsen", "wrist*", "huid", "skin", "dij*",
      "thigh*")),
    ("jumping",
     ("brug", "bridge", "dak", "roof", "flat", "balkon", "balcony", "trein", "train", "rails", "tracks", "viaduct",
      "overpass", "metro", "subway", "tram", "building", "gebouw", "hoogbouw", "toren", "tower"),
     ("spring*", "sprong", "gesprongen", "jump*")),
    ("means",
     ("pil", "pilen", "slapil*", "tabletten", "pils", "sleping", "tablets", "touw", "rope", "medicijn*", "meds",
      "medicatie", "medication"),
     ("verzamel*", "gespaard", "opgespaard", "opsparen", "sparen", "collect*", "stash*", "saved", "saving", "genoeg",
      "enough", "allemaal", "gekocht", "bought", "klaar*", "ready", "bewaard", "bewaar*", "stockpil*", "hoard*")),
    ("no future",
     ("geen", "no", "cant", "cannot", "zie", "nergens"),
     ("toekomst", "future", "uitweg", "hoop", "hope")),
    ("a burden",
     ("burden", "last", "blok"),
     ("familie", "family", "gezin", "kinderen", "children", "kids", "iedereen", "everyone", "anderen", "others")),
    ("saying goodbye to them",
     ("afscheid*", "goodbye*", "farewell", "vaarwel"),
     ("iedereen", "everyone", "everybody", "allemaal", "kinderen", "kids", "children", "familie", "family", "gezin",
      "ouders", "parents", "vrouw", "wife", "husband", "partner")),
    ("why go on",
     ("waarom", "why", "zin"),
     ("doorgaan", "dorgaan", "verder", "bother")),
)  # fmt: skip

# The cue score (step 5 of the module docstring): groups of words that hint at a crisis, each with a weight. A
# sentence scores the weights of the groups it has a word of (each group counted once); at `CUE_THRESHOLD` or
# more it is a hit. Words about the job search itself count against, so "I ended my contract with the agency" or
# "ik stop ermee om elke dag te solliciteren" stay quiet, while "i just want it all to end" (wish + all + end)
# and "ik zou willen dat ik nooit geboren was" (wish + never + life) trigger.
CUE_THRESHOLD = 4
CUE_GROUPS = (
    ("death", 3, ("dood", "dode", "doden", "death", "dead", "sterven", "sterf*", "sterv*", "doodgaan", "doodga*",
                  "kms", "kys",
                  "graf", "grave", "begrafenis", "funeral", "pijnloos", "painless", "nabestaand*", "dodelijk*",
                  "lethal", "fatal", "deadly", "drown*", "verdrink*", "verdronk*", "gaskraan", "koolmonoxide",
                  "carbon monoxide", "euthanas*", "wilsbeschikking", "levenseinde*")),
    ("ending", 2, ("uitcheck*", "check out", "checking out", "tussenuit knijp*", "ertussenuit", "sick of",
                   "tired of", "eind*", "end", "ending", "ends", "stop*", "ophouden", "opgeven",
                   "opgegeven", "geef",
                   "give", "given", "giving", "gave", "quit", "klaar", "done", "zat", "verdwijn*", "disappear*",
                   "gone", "weg", "ophoud*", "punt", "opluchting", "relief", "rust")),
    ("farewell", 2, ("afscheid*", "goodbye", "farewell", "vaarwel")),
    ("asking forgiveness", 1, ("sorry", "vergeef*", "forgive*", "spijt")),
    ("life", 2, ("leven", "life", "alive", "living", "live", "bestaan", "exist*", "wakker", "wake", "ademen",
                 "breathing", "breathe", "geboren", "born", "here")),
    ("hopeless", 2, ("uitzichtlo*", "hopelo*", "hopeles*", "zinlo*", "pointles*", "meaningles*", "uitweg", "last",
                     "burden", "leeg", "empty", "waardelo*", "worthles*", "uitgeput", "kapot", "broken", "niemand",
                     "nobody", "ondraaglijk", "unbearable", "teleurstelling", "disappointment", "trapped", "gevangen",
                     "opgesloten", "donker", "dark",
                     "alleen", "alone", "lonely", "eenzaam", "wanhopig", "desperate", "point", "zin", "nut", "reden",
                     "reason", "moed", "courage", "kracht", "strength")),
    ("going on", 1, ("doorgaan", "door", "verder", "vol", "volhoud*", "carry", "carrying", "going", "keep", "keeps",
                     "keeping", "fighting", "vechten")),
    ("means", 2, ("pil", "pillen", "pills", "meds", "medicijn*", "medicatie", "tabletten", "tablets", "slaappil*",
                  "touw", "rope", "pier", "het bos", "in the woods", "the woods", "forest", "medicine*", "swallow*",
                  "slikken", "inslikken",
                  "pistool", "pistol", "vuurwapen", "firearm", "geweer", "rifle", "revolver",
                  "handgun", "kogel*", "bullet*", "uitlaat*", "exhaust", "engine running", "motor draaien",
                  "garage draait", "het ij", "ij in", "into the water", "into the river", "into the sea",
                  "into the lake", "verdieping*", "floor", "brug", "*brug", "*viaduct", "*flat", "*spoor", "bridge",
                  "water", "metro", "subway",
                  "tram", "parkeergarage", "parking garage", "car park", "drive off", "off the road", "van de weg",
                  "snelste manier", "fastest way", "quickest way", "makkelijkste manier", "easiest way",
                  "pijnloze manier",
                  "painless way", "viaduct", "overpass", "perron", "platform", "spoor", "rails",
                  "tracks", "trein", "train", "mes", "mesje", "knife", "scheermes*", "razor*", "plan", "planning",
                  "methode", "gun", "wapen", "boom", "tree", "snelweg", "highway", "paracetamol", "insuline",
                  "insulin", "antidepress*", "slaapmiddel*", "oxazepam", "diazepam", "temazepam", "lorazepam",
                  "benzo*", "tramadol", "oxycodon*", "morfine", "morphine", "opiat*", "opioid*", "dosis", "dose",
                  "doses", "gif", "poison*", "vergif*", "de zee", "in zee", "naar zee", "sea", "ocean", "kanaal",
                  "canal", "rivier",
                  "river", "gracht", "vrachtwagen", "truck", "lorry", "tegenligger", "dak", "roof", "balkon",
                  "balcony", "flat", "klif", "cliff", "rand", "randje", "edge", "ledge", "hoogte", "aansteker",
                  "lighter", "gas", "bleach")),
    ("getting ready", 2, ("uitgekozen", "chosen", "picked out", "een datum", "de datum", "a date", "the date",
                          "*geslepen", "sharpened", "slijp*",
                          "verschillende apotheken", "different pharmacies",
                          "meerdere apotheken", "several pharmacies", "bewaard", "bewaar*", "opgespaard", "opsparen",
                          "spaar*", "gespaard", "verzamel*",
                          "collect*", "stockpil*", "stash*", "hoard*", "saved", "saving", "opgeslagen", "verstopt",
                          "hidden", "hide", "hiding", "bij elkaar", "gehamsterd", "hamster*", "klaargelegd",
                          "klaar gelegd", "klaargezet", "klaar gezet", "voorbereid*", "prepared", "preparing")),
    ("how much", 1, ("hardst", "hardste", "naar beneden", "looked down", "down there", "hoog genoeg",
                     "high enough", "hoeveel", "how many", "how much", "genoeg", "enough", "te veel", "too many",
                     "too much",
                     "hoe hoog", "how high", "hoe diep", "how deep", "hoogte", "height", "snelste", "fastest",
                     "quickest", "makkelijkste", "easiest", "pijnloze")),
    ("a while there", 1, ("for a while", "for hours", "for an hour", "al een uur", "al uren", "al een tijd*",
                          "de hele avond", "de hele nacht", "all night", "all evening")),
    ("belongings", 1, ("spullen", "belongings", "bezittingen", "possessions", "things", "stuff", "auto", "car",
                       "sieraden", "jewelry", "jewellery", "boeken", "books", "platen", "records", "planten",
                       "plants", "kleren", "clothes", "gitaar", "guitar", "collectie", "collection")),
    ("now", 1, ("nu", "now", "morgenochtend", "morgenvroeg", "tomorrow morning", "vannacht", "tonight", "vanavond",
                "straks", "binnenkort", "soon", "zometeen",
                "zo meteen")),
    ("being there", 1, ("sta", "staan", "standing", "stand", "liggen", "lig", "ligt", "lie", "lying", "zit", "sitting",
                        "loop", "lopen",
                        "walk*", "blijf", "ga", "gaan", "go", "rij", "rijden", "drive", "driving", "staring",
                        "staar*", "stare")),
    ("decided", 1, ("besloten", "besluit", "decided", "decision", "precies", "exactly")),
    ("at peace with it", 2, ("vrede mee", "vrede gesloten", "made my peace", "at peace with", "in vrede")),
    ("an urge", 2, ("trok me", "pulled me", "drew me", "kan laten", "het laten", "tegenhouden", "stop myself",
                    "resist*", "weerstaan", "urge*", "drang",
                    "neiging")),
    ("finality", 2, ("laatste wil*", "gaat naar mijn", "goes to my", "weggebracht", "laatste keer", "last time",
                     "voor het laatst", "for the last", "made my peace",
                     "made up my mind", "vrede mee",
                     "vrede gesloten", "testament", "my will", "voor later", "for later", "voor als ik",
                     "for when i", "when im gone", "after im gone", "als ik weg ben", "straks niet meer",
                     "er niet meer ben", "er niet meer zal", "wont need", "wont be needing", "wont be using",
                     "will not need", "ready to go", "said all",
                     "alles gezegd", "kunnen vinden", "can find", "voor het geval dat", "just in case",
                     "het is zover", "the time has come", "niet meer nodig",
                     "nooit meer nodig", "hoef ik nooit", "geen morgen", "no tomorrow", "het voorbij", "its over",
                     "is voorbij", "all over", "mag hem houden", "mag ze houden", "mag het houden", "can keep",
                     "given away", "gave away", "giving away", "weggegeven", "weggeven", "weg gegeven",
                     "weet het nog niet", "doesnt know yet", "dont know yet", "wont be around", "not coming back",
                     "niet meer terug", "nooit meer terug", "never come back", "never coming back", "krijgt mijn",
                     "krijgen mijn", "gets my",
                     "get my", "can have my", "mag mijn", "asiel", "shelter", "herplaats*", "rehome*",
                     "nieuw baasje", "new home for", "wordt tijd", "its time")),
    ("loved ones", 1, ("vrouw", "partner", "kinderen", "kids", "children", "dochter", "zoon", "daughter", "son", "ex",
                       "friends", "vrienden",
                       "mum", "mom", "mam", "moeder", "vader", "dad", "father", "mother", "zus", "broer",
                       "sister", "brother", "familie", "family", "gezin", "ouders", "parents", "wife", "husband")),
    ("affairs in order", 2, ("abonnement*", "subscription*", "schulden", "debts", "afbetaald", "paid off",
                             "paspoort", "passport", "rijbewijs", "documenten", "documents", "wachtwoord*",
                             "password*", "bankgegevens", "bank", "verzekering*", "insurance",
                             "papieren", "papers", "geregeld", "in order", "op orde")),
    ("harm", 2, ("snij*", "gesneden", "sned*", "kras*", "gekrast", "cut", "cutting", "harm*", "bloed*", "bleed*",
                 "verwond*", "bezeer*")),
    ("thinking of it", 1, ("denk*", "dacht", "think*", "thought*", "overweeg*", "considering", "gezocht",
                           "opgezocht", "uitgezocht", "googled", "google*", "hoe", "how", "checked", "gecheckt",
                           "gekeken", "looked", "nagekeken", "picturing", "imagin*", "voorstel*")),
    ("self", 1, ("mezelf", "mijzelf", "myself", "mij")),  # not "me": squeezed, "mee" is "me" too
    ("all or nothing", 1, ("alles", "everything", "allemaal", "all", "iedereen", "everyone", "everybody",
                           "forever", "voorgoed", "altijd", "nothing", "niks", "niets", "nergens", "anymore",
                           "anything")),
    ("not", 1, ("niet", "not", "dont", "geen", "no", "never", "nooit", "cant", "cannot", "wont", "nie")),
    ("wish", 1, ("wil", "willen", "wou", "wilde", "wanted", "wish", "want", "wanna", "liever", "rather", "beter",
                 "better",
                 "zou", "would")),
    ("the job search", -2, ("sollicit*", "proefdag*", "vacature*", "vacanc*", "referral*", "netwerk*", "networking",
                            "baan", "job",
                            "jobs", "werk*", "work*", "cv", "interview*",
                            "gesprek*", "bedrijf", "company", "agency", "uitzendbureau", "opleiding", "cursus",
                            "course", "application*", "cover", "uwv", "contract", "zoektocht", "search*", "coach",
                            "afwijzing", "rejection", "motivatie*", "motivation", "brief", "brieven", "letter",
                            "letters", "mail*", "email*", "werkgever*",
                            "employer*", "collega*", "colleague*", "proefplaatsing", "dienst", "shift*", "aannemen",
                            "aangenomen",
                            "hire*", "hiring")),
    ("everyday outings", -1, ("hardlop*", "jog*", "fiets*", "cycl*", "uitlaten", "uitgelaten", "lunch*",
                              "boodschappen", "shopping", "vakantie", "holiday", "uitje", "feest*", "party")),
    ("routine care", -1, ("gp", "medical", "apotheek", "*apotheker", "pharmacy", "pharmacist", "chemist", "huisarts",
                          "dokter",
                          "doctor", "arts", "bedrijfsarts", "bijsluiter", "leaflet", "voorgeschreven",
                          "prescribed", "recept", "prescription", "afgebouwd", "afbouwen", "verlaagd", "verhoogd",
                          "lowered", "increased", "ontbijt", "breakfast", "fysio*", "physio*")),
)  # fmt: skip

# Phrases that end in `$` and also count before a comma, word for word ("ik wil niet meer, ik kan niet meer").
CLAUSE_PHRASES = (
    "ik wil niet meer $",
    "ik kan niet meer $",
    "ik geef het op $",
    "im giving up $",
    "i give up $",
    "end* it $",
)

# A phrase ending in `$` ("ik wil niet meer $", "im giving up $") matches at a sentence end, and also when more
# words follow ("i'm giving up, really, lol", "ending it on friday"), unless the rest of the sentence says what
# ordinary thing is meant: the job search (any word of that cue group: "ik wil niet meer in de bouw werken", "I
# give up on that vacancy") or one of these ("I'm done for today", "I'm giving up on the idea of teaching").
ORDINARY_SEQUELS = (
    "for today", "voor vandaag", "for now", "voor nu", "with this week", "met deze week", "voor deze week",
    "for the day", "for the week", "idea", "idee", "reistijd", "travel*", "rug", "knie", "knee", "sport*", "gym",
    "dieet", "diet", "afwas", "dishes", "huishouden", "housework", "formulier*", "form", "forms", "paperwork",
    "papierwerk", "uur", "hours", "cold calling", "bellen", "calling", "koffie", "coffee", "roken", "smoking",
    "alcohol", "drinking",
)  # fmt: skip

# Single words that trigger on their own (after the idioms below are taken out).
WORDS = ("touw", "rope", "dood", "doodgaan", "sterven", "verdwijnen", "dying", "death", "disappear", "trapped", "113")

# Figures of speech taken out before screening, so "dood" in "ik verveel me dood" or "dying" in "dying to hear
# back" does not count. Matched exactly, word for word.
IDIOMS = (
    "me dood", "mij dood", "zich dood", "je dood", "dood van", "dood spoor", "dood punt", "liep dood", "loopt dood",
    "dood gelopen", "dying to", "dead tired", "dead end", "killing me", "killing it", "disappear into", "door de grond",
    "weg kwijt", "snijplank", "cutting board", "work life", "zin in", "zin om te", "eindelijk",
    "geen zin meer in solliciteren", "hoop dat", "hope to", "hope that",
    "i hope", "ik hoop", "no longer", "niet meer terug",
)  # fmt: skip

PHRASES = (*PHRASES_NL, *PHRASES_EN, *WORDS)


@dataclass(frozen=True)
class Screening:
    """The outcome for one text: `hit` when crisis language was found, `matched` says what (for tests and logs,
    never stored)."""

    hit: bool
    matched: tuple[str, ...] = ()


def normalise(text: str) -> list[str]:
    """Words of `text` after normalisation, with END markers at sentence ends (see the module docstring)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    plain = re.sub(r"['’`´]", "", plain)
    plain = re.sub(r"[.!?;\n\r]+", f" {END} ", plain)
    plain = re.sub(r"[^a-z0-9$]+", " ", plain)
    words = [_squeeze(word) for word in plain.split()]
    return [*words, END]


def _squeeze(word: str) -> str:
    """Letters repeated in a row count once: "dooood" → "dod", "kill" → "kil". Digits stay as they are: "113"
    is the crisis line, "13" a date or a count."""
    return re.sub(r"([^\W\d])\1+", r"\1", word)


def distance(a: str, b: str, limit: int) -> int:
    """Edit distance with swaps of neighbours counted as one edit; stops early above `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] | None = None
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if previous2 is not None and i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _allowed_typos(pattern: str, words_in_phrase: int) -> int:
    if words_in_phrase == 1:  # a lone word has no context: "dying" must not match "doing", "hopeless" "homeless"
        return 1 if len(pattern) >= 8 else 0
    if len(pattern) >= 9:
        return 2
    if len(pattern) >= 5 or (len(pattern) == 4 and words_in_phrase >= 3):
        return 1
    return 0


@lru_cache(maxsize=65536)
def _word_matches(word: str, pattern: str, words_in_phrase: int) -> bool:
    if word == END or pattern == END:
        return word == pattern
    if pattern.startswith("*"):  # the end of a compound ("*brug": Zeelandbrug), exactly
        return word.endswith(pattern[1:])
    prefix = pattern.endswith("*")
    pattern = pattern.rstrip("*")
    typos = _allowed_typos(pattern, words_in_phrase)
    if typos == 0:
        return word.startswith(pattern) if prefix else word == pattern
    if prefix:
        return any(_close(word[:size], pattern, typos) for size in _sizes(pattern, typos))
    return word == pattern or _close(word, pattern, typos)


def _close(word: str, pattern: str, typos: int) -> bool:
    """At most `typos` edits apart; most words are ruled out by their letters alone (each edit changes at most
    two letters of the two sets), before the slower distance is computed."""
    if abs(len(word) - len(pattern)) > typos or len(set(word) ^ set(pattern)) > 2 * typos:
        return False
    return distance(word, pattern, typos) <= typos


def _sizes(pattern: str, typos: int) -> range:
    return range(max(1, len(pattern) - typos), len(pattern) + typos + 1)


@cache
def _compiled() -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((phrase, tuple(_squeeze(word) for word in phrase.split())) for phrase in PHRASES)


def _phrase_in(words: list[str], pattern: tuple[str, ...], starts: list[int], gap: int = GAP) -> bool:
    """The pattern's words in order from one of `starts` (where its first word matches), `gap` words between."""

    def from_position(index: int, part: int) -> bool:
        if part == len(pattern):
            return True
        if part == len(pattern) - 1 and pattern[part] == END:
            return index < len(words) and _sentence_ends_or_goes_on(words, index)
        for position in range(index, min(len(words), index + gap + 1)):
            if position > index and words[position - 1] == END:
                return False  # never across a sentence end
            if _word_matches(words[position], pattern[part], len(pattern)) and from_position(position + 1, part + 1):
                return True
        return False

    return any(from_position(start + 1, 1) for start in starts)


def _sentence_ends_or_goes_on(words: list[str], index: int) -> bool:
    """For a phrase ending in `$`: the sentence ends at `index`, or what follows does not say which ordinary thing
    is meant (see ORDINARY_SEQUELS)."""
    rest = words[index : words.index(END, index)]
    if not rest:
        return True
    words_, runs = _sequels()
    return not (_any_word(set(rest), words_) or any(_run_in(rest, run) for run in runs))


@cache
def _sequels() -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """ORDINARY_SEQUELS and the job-search cue words: single words, and runs of words."""
    job_search = next(group for name, _, group, _ in _cue_groups() if name == "the job search")
    single = tuple(_squeeze(word) for word in ORDINARY_SEQUELS if " " not in word)
    runs = tuple(tuple(_squeeze(word) for word in sequel.split()) for sequel in ORDINARY_SEQUELS if " " in sequel)
    return (*job_search, *single), runs


def _starts(positions: dict[str, list[int]], first: str, words_in_phrase: int) -> list[int]:
    """Where a phrase's first word matches: each distinct word of the text is compared once, and only when its
    length is close enough to matter."""
    bare = first.rstrip("*")
    found: list[int] = []
    for word, where in positions.items():
        close = len(word) >= len(bare) - 2 if first.endswith("*") else abs(len(word) - len(bare)) <= 2
        if close and _word_matches(word, first, words_in_phrase):
            found.extend(where)
    return found


def _stem_in(words: list[str], joined_sentences: list[str], stem: str) -> bool:
    """A key word inside any word or compound (exactly), or at the start of a word with one typo."""
    stem = _squeeze(stem)
    if any(stem in joined for joined in joined_sentences):
        return True
    return any(distance(word[:size], stem, 1) <= 1 for word in set(words) for size in _sizes(stem, 1))


def _glued_in(joined: set[str], pattern: tuple[str, ...]) -> bool:
    """The phrase typed without (some of) its spaces ("killmyself", "kill my self"): one to three neighbouring
    words of the text together spell the whole phrase."""
    if len(pattern) < 2 or END in pattern:
        return False
    glued = "".join(word.rstrip("*") for word in pattern)
    return len(glued) >= GLUED_MIN and glued in joined


@cache
def _idioms() -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(_squeeze(word) for word in idiom.split()) for idiom in IDIOMS)


def _without_idioms(words: list[str]) -> list[str]:
    """The words with every figure of speech in IDIOMS replaced by a neutral word."""
    words = list(words)
    for idiom in _idioms():
        size = len(idiom)
        for start in range(len(words) - size + 1):
            if tuple(words[start : start + size]) == idiom:
                words[start : start + size] = ["_"] * size
    return words


def screen(text: str) -> Screening:
    """Does `text` contain crisis language? See the module docstring for how."""
    words = _without_idioms(normalise(text))
    clauses = _without_idioms(normalise(text.replace(",", ".")))
    clause_positions: dict[str, list[int]] = {}
    for index, word in enumerate(clauses):
        clause_positions.setdefault(word, []).append(index)
    sentences = " ".join(words).split(END)
    joined_sentences = ["".join(sentence.split()) for sentence in sentences]
    neighbours = {"".join(words[start : start + size]) for size in (1, 2, 3) for start in range(len(words) - size + 1)}
    found: list[str] = []
    for stem in STEMS:
        if _stem_in(words, joined_sentences, stem):
            found.append(stem)
    positions: dict[str, list[int]] = {}
    for index, word in enumerate(words):
        positions.setdefault(word, []).append(index)
    starts_of: dict[tuple[str, int], list[int]] = {}
    for phrase, pattern in _compiled():
        key = (pattern[0], len(pattern))
        if key not in starts_of:
            starts_of[key] = _starts(positions, *key)
        starts = starts_of[key]
        in_clause = phrase in CLAUSE_PHRASES and _phrase_in(clauses, pattern, _starts(clause_positions, *key), gap=0)
        if (starts and _phrase_in(words, pattern, starts)) or _glued_in(neighbours, pattern) or in_clause:
            found.append(phrase)
    for sentence in sentences:
        distinct = set(sentence.split())
        for name, first, second in _cue_pairs():
            if _any_word(distinct, first) and _any_word(distinct, second):
                found.append(name)
    for sentence in sentences:
        score, groups = _cue_score(sentence.split())
        if score >= CUE_THRESHOLD:
            found.append("cues: " + " + ".join(groups))
    if not found:  # the learned part only where the rules found nothing (it is the slower one)
        score = model_score(words)
        if score > MODEL_THRESHOLD:
            found.append(f"model: {score:.0f}")
    return Screening(bool(found), tuple(found))


def _cue_score(sentence: list[str]) -> tuple[int, tuple[str, ...]]:
    """The sentence's cue score: the weights of the CUE_GROUPS it has a word (or a few words in a row) of, each
    group once."""
    words = set(sentence)
    present = [
        (name, weight)
        for name, weight, group, runs in _cue_groups()
        if _any_word(words, group) or any(_run_in(sentence, run) for run in runs)
    ]
    return sum(weight for _, weight in present), tuple(name for name, _ in present)


@cache
def _cue_groups() -> tuple[tuple[str, int, tuple[str, ...], tuple[tuple[str, ...], ...]], ...]:
    """Per group: its single words and its runs of words ("laatste keer", "made my peace"), squeezed."""
    return tuple(
        (
            name,
            weight,
            tuple(_squeeze(pattern) for pattern in group if " " not in pattern),
            tuple(tuple(_squeeze(word) for word in pattern.split()) for pattern in group if " " in pattern),
        )
        for name, weight, group in CUE_GROUPS
    )


def _run_in(sentence: list[str], run: tuple[str, ...]) -> bool:
    """The words of `run` next to each other, in order, somewhere in the sentence (a typo allowed as in phrases)."""
    size = len(run)
    for start in range(len(sentence) - size + 1):
        if _word_matches(sentence[start], run[0], size) and all(
            _word_matches(sentence[start + offset], run[offset], size) for offset in range(1, size)
        ):
            return True
    return False


def _any_word(words: set[str], patterns: tuple[str, ...]) -> bool:
    """Does any of `words` match one of `patterns` as a lone word (`_word_matches(word, pattern, 1)`)?"""
    exact, prefixes, suffixes, fuzzy = _lone_words(patterns)
    if not exact.isdisjoint(words) or any(word.startswith(prefixes) or word.endswith(suffixes) for word in words):
        return True
    return any(_word_matches(word, pattern, 1) for pattern in fuzzy for word in words)


@cache
def _lone_words(patterns: tuple[str, ...]) -> tuple[frozenset[str], tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Patterns split by how a lone word matches them: exactly, as a prefix (both without typos, being short), as
    the end of a compound ("*brug"), or with a typo (8 letters or more)."""
    suffixes = tuple(pattern[1:] for pattern in patterns if pattern.startswith("*"))
    rest = [pattern for pattern in patterns if not pattern.startswith("*")]
    short = [pattern for pattern in rest if _allowed_typos(pattern.rstrip("*"), 1) == 0]
    exact = frozenset(pattern for pattern in short if not pattern.endswith("*"))
    prefixes = tuple(pattern.rstrip("*") for pattern in short if pattern.endswith("*"))
    return exact, prefixes, suffixes, tuple(pattern for pattern in rest if pattern not in short)


@cache
def _cue_pairs() -> tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]:
    def squeezed(group: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_squeeze(pattern) for pattern in group)

    return tuple((name, squeezed(first), squeezed(second)) for name, first, second in CUE_PAIRS)


# --- the learned part -----------------------------------------------------------------------------------------------

# Naive Bayes over the example sentences in content/safety/examples.yaml (crisis and ordinary, Dutch and English),
# trained once at first use. A sentence's features: its words, its pairs of neighbouring words and the pieces of 3
# to 5 letters of each word (with a space at both ends, so the start and end of a word count): pieces catch typos,
# compounds and inflections ("slaappillen", "opgespaard", "levn"). Each feature present counts once. The score is
# the log-odds of crisis against ordinary; a text's score is its highest sentence's. Smoothing and threshold were
# chosen by leaving out one fresh batch at a time (tests/safety_phrases.py): at 40 the model alone flagged 4 of 580
# held-out ordinary sentences, and together with the rules of the time it caught 115 of 160 crisis sentences of
# batches 14-17 (the rules alone 89) with 11 false alarms in 240 (the rules alone 8).
MODEL_EXAMPLES = CONTENT_DIR / "safety" / "examples.yaml"
MODEL_SMOOTHING = 0.1
MODEL_THRESHOLD = 40.0


def _features(sentence: list[str]) -> set[str]:
    features = {"w " + word for word in sentence}
    features.update(f"b {first} {second}" for first, second in zip(sentence, sentence[1:], strict=False))
    for word in sentence:
        padded = f" {word} "
        for size in (3, 4, 5):
            features.update("c" + padded[start : start + size] for start in range(len(padded) - size + 1))
    return features


def _sentences_of(words: list[str]) -> list[list[str]]:
    return [sentence.split() for sentence in " ".join(words).split(END) if sentence.strip()]


@cache
def _model() -> tuple[dict[str, float], float]:
    """Per feature its weight (log P(feature | crisis) - log P(feature | ordinary), smoothed), and the prior
    log-odds. Deterministic: counts are whole numbers and the sums in `model_score` exact (math.fsum)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    examples = yaml.load(MODEL_EXAMPLES.read_text(encoding="utf-8"), Loader=loader)
    counts: dict[str, list[int]] = {}
    for label, texts in ((0, examples["ordinary"]), (1, examples["crisis"])):
        for text in texts:
            for feature in _features([word for word in _without_idioms(normalise(text)) if word != END]):
                counts.setdefault(feature, [0, 0])[label] += 1
    totals = [sum(pair[label] for pair in counts.values()) + MODEL_SMOOTHING * len(counts) for label in (0, 1)]
    weights = {
        feature: math.log((crisis + MODEL_SMOOTHING) / totals[1]) - math.log((ordinary + MODEL_SMOOTHING) / totals[0])
        for feature, (ordinary, crisis) in counts.items()
    }
    return weights, math.log(len(examples["crisis"]) / len(examples["ordinary"]))


def model_score(words: list[str]) -> float:
    """The learned score of normalised `words` (figures of speech taken out): the highest of its sentences."""
    weights, prior = _model()
    scores = [
        prior + math.fsum(weights.get(feature, 0.0) for feature in _features(sentence))
        for sentence in _sentences_of(words)
    ]
    return max(scores, default=-math.inf)


# --- the answer to "may I tell your coach?" ------------------------------------------------------------------------

# Typed answers, word for word after normalising (accents, case, punctuation and emoji dropped, repeated letters
# once). A strong yes next to a no ("ja maar liever niet") is unclear; a weak yes next to a no only stresses it
# ("zeker niet", "natuurlijk niet", "please don't"). Any no-word rules out a yes.
CONSENT_YES = (
    "ja", "jawel", "jazeker", "ja hoor", "ja graag", "ja prima", "ja is goed", "is goed", "is prima", "dat is goed",
    "oke", "ok", "okay", "okido", "prima", "doe maar", "graag", "akkoord", "yes", "yes please", "yeah", "yep", "yup",
    "sure", "go ahead", "thats fine", "thats ok",
)  # fmt: skip
CONSENT_YES_WEAK = (
    "zeker", "zeker weten", "natuurlijk", "tuurlijk", "absoluut", "goed", "fine", "alright", "please",
    "of course", "certainly", "definitely", "mag", "dat mag", "mag wel", "dank je", "dankje", "dank u",
    "bedankt", "thanks", "thank you", "echt", "really",
)  # fmt: skip
CONSENT_NO = (
    "nee", "neen", "nope", "nah", "no", "niet", "liever niet", "niet doen", "nee dank je", "no thanks", "rather not",
    "dont", "do not", "not", "never", "nooit", "geen", "laat maar", "hoeft niet", "niet nodig", "no way",
)  # fmt: skip
CONSENT_UNSURE = (
    "weet niet", "weet het niet", "weet ik niet", "geen idee", "misschien", "twijfel", "not sure", "dont know",
    "do not know", "idk", "maybe", "perhaps", "unsure", "maakt niet uit", "doesnt matter",
    # a yes made of no-words: never read as a yes
    "geen probleem", "geen bezwaar", "no problem", "no objection", "not a problem", "niet erg",
)  # fmt: skip
CONSENT_FILLER = ("hoor", "maar", "wel", "dan", "but", "then", "oh", "eh", "uh", "hm", "haha", "xx", "x")


def consent_answer(text: str) -> bool | None:
    """A typed answer to "may I tell your coach?": True for a yes ("ja", "is goed", "oké", "doe maar", "sure"),
    False for a no ("nee", "liever niet", "no thanks", "zeker niet"), None for anything else: unsure, mixed ("ja
    maar liever niet"), or words beyond a short answer. Never True when a no-word is present."""
    words = tuple(word for word in normalise(text) if word != END)
    if not words or _has_run(words, CONSENT_UNSURE):
        return None
    yes, weak, no = _has_run(words, CONSENT_YES), _has_run(words, CONSENT_YES_WEAK), _has_run(words, CONSENT_NO)
    if no:
        return None if yes else (False if _only_answer_words(words) or _starts_with(words, CONSENT_NO) else None)
    if (yes or weak) and (_only_answer_words(words) or _starts_with(words, CONSENT_YES)):
        return True
    return None


def _has_run(words: tuple[str, ...], runs: tuple[str, ...]) -> bool:
    return any(_run_in(list(words), run) for run in _consent_runs(runs))


def _starts_with(words: tuple[str, ...], runs: tuple[str, ...]) -> bool:
    return any(words[: len(run)] == run for run in _consent_runs(runs))


def _only_answer_words(words: tuple[str, ...]) -> bool:
    vocabulary = {
        word
        for runs in (CONSENT_YES, CONSENT_YES_WEAK, CONSENT_NO, CONSENT_FILLER)
        for run in _consent_runs(runs)
        for word in run
    }
    return set(words) <= vocabulary


@cache
def _consent_runs(runs: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(_squeeze(word) for word in run.split()) for run in runs)
