"""The translation catalogs (gettext, managed with Babel): every word is written once, in Dutch, the source
language, and translated in `content/locale/<lang>/LC_MESSAGES/messages.po`.

- Message templates (`content/messages/`, `content/report/`) mark their words with Jinja2's i18n extension:
  `{% trans %}`, `{% pluralize %}` for every count, and `_()` inside expressions.
- Word lists (`content/labels/*.yaml`: button labels and short texts; `content/act/`: the ACT prompt library,
  the values and the step suggestions) hold the Dutch text under a key; the key is the message context
  (msgctxt), so two keys with the same Dutch words can be translated differently. `extract_yaml` gives them to
  `pybabel extract` (see `babel.cfg`).

A word-list entry with a count is a mapping of `one` and `other` (the Dutch singular and plural).

The `.po` files are the source of truth and live in the repository; `pybabel compile` may write `.mo` files
next to them (ignored by git). At start the bot loads a `.mo` that is at least as new as its `.po`, and
otherwise compiles the `.po` in memory, so a fresh clone runs without a build step.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from functools import cache
from io import BytesIO
from pathlib import Path

import yaml
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

CONTENT_DIR = Path(__file__).resolve().parent
LOCALE_DIR = CONTENT_DIR / "locale"
DOMAIN = "messages"
SOURCE_LANGUAGE = "nl"


def catalog_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def languages() -> tuple[str, ...]:
    """Dutch first, then every language that has a catalog."""
    found = sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return (SOURCE_LANGUAGE, *(lang for lang in found if lang != SOURCE_LANGUAGE))


LANGUAGES = languages()


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The translations of a language; Dutch is the source, so it needs none (its plural rule is gettext's
    default: one, and everything else)."""
    if lang == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    po = catalog_path(lang)
    mo = po.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        with open(mo, "rb") as handle:
            return gettext.GNUTranslations(handle)
    with open(po, "rb") as handle:
        catalog = read_po(handle, locale=lang)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


Words = str | tuple[str, str]  # a text, or its singular and plural


def word(lang: str, key: str, dutch: Words, n: int | None = None) -> str:
    """One entry of a word list in a language: its Dutch text translated under its key; a plural entry picks
    its form for `n`."""
    if isinstance(dutch, tuple):
        return translations(lang).npgettext(key, dutch[0], dutch[1], 1 if n is None else n)
    return translations(lang).pgettext(key, dutch)


def word_list(source: str) -> Iterator[tuple[int, str, Words]]:
    """(line, key, Dutch text) of every entry of a word list: a mapping of key -> text (labels; a text with a
    count is a mapping of `one` and `other`), or entries with an `id` and a `text` (the ACT library), nested in
    lists and mappings."""
    root = yaml.compose(source)

    def walk(node) -> Iterator[tuple[int, str, Words]]:
        if isinstance(node, yaml.MappingNode):
            pairs = {key.value: value for key, value in node.value}
            if "id" in pairs and "text" in pairs:
                yield pairs["text"].start_mark.line + 1, pairs["id"].value, pairs["text"].value
                return
            for key, value in node.value:
                if node is not root:
                    yield from walk(value)
                elif isinstance(value, yaml.ScalarNode):
                    yield value.start_mark.line + 1, key.value, value.value
                elif isinstance(value, yaml.MappingNode) and {k.value for k, _ in value.value} == {"one", "other"}:
                    forms = {k.value: v.value for k, v in value.value}
                    yield value.start_mark.line + 1, key.value, (forms["one"], forms["other"])
                else:
                    yield from walk(value)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                yield from walk(item)

    if root is not None:
        yield from walk(root)


def extract_yaml(fileobj, keywords, comment_tags, options) -> Iterator[tuple[int, str, tuple[str, str], list]]:
    """Babel extractor for the word lists (`babel.cfg`): each entry as `pgettext(key, Dutch text)`."""
    for line, key, text in word_list(fileobj.read().decode("utf-8")):
        if isinstance(text, tuple):
            yield line, "npgettext", (key, *text), []
        else:
            yield line, "pgettext", (key, text), []
