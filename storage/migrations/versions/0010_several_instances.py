"""several instances on one database: sweep leases, the newest update per chat, delivery senders

Adds `sweeplease` (a scheduled job runs once per interval across all instances), `chatturn` (the updates of one
chat are handled one after the other, once each, also across processes) and `sendershare` (the senders alive,
which share Telegram's overall limit). Also: the two `outcome` columns widened to 30 characters, and on PostgreSQL
the audit trail's append-only trigger raises an integrity error (as on SQLite).

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
    _outcome_length(20, 30)  # "too_few_possibilities" has 21 characters: PostgreSQL refused it (SQLite never checks)
    if op.get_bind().dialect.name == "postgresql":  # an IntegrityError, as on SQLite, not a bare driver error
        op.execute(_APPEND_ONLY.format(code=" USING ERRCODE = 'restrict_violation'"))


_APPEND_ONLY = """
CREATE OR REPLACE FUNCTION auditentry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the audit trail is append-only'{code}; END $$
"""


def _outcome_length(old: int, new: int) -> None:
    for table, nullable in (("employee", True), ("retentioncount", False)):
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                "outcome", type_=TEXT(length=new), existing_type=TEXT(length=old), existing_nullable=nullable
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_APPEND_ONLY.format(code=""))
    _outcome_length(30, 20)
    op.drop_table("sendershare")
    op.drop_table("chatturn")
    op.drop_table("sweeplease")
