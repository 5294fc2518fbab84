"""The one renderer of every word in content/: message templates, the report template and labels, in every
language (`content.catalog` holds the translations).

Message templates (`content/messages/<name>.j2`, written in Dutch with `{% trans %}`) are HTML-escaped for
Telegram's HTML parse mode; labels (`content/labels/*.yaml`) are plain text and may use Jinja2 expressions.
Each language has its own Jinja2 environment with its translations installed, compiled once per process, and
the filter `number` that writes a number the way the language does (`{{ average|number }}`: "4,5" in Dutch).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, select_autoescape

from content.catalog import CONTENT_DIR, LANGUAGES, SOURCE_LANGUAGE, Words, translations, word, word_list

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "Texts", "number", "pick_language", "texts"]
DEFAULT_LANGUAGE = SOURCE_LANGUAGE


def pick_language(code: str | None) -> str:
    """Our language for a Telegram language code ("en", "en-GB", ...): one with a catalog, Dutch otherwise."""
    primary = (code or "").lower().replace("_", "-").split("-")[0]
    return primary if primary in LANGUAGES else DEFAULT_LANGUAGE


def number(value: float | int, lang: str, digits: int = 1) -> str:
    """A number as `lang` writes it: a decimal comma in Dutch ("4,5"), a point in English ("4.5"); at most
    `digits` decimals, and none for a whole number ("5")."""
    return format_decimal(value, format="#,##0." + "#" * digits if digits else "#,##0", locale=lang)


class Texts:
    """Renders templates and labels in a language."""

    def __init__(self, content_dir: Path = CONTENT_DIR) -> None:
        self.content_dir = content_dir
        self._envs = {lang: self._environment(lang) for lang in LANGUAGES}
        self._labels = self._load_labels()
        self._label_templates: dict[tuple[str, str], Template] = {}  # (language, label text) -> compiled
        for env in self._envs.values():  # compile everything once, up front: no slow first message
            for name in self.template_names():
                env.get_template(f"messages/{name}.j2")

    def _environment(self, lang: str) -> Environment:
        env = Environment(
            loader=FileSystemLoader(str(self.content_dir)),
            autoescape=select_autoescape(enabled_extensions=("j2",), default_for_string=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            extensions=["jinja2.ext.i18n"],
        )
        env.install_gettext_translations(translations(lang), newstyle=False)
        env.filters["number"] = lambda value, digits=1: number(value, lang, digits)
        return env

    def _load_labels(self) -> dict[str, Words]:
        """All `content/labels/*.yaml` files (one per feature area); a key may be defined only once."""
        labels: dict[str, Words] = {}
        for path in sorted((self.content_dir / "labels").glob("*.yaml")):
            for _, key, text in word_list(path.read_text(encoding="utf-8")):
                if key in labels:
                    raise ValueError(f"label {key!r} is defined twice in content/labels")
                labels[key] = text
        return labels

    def template(self, lang: str, path: str) -> Template:
        """A template of content/ (for example `report/report.html.j2`) in a language."""
        return self._envs[lang].get_template(path)

    def render(self, lang: str, name: str, /, **ctx: object) -> str:
        template = self.template(lang, f"messages/{name}.j2")
        return template.render(label=lambda key, **kw: self.label(lang, key, **kw), lang=lang, **ctx).strip()

    def label(self, lang: str, key: str, /, **ctx: object) -> str:
        try:
            source = self._labels[key]
        except KeyError:
            raise KeyError(f"no label {key!r} in content/labels") from None
        text = word(lang, key, source, ctx.get("n"))  # a label with a count has its plural form picked by `n`
        compiled = self._label_templates.get((lang, text))
        if compiled is None:
            compiled = self._label_templates[(lang, text)] = self._envs[lang].from_string(text)
        return compiled.render(**ctx)

    def reply(self, reply) -> tuple[str, list[list[dict]] | None]:
        """A `bot.core.replies.Reply` as message text and inline-keyboard rows (Bot API dicts)."""
        text = self.render(reply.lang, reply.template, **reply.ctx)
        if not reply.buttons:
            return text, None
        rows = []
        for row in reply.buttons:
            line = []
            for button in row:
                label = (
                    button.text if button.text is not None else self.label(reply.lang, button.label, **button.params)
                )
                if button.checked:
                    label = self.label(reply.lang, "checked", label=label)
                if button.web_app:
                    line.append({"text": label, "web_app": {"url": button.web_app}})
                elif button.url:
                    line.append({"text": label, "url": button.url})
                else:
                    line.append({"text": label, "callback_data": button.data})
            rows.append(line)
        return text, rows

    def label_keys(self) -> set[str]:
        return set(self._labels)

    def template_names(self) -> list[str]:
        return sorted(p.stem for p in (self.content_dir / "messages").glob("*.j2"))


@cache
def texts() -> Texts:
    """The shared renderer (templates are compiled once per process)."""
    return Texts()
