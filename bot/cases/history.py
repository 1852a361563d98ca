"""Append-only histories: every change to a case, handoff or alert, with who and when.

Rows are only ever inserted, in the same transaction as the change they describe;
nothing here updates or deletes one.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bot.cases.model import Actor, Event, event_from_row
from bot.store.tables.cases import case_events, handoff_events, safety_alert_events

_SUBJECTS: Mapping[str, tuple[sa.Table, str]] = {
    "case": (case_events, "case_id"),
    "handoff": (handoff_events, "handoff_id"),
    "alert": (safety_alert_events, "alert_id"),
}


def append(
    conn: Connection,
    subject: str,
    subject_id: int,
    *,
    at: dt.datetime,
    actor: Actor,
    action: str,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Add one entry to a history, inside the caller's transaction.

    Args:
        conn: A connection in the transaction that makes the change.
        subject: ``case``, ``handoff`` or ``alert``.
        subject_id: The id of the case, handoff or alert.
        at: When (aware).
        actor: Who.
        action: What, in a word (``opened``, ``acknowledged``, ...).
        detail: Anything else worth keeping, as JSON.

    """
    table, column = _SUBJECTS[subject]
    conn.execute(
        table.insert().values(
            {
                column: subject_id,
                "at": at,
                "actor": actor.kind,
                "staff_id": actor.staff_id,
                "action": action,
                "detail": json.dumps(dict(detail or {}), sort_keys=True, default=str),
            }
        )
    )


def events(conn: Connection, subject: str, subject_id: int) -> list[Event]:
    """Like :func:`history`, inside the caller's transaction."""
    table, column = _SUBJECTS[subject]
    rows = conn.execute(
        sa.select(table).where(table.c[column] == subject_id).order_by(table.c.id)
    ).all()
    return [event_from_row(row) for row in rows]


def history(engine: Engine, subject: str, subject_id: int) -> list[Event]:
    """The history of a case, handoff or alert, oldest first.

    Args:
        engine: The project's database.
        subject: ``case``, ``handoff`` or ``alert``.
        subject_id: Its id.

    Returns:
        Every entry, in the order they were written.

    """
    with engine.connect() as conn:
        return events(conn, subject, subject_id)
