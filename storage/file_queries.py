"""Queries for the client's file on the dashboard: the proofs of applications as a list (what they are, not their
bytes: a page with a hundred photos stays fast; the bytes are read only when one proof is opened). Plain async
functions over a SQLModel AsyncSession; the caller commits."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ApplicationProof


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
