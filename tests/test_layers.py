"""The import rule: every module belongs to one layer, and imports only from its own layer and the layers it
may build on (README, "How it is built"). Also: Telegram is spoken only at the edges, SQL only in storage/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "content", "storage")

# Which layer a module is in: the longest matching prefix wins.
LAYER_OF = {
    "content": "content",
    "storage": "storage",
    "bot.rules": "rules",
    "bot.core": "core",
    "bot.views": "views",
    "bot.outgoing": "outgoing",
    "bot.flows": "flows",
    "handlers": "handlers",
    "bot": "wiring",
    "bot.config": "wiring",
    "bot.app": "wiring",
    "bot.jobs": "wiring",
    "bot.admin": "wiring",
    "bot.web": "wiring",  # the webhook and /healthz, /readyz, /metrics
    "bot.sandbox": "sandbox",
    "bot.cli": "cli",
    "bot.cli_admin": "cli",  # the CLI's subcommand groups, each in a module of its own
    "bot.cli_export": "cli",
    "bot.cli_keys": "cli",
    "bot.cli_retention": "cli",
    "bot.cli_statement": "cli",
    "bot.__main__": "cli",
}

# What each layer may import besides itself. Bottom to top.
BELOW = {
    "content": set(),
    "storage": set(),
    "rules": {"content"},
    "core": {"rules", "storage", "content"},
    "views": {"core", "rules", "storage", "content"},
    "outgoing": {"views", "core", "rules", "storage", "content"},
    "flows": {"outgoing", "views", "core", "rules", "storage", "content"},
    "handlers": {"flows", "outgoing", "views", "core", "rules", "content"},
    "wiring": {"handlers", "flows", "outgoing", "views", "core", "rules", "storage", "content"},
    "sandbox": {"wiring", "handlers", "flows", "outgoing", "views", "core", "rules", "storage", "content"},
    "cli": {"sandbox", "wiring", "handlers", "flows", "outgoing", "views", "core", "rules", "storage", "content"},
}

# Third-party libraries only some layers may use: Telegram at the edges, the database toolkit for storage (and
# the session type the unit of work carries, and URL checks in the settings).
RESTRICTED = {
    "telegram": {"outgoing", "handlers", "wiring", "sandbox", "cli"},
    "sqlmodel": {"storage", "core"},
    "sqlalchemy": {"storage", "core", "wiring"},
    "alembic": {"storage"},
}


def layer(module: str) -> str | None:
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        found = LAYER_OF.get(".".join(parts[:end]))
        if found:
            return found
    return None


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path, name: str) -> list[tuple[int, str]]:
    """(line, imported module) for every import in the file of module `name`, relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = name.split(".")
    if path.name != "__init__.py":
        here = here[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(here[: len(here) - node.level + 1] + ([base] if base else []))
            if base.split(".")[0] in PACKAGES:  # `from bot import rules` imports bot.rules: name each one
                found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, base))
    return found


def project_files() -> list[Path]:
    files = []
    for package in PACKAGES:
        files += sorted(p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts)
    return files


def test_every_module_has_a_layer():
    assert [module_name(p) for p in project_files() if layer(module_name(p)) is None] == []


def violations(path: Path, name: str) -> list[str]:
    """What the file of module `name` imports against the rule."""
    found = []
    mine = layer(name)
    for line, target in imports(path, name):
        top = target.split(".")[0]
        where = f"{name}:{line} imports {target}"
        if top in PACKAGES:
            theirs = layer(target)
            if theirs is not None and theirs != mine and theirs not in BELOW[mine]:
                found.append(f"{where} ({mine} may not import {theirs})")
        elif top in RESTRICTED and mine not in RESTRICTED[top]:
            found.append(f"{where} ({top} is not for {mine})")
    return found


def test_imports_only_go_down_the_layers():
    assert [v for path in project_files() for v in violations(path, module_name(path))] == []


def test_the_rule_catches_an_upward_import(tmp_path):
    """The check itself can fail: a rule that imports a conversation or Telegram, a view that imports the
    outbox, and an adapter that reads the database are reported."""
    probe = tmp_path / "probe.py"
    probe.write_text("from bot.flows import conversation\nimport telegram\nfrom bot.outgoing import outbox\n")
    assert violations(probe, "bot.rules.probe") == [
        "bot.rules.probe:1 imports bot.flows.conversation (rules may not import flows)",
        "bot.rules.probe:2 imports telegram (telegram is not for rules)",
        "bot.rules.probe:3 imports bot.outgoing.outbox (rules may not import outgoing)",
    ]
    assert violations(probe, "bot.views.probe") == [
        "bot.views.probe:1 imports bot.flows.conversation (views may not import flows)",
        "bot.views.probe:2 imports telegram (telegram is not for views)",
        "bot.views.probe:3 imports bot.outgoing.outbox (views may not import outgoing)",
    ]
    probe.write_text("from storage import queries\n")
    assert violations(probe, "handlers.telegram.probe") == [
        "handlers.telegram.probe:1 imports storage.queries (handlers may not import storage)",
    ]
    assert violations(probe, "bot.flows.probe") == []


@pytest.mark.parametrize("package", PACKAGES)
def test_every_package_says_what_it_holds(package):
    """Every package and sub-package opens with a docstring (the README's build page is made of them)."""
    for init in (ROOT / package).rglob("__init__.py"):
        if "migrations" in init.parts:
            continue
        assert ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))), init
