"""Erasure: a care leaver's record can lose its date of birth and say when it was erased.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _sqlite_foreign_keys(on: bool) -> None:
    """Turn SQLite's foreign-key checks on or off (only possible outside a transaction).

    SQLite copies a table to change a column, and dropping the original would trip
    the foreign keys of every row that refers to it; the documented way is to turn
    the checks off, rebuild, check, and turn them back on. What earlier migrations of
    this run did is committed first (Alembic records each one as it goes).
    """
    dbapi_connection = op.get_bind().connection.dbapi_connection
    if dbapi_connection.in_transaction:
        dbapi_connection.commit()
    op.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        _sqlite_foreign_keys(on=False)
    with op.batch_alter_table("care_leavers") as batch:
        batch.alter_column("date_of_birth", existing_type=sa.Date, nullable=True)
        batch.add_column(sa.Column("erased_at", sa.DateTime, nullable=True))
    if sqlite:
        problems = op.get_bind().execute(sa.text("PRAGMA foreign_key_check")).all()
        if problems:
            raise RuntimeError(f"foreign keys broken by the copy of care_leavers: {problems}")
        _sqlite_foreign_keys(on=True)


def downgrade() -> None:
    with op.batch_alter_table("care_leavers") as batch:
        batch.drop_column("erased_at")
        batch.alter_column("date_of_birth", existing_type=sa.Date, nullable=False)
