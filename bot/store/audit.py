"""The audit log: who did what in the console, and when. Rows are only ever added.

The database refuses updates and deletes of ``audit_log`` (triggers, migration 0005).
Details are plain words about staff and the console: never a young person's name,
number or messages, never a password, never the email typed at a failed sign-in.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.store.tables.console import audit_log
from bot.store.tables.people import staff

MAX_DETAIL = 500


@dataclasses.dataclass(frozen=True)
class AuditEntry:
    """One row of the audit log, with the name of who did it."""

    id: int
    at: dt.datetime
    staff_id: int | None
    staff_name: str | None
    action: str
    target: str
    detail: str


def record(
    conn: Connection,
    action: str,
    *,
    now: dt.datetime,
    staff_id: int | None = None,
    target: str = "",
    detail: str = "",
    ip_hash: str | None = None,
) -> None:
    """Add a row to the audit log (in the caller's transaction).

    Args:
        conn: A connection in a transaction.
        action: What happened, e.g. ``login``, ``login_failed``, ``account.create``.
        now: When (naive UTC).
        staff_id: Who did it, if anyone was signed in or is known.
        target: What it was done to, e.g. ``account:3``.
        detail: Plain words (cut at 500 characters).
        ip_hash: The keyed hash of the client's address.

    """
    conn.execute(
        audit_log.insert().values(
            at=now,
            staff_id=staff_id,
            action=action[:64],
            target=target[:255],
            detail=detail[:MAX_DETAIL],
            ip_hash=ip_hash,
        )
    )


def count(conn: Connection) -> int:
    """How many rows the audit log has."""
    return int(conn.execute(sa.select(sa.func.count()).select_from(audit_log)).scalar_one())


def page(conn: Connection, number: int, per_page: int = 50) -> list[AuditEntry]:
    """The ``number``-th page (from 1) of the audit log, newest first."""
    rows = conn.execute(
        sa.select(audit_log, staff.c.name.label("staff_name"))
        .select_from(audit_log.outerjoin(staff, staff.c.id == audit_log.c.staff_id))
        .order_by(audit_log.c.id.desc())
        .limit(per_page)
        .offset(max(0, number - 1) * per_page)
    ).all()
    return [
        AuditEntry(
            id=row.id,
            at=row.at,
            staff_id=row.staff_id,
            staff_name=row.staff_name,
            action=row.action,
            target=row.target,
            detail=row.detail,
        )
        for row in rows
    ]
