"""Deleting everything about employees: the one way, used by the retention purge and by an operator's erasure.

Which rows are about an employee is read from the schema, so a new table cannot be forgotten: a row of a table
with a foreign key to the employee (check-ins, pauses, notes, phases, applications, alerts, plans, steps, own
view, drafts, invites, outbox rows), a row of a table with a foreign key to such a row (the proofs of an
application), a row whose `employee_id` has no foreign key (the audit trail), and a row keyed by the
employee's Telegram id (their dialog, the outbox rows to their chat). Coach and employer-contact messages that
name the employee lose their content (a queued one is deleted). Rows go children first, in foreign-key order.

Before that, what is kept is written: the facts of reports sent to the employer (`KeptReportFact`, an erasure
only), the anonymous count (`RetentionCount`, the purge only), and the SHA-256 of the person's chat
(`SuppressedChat`), so no message reaches that chat again.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table, delete, func, insert, or_, update
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import (
    Coach,
    Employee,
    EmployerContact,
    Invite,
    KeptReportFact,
    Outbox,
    ReportDraft,
    RetentionCount,
    SuppressedChat,
)

EMPLOYEE: Table = Employee.__table__  # type: ignore[assignment]
OUTBOX: Table = Outbox.__table__  # type: ignore[assignment]
# Tables of other people, of the company, or of what is kept on purpose: never rows about an employee.
NOT_ABOUT = {"coach", "employer", "employercontact", "keptreportfact", "retentioncount", "suppressedchat"}
TELEGRAM_COLUMNS = ("telegram_user_id", "chat_id")
CHUNK = 400  # employees per round of statements in a purge


def chat_hash(chat_id: int) -> str:
    """How a suppressed chat is stored: the SHA-256 of its id, never the id."""
    return hashlib.sha256(str(chat_id).encode()).hexdigest()


@dataclass
class Kept:
    """What an erasure kept of a report sent to the employer (never its content)."""

    kind: str
    period_first: object
    period_last: object
    sent_at: datetime


def _about(table: Table, ids: Sequence[int], chats: Sequence[int], depth: int = 0) -> ColumnElement | None:
    """The rows of `table` about these employees (ids, Telegram ids), or None when it holds none."""
    if table is EMPLOYEE:
        return EMPLOYEE.c.id.in_(ids)
    if table.name in NOT_ABOUT or depth > 3:
        return None
    clauses = []
    for fk in table.foreign_keys:
        parent = fk.column.table
        if parent is EMPLOYEE:
            clauses.append(fk.parent.in_(ids))
        elif parent is not table:
            inner = _about(parent, ids, chats, depth + 1)
            if inner is not None:
                clauses.append(fk.parent.in_(select(fk.column).where(inner)))
    column = table.c.get("employee_id")
    if column is not None and not column.foreign_keys:
        clauses.append(column.in_(ids))  # the audit trail: about whom, without a foreign key
    if chats:
        clauses += [table.c[name].in_(chats) for name in TELEGRAM_COLUMNS if name in table.c]
    return or_(*clauses) if clauses else None


def _targets(ids: Sequence[int], chats: Sequence[int]) -> list[tuple[Table, ColumnElement]]:
    """Every table with rows about the employees, children before parents (the order to delete in)."""
    found = []
    for table in reversed(SQLModel.metadata.sorted_tables):
        clause = _about(table, ids, chats)
        if clause is not None:
            found.append((table, clause))
    return found


async def _names_by_chat(session: AsyncSession, employees: Sequence[Employee]) -> dict[int, set[str]]:
    """The chats that were told about the employees — their coach's, their employer's contacts' — with the names
    each may have been told."""
    found: dict[int, set[str]] = {}
    coaches = {employee.coach_id for employee in employees}
    employers = {employee.employer_id for employee in employees}
    coach_chats = dict(
        (await session.exec(select(Coach.id, Coach.telegram_user_id).where(Coach.id.in_(coaches)))).all()  # type: ignore[union-attr]
    )
    contacts = (
        await session.exec(
            select(EmployerContact.employer_id, EmployerContact.telegram_user_id).where(
                EmployerContact.employer_id.in_(employers)  # type: ignore[attr-defined]
            )
        )
    ).all()
    contact_chats: dict[int, list[int]] = {}
    for employer_id, chat in contacts:
        contact_chats.setdefault(employer_id, []).append(chat)
    for employee in employees:
        if len(employee.name) < 3:
            continue
        for chat in [coach_chats.get(employee.coach_id), *contact_chats.get(employee.employer_id, [])]:
            if chat is not None:
                found.setdefault(chat, set()).add(employee.name)
    return found


async def _mentions(session: AsyncSession, employees: Sequence[Employee]) -> tuple[list[int], list[int]]:
    """(queued, settled) ids of outbox rows to their coach or their employer's contacts that name one of the
    employees. The text is stored encrypted, so it is read and searched here, not in SQL."""
    names_by_chat = await _names_by_chat(session, employees)
    queued, settled = [], []
    chats = sorted(names_by_chat)
    for start in range(0, len(chats), CHUNK):
        query = select(
            Outbox.id, Outbox.chat_id, Outbox.status, Outbox.text
        ).where(
            Outbox.employee_id.is_(None),  # type: ignore[union-attr]
            Outbox.chat_id.in_(chats[start : start + CHUNK]),  # type: ignore[attr-defined]
        )
        for row_id, chat, status, text in (await session.exec(query)).all():
            if text and any(name in text for name in names_by_chat[chat]):
                (queued if status == "pending" else settled).append(row_id)
    return queued, settled


async def count_about(session: AsyncSession, employees: Sequence[Employee]) -> Counter[str]:
    """How many rows about the employees each table holds (what an erasure or a purge would delete)."""
    counts: Counter[str] = Counter()
    for start in range(0, len(employees), CHUNK):
        ids, chats = _keys(employees[start : start + CHUNK])
        for table, clause in _targets(ids, chats):
            found = (await session.exec(select(func.count()).select_from(table).where(clause))).one()
            if found:
                counts[table.name] += found
    return counts


def _keys(employees: Sequence[Employee]) -> tuple[list[int], list[int]]:
    ids = [employee.id for employee in employees if employee.id is not None]
    chats = [employee.telegram_user_id for employee in employees if employee.telegram_user_id is not None]
    return ids, chats


async def sent_reports(session: AsyncSession, employee_id: int) -> list[ReportDraft]:
    """The reports that went to the employer (a sent draft), oldest first."""
    found = await session.exec(
        select(ReportDraft)
        .where(ReportDraft.employee_id == employee_id, ReportDraft.status == "sent")
        .order_by(ReportDraft.decided_at, ReportDraft.id)
    )
    return list(found.all())


async def keep_report_facts(session: AsyncSession, employee: Employee, erasure: str, now: datetime) -> list[Kept]:
    """Write what the law keeps of the employee's sent reports under the erasure reference `erasure`."""
    kept = []
    for draft in await sent_reports(session, employee.id):
        sent_at = draft.decided_at or draft.created_at
        session.add(
            KeptReportFact(
                erasure=erasure, employer_id=employee.employer_id, kind=draft.kind, period_first=draft.period_first,
                period_last=draft.period_last, sent_at=sent_at, erased_at=now,
            )
        )  # fmt: skip
        kept.append(Kept(draft.kind, draft.period_first, draft.period_last, sent_at))
    await session.flush()
    return kept


async def count_purged(session: AsyncSession, closed_year: int, outcome: str, how_many: int = 1) -> None:
    """Add to the anonymous statistic of purged trajectories."""
    row = (
        await session.exec(
            select(RetentionCount).where(RetentionCount.closed_year == closed_year, RetentionCount.outcome == outcome)
        )
    ).first()
    if row is None:
        row = RetentionCount(closed_year=closed_year, outcome=outcome, trajectories=0)
    row.trajectories += how_many
    session.add(row)
    await session.flush()


async def suppress_chats(session: AsyncSession, chats: Sequence[int], now: datetime) -> None:
    """No message reaches these chats again (until a new invite is accepted there)."""
    known = await suppressed(session, chats)
    new = [{"chat_hash": chat_hash(chat), "since": now} for chat in sorted(set(chats) - known)]
    if new:
        await session.exec(insert(SuppressedChat).values(new))


async def lift_suppression(session: AsyncSession, chat_id: int) -> None:
    """A new invite was accepted in this chat: its person may get messages again."""
    await session.exec(delete(SuppressedChat).where(SuppressedChat.chat_hash == chat_hash(chat_id)))


async def suppressed(session: AsyncSession, chat_ids: Sequence[int]) -> set[int]:
    """Which of these chats must get no message (their person was erased)."""
    if not chat_ids:
        return set()
    by_hash = {chat_hash(chat): chat for chat in set(chat_ids)}
    found = await session.exec(select(SuppressedChat.chat_hash).where(SuppressedChat.chat_hash.in_(list(by_hash))))
    return {by_hash[value] for value in found.all()}


async def delete_about(session: AsyncSession, employees: Sequence[Employee], now: datetime) -> Counter[str]:
    """Delete every row about the employees (see the module's docstring), suppress their chats; returns the rows
    deleted per table. The caller writes what is kept first, in the same transaction."""
    counts: Counter[str] = Counter()
    if not employees:
        return counts
    queued, settled = await _mentions(session, employees)  # coach and contact messages naming them: a queued
    for start in range(0, len(queued), CHUNK):  # one goes, a sent one keeps only its dedupe key (never resent)
        gone = await session.exec(delete(OUTBOX).where(OUTBOX.c.id.in_(queued[start : start + CHUNK])))
        counts["outbox"] += gone.rowcount or 0
    for start in range(0, len(settled), CHUNK):
        emptied = update(OUTBOX).where(OUTBOX.c.id.in_(settled[start : start + CHUNK]))
        await session.exec(emptied.values(text="", reply_markup=None, attachment=None, attachment_name=None))
        counts["outbox_emptied"] += len(settled[start : start + CHUNK])
    for employee in employees:  # their rows go below, past the ORM: it must not write them back
        if employee in session:
            session.expunge(employee)
    for start in range(0, len(employees), CHUNK):
        ids, chats = _keys(employees[start : start + CHUNK])
        for table, clause in _targets(ids, chats):
            result = await session.exec(delete(table).where(clause))
            if result.rowcount:
                counts[table.name] += result.rowcount
        await suppress_chats(session, chats, now)
    return counts


async def prune_settled_outbox(session: AsyncSession, before: datetime) -> int:
    """Delete outbox rows settled (sent, failed, cancelled) and made before `before`: the delivery log of
    messages older than the retention period (their content may name people who are gone by now)."""
    result = await session.exec(delete(OUTBOX).where(OUTBOX.c.status != "pending", OUTBOX.c.created_at < before))
    return result.rowcount or 0


# --- who is due -------------------------------------------------------------------------------------------


async def closed_before(session: AsyncSession, moment: datetime) -> list[Employee]:
    """Employees whose trajectory was closed before `moment` (candidates for the two-year rule)."""
    found = await session.exec(
        select(Employee).where(Employee.closed_at.is_not(None), Employee.closed_at < moment).order_by(Employee.id)  # type: ignore[union-attr]
    )
    return list(found.all())


async def never_joined(session: AsyncSession, invited_by: datetime) -> list[tuple[Employee, datetime]]:
    """Employees who never registered, made before `invited_by`, with the time of their latest invite (their own
    creation time when no invite is left)."""
    latest = func.max(Invite.created_at)
    found = await session.exec(
        select(Employee, latest)
        .outerjoin(Invite, Invite.employee_id == Employee.id)
        .where(Employee.registered_at.is_(None), Employee.telegram_user_id.is_(None))  # type: ignore[union-attr]
        .where(Employee.created_at < invited_by)
        .group_by(Employee.id)
        .order_by(Employee.id)
    )
    return [(employee, made or employee.created_at) for employee, made in found.all()]


async def employee(session: AsyncSession, employee_id: int) -> Employee | None:
    return await session.get(Employee, employee_id)
