"""The dashboard's caseload page: one table of all the coach's clients, read with one `bot.views.caseload` load
(a handful of queries for the whole caseload), in the chat's order (flagged first, then by name, closed
trajectories last), filtered by flag, phase and employer and sorted by a column when the query asks.

`caseload_table(work, viewer, query)` reads the GET query leniently: an unknown flag, phase, employer, column or
direction is ignored (the page shows as without it). Every value passes `bot.rules.privacy` for the coach; the
energy score is health data, shown because the audience is the coach. Like the chat's /caseload list, the table
is not a view of one client, so nothing goes into the audit trail (opening a client does).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from bot.core import phases
from bot.core.context import Person, Work
from bot.rules import flags as flag_rules
from bot.rules import privacy, timeline
from bot.views import caseload

ASC, DESC = "asc", "desc"
# The sortable columns. Closed trajectories stay last whatever the column (as in the chat); ties keep the
# caseload's order. An empty value (no check-in, no energy, no deadline) sorts after every known one.
COLUMNS = (
    "name", "phase", "sickness_week", "last_checkin", "applications", "interviews", "networking", "energy",
    "flags", "deadline",
)  # fmt: skip
MAX_EMPLOYER = 200  # characters of an employer name in a query


@dataclass(frozen=True)
class Query:
    """The page's valid filters and sort (None: not asked, or not valid)."""

    flag: str | None = None
    phase: str | None = None
    employer: str | None = None
    sort: str | None = None
    dir: str = ASC

    def link(self, **changes: object) -> str:
        """The query string of this page with `changes` (None drops a key), for the sort links."""
        values = {"flag": self.flag, "phase": self.phase, "employer": self.employer, "sort": self.sort}
        values["dir"] = self.dir if self.sort else None
        values.update(changes)
        kept = {key: value for key, value in values.items() if value}
        return "?" + urlencode(kept) if kept else "?"


def parse_query(query: Mapping[str, str], employers: set[str]) -> Query:
    """The filters and sort of the GET query; anything unknown is left out."""
    flag = query.get("flag")
    phase = query.get("phase")
    employer = (query.get("employer") or "")[:MAX_EMPLOYER]
    sort = query.get("sort")
    direction = query.get("dir")
    return Query(
        flag=flag if flag in flag_rules.ORDER else None,
        phase=phase if phase in phases.PHASES else None,
        employer=employer if employer in employers else None,
        sort=sort if sort in COLUMNS else None,
        dir=direction if direction in (ASC, DESC) else ASC,
    )


def row(client: caseload.Client, today: date) -> dict:
    """One client's line of the table: the chat's caseload line (`caseload.summary_line`), each value as the coach
    may see it, with the employer, the breadth warnings and the next poortwachter deadline."""
    seen = privacy.view(privacy.COACH, "employee", client.employee)
    closed = seen["status"] == "closed"
    upcoming = None if closed else timeline.next_milestone(seen["first_sick_day"], today, seen["track2_start"])
    energy_seen = privacy.can_see(privacy.COACH, privacy.HEALTH)
    line = caseload.summary_line(client)
    line.update(
        id=seen["id"],
        name=seen["name"],
        phase=seen["phase"],
        status=seen["status"],
        closed=closed,
        employer=client.employer,
        energy=line["energy"] if energy_seen else None,
        trend=line["trend"] if energy_seen else None,
        breadth=[{"reason": w.reason, "direction": w.direction} for w in client.breadth],
        deadline=None
        if upcoming is None
        else {"key": upcoming.key, "number": upcoming.number, "due": upcoming.due, "week": upcoming.week},
    )
    return line


def _sort_key(column: str, line: dict) -> tuple:
    value = {
        "name": line["name"].casefold(),
        "phase": phases.PHASES.index(line["phase"]) if line["phase"] in phases.PHASES else len(phases.PHASES),
        "sickness_week": line["sickness_week"],
        "last_checkin": line["last_checkin"],
        "applications": line["applications"],
        "interviews": line["interviews"],
        "networking": line["networking"],
        "energy": line["energy"],
        "flags": len(line["flags"]),
        "deadline": line["deadline"]["due"] if line["deadline"] else None,
    }[column]
    return (value is None, value)


def sorted_rows(lines: list[dict], column: str | None, direction: str) -> list[dict]:
    """`lines` (in the caseload's order) by `column`; closed trajectories last and empty values after known
    ones in both directions; without a column the caseload's order."""
    if column is None:
        return lines
    known = [line for line in lines if _sort_key(column, line)[0] is False]
    empty = [line for line in lines if _sort_key(column, line)[0] is True]
    known.sort(key=lambda line: _sort_key(column, line), reverse=direction == DESC)  # stable: ties keep the order
    ordered = known + empty
    return [line for line in ordered if not line["closed"]] + [line for line in ordered if line["closed"]]


def matches(line: dict, query: Query) -> bool:
    return (
        (query.flag is None or query.flag in line["flags"])
        and (query.phase is None or line["phase"] == query.phase)
        and (query.employer is None or line["employer"] == query.employer)
    )


async def caseload_table(work: Work, viewer: Person, query: Mapping[str, str]) -> dict:
    """The page's context: the rows shown, the filter choices and the valid query."""
    load = await caseload.load(work, viewer.coach)
    lines = [row(client, load.today) for client in load.clients]
    employers = sorted({line["employer"] for line in lines if line["employer"]}, key=str.casefold)
    asked = parse_query(query, set(employers))
    shown = sorted_rows([line for line in lines if matches(line, asked)], asked.sort, asked.dir)
    return {
        "rows": shown,
        "total": len(load.open_clients),
        "flagged": len(load.flagged),
        "all": len(lines),
        "query": asked,
        "columns": COLUMNS,
        "flag_choices": list(flag_rules.ORDER),
        "phase_choices": list(phases.PHASES),
        "employer_choices": employers,
        "today": load.today,
    }
