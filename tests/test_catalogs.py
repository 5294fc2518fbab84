"""The translation catalogs: every message in content/ (templates, labels, the ACT library) is translated in
every language's catalog, nothing is fuzzy, placeholders match, and the catalog holds nothing stale."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from content.catalog import LANGUAGES, SOURCE_LANGUAGE, catalog_path, translations, word
from content.texts import Texts

ROOT = Path(__file__).resolve().parent.parent
TRANSLATED = [lang for lang in LANGUAGES if lang != SOURCE_LANGUAGE]


def source_messages() -> dict[tuple[str | None, str | tuple[str, str]], str]:
    """What `pybabel extract -F babel.cfg` finds: (context, msgid) -> where."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found = {}
    for filename, lineno, message, _comments, context in extract_from_dir(str(ROOT), method_map, options_map):
        found[(context, message)] = f"{filename}:{lineno}"
    return found


SOURCE = source_messages()


def catalog(lang: str):
    with open(catalog_path(lang), "rb") as handle:
        return read_po(handle, locale=lang)


def test_there_is_something_to_translate():
    assert len(SOURCE) > 700  # templates, labels and the ACT library together
    assert TRANSLATED == ["en"]


def untranslated(entries) -> tuple[list[str], list[str], list[str]]:
    """Where the source has a message that the catalog misses, leaves fuzzy, or leaves empty."""
    missing, fuzzy, empty = [], [], []
    for (context, msgid), where in SOURCE.items():
        entry = entries.get(msgid, context=context)
        if entry is None:
            missing.append(where)
        elif entry.fuzzy:
            fuzzy.append(where)
        elif not all(entry.string) if isinstance(entry.string, tuple) else not entry.string:
            empty.append(where)
    return missing, fuzzy, empty


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_is_translated_and_none_is_fuzzy(lang):
    entries = catalog(lang)
    assert untranslated(entries) == ([], [], [])
    assert not entries.fuzzy


@pytest.mark.parametrize("lang", TRANSLATED)
def test_placeholders_match(lang):
    """Babel's checks: a translation uses the same %(name)s placeholders as the Dutch."""
    problems = [(message.id, [str(error) for error in errors]) for message, errors in catalog(lang).check()]
    assert problems == []


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_catalog_holds_nothing_stale(lang):
    """`pybabel update` marks removed messages obsolete; they are deleted, so the catalog is what is in use."""
    entries = catalog(lang)
    stale = [(m.context, m.id) for m in entries if m.id and (m.context, m.id) not in SOURCE]
    assert stale == []
    assert not entries.obsolete


def test_a_missing_fuzzy_or_empty_translation_is_caught():
    """The check can fail: a catalog without one message, with a fuzzy one, or an empty one is reported."""
    entries = catalog("en")
    (gone, gone_at), (vague, vague_at), (blank, blank_at) = list(SOURCE.items())[:3]
    entries.delete(gone[1], context=gone[0])
    entries.get(vague[1], context=vague[0]).flags.add("fuzzy")
    entries.get(blank[1], context=blank[0]).string = ""
    assert untranslated(entries) == ([gone_at], [vague_at], [blank_at])


def test_english_comes_from_the_catalog_and_dutch_is_the_source():
    texts = Texts()
    assert texts.label("nl", "submit") == "✅ Versturen"
    assert texts.label("en", "submit") == "✅ Send"
    assert word("en", "val-01", "Dit staat niet in de catalogus") == "Dit staat niet in de catalogus"
    assert translations("nl").gettext("Welkom") == "Welkom"


@pytest.mark.parametrize(("n", "nl", "en"), [(1, "1 week", "1 week"), (2, "2 weken", "2 weeks")])
def test_a_label_with_a_count_picks_its_plural_form(n, nl, en):
    texts = Texts()
    assert texts.label("nl", "pause_weeks", n=n) == nl
    assert texts.label("en", "pause_weeks", n=n) == en
