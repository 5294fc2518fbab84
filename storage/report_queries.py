"""Queries for the Track 2 file: the poortwachter steps as they happened, the employee's own view, and the report
drafts the coach decides on. Plain async functions over a SQLModel AsyncSession; the caller commits."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import OwnView, PoortwachterStep, ReportDraft

# --- poortwachter steps ----------------------------------------------------------------------------------------


async def steps_done(session: AsyncSession, employee_id: int) -> dict[str, date]:
    """step key → the day it took place, for the steps the coach recorded."""
    statement = select(PoortwachterStep).where(PoortwachterStep.employee_id == employee_id)
    return {row.step: row.done_on for row in (await session.exec(statement)).all()}


async def record_step(
    session: AsyncSession, employee_id: int, step: str, done_on: date | None, coach_id: int | None, now: datetime
) -> None:
    """Record (or correct) the day a step took place; `done_on` None removes the record (it did not happen)."""
    statement = select(PoortwachterStep).where(
        PoortwachterStep.employee_id == employee_id, PoortwachterStep.step == step
    )
    row = (await session.exec(statement)).first()
    if done_on is None:
        if row is not None:
            await session.delete(row)
            await session.flush()
        return
    row = row or PoortwachterStep(employee_id=employee_id, step=step, done_on=done_on, recorded_at=now)
    row.done_on, row.coach_id, row.recorded_at = done_on, coach_id, now
    session.add(row)
    await session.flush()


# --- the employee's own view -----------------------------------------------------------------------------------


async def own_view(session: AsyncSession, employee_id: int) -> OwnView | None:
    return await session.get(OwnView, employee_id)


async def mark_view_asked(session: AsyncSession, employee_id: int, now: datetime) -> OwnView:
    """Note that the employee was asked (the row exists from then on, unanswered)."""
    row = await own_view(session, employee_id) or OwnView(employee_id=employee_id)
    row.asked_at = now
    session.add(row)
    await session.flush()
    return row


async def answer_view(
    session: AsyncSession, employee_id: int, consent: bool, text: str | None, now: datetime
) -> OwnView:
    """The employee's answer: consent with their confirmed text, or no view (the text is then removed)."""
    row = await own_view(session, employee_id) or OwnView(employee_id=employee_id)
    row.consent, row.text, row.answered_at = consent, text if consent else None, now
    session.add(row)
    await session.flush()
    return row


async def lock_view(session: AsyncSession, employee_id: int, now: datetime) -> None:
    """The final report was sent: the view stays as it was in it."""
    row = await own_view(session, employee_id) or OwnView(employee_id=employee_id)
    if row.locked_at is None:
        row.locked_at = now
        session.add(row)
        await session.flush()


# --- report drafts ---------------------------------------------------------------------------------------------


async def draft(session: AsyncSession, draft_id: int) -> ReportDraft | None:
    return await session.get(ReportDraft, draft_id)


async def draft_for(session: AsyncSession, employee_id: int, kind: str, period_first: date) -> ReportDraft | None:
    statement = select(ReportDraft).where(
        ReportDraft.employee_id == employee_id, ReportDraft.kind == kind, ReportDraft.period_first == period_first
    )
    return (await session.exec(statement)).first()


async def add_draft(
    session: AsyncSession, employee_id: int, kind: str, period_first: date, period_last: date, now: datetime
) -> tuple[ReportDraft, bool]:
    """The draft for this employee, kind and period start: (the existing one, False) or (a new one, True)."""
    found = await draft_for(session, employee_id, kind, period_first)
    if found is not None:
        return found, False
    row = ReportDraft(
        employee_id=employee_id, kind=kind, period_first=period_first, period_last=period_last, created_at=now
    )
    session.add(row)
    await session.flush()
    return row, True


async def decide_draft(session: AsyncSession, row: ReportDraft, status: str, coach_id: int, now: datetime) -> None:
    """sent | skipped, with who decided and when (a draft is decided once)."""
    row.status, row.decided_by, row.decided_at = status, coach_id, now
    session.add(row)
    await session.flush()


async def open_drafts(session: AsyncSession, employee_ids: list[int], created_before: datetime) -> list[ReportDraft]:
    """Drafts still waiting for the coach that were made before `created_before` (for the digest)."""
    if not employee_ids:
        return []
    statement = (
        select(ReportDraft)
        .where(
            ReportDraft.employee_id.in_(employee_ids),  # type: ignore[attr-defined]
            ReportDraft.status == "draft",
            ReportDraft.created_at < created_before,
        )
        .order_by(ReportDraft.created_at)
    )
    return list((await session.exec(statement)).all())


async def drafts_of(session: AsyncSession, employee_id: int) -> list[ReportDraft]:
    statement = select(ReportDraft).where(ReportDraft.employee_id == employee_id).order_by(ReportDraft.id)
    return list((await session.exec(statement)).all())


async def steps_done_of(session: AsyncSession, employee_ids: list[int]) -> dict[int, dict[str, date]]:
    """`steps_done` for many employees in one query (the dashboard's deadlines): employee id → step → day."""
    if not employee_ids:
        return {}
    statement = select(PoortwachterStep).where(PoortwachterStep.employee_id.in_(employee_ids))  # type: ignore[attr-defined]
    found: dict[int, dict[str, date]] = {}
    for row in (await session.exec(statement)).all():
        found.setdefault(row.employee_id, {})[row.step] = row.done_on
    return found
