"""The console's tables: staff accounts, sessions, sign-in failures and the audit log.

Part of the project's metadata (:mod:`bot.store.metadata`), migrated by Alembic (0005).
Times are stored as naive UTC, as in the rest of the project, and read and taken as aware UTC
(:class:`bot.store.types.UtcDateTime`).
"""

from __future__ import annotations

import sqlalchemy as sa

from bot.store.metadata import metadata
from bot.store.types import UtcDateTime

staff_accounts = sa.Table(
    "staff_accounts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("staff_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=False, unique=True),
    # The sign-in name: the staff record's email when the account was made, lower case.
    sa.Column("email", sa.String(254), nullable=False, unique=True),
    # argon2id (argon2-cffi's PasswordHasher); NULL until the person sets a password.
    sa.Column("password_hash", sa.String(255), nullable=True),
    # A subset of bot.console.roles.ROLES, comma-separated and sorted.
    sa.Column("roles", sa.String(255), nullable=False, server_default=""),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
    sa.Column("locked_until", UtcDateTime(), nullable=True),
    sa.Column("last_login_at", UtcDateTime(), nullable=True),
    # A one-time link to set the password: sha256 of its token, and when it stops working.
    sa.Column("setup_token_hash", sa.String(64), nullable=True, unique=True),
    sa.Column("setup_expires_at", UtcDateTime(), nullable=True),
)

console_sessions = sa.Table(
    "console_sessions",
    metadata,
    # sha256 of the random token in the cookie: a copy of this table signs nobody in.
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("staff_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=False, index=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("last_seen_at", UtcDateTime(), nullable=False),
    sa.Column("expires_at", UtcDateTime(), nullable=False),
    sa.Column("revoked_at", UtcDateTime(), nullable=True),
)

login_failures = sa.Table(
    "login_failures",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    # Keyed hash of the client's address (never the address itself).
    sa.Column("ip_hash", sa.String(64), nullable=False),
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.Index("ix_login_failures_ip_hash_at", "ip_hash", "at"),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", UtcDateTime(), nullable=False, index=True),
    # Who did it, when anyone was signed in (a failed sign-in for an unknown email: NULL).
    sa.Column("staff_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=True, index=True),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("target", sa.String(255), nullable=False, server_default=""),
    # Plain words about staff and the console only: never a young person's personal data.
    sa.Column("detail", sa.Text, nullable=False, server_default=""),
    sa.Column("ip_hash", sa.String(64), nullable=True),
)
