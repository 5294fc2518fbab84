"""the Track 2 file: poortwachter steps as they happened, the employee's own view, report drafts, BSN

Adds the dates the poortwachter steps actually took place, the employee's own view of the trajectory (with
consent), the monthly and final report drafts the coach decides on, and on the employee the BSN, why Track 2
started late and the outcome of the trajectory; on the coach the agency named in reports. All new columns are
nullable: existing rows keep working.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 12:00:00.000000
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TEXT = sqlmodel.sql.sqltypes.AutoString
MOMENT = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    with op.batch_alter_table("coach") as coach:
        coach.add_column(sa.Column("agency", TEXT(length=160), nullable=True))
    with op.batch_alter_table("employee") as employee:
        employee.add_column(sa.Column("bsn", TEXT(length=9), nullable=True))
        employee.add_column(sa.Column("track2_late_reason", TEXT(length=1000), nullable=True))
        employee.add_column(sa.Column("outcome", TEXT(length=20), nullable=True))
        employee.add_column(sa.Column("outcome_text", TEXT(length=3000), nullable=True))
        employee.add_column(sa.Column("outcome_on", sa.Date(), nullable=True))
    op.create_table(
        "poortwachterstep",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("step", TEXT(length=30), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=False),
        sa.Column("coach_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", MOMENT(), nullable=False),
        sa.ForeignKeyConstraint(["coach_id"], ["coach.id"]),
        sa.ForeignKeyConstraint(["employee_id"], ["employee.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("employee_id", "step", name="uq_poortwachterstep_employee_step"),
    )
    op.create_index(op.f("ix_poortwachterstep_employee_id"), "poortwachterstep", ["employee_id"], unique=False)
    op.create_table(
        "ownview",
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("consent", sa.Boolean(), nullable=True),
        sa.Column("text", TEXT(length=3000), nullable=True),
        sa.Column("asked_at", MOMENT(), nullable=True),
        sa.Column("answered_at", MOMENT(), nullable=True),
        sa.Column("locked_at", MOMENT(), nullable=True),
        sa.ForeignKeyConstraint(["employee_id"], ["employee.id"]),
        sa.PrimaryKeyConstraint("employee_id"),
    )
    op.create_table(
        "reportdraft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("kind", TEXT(length=10), nullable=False),
        sa.Column("period_first", sa.Date(), nullable=False),
        sa.Column("period_last", sa.Date(), nullable=False),
        sa.Column("status", TEXT(length=10), nullable=False),
        sa.Column("created_at", MOMENT(), nullable=False),
        sa.Column("decided_at", MOMENT(), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["decided_by"], ["coach.id"]),
        sa.ForeignKeyConstraint(["employee_id"], ["employee.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("employee_id", "kind", "period_first", name="uq_reportdraft_employee_kind_first"),
    )
    op.create_index(op.f("ix_reportdraft_employee_id"), "reportdraft", ["employee_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_reportdraft_employee_id"), table_name="reportdraft")
    op.drop_table("reportdraft")
    op.drop_table("ownview")
    op.drop_index(op.f("ix_poortwachterstep_employee_id"), table_name="poortwachterstep")
    op.drop_table("poortwachterstep")
    with op.batch_alter_table("employee") as employee:
        for column in ("outcome_on", "outcome_text", "outcome", "track2_late_reason", "bsn"):
            employee.drop_column(column)
    with op.batch_alter_table("coach") as coach:
        coach.drop_column("agency")
