"""Queries for the trajectory plan: its versions (never changed but for the employee's answer), evaluations and
the proofs of applications. Plain async functions over a SQLModel AsyncSession; portable SQL only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ApplicationProof, JobApplication, PlanEvaluation, PlanVersion

# --- plan versions ---------------------------------------------------------------------------------------------


async def latest_plan(session: AsyncSession, employee_id: int) -> PlanVersion | None:
    """The current plan version of one employee, or None when no plan was made yet."""
    statement = (
        select(PlanVersion).where(PlanVersion.employee_id == employee_id).order_by(PlanVersion.number.desc()).limit(1)  # type: ignore[attr-defined]
    )
    return (await session.exec(statement)).first()


async def latest_plans(session: AsyncSession, employee_ids: list[int]) -> dict[int, PlanVersion]:
    """The current plan version per employee (those with a plan), for a caseload or a digest."""
    if not employee_ids:
        return {}
    newest = (
        select(PlanVersion.employee_id, func.max(PlanVersion.number).label("number"))
        .where(PlanVersion.employee_id.in_(employee_ids))  # type: ignore[attr-defined]
        .group_by(PlanVersion.employee_id)
        .subquery()
    )
    statement = select(PlanVersion).join(
        newest, (PlanVersion.employee_id == newest.c.employee_id) & (PlanVersion.number == newest.c.number)
    )
    return {row.employee_id: row for row in (await session.exec(statement)).all()}


async def plan_versions(session: AsyncSession, employee_id: int) -> list[PlanVersion]:
    """Every version of one employee's plan, oldest first."""
    statement = select(PlanVersion).where(PlanVersion.employee_id == employee_id).order_by(PlanVersion.number)
    return list((await session.exec(statement)).all())


async def plan_on(session: AsyncSession, employee_id: int, moment: datetime) -> PlanVersion | None:
    """The plan as it was at `moment`: the newest version made at or before it."""
    statement = (
        select(PlanVersion)
        .where(PlanVersion.employee_id == employee_id, PlanVersion.created_at <= moment)
        .order_by(PlanVersion.number.desc())  # type: ignore[attr-defined]
        .limit(1)
    )
    return (await session.exec(statement)).first()


async def first_plan_dates(session: AsyncSession, employee_ids: list[int]) -> dict[int, datetime]:
    """When each employee's first plan version was made."""
    if not employee_ids:
        return {}
    statement = (
        select(PlanVersion.employee_id, func.min(PlanVersion.created_at))
        .where(PlanVersion.employee_id.in_(employee_ids))  # type: ignore[attr-defined]
        .group_by(PlanVersion.employee_id)
    )
    return dict((await session.exec(statement)).all())


async def add_plan_version(
    session: AsyncSession, employee_id: int, content: dict, change: str, author_coach_id: int | None, now: datetime
) -> PlanVersion:
    """Store `content` as the next version (the caller validated it with `bot.rules.plan.normalise`)."""
    latest = await latest_plan(session, employee_id)
    version = PlanVersion(
        employee_id=employee_id,
        number=(latest.number if latest is not None else 0) + 1,
        content=content,
        change=change,
        author_coach_id=author_coach_id,
        created_at=now,
    )
    session.add(version)
    await session.flush()
    return version


async def answer_plan(session: AsyncSession, version_id: int, answer: str, now: datetime) -> None:
    """The employee's answer (agree | discuss) to one version; a later answer replaces an earlier one."""
    version = await session.get(PlanVersion, version_id)
    version.employee_answer = answer
    version.answered_at = now
    session.add(version)
    await session.flush()


# --- evaluations -----------------------------------------------------------------------------------------------


async def add_evaluation(session: AsyncSession, evaluation: PlanEvaluation) -> PlanEvaluation:
    session.add(evaluation)
    await session.flush()
    return evaluation


async def evaluations_of(session: AsyncSession, employee_ids: list[int]) -> list[PlanEvaluation]:
    """The evaluations of these employees, oldest first."""
    if not employee_ids:
        return []
    statement = (
        select(PlanEvaluation)
        .where(PlanEvaluation.employee_id.in_(employee_ids))  # type: ignore[attr-defined]
        .order_by(PlanEvaluation.held_on, PlanEvaluation.id)
    )
    return list((await session.exec(statement)).all())


# --- proofs of applications ------------------------------------------------------------------------------------


async def add_proof(session: AsyncSession, proof: ApplicationProof) -> ApplicationProof:
    session.add(proof)
    await session.flush()
    return proof


async def proofs_of(session: AsyncSession, application_ids: list[int]) -> dict[int, list[ApplicationProof]]:
    """The proofs per application (without their bytes loaded into memory more than once)."""
    if not application_ids:
        return {}
    statement = (
        select(ApplicationProof)
        .where(ApplicationProof.application_id.in_(application_ids))  # type: ignore[attr-defined]
        .order_by(ApplicationProof.id)
    )
    proofs: dict[int, list[ApplicationProof]] = {}
    for proof in (await session.exec(statement)).all():
        proofs.setdefault(proof.application_id, []).append(proof)
    return proofs


@dataclass(frozen=True)
class ProofLine:
    """One proof without its bytes."""

    id: int
    application_id: int
    kind: str  # link | document | photo
    url: str | None
    mime_type: str | None
    size: int | None
    file_name: str | None


async def proof_lines(session: AsyncSession, application_ids: list[int]) -> dict[int, list[ProofLine]]:
    """application id → its proofs (oldest first), in one query and without the documents themselves."""
    if not application_ids:
        return {}
    columns = (
        ApplicationProof.id, ApplicationProof.application_id, ApplicationProof.kind, ApplicationProof.url,
        ApplicationProof.mime_type, ApplicationProof.size, ApplicationProof.file_name,
    )  # fmt: skip
    statement = (
        select(*columns)
        .where(ApplicationProof.application_id.in_(application_ids))  # type: ignore[attr-defined]
        .order_by(ApplicationProof.id)
    )
    found: dict[int, list[ProofLine]] = {}
    for row in (await session.exec(statement)).all():
        line = ProofLine(*row)
        found.setdefault(line.application_id, []).append(line)
    return found


async def applications_with_proof(session: AsyncSession, application_ids: list[int]) -> set[int]:
    """Which of these applications have at least one proof."""
    if not application_ids:
        return set()
    statement = (
        select(ApplicationProof.application_id)
        .where(ApplicationProof.application_id.in_(application_ids))  # type: ignore[attr-defined]
        .distinct()
    )
    return set((await session.exec(statement)).all())


async def direction_counts(session: AsyncSession, employee_id: int) -> dict[str | None, tuple[int, int]]:
    """Per search direction ("d1"..., None: no direction) the applications logged in it: (with at least one
    proof, without any proof)."""
    proved = select(ApplicationProof.application_id).distinct().subquery()
    statement = (
        select(JobApplication.direction, func.count(JobApplication.id), func.count(proved.c.application_id))
        .outerjoin(proved, proved.c.application_id == JobApplication.id)
        .where(JobApplication.employee_id == employee_id)
        .group_by(JobApplication.direction)
    )
    return {direction: (proof, total - proof) for direction, total, proof in (await session.exec(statement)).all()}
