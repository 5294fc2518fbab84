"""outbox claims: the rows of one chat are sent one after another

A sender claims the oldest pending row of a chat (`claimed_by`, a lease until `claimed_until`); the index finds
a chat's pending rows in queue order. Both columns are nullable: existing rows are simply unclaimed.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 17:15:01.896720
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_by", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))
        batch_op.add_column(sa.Column("claimed_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.create_index("ix_outbox_chat", ["chat_id", "status", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_chat")
        batch_op.drop_column("claimed_until")
        batch_op.drop_column("claimed_by")
