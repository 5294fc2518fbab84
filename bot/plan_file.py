"""The trajectory plan as a YAML file, for `spoorzoeker plan export` and `spoorzoeker plan import`.

`dump` writes a plan version's content (the shape of `bot.rules.plan`) with a short comment header; `load` reads
a file back through `bot.rules.plan.normalise` and raises `PlanFileError` with the line and an English reason.
Evaluations are not part of the plan content and are not in the file. `export_plan` and `import_plan` are the
two commands against the database.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import yaml

from bot.rules import plan
from storage import plan_queries, queries
from storage.db import Database
from storage.models import Coach, Employee

DATE_FIELDS = {"fml_date", "added_on", "reviewed_on", "start", "end"}
# the fields a mapping at a path may have (indexes left out), for the "unknown field" reason
FIELDS = {
    "": ("profile", "capacity", "directions", "activities", "track1"),
    "profile": tuple(plan.empty()["profile"]),
    "profile.experience[]": ("role", "sector", "years"),
    "capacity": ("fml_date", "text"),
    "directions[]": ("id", "occupation", "sector", "region", "hours", "level", "reason", "added_on", "reviewed_on"),
    "activities[]": ("id", "kind", "provider", "start", "end", "status", "result"),
}


class PlanFileError(ValueError):
    """A plan file that cannot be imported: `line` (1-based, None when the file as a whole is wrong) and why."""

    def __init__(self, name: str, line: int | None, reason: str) -> None:
        super().__init__(f"{name} line {line}: {reason}" if line is not None else f"{name}: {reason}")
        self.line, self.reason = line, reason


# -- writing ------------------------------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """YAML's own writer, with an empty value (not "null") for a field that is not filled in."""


_Dumper.add_representer(type(None), lambda dumper, _: dumper.represent_scalar("tag:yaml.org,2002:null", ""))


def dump(content: dict, *, employee: str, employee_id: int, number: int, made_on: date, author: str | None) -> str:
    """The YAML text of one plan version: a comment header, then the content in the order of `bot.rules.plan`."""
    header = [
        f"# Trajectory plan of {employee}",
        f"# Version {number} of {made_on.isoformat()}, by {author or 'an import (no coach)'}",
        f"# Import a changed copy with: spoorzoeker plan import --employee {employee_id} <this file>",
        "# (evaluations are not part of the plan and not in this file)",
    ]
    body = yaml.dump(_with_dates(content), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=110, indent=2)
    return "\n".join(header) + "\n" + body


def _with_dates(value: object, key: str | None = None) -> object:
    """The content with its ISO date strings as dates, so that YAML writes them plainly (2026-03-15)."""
    if isinstance(value, dict):
        return {k: _with_dates(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_dates(v) for v in value]
    if key in DATE_FIELDS and isinstance(value, str):
        return date.fromisoformat(value)
    return value


# -- reading ------------------------------------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """YAML's own loader, but a date that does not exist (2026-02-30) or a time stays text, so that the plan's
    check refuses it with its path instead of YAML failing without a line."""


def _date_or_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> date | str:
    text = loader.construct_scalar(node)
    try:
        return date.fromisoformat(text) if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text) else text
    except ValueError:
        return text


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _date_or_text)


def load(text: str, name: str, today: date) -> dict:
    """The plan content in `text` (the file `name`), checked with `plan.normalise`; raises PlanFileError."""
    try:
        root = yaml.compose(text, Loader=_Loader)
        raw = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        why = exc.problem or exc.context or "not valid YAML"
        raise PlanFileError(name, mark.line + 1 if mark else None, f"YAML syntax: {why}") from None
    except yaml.YAMLError as exc:
        raise PlanFileError(name, None, f"YAML syntax: {exc}") from None
    if root is None:
        raise PlanFileError(name, None, "the file is empty")
    _refuse_duplicate_keys(root, name)
    try:
        return plan.normalise(raw, today)
    except plan.PlanError as error:
        raise PlanFileError(name, line_of(root, _pointed_at(error)), explain(error, raw)) from None


def _refuse_duplicate_keys(node: yaml.Node, name: str) -> None:
    """YAML itself keeps the last of two equal keys silently; a plan file with one is refused."""
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if key.value in seen:
                raise PlanFileError(name, key.start_mark.line + 1, f"{key.value} is given twice")
            seen.add(key.value)
            _refuse_duplicate_keys(value, name)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _refuse_duplicate_keys(item, name)


def steps(path: str) -> list[str | int]:
    """ "directions[1].hours" -> ["directions", 1, "hours"]."""
    return [int(part) if part.isdigit() else part for part in re.findall(r"[^.\[\]]+", path)]


def _pointed_at(error: plan.PlanError) -> str:
    """The path whose line to show: for too many directions, the first one too many."""
    if error.reason == "plan_too_many_directions":
        return f"directions[{plan.MAX_DIRECTIONS}]"
    return error.path


def line_of(root: yaml.Node, path: str) -> int:
    """The 1-based line of `path` in the composed YAML: the line of its key (or list item), or of the nearest
    part of the path that is there (a missing field: the item it is missing from)."""
    node, line = root, root.start_mark.line + 1
    for step in steps(path):
        if isinstance(step, int) and isinstance(node, yaml.SequenceNode) and step < len(node.value):
            node = node.value[step]
            line = node.start_mark.line + 1
        elif isinstance(node, yaml.MappingNode):
            found = next(((k, v) for k, v in node.value if k.value == str(step)), None)
            if found is None:
                break
            line, node = found[0].start_mark.line + 1, found[1]
        else:
            break
    return line


def value_at(raw: object, path: str) -> object:
    for step in steps(path):
        there = (isinstance(raw, list) and isinstance(step, int) and step < len(raw)) or (
            isinstance(raw, dict) and step in raw
        )
        if not there:
            return None
        raw = raw[step]
    return raw


def _shown(value: object) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, dict | list):
        return "a list" if isinstance(value, list) else "a set of fields"
    return str(value)


def explain(error: plan.PlanError, raw: object) -> str:
    """ "directions[1].hours: 70 is out of range 0–60": the path and an English reason for the operator."""
    value, details = _shown(value_at(raw, error.path)), error.details
    above = error.path.rpartition(".")[0]  # "activities[0]" for "activities[0].end"
    parent = re.sub(r"\[[0-9]+\]", "[]", above)  # "activities[]": which fields it may have
    reasons = {
        "plan_required": "is missing (it is required)",
        "plan_not_text": f"{value} is not text",
        "plan_too_long": f"is longer than {details.get('longest')} characters",
        "plan_not_number": f"{value} is not a whole number",
        "plan_out_of_range": f"{value} is out of range {details.get('low')}–{details.get('high')}",
        "plan_not_date": f"{value} is not a date (write YYYY-MM-DD, e.g. 2026-03-15)",
        "plan_date_in_future": f"{value} is in the future",
        "plan_end_before_start": f"{value} is before the start {_shown(value_at(raw, above + '.start'))}",
        "plan_not_a_choice": f"{value} is not one of: {details.get('choices')}",
        "plan_not_list": "should be a list (lines that start with '- ')",
        "plan_not_mapping": "should be fields (name: value)",
        "plan_unknown_field": f"is not a field here (the fields are: {', '.join(FIELDS.get(parent, ()))})",
        "plan_too_many_directions": f"a plan has at most {details.get('most')} directions",
        "plan_bad_id": f"{value} is not an id like {'d1' if error.path.startswith('d') else 'a1'} (leave it out "
        "for a new one)",
        "plan_duplicate_id": f"{value} is used twice",
        "plan_not_yes_no": f"{value} is not true or false",
    }
    path = "directions" if error.reason == "plan_too_many_directions" else error.path
    return f"{path or 'the file'}: {reasons.get(error.reason, error.reason)}"


# -- the commands -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Exported:
    text: str
    employee: str
    number: int


async def export_plan(database_url: str, employee_id: int, zone: str) -> Exported:
    """The YAML of the employee's newest plan version; LookupError for an unknown employee or no plan."""
    db = Database(database_url)
    try:
        async with db.session() as session:
            employee = await queries.get(session, Employee, employee_id)
            if employee is None:
                raise LookupError(f"no employee with id {employee_id}")
            version = await plan_queries.latest_plan(session, employee_id)
            if version is None:
                raise LookupError(f"{employee.name} (employee {employee_id}) has no plan yet: nothing to export")
            coach = await queries.get(session, Coach, version.author_coach_id) if version.author_coach_id else None
            made = version.created_at
            made_on = (made.astimezone(ZoneInfo(zone)) if made.tzinfo else made).date()
            text = dump(version.content, employee=employee.name, employee_id=employee_id, number=version.number,
                        made_on=made_on, author=coach.name if coach else None)  # fmt: skip
            return Exported(text, employee.name, version.number)
    finally:
        await db.dispose()


@dataclass(frozen=True)
class Imported:
    employee: str
    number: int
    new: bool  # False: the file equals the current version, nothing was written


async def import_plan(database_url: str, employee_id: int, text: str, name: str, now: datetime) -> Imported:
    """Store the plan in `text` as the employee's next version (change "imported", no author), unless it equals
    the current one. LookupError for an unknown employee, PlanFileError for a bad file (nothing is written)."""
    db = Database(database_url)
    try:
        async with db.session() as session:
            employee = await queries.get(session, Employee, employee_id)
            if employee is None:
                raise LookupError(f"no employee with id {employee_id}")
            content = load(text, name, now.date())
            latest = await plan_queries.latest_plan(session, employee_id)
            if latest is not None and latest.content == content:
                return Imported(employee.name, latest.number, new=False)
            version = await plan_queries.add_plan_version(session, employee_id, content, "imported", None, now)
            return Imported(employee.name, version.number, new=True)
    finally:
        await db.dispose()
