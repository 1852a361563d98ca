"""Console sessions: a random token in a cookie, its sha256 in ``console_sessions``.

A session ends when it is revoked (sign-out, a new password, a deactivated account),
after :attr:`Policy.idle` without a request, or :attr:`Policy.lifetime` after sign-in,
whichever comes first. Signing in always starts a new session (a new token).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.console.accounts import digest
from bot.console.policy import Policy
from bot.console.roles import stored_roles
from bot.store.tables.console import console_sessions, staff_accounts
from bot.store.tables.people import staff


@dataclasses.dataclass(frozen=True)
class Person:
    """Who is signed in: their staff record, account and session."""

    staff_id: int
    account_id: int
    name: str
    email: str
    district: str
    roles: frozenset[str]
    session_id: str

    def has_any(self, *roles: str) -> bool:
        """True if the person has at least one of ``roles``."""
        return bool(self.roles.intersection(roles))


def start(conn: Connection, staff_id: int, *, now: dt.datetime, policy: Policy) -> str:
    """Start a session for ``staff_id``; return its token (for the cookie only)."""
    token = secrets.token_urlsafe(32)
    conn.execute(
        console_sessions.insert().values(
            id=digest(token),
            staff_id=staff_id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + policy.lifetime,
        )
    )
    return token


def current(conn: Connection, token: str, *, now: dt.datetime, policy: Policy) -> Person | None:
    """The person whose live session ``token`` is, or None; keeps the session alive.

    None if the session is unknown, revoked, idle too long or past its lifetime, or if
    the account or the staff record is no longer active.
    """
    if not token or len(token) > 100:
        return None
    session_id = digest(token)
    row = conn.execute(
        sa.select(
            console_sessions,
            staff_accounts.c.id.label("account_id"),
            staff_accounts.c.email,
            staff_accounts.c.roles,
            staff_accounts.c.active.label("account_active"),
            staff.c.name,
            staff.c.district,
            staff.c.active.label("staff_active"),
        )
        .select_from(
            console_sessions.join(
                staff_accounts, staff_accounts.c.staff_id == console_sessions.c.staff_id
            ).join(staff, staff.c.id == console_sessions.c.staff_id)
        )
        .where(console_sessions.c.id == session_id)
    ).first()
    if row is None or not alive(row, now=now, policy=policy):
        return None
    if not (row.account_active and row.staff_active):
        return None
    if now - row.last_seen_at >= policy.touch_every:
        conn.execute(
            console_sessions.update()
            .where(console_sessions.c.id == session_id)
            .values(last_seen_at=now)
        )
    return Person(
        staff_id=row.staff_id,
        account_id=row.account_id,
        name=row.name,
        email=row.email,
        district=row.district,
        roles=stored_roles(row.roles),
        session_id=session_id,
    )


def alive(row: sa.engine.Row, *, now: dt.datetime, policy: Policy) -> bool:
    """True if a ``console_sessions`` row is neither revoked, idle too long, nor expired."""
    return (
        row.revoked_at is None
        and now < row.expires_at
        and now < row.created_at + policy.lifetime
        and now < row.last_seen_at + policy.idle
    )


def revoke(conn: Connection, session_id: str, *, now: dt.datetime) -> None:
    """End one session (by its id, the sha256 of its token)."""
    conn.execute(
        console_sessions.update()
        .where(console_sessions.c.id == session_id, console_sessions.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
