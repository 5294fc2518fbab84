"""The one Jinja2 environment that renders every word in content/: message templates and button labels.

Message templates (`content/<lang>/<name>.j2`) are HTML-escaped for Telegram's HTML parse mode; labels
(`content/<lang>/labels.yaml`) are plain text.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

CONTENT_DIR = Path(__file__).resolve().parent
LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"


def pick_language(code: str | None) -> str:
    """Our language for a Telegram language code: English for 'en*', Dutch otherwise."""
    return "en" if code and code.lower().startswith("en") else DEFAULT_LANGUAGE


class Texts:
    """Renders templates and labels in a language."""

    def __init__(self, content_dir: Path = CONTENT_DIR) -> None:
        self.content_dir = content_dir
        self.env = Environment(
            loader=FileSystemLoader(str(content_dir)),
            autoescape=select_autoescape(enabled_extensions=("j2",), default_for_string=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
        )
        self._labels = {lang: self._load_labels(lang) for lang in LANGUAGES}
        self._label_templates: dict[tuple[str, str], object] = {}
        for lang in LANGUAGES:  # compile everything once, up front: no slow first message
            for name in self.template_names(lang):
                self.env.get_template(f"{lang}/{name}.j2")

    def _load_labels(self, lang: str) -> dict[str, str]:
        """All `labels*.yaml` files of a language (one per feature area); a key may be defined only once."""
        labels: dict[str, str] = {}
        for path in sorted((self.content_dir / lang).glob("labels*.yaml")):
            with open(path, encoding="utf-8") as handle:
                for key, value in (yaml.safe_load(handle) or {}).items():
                    if key in labels:
                        raise ValueError(f"label {key!r} is defined twice in content/{lang}")
                    labels[key] = value
        return labels

    def render(self, lang: str, name: str, /, **ctx: object) -> str:
        template = self.env.get_template(f"{lang}/{name}.j2")
        return template.render(label=lambda key, **kw: self.label(lang, key, **kw), lang=lang, **ctx).strip()

    def label(self, lang: str, key: str, /, **ctx: object) -> str:
        compiled = self._label_templates.get((lang, key))
        if compiled is None:
            try:
                source = self._labels[lang][key]
            except KeyError:
                raise KeyError(f"no label {key!r} in content/{lang}/labels.yaml") from None
            compiled = self._label_templates[(lang, key)] = self.env.from_string(str(source))
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
                line.append(
                    {"text": label, "url": button.url} if button.url else {"text": label, "callback_data": button.data}
                )
            rows.append(line)
        return text, rows

    def label_keys(self, lang: str) -> set[str]:
        return set(self._labels[lang])

    def template_names(self, lang: str) -> list[str]:
        return sorted(p.stem for p in (self.content_dir / lang).glob("*.j2"))


@cache
def texts() -> Texts:
    """The shared renderer (templates are compiled once per process)."""
    return Texts()
