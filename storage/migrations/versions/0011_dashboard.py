"""the coach's dashboard: single-use sign-in links and sessions

Adds `dashboardlink` (a link from `/dashboard`, valid 10 minutes, used once) and `dashboardsession` (a signed-in
browser or Mini App, 12 hours). Both keep only the SHA-256 hash of their token.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 22:00:00.000000
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

TEXT = sqlmodel.sql.sqltypes.AutoString
MOMENT = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "dashboardlink",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", TEXT(length=64), nullable=False, unique=True),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False, index=True),
        sa.Column("created_at", MOMENT(), nullable=False),
        sa.Column("expires_at", MOMENT(), nullable=False),
        sa.Column("used_at", MOMENT(), nullable=True),
    )
    op.create_table(
        "dashboardsession",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", TEXT(length=64), nullable=False, unique=True),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False, index=True),
        sa.Column("via", TEXT(length=10), nullable=False),
        sa.Column("created_at", MOMENT(), nullable=False),
        sa.Column("expires_at", MOMENT(), nullable=False),
        sa.Column("ended_at", MOMENT(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("dashboardsession")
    op.drop_table("dashboardlink")
