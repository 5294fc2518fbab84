"""trajectory plan: versioned plans, evaluations, application proofs, Track 1 hours

The plan is a new table of versions (never updated in place but for the employee's answer), evaluations are
their own rows, and applications get their search direction and their proofs. Existing rows keep working: the
new columns are nullable.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 07:40:00.000000
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "planversion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("change", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("author_coach_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("employee_answer", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.Column("answered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["author_coach_id"], ["coach.id"]),
        sa.ForeignKeyConstraint(["employee_id"], ["employee.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("employee_id", "number", name="uq_planversion_employee_number"),
    )
    op.create_index(op.f("ix_planversion_employee_id"), "planversion", ["employee_id"], unique=False)
    op.create_table(
        "planevaluation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("coach_id", sa.Integer(), nullable=True),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("participants", sa.JSON(), nullable=False),
        sa.Column("conclusion", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("changes", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("directions_reviewed", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["coach_id"], ["coach.id"]),
        sa.ForeignKeyConstraint(["employee_id"], ["employee.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_planevaluation_employee_id"), "planevaluation", ["employee_id"], unique=False)
    op.create_table(
        "applicationproof",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.Column("mime_type", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["jobapplication.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_applicationproof_application_id"), "applicationproof", ["application_id"], unique=False)
    with op.batch_alter_table("checkin", schema=None) as batch_op:
        batch_op.add_column(sa.Column("track1_hours", sa.Integer(), nullable=True))
    with op.batch_alter_table("jobapplication", schema=None) as batch_op:
        batch_op.add_column(sa.Column("direction", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("jobapplication", schema=None) as batch_op:
        batch_op.drop_column("direction")
    with op.batch_alter_table("checkin", schema=None) as batch_op:
        batch_op.drop_column("track1_hours")
    op.drop_index(op.f("ix_applicationproof_application_id"), table_name="applicationproof")
    op.drop_table("applicationproof")
    op.drop_index(op.f("ix_planevaluation_employee_id"), table_name="planevaluation")
    op.drop_table("planevaluation")
    op.drop_index(op.f("ix_planversion_employee_id"), table_name="planversion")
    op.drop_table("planversion")
