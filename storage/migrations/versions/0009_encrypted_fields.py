"""encryption at rest: health data and free text become Fernet tokens; the keycheck table

The encrypted columns (see `storage.crypto` and the Encrypted* types in `storage.models`) become TEXT (their
tokens do not fit the old lengths, and an integer or JSON value is a token too); binary columns stay binary and
hold the token's bytes. Existing values are encrypted with the installed key ring (a clear error when there are
rows and no ENCRYPTION_KEY). The `keycheck` table gets its one value when a ring is installed. Downgrade decrypts
everything back into the old types.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 16:00:00.000000
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

from storage import crypto

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TEXT = sqlmodel.sql.sqltypes.AutoString
BATCH = 500

# table -> (primary key, [(column, type before, nullable)]); a LargeBinary keeps its type
COLUMNS: dict[str, tuple[str, list[tuple[str, sa.types.TypeEngine, bool]]]] = {
    "checkin": (
        "id",
        [
            ("energy", sa.Integer(), True),
            ("note", TEXT(length=2000), True),
            ("paused_reason", TEXT(length=20), True),
            ("reflection", TEXT(length=2000), True),
            ("next_step", TEXT(length=500), True),
        ],
    ),
    "employee": (
        "id",
        [
            ("values", sa.JSON(), True),
            ("bsn", TEXT(length=9), True),
            ("track2_late_reason", TEXT(length=1000), True),
            ("outcome_text", TEXT(length=3000), True),
        ],
    ),
    "pause": ("id", [("reason", TEXT(length=20), False)]),
    "outbox": ("id", [("text", TEXT(), False), ("attachment", sa.LargeBinary(), True)]),
    "dialog": ("telegram_user_id", [("data", sa.JSON(), False)]),
    "coachnote": ("id", [("text", TEXT(length=2000), False)]),
    "planversion": ("id", [("content", sa.JSON(), False)]),
    "planevaluation": ("id", [("conclusion", TEXT(length=2000), False), ("changes", TEXT(length=2000), True)]),
    "applicationproof": ("id", [("url", TEXT(length=500), True), ("data", sa.LargeBinary(), True)]),
    "ownview": ("employee_id", [("text", TEXT(length=3000), True)]),
}
NO_KEY = (
    "the database holds data that must now be encrypted, and ENCRYPTION_KEY is not set "
    f"({crypto.MAKE_ONE}, set it, and run this again)"
)


def _binary(kind: sa.types.TypeEngine) -> bool:
    return isinstance(kind, sa.LargeBinary)


def _postgres_type(kind: sa.types.TypeEngine) -> str:
    if isinstance(kind, sa.Integer):
        return "integer"
    if isinstance(kind, sa.JSON):
        return "json"
    return f"varchar({kind.length})" if kind.length else "varchar"


def _retype(table: str, to_text: bool) -> None:
    """Every non-binary encrypted column of `table` to TEXT (`to_text`) or back to its old type."""
    postgres = op.get_bind().dialect.name == "postgresql"
    _key, columns = COLUMNS[table]
    with op.batch_alter_table(table) as batch:
        for name, before, nullable in columns:
            if _binary(before):
                continue
            if to_text:
                using = f'"{name}"::text' if postgres else None
                batch.alter_column(
                    name, existing_type=before, type_=sa.Text(), existing_nullable=nullable, postgresql_using=using
                )
            else:
                cast = _postgres_type(before)
                using = f'"{name}"::{cast}' if postgres else None
                batch.alter_column(
                    name, existing_type=sa.Text(), type_=before, existing_nullable=nullable, postgresql_using=using
                )


def _convert(table: str, change) -> int:
    """Apply `change(raw value, binary) -> new value` to every non-NULL encrypted value of `table`, by primary key
    in batches (no table is read into memory whole). Returns how many rows there were."""
    connection = op.get_bind()
    key, columns = COLUMNS[table]
    names = [name for name, _before, _nullable in columns]
    binary = {name: _binary(before) for name, before, _nullable in columns}
    rows = sa.table(table, sa.column(key), *(sa.column(name) for name in names))
    seen, last = 0, None
    while True:
        statement = sa.select(rows.c[key], *(rows.c[name] for name in names)).order_by(rows.c[key]).limit(BATCH)
        if last is not None:
            statement = statement.where(rows.c[key] > last)
        batch = connection.execute(statement).all()
        if not batch:
            return seen
        for row in batch:
            values = {
                name: change(row[index + 1], binary[name])
                for index, name in enumerate(names)
                if row[index + 1] is not None
            }
            if values:
                connection.execute(sa.update(rows).where(rows.c[key] == row[0]).values(**values))
        seen += len(batch)
        last = batch[-1][0]


def _rows_exist() -> bool:
    connection = op.get_bind()
    return any(connection.execute(sa.text(f"SELECT 1 FROM {table} LIMIT 1")).first() for table in COLUMNS)


def _encrypt(value, binary: bool):
    ring = crypto.ring()
    if binary:
        return ring.encrypt(bytes(value))
    plain = value if isinstance(value, str) else str(value)  # SQLite may hand back an integer as it was
    return ring.encrypt(plain.encode("utf-8")).decode("utf-8")


def _decrypt(value, binary: bool):
    ring = crypto.ring()
    if binary:
        return ring.decrypt(bytes(value))
    return ring.decrypt(value.encode("utf-8") if isinstance(value, str) else bytes(value)).decode("utf-8")


def upgrade() -> None:
    if _rows_exist() and not crypto.has_ring():
        raise crypto.KeyProblem(NO_KEY)
    op.create_table(
        "keycheck",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    for table in COLUMNS:
        _retype(table, to_text=True)
        _convert(table, _encrypt)
    if crypto.has_ring():
        crypto.write_keycheck(op.get_bind(), crypto.ring())


def downgrade() -> None:
    if _rows_exist() and not crypto.has_ring():
        raise crypto.KeyProblem(crypto.MISSING)
    for table in COLUMNS:
        _convert(table, _decrypt)
        _retype(table, to_text=False)
    op.drop_table("keycheck")
