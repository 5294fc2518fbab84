"""the AVG: an audit trail, what erasure keeps, the retention statistic, suppressed chats, agency administrators

Adds the append-only audit trail (a trigger refuses updates), the facts kept of an erased employee's sent
reports, the anonymous count of purged trajectories, the chats that must never get a message again, and on the
coach `is_admin` and `deactivated_at`, on the employee `closed_at` (filled from the phase history for trajectories
closed before this revision).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 15:00:00.000000
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TEXT = sqlmodel.sql.sqltypes.AutoString
MOMENT = sqlmodel.sql.sqltypes.UTCDateTime

SQLITE_NO_UPDATE = """
CREATE TRIGGER auditentry_append_only BEFORE UPDATE ON auditentry
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END
"""
POSTGRES_NO_UPDATE = [
    """
    CREATE FUNCTION auditentry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END $$
    """,
    """
    CREATE TRIGGER auditentry_append_only BEFORE UPDATE ON auditentry
    FOR EACH ROW EXECUTE FUNCTION auditentry_append_only()
    """,
]


def upgrade() -> None:
    with op.batch_alter_table("coach") as coach:
        coach.add_column(sa.Column("is_admin", sa.Boolean(), nullable=False, server_default=sa.false()))
        coach.add_column(sa.Column("deactivated_at", MOMENT(), nullable=True))
    with op.batch_alter_table("employee") as employee:
        employee.add_column(sa.Column("closed_at", MOMENT(), nullable=True))
    op.execute(
        "UPDATE employee SET closed_at = (SELECT max(changed_at) FROM phasechange "
        "WHERE phasechange.employee_id = employee.id AND phasechange.phase = 'closed') WHERE status = 'closed'"
    )
    op.execute("UPDATE employee SET closed_at = created_at WHERE status = 'closed' AND closed_at IS NULL")
    op.create_index(op.f("ix_invite_employee_id"), "invite", ["employee_id"], unique=False)  # erasure's FK checks
    op.create_table(
        "auditentry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", MOMENT(), nullable=False),
        sa.Column("actor_kind", TEXT(length=12), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("what", TEXT(length=30), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=True),
        sa.Column("coach_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_auditentry_employee_id"), "auditentry", ["employee_id"], unique=False)
    op.create_index(op.f("ix_auditentry_coach_id"), "auditentry", ["coach_id"], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        op.execute(SQLITE_NO_UPDATE)
    else:
        for statement in POSTGRES_NO_UPDATE:
            op.execute(statement)
    op.create_table(
        "keptreportfact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("erasure", TEXT(length=32), nullable=False),
        sa.Column("employer_id", sa.Integer(), nullable=True),
        sa.Column("kind", TEXT(length=10), nullable=False),
        sa.Column("period_first", sa.Date(), nullable=False),
        sa.Column("period_last", sa.Date(), nullable=False),
        sa.Column("sent_at", MOMENT(), nullable=False),
        sa.Column("erased_at", MOMENT(), nullable=False),
        sa.ForeignKeyConstraint(["employer_id"], ["employer.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_keptreportfact_erasure"), "keptreportfact", ["erasure"], unique=False)
    op.create_table(
        "retentioncount",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("closed_year", sa.Integer(), nullable=False),
        sa.Column("outcome", TEXT(length=20), nullable=False),
        sa.Column("trajectories", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("closed_year", "outcome", name="uq_retentioncount_year_outcome"),
    )
    op.create_table(
        "suppressedchat",
        sa.Column("chat_hash", TEXT(length=64), nullable=False),
        sa.Column("since", MOMENT(), nullable=False),
        sa.PrimaryKeyConstraint("chat_hash"),
    )


def downgrade() -> None:
    op.drop_table("suppressedchat")
    op.drop_table("retentioncount")
    op.drop_index(op.f("ix_keptreportfact_erasure"), table_name="keptreportfact")
    op.drop_table("keptreportfact")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS auditentry_append_only")
    else:
        op.execute("DROP TRIGGER IF EXISTS auditentry_append_only ON auditentry")
        op.execute("DROP FUNCTION IF EXISTS auditentry_append_only()")
    op.drop_index(op.f("ix_auditentry_coach_id"), table_name="auditentry")
    op.drop_index(op.f("ix_auditentry_employee_id"), table_name="auditentry")
    op.drop_table("auditentry")
    op.drop_index(op.f("ix_invite_employee_id"), table_name="invite")
    with op.batch_alter_table("employee") as employee:
        employee.drop_column("closed_at")
    with op.batch_alter_table("coach") as coach:
        coach.drop_column("deactivated_at")
        coach.drop_column("is_admin")
