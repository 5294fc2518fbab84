"""several instances on one database: sweep leases, the newest update per chat, delivery senders

Adds `sweeplease` (a scheduled job runs once per interval across all instances), `chatturn` (the updates of one
chat are handled one after the other, once each, also across processes) and `sendershare` (the senders alive,
which share Telegram's overall limit).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 18:40:00.000000
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

TEXT = sqlmodel.sql.sqltypes.AutoString
MOMENT = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "sweeplease",
        sa.Column("name", TEXT(length=40), primary_key=True),
        sa.Column("owner", TEXT(length=40), nullable=True),
        sa.Column("until", MOMENT(), nullable=True),
        sa.Column("started_at", MOMENT(), nullable=True),
        sa.Column("finished_at", MOMENT(), nullable=True),
    )
    op.create_table(
        "chatturn",
        sa.Column("chat_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("update_id", sa.BigInteger(), nullable=False),
        sa.Column("handled_at", MOMENT(), nullable=False),
    )
    op.create_table(
        "sendershare",
        sa.Column("name", TEXT(length=40), primary_key=True),
        sa.Column("alive_until", MOMENT(), nullable=False),
        sa.Column("busy", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_table("sendershare")
    op.drop_table("chatturn")
    op.drop_table("sweeplease")
