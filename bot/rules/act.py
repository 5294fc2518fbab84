"""ACT in the weekly check-in: the prompt library, the choice of the week's prompt, values, step suggestions.

Pure functions over data from `content/act/`: no database, no clock, no Telegram. Everything a choice depends
on is passed in explicitly (the history of earlier prompts, this week's answers, a seed), so the same input
always gives the same prompt.

How the week's prompt is chosen (`choose_prompt`):
1. A process the coach pinned wins.
2. Otherwise this week's answers give *leanings*: low energy leans to acceptance, present moment and
   self-as-context; rejections or unanswered applications lean to defusion; no applications in the active-search
   phase leans to values and committed action (with low energy only to values: no push to act when exhausted).
3. Coverage: a process absent from the last `OVERDUE_AFTER` prompts is *overdue* and comes first (a leaning one
   before the others, then the one absent longest). So the first weeks visit every process, and every 14
   consecutive unpinned prompts contain all six.
4. Otherwise a leaning process, or (no leaning) any process not used in the last two weeks, favouring the one
   unused longest.
5. Within the process: never a prompt used within the last `NO_REPEAT_WEEKS` weeks; prompts that fit this
   week's situation first, then prompts never or least recently used; ties broken by the seed.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import yaml

from content.catalog import CONTENT_DIR, LANGUAGES, word

ACT_DIR = CONTENT_DIR / "act"
PROCESSES = ("acceptance", "defusion", "present_moment", "self_as_context", "values", "committed_action")
KINDS = ("question", "exercise")
SITUATIONS = ("low_energy", "rejection", "interview", "no_applications", "old_job")

LOW_ENERGY = 4  # an energy score at or below this is a low-energy week
NO_REPEAT_WEEKS = 8  # a prompt is not shown again within this many weeks
OVERDUE_AFTER = 8  # a process missing from this many latest prompts is overdue
ACTIVE_SEARCH = "active_search"
EARLY_PHASES = ("intake", "orientation")  # missing the old job is most likely early in Track 2

GENTLE = frozenset({"acceptance", "present_moment", "self_as_context"})

VALUE_MAX = 3  # values chosen in the values exercise
VALUE_MAX_CHARS = 80  # one value in own words
SUGGESTIONS = 3  # step suggestions shown as buttons
STEP_RESULTS = ("done", "partly", "not")  # how last week's step went (the coach's follow-through: bot.views.caseload)


# --- the library --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prompt:
    id: str
    process: str
    kind: str  # question | exercise
    fits: frozenset[str]  # week situations this prompt suits best
    text: dict[str, str]  # language -> text

    def in_language(self, lang: str) -> str:
        return self.text[lang]


@dataclass(frozen=True)
class Library:
    prompts: tuple[Prompt, ...]

    def by_id(self, prompt_id: str) -> Prompt | None:
        return next((prompt for prompt in self.prompts if prompt.id == prompt_id), None)

    def of_process(self, process: str) -> list[Prompt]:
        return [prompt for prompt in self.prompts if prompt.process == process]


def load_library(directory: Path = ACT_DIR / "prompts") -> Library:
    """Read every `*.yaml` prompt file; refuses duplicates, unknown processes and missing languages."""
    prompts: list[Prompt] = []
    for path in sorted(directory.glob("*.yaml")):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            prompt = Prompt(
                id=str(entry["id"]),
                process=entry["process"],
                kind=entry.get("kind", "question"),
                fits=frozenset(entry.get("fits") or ()),
                text={
                    lang: " ".join(word(lang, str(entry["id"]), str(entry.get("text") or "")).split())
                    for lang in LANGUAGES
                },
            )
            problems = _problems(prompt, known_ids={other.id for other in prompts})
            if problems:
                raise ValueError(f"{path.name}: prompt {prompt.id}: {'; '.join(problems)}")
            prompts.append(prompt)
    return Library(tuple(prompts))


def _problems(prompt: Prompt, known_ids: set[str]) -> list[str]:
    problems = []
    if prompt.process not in PROCESSES:
        problems.append(f"unknown process {prompt.process!r}")
    if prompt.kind not in KINDS:
        problems.append(f"unknown kind {prompt.kind!r}")
    if prompt.fits - set(SITUATIONS):
        problems.append(f"unknown situations {sorted(prompt.fits - set(SITUATIONS))}")
    if not all(prompt.text.values()):
        problems.append("text missing in a language")
    if prompt.id in known_ids:
        problems.append("duplicate id")
    return problems


@cache
def library() -> Library:
    return load_library()


# --- choosing the week's prompt -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Used:
    """A prompt shown in an earlier week (`week` is that ISO week's Monday)."""

    week: date
    prompt_id: str
    process: str


@dataclass(frozen=True)
class Week:
    """What the choice may look at this week: the employee's answers and where they are in Track 2."""

    monday: date
    energy: int | None = None
    applications: int | None = None
    interviews: int | None = None
    rejections: int = 0  # applications rejected or unanswered, recently
    phase: str = "intake"


def situations(week: Week) -> frozenset[str]:
    found = set()
    if week.energy is not None and week.energy <= LOW_ENERGY:
        found.add("low_energy")
    if week.rejections > 0:
        found.add("rejection")
    if week.interviews:
        found.add("interview")
    if week.applications == 0:
        found.add("no_applications")
    if week.phase in EARLY_PHASES:
        found.add("old_job")
    return frozenset(found)


def leanings(week: Week) -> frozenset[str]:
    """The processes this week's answers lean to (empty: no leaning)."""
    low = week.energy is not None and week.energy <= LOW_ENERGY
    lean: set[str] = set(GENTLE) if low else set()
    if week.rejections > 0:
        lean.add("defusion")
    if week.phase == ACTIVE_SEARCH and week.applications == 0:
        lean |= {"values"} if low else {"values", "committed_action"}
    return frozenset(lean)


def overdue(history: list[Used]) -> list[str]:
    """Processes missing from the latest OVERDUE_AFTER prompts (all six for a new employee)."""
    recent = {used.process for used in _chronological(history)[-OVERDUE_AFTER:]}
    return [process for process in PROCESSES if process not in recent]


def choose_process(history: list[Used], week: Week, *, pinned: str | None = None, seed: int = 0) -> str:
    if pinned in PROCESSES:
        return pinned
    rng = random.Random(seed)
    ordered = _chronological(history)
    last_seen = {used.process: index for index, used in enumerate(ordered)}
    lean = leanings(week)
    due = overdue(ordered)
    if due:
        pool = [process for process in due if process in lean] or due
        oldest = min(last_seen.get(process, -1) for process in pool)
        return rng.choice([process for process in pool if last_seen.get(process, -1) == oldest])
    recent_two = {used.process for used in ordered[-2:]}
    pool = sorted(lean, key=PROCESSES.index) or [process for process in PROCESSES if process not in recent_two]
    weights = [len(ordered) - last_seen.get(process, -1) for process in pool]  # longer unused, more likely
    return rng.choices(pool, weights=weights)[0]


def blocked(history: list[Used], monday: date) -> set[str]:
    """Prompt ids shown within NO_REPEAT_WEEKS weeks of `monday`."""
    return {used.prompt_id for used in history if abs((monday - used.week).days) // 7 <= NO_REPEAT_WEEKS}


def choose_prompt(
    library: Library, history: list[Used], week: Week, *, pinned: str | None = None, seed: int = 0
) -> Prompt:
    """The week's prompt (see the module docstring for the rules). Deterministic for a given seed."""
    process = choose_process(history, week, pinned=pinned, seed=seed)
    rng = random.Random(seed * 7919 + 1)
    last_use = {}
    for used in _chronological(history):
        last_use[used.prompt_id] = used.week
    options = library.of_process(process)
    fresh = [prompt for prompt in options if prompt.id not in blocked(history, week.monday)]
    if not fresh:  # cannot happen with 10+ prompts per process; then the least recently used one
        fresh = sorted(options, key=lambda prompt: last_use.get(prompt.id, date.min))[:1]
    now = situations(week)

    def preference(prompt: Prompt) -> tuple:
        used = last_use.get(prompt.id)
        return (bool(prompt.fits & now), used is None, -(used.toordinal() if used else 0))

    best = max(preference(prompt) for prompt in fresh)
    return rng.choice([prompt for prompt in fresh if preference(prompt) == best])


def week_seed(employee_id: int, iso_year: int, iso_week: int) -> int:
    """A stable seed per employee and week, so resuming a check-in gives the same choices."""
    return employee_id * 1_000_003 + iso_year * 100 + iso_week


def _chronological(history: Iterable[Used]) -> list[Used]:
    return sorted(history, key=lambda used: used.week)


# --- values -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """A value from the list, or a step suggestion: an id and its text per language."""

    id: str
    text: dict[str, str]


@cache
def value_choices() -> tuple[Choice, ...]:
    entries = yaml.safe_load((ACT_DIR / "values.yaml").read_text(encoding="utf-8"))
    return tuple(
        Choice(entry["id"], {lang: word(lang, entry["id"], entry["text"]) for lang in LANGUAGES}) for entry in entries
    )


def value_text(value: str, lang: str) -> str:
    """How a stored value reads: the list's wording for a known id, else the employee's own words."""
    known = next((choice for choice in value_choices() if choice.id == value), None)
    return known.text[lang] if known is not None else value


class TooManyValues(ValueError):
    pass


def toggle_value(selected: list[str], value_id: str) -> list[str]:
    """Choose or unchoose a value from the list; at most VALUE_MAX in all."""
    if value_id in selected:
        return [value for value in selected if value != value_id]
    if value_id not in {choice.id for choice in value_choices()}:
        raise ValueError(f"unknown value {value_id!r}")
    if len(selected) >= VALUE_MAX:
        raise TooManyValues(value_id)
    return [*selected, value_id]


def add_own_values(selected: list[str], text: str) -> list[str]:
    """Values typed in own words: one per line or separated by commas; raises TooManyValues past VALUE_MAX."""
    parts = text.replace(";", ",").replace("\n", ",").split(",")
    pieces = [" ".join(piece.split())[:VALUE_MAX_CHARS] for piece in parts]
    added = [piece for piece in pieces if piece and piece not in selected]
    if len(selected) + len(added) > VALUE_MAX:
        raise TooManyValues(text)
    return [*selected, *added]


# --- the committed step -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepIdeas:
    general: tuple[Choice, ...]
    low_energy: tuple[Choice, ...]
    by_value: dict[str, tuple[Choice, ...]]

    def by_id(self, suggestion_id: str) -> Choice | None:
        every = [*self.general, *self.low_energy, *(c for ideas in self.by_value.values() for c in ideas)]
        return next((choice for choice in every if choice.id == suggestion_id), None)


@cache
def step_ideas() -> StepIdeas:
    data = yaml.safe_load((ACT_DIR / "steps.yaml").read_text(encoding="utf-8"))

    def choices(entries: list[dict]) -> tuple[Choice, ...]:
        return tuple(
            Choice(entry["id"], {lang: word(lang, entry["id"], entry["text"]) for lang in LANGUAGES})
            for entry in entries
        )

    return StepIdeas(
        general=choices(data["general"]),
        low_energy=choices(data["low_energy"]),
        by_value={value: choices(entries) for value, entries in data["by_value"].items()},
    )


def suggest_steps(values: list[str] | None, energy: int | None, seed: int, count: int = SUGGESTIONS) -> list[Choice]:
    """Step ideas for next week: a gentle one first in a low-energy week, then one per chosen value (up to two,
    rotating with the seed), then general ones. Own-words values have no ideas of their own."""
    ideas = step_ideas()
    rng = random.Random(seed)
    picked: list[Choice] = []
    if energy is not None and energy <= LOW_ENERGY:
        picked.append(rng.choice(ideas.low_energy))
    for value in [value for value in values or [] if value in ideas.by_value][:2]:
        options = ideas.by_value[value]
        picked.append(options[seed % len(options)])
    general = list(ideas.general)
    rng.shuffle(general)
    picked += general
    unique = list({choice.id: choice for choice in picked}.values())
    return unique[:count]
